package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/shared"
	"outpost/shared/wire"
)

// TestTwoDevicesOfOneUser is issue 3's two-device test: one requester on
// a laptop and a phone (two browsers), the phone behind a real TCP proxy
// that is cut for a while (emulating offline in Chromium leaves an open
// websocket up). Both file tickets and reply to the same ticket meanwhile;
// once the phone is back, both show the same tickets and the same history,
// and the server has each ticket and each reply once.
func TestTwoDevicesOfOneUser(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	addAccount(t, srv, "rita@example.com", "Rita Requester", shared.RoleRequester, 0)
	laptop := device{name: "laptop", base: srv.HTTP.URL(), ctx: newBrowser(t)}
	phone := newOnLink(t, "phone", addr) // the phone has a network of its own
	for _, d := range []device{laptop, phone.device} {
		d.signIn(t, "rita@example.com")
	}

	const (
		shared1  = "Printer on floor 2 jams"
		fromLap  = "Laptop can't reach the VPN"
		fromPh   = "Phone mail app asks for the password again"
		replyLap = "From my laptop: the display says E-42."
		replyPh  = "From my phone: it only jams on tray 2."
	)
	id := laptop.file(t, shared1)
	phone.waitTickets(t, shared1)

	// The phone loses its network; the laptop keeps it.
	phone.cut(t)

	phone.file(t, fromPh)
	phone.reply(t, id, replyPh)
	waitJS(t, phone.ctx, "phone holds two changes", statusIs("offline", 2), 20*time.Second)
	laptop.file(t, fromLap)
	laptop.reply(t, id, replyLap)
	waitJS(t, laptop.ctx, "laptop sent all", statusIs("online", 0), 20*time.Second)

	// Back: the phone sends what it holds and gets what it missed.
	phone.restore(t)
	for _, d := range []device{laptop, phone.device} {
		d.waitTickets(t, shared1, fromLap, fromPh)
		run(t, d.ctx, chromedp.Navigate(d.base+"/ticket/"+id))
		waitJS(t, d.ctx, d.name+" shows both replies", appReady+` && `+fmt.Sprintf(
			`[...document.querySelectorAll("#history .entry.reply[data-pending=false]")].map(e => e.innerText).filter(s => s.includes(%s) || s.includes(%s)).length === 2`,
			jsString(replyLap), jsString(replyPh)), 30*time.Second)
		shot(t, d.ctx, "two-devices-"+d.name)
	}

	// The server has each ticket and each reply once.
	tickets := ticketsOf(t, srv.Store)
	for _, title := range []string{shared1, fromLap, fromPh} {
		if n := countTitle(tickets, title); n != 1 {
			t.Errorf("server has %d tickets titled %q; want 1", n, title)
		}
	}
	if len(tickets) != 3 {
		t.Errorf("server has %d tickets; want 3", len(tickets))
	}
	replies := map[string]int{}
	for _, e := range recordsOf[shared.Entry](t, srv.Store, wire.TypeEntry) {
		if e.Kind == shared.EntryReply && e.TicketID == id {
			replies[e.Body]++
		}
	}
	if replies[replyLap] != 1 || replies[replyPh] != 1 || len(replies) != 2 {
		t.Errorf("server has replies %v on the shared ticket; want each of the two once", replies)
	}
}

// device is one browser of a user, and the address it reaches the portal
// at.
type device struct {
	name string
	base string
	ctx  context.Context
}

// file files a ticket from the form and returns its ID.
func (d device) file(t *testing.T, title string) string {
	t.Helper()
	run(t, d.ctx, chromedp.Navigate(d.base+"/ticket/new"))
	waitJS(t, d.ctx, d.name+" ticket form", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
	run(t, d.ctx,
		typeInto("#ticket-title", title),
		typeInto("#ticket-description", "Filed by the two-device test."),
		clickStill(t, "#ticket-submit"),
	)
	find := `[...document.querySelectorAll("li.ticket")].find(li => li.innerText.includes(` + jsString(title) + `))`
	waitJS(t, d.ctx, d.name+" lists "+title, `location.pathname === "/tickets" && !!`+find, 30*time.Second)
	return eval[string](t, d.ctx, find+`.dataset.id`)
}

// reply answers ticket id from its page.
func (d device) reply(t *testing.T, id, text string) {
	t.Helper()
	run(t, d.ctx, chromedp.Navigate(d.base+"/ticket/"+id))
	waitJS(t, d.ctx, d.name+" ticket page", appReady+` && !!document.getElementById("ticket-reply")`, 30*time.Second)
	run(t, d.ctx,
		typeInto("#ticket-reply", text),
		clickStill(t, "#ticket-send"),
	)
	waitJS(t, d.ctx, d.name+" reply shown", `[...document.querySelectorAll("#history .entry.reply")].some(e => e.innerText.includes(`+jsString(text)+`))`, 20*time.Second)
}

// waitTickets waits until the device lists every title as sent.
func (d device) waitTickets(t *testing.T, titles ...string) {
	t.Helper()
	run(t, d.ctx, chromedp.Navigate(d.base+"/tickets"))
	list, _ := json.Marshal(titles)
	waitJS(t, d.ctx, fmt.Sprintf("%s lists %d tickets as sent", d.name, len(titles)), appReady+` && `+string(list)+
		`.every(title => [...document.querySelectorAll("li.ticket[data-state=sent]")].some(li => li.innerText.includes(title)))`, 30*time.Second)
}
