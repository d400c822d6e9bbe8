package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/shared"
	"outpost/shared/wire"
)

// TestSLA is issue 7's acceptance test with two browsers: a requester
// files a ticket and is told when to expect a first response (computed on
// the device from the synced calendar and policy); an agent resolves it;
// the requester rates it offline, and once back online the rating reaches
// the agent's dashboard, where CSAT shows it.
func TestSLA(t *testing.T) {
	srv, _ := requesterAndAgent(t, "rita@example.com", "Rita Requester")
	base := srv.HTTP.URL()

	rita := signedInForOffline(t, base, "rita@example.com")
	agent := newBrowser(t)

	const title = "Badge reader at door 3 rejects my card"
	var ticketID string
	t.Run("RequesterSeesWhenToExpectAResponse", func(t *testing.T) {
		run(t, rita, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, rita, "ticket form", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
		run(t, rita,
			typeInto("#ticket-title", title),
			typeInto("#ticket-description", "Since this morning, other cards work."),
			clickStill(t, "#ticket-submit"),
		)
		waitJS(t, rita, "ticket sent", statusIs("online", 0)+` && location.pathname === "/tickets"`, 20*time.Second)
		for _, tk := range ticketsOf(t, srv.Store) {
			if tk.Title == title {
				ticketID = tk.ID
			}
		}
		if ticketID == "" {
			t.Fatal("the ticket did not reach the server")
		}
		run(t, rita, chromedp.Navigate(base+"/ticket/"+ticketID))
		waitJS(t, rita, "an expected first response", appReady+` && !!document.getElementById("sla-response") && document.getElementById("sla-response").innerText.startsWith("Expect a first response by ")`, 30*time.Second)
		shot(t, rita, "sla-expect-response")
	})

	t.Run("AgentResolves", func(t *testing.T) {
		signInUI(t, agent, base, "agent@example.com")
		run(t, agent, chromedp.Navigate(base+"/agent"))
		waitJS(t, agent, "the queue with a due column", `[...document.querySelectorAll("#queue tr.row")].some(r => r.dataset.id === `+jsString(ticketID)+` && r.querySelector("td.due").innerText.startsWith("in "))`, 30*time.Second)
		shot(t, agent, "sla-queue")
		run(t, agent, chromedp.Navigate(base+"/ticket/"+ticketID))
		waitJS(t, agent, "the timers", appReady+` && !!document.getElementById("sla-first-response") && !!document.getElementById("resolve")`, 30*time.Second)
		run(t, agent, clickStill(t, "#resolve"))
		waitJS(t, agent, "resolved and sent", `document.getElementById("ticket").dataset.status === "resolved" && `+statusIs("online", 0), 20*time.Second)
	})

	t.Run("RequesterRatesOffline", func(t *testing.T) {
		// The resolution reached Rita's page, and nothing is in flight.
		waitJS(t, rita, "the rating row", `!!document.getElementById("rate-4") && document.getElementById("ticket").dataset.status === "resolved" && `+statusIs("online", 0), 30*time.Second)
		setOffline(t, rita, true)
		run(t, rita,
			typeInto("#rating-comment", "Fixed within the hour, thanks!"),
			clickStill(t, "#rate-4"),
		)
		waitJS(t, rita, "thanks, queued", `!!document.getElementById("rating-thanks") && document.getElementById("rating-thanks").innerText.includes("4 out of 5") && `+statusIs("offline", 1), 40*time.Second)
		shot(t, rita, "sla-rated-offline")
		if n := len(recordsOf[shared.RatingRecord](t, srv.Store, wire.TypeRating)); n != 0 {
			t.Fatalf("the server has %d ratings while the requester is offline", n)
		}
		setOffline(t, rita, false)
		waitJS(t, rita, "sent", statusIs("online", 0)+` && document.getElementById("rating-thanks").dataset.pending === "false"`, 30*time.Second)
		rs := recordsOf[shared.RatingRecord](t, srv.Store, wire.TypeRating)
		if len(rs) != 1 || rs[0].Score != 4 || rs[0].TicketID != ticketID || rs[0].Comment != "Fixed within the hour, thanks!" {
			t.Fatalf("server ratings = %+v; want one 4 for the ticket, with the comment", rs)
		}
	})

	t.Run("RatingReachesTheDashboard", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/agent/dashboard"))
		waitJS(t, agent, "CSAT 4.00 from one rating", appReady+` && !!document.querySelector("#kpi-csat .kpi-value") && document.querySelector("#kpi-csat .kpi-value").innerText === "4.00" && document.querySelector("#kpi-csat .kpi-detail").innerText.startsWith("1 ratings")`, 30*time.Second)
		waitJS(t, agent, "charts and tables", `!!document.querySelector("#chart-backlog svg rect, #chart-backlog svg text") && !!document.getElementById("csv-summary")`, 20*time.Second)
		shot(t, agent, "sla-dashboard")
	})
}
