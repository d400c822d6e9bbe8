package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/server/auth"
	"outpost/shared"
)

// TestTicketNumbers is issue 16's ticket numbers in the browser: a ticket
// filed offline reads "number pending" until the server numbers it; then
// the requester's list and page, the agent's queue and the search show
// "#N", and the agent jumps to it by typing the number.
func TestTicketNumbers(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	rita := addUser(t, srv, auth.NewUser{Email: "rita@example.com", Name: "Rita Requester", Role: shared.RoleRequester})
	addUser(t, srv, auth.NewUser{Email: "tomas@example.com", Name: "Tomás Agent", Role: shared.RoleAgent, Tier: 1})
	fileTicketAs(t, srv, rita, "0190c3a1-0000-7000-8000-00000000d003", 1, "Printer on floor 2 jams")

	requester := newOnLink(t, "requester", addr)
	base, req := requester.base, requester.ctx
	requester.signIn(t, "rita@example.com")
	waitCached(t, req)

	const title = "Badge does not open the car park"
	var number string
	t.Run("PendingOfflineThenNumbered", func(t *testing.T) {
		requester.cut(t)
		run(t, req, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, req, "ticket form offline", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
		run(t, req,
			typeInto("#ticket-title", title),
			typeInto("#ticket-description", "Since the new badges came."),
			clickStill(t, "#ticket-submit"),
		)
		row := `[...document.querySelectorAll("#ticket-list li.ticket")].find(li => li.innerText.includes(` + jsString(title) + `))`
		waitJS(t, req, "number pending", `location.pathname === "/tickets" && !!`+row+` && `+row+`.querySelector(".ticket-number").innerText === "number pending"`, 20*time.Second)
		shot(t, req, "numbers-pending")
		requester.restore(t)
		waitJS(t, req, "numbered #2", statusIs("online", 0)+` && `+row+`.querySelector(".ticket-number").innerText === "#2"`, 60*time.Second)
		var tk shared.Ticket
		for _, x := range ticketsOf(t, srv.Store) {
			if x.Title == title {
				tk = x
			}
		}
		if tk.Number != 2 {
			t.Fatalf("server ticket number = %d; want 2 (the second filed)", tk.Number)
		}
		number = strconv.FormatInt(tk.Number, 10)
		run(t, req, chromedp.Navigate(base+"/ticket/"+tk.ID))
		waitJS(t, req, "the number on the ticket's page", appReady+` && !!document.querySelector("#ticket h1 .ticket-number") && document.querySelector("#ticket h1 .ticket-number").innerText === "#2"`, 30*time.Second)
	})

	agent := newBrowser(t)
	signInUI(t, agent, base, "tomas@example.com")
	waitJS(t, agent, "synced", statusIs("online", 0), 30*time.Second)

	t.Run("AgentQueueJumpAndSearch", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/agent"))
		waitJS(t, agent, "numbers in the queue", appReady+` && [...document.querySelectorAll("#queue tr.row .ticket-number")].map(e => e.innerText).sort().join(",") === "#1,#2"`, 30*time.Second)
		run(t, agent, typeInto("#jump-number", "#999"), chromedp.KeyEvent(kb.Enter))
		waitJS(t, agent, "no such number, said", `document.body.innerText.includes("No ticket #999 on this device.")`, 20*time.Second)
		run(t, agent, chromedp.Focus(chromedp.CSS("#jump-number")), chromedp.KeyEvent(kb.End))
		for range 4 {
			run(t, agent, chromedp.KeyEvent(kb.Backspace))
		}
		run(t, agent, chromedp.KeyEvent(number+kb.Enter))
		waitJS(t, agent, "jumped to the ticket", `location.pathname.startsWith("/ticket/") && !!document.querySelector("#ticket h1") && document.querySelector("#ticket h1").innerText.includes(`+jsString(title)+`)`, 20*time.Second)

		run(t, agent, chromedp.Navigate(base+"/"))
		waitJS(t, agent, "home", appReady+` && !!document.getElementById("search")`, 30*time.Second)
		run(t, agent, typeInto("#search", "#"+number))
		waitJS(t, agent, "the ticket in the search", `!!document.getElementById("search-ticket") && document.getElementById("search-ticket").innerText.includes("#`+number+` `+title+`")`, 20*time.Second)
		shot(t, agent, "numbers-search")
	})
}
