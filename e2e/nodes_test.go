package e2e

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/chromedp/chromedp"

	"outpost/server/auth"
	"outpost/server/postgres"
	"outpost/server/postgres/pgtest"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestTwoNodes is issue 17's acceptance test in Chromium: two server
// processes on one PostgreSQL database. The requester's browser reaches
// node A through a link (a load balancer's connection), the agent's
// browser is on node B. A ticket, a reply and a note go both ways, each
// arriving by a poke that crossed from one node to the other. Then node A
// is killed (SIGKILL) after committing a ticket and before acknowledging
// it; the link moves the requester to node B; the ticket arrives once.
func TestTwoNodes(t *testing.T) {
	dsn := pgtest.DB(t)
	addrA, addrB := freeAddr(t), freeAddr(t)
	nodeA := startProc(t, addrA, t.TempDir(), "OUTPOST_STORE="+dsn, "OUTPOST_FAULT_ACK_DELAY=6s")
	startProc(t, addrB, t.TempDir(), "OUTPOST_STORE="+dsn)

	// Accounts straight into the shared database, as `outpost user add
	// -store` would, while both nodes serve.
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts := &auth.Service{Store: db, Hash: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	for _, u := range []auth.NewUser{
		{Email: "field@example.com", Name: "Fatima Field", Role: shared.RoleRequester, Password: password},
		{Email: "agent@example.com", Name: "Tomás Agent", Role: shared.RoleAgent, Tier: 1, Password: password},
	} {
		if _, err := accounts.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	lb := newLink(t, addrA) // the requester's way in: node A for now
	field := device{name: "requester on node A", base: "http://" + lb.Listen, ctx: newBrowser(t)}
	agent := device{name: "agent on node B", base: "http://" + addrB, ctx: newBrowser(t)}
	signInUI(t, field.ctx, field.base, "field@example.com")
	signInUI(t, agent.ctx, agent.base, "agent@example.com")
	for _, d := range []device{field, agent} {
		waitJS(t, d.ctx, d.name+" synced", statusIs("online", 0), 30*time.Second)
	}

	// Node A's acknowledgements are held 6 s (the fault hook), so the
	// requester's pushes wait that long; the crossing is what is timed.
	const title = "Badge reader at the north door is dead"
	run(t, agent.ctx, chromedp.Navigate(agent.base+"/agent"))
	waitJS(t, agent.ctx, "agent queue", appReady, 30*time.Second)
	id := field.file(t, title)
	nodeA.waitLog(t, "its ack is held back", 20*time.Second)
	filed := time.Now()
	waitJS(t, agent.ctx, "the ticket in node B's queue", `[...document.querySelectorAll("#queue tr.row a")].some(a => a.innerText === `+jsString(title)+`)`, 30*time.Second)
	t.Logf("ticket committed on node A reached the agent on node B %v later", time.Since(filed).Round(time.Millisecond))
	waitJS(t, field.ctx, "requester acknowledged", statusIs("online", 0), 30*time.Second)

	// The agent answers on node B: a reply the requester sees, a note not.
	const replyText = "A technician is on the way with a spare reader."
	const noteText = "Spare readers are in the store room, shelf 3."
	run(t, field.ctx, chromedp.Navigate(field.base+"/ticket/"+id))
	waitJS(t, field.ctx, "requester on the ticket", appReady+` && !!document.getElementById("ticket-reply")`, 30*time.Second)
	agent.reply(t, id, replyText)
	sent := time.Now()
	waitJS(t, field.ctx, "reply from node B reached node A", `[...document.querySelectorAll("#history .entry.reply")].some(e => e.innerText.includes(`+jsString(replyText)+`))`, 30*time.Second)
	t.Logf("reply sent on node B reached the requester on node A %v later", time.Since(sent).Round(time.Millisecond))
	// As a person does: once the reply shows as sent (the page stops
	// moving: the ack redraws the history and the status line), switch to
	// a note, see it switched, type, send, and see the note in the history.
	waitJS(t, agent.ctx, "agent's reply sent", `[...document.querySelectorAll("#history .entry.reply[data-pending=false]")].some(e => e.innerText.includes(`+jsString(replyText)+`)) && `+statusIs("online", 0), 20*time.Second)
	run(t, agent.ctx, clickStill(t, "#mode-note"))
	waitJS(t, agent.ctx, "note mode", `document.getElementById("mode-note").getAttribute("aria-pressed") === "true"`, 20*time.Second)
	run(t, agent.ctx,
		typeInto("#ticket-reply", noteText),
		clickStill(t, "#ticket-send"),
	)
	waitJS(t, agent.ctx, "note sent", `[...document.querySelectorAll("#history .entry[data-pending=false]")].some(e => e.innerText.includes(`+jsString(noteText)+`)) && `+statusIs("online", 0), 20*time.Second)

	// And back: the requester replies on node A; the agent sees it on B.
	const answer = "Thanks, I will wait at the door."
	field.reply(t, id, answer)
	waitJS(t, agent.ctx, "requester's reply reached node B", `[...document.querySelectorAll("#history .entry.reply")].some(e => e.innerText.includes(`+jsString(answer)+`))`, 30*time.Second)
	// Node A holds that reply's ack too: let it through, so that the log
	// line awaited below is the second ticket's, not the reply's (node A
	// must die after committing the ticket, not before it arrives).
	nodeA.waitLog(t, "its ack is held back", 20*time.Second)
	waitJS(t, field.ctx, "requester's reply acknowledged", statusIs("online", 0), 30*time.Second)

	// Node A dies between committing a ticket and acknowledging it; the
	// load balancer sends the requester to node B.
	const second = "North door still locked after the repair"
	run(t, field.ctx, chromedp.Navigate(field.base+"/ticket/new"))
	waitJS(t, field.ctx, "ticket form", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
	run(t, field.ctx,
		typeInto("#ticket-title", second),
		typeInto("#ticket-description", "Filed while node A dies."),
		clickStill(t, "#ticket-submit"),
	)
	nodeA.waitLog(t, "its ack is held back", 20*time.Second)
	if err := nodeA.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	nodeA.cmd.Wait()
	lb.Stop()
	if err := lb.Update(&toxiproxy.Proxy{Listen: lb.Listen, Upstream: addrB, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	field.waitTickets(t, title, second)
	waitJS(t, field.ctx, "nothing pending on the requester's device", statusIs("online", 0), 30*time.Second)
	run(t, agent.ctx, chromedp.Navigate(agent.base+"/agent"))
	waitJS(t, agent.ctx, "agent sees the second ticket", appReady+` && [...document.querySelectorAll("#queue tr.row a")].some(a => a.innerText === `+jsString(second)+`)`, 30*time.Second)
	shot(t, agent.ctx, "two-nodes-agent")

	tickets := ticketsOf(t, db)
	for _, tt := range []string{title, second} {
		if n := countTitle(tickets, tt); n != 1 {
			t.Errorf("the database has %d tickets titled %q; want 1", n, tt)
		}
	}
	notes, replies := 0, 0
	for _, e := range recordsOf[shared.Entry](t, db, wire.TypeEntry) {
		switch {
		case e.Kind == shared.EntryNote && e.Body == noteText:
			notes++
		case e.Kind == shared.EntryReply && (e.Body == replyText || e.Body == answer):
			replies++
		}
	}
	if notes != 1 || replies != 2 {
		t.Errorf("the database has %d notes and %d replies; want 1 and 2", notes, replies)
	}
}
