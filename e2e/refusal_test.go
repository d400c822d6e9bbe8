package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server"
	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/i18n"
)

// fileTicketAs files a ticket on the server as user, as their device's push
// would, and returns its ID.
func fileTicketAs(t *testing.T, m *server.Main, u auth.User, clientID string, seq uint64, title string) string {
	t.Helper()
	now := time.Now()
	id := shared.NewID(now)
	pushAs(t, m, u, clientID, seq, op{shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: title, Description: "Filed by the test.", CreatedAt: now.UnixMilli()}})
	return id
}

// addUser makes an account with cheap hashing and returns it.
func addUser(t *testing.T, m *server.Main, nu auth.NewUser) auth.User {
	t.Helper()
	m.Auth.Hash = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	nu.Password = password
	u, err := m.Auth.AddUser(context.Background(), nu)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRefusalShown is issue 16's second item: a tier-1 agent escalates a
// ticket to tier 2 and is then offered no control they may not use; the
// key s (resolve) says why in words, at the foot of the window. A resolve
// queued while the agent was offline and refused by the server when it
// arrives (another agent escalated meanwhile) is said on the ticket's page.
func TestRefusalShown(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	rita := addUser(t, srv, auth.NewUser{Email: "rita@example.com", Name: "Rita Requester", Role: shared.RoleRequester})
	other := addUser(t, srv, auth.NewUser{Email: "olga@example.com", Name: "Olga Agent", Role: shared.RoleAgent, Tier: 1})
	addUser(t, srv, auth.NewUser{Email: "tomas@example.com", Name: "Tomás Agent", Role: shared.RoleAgent, Tier: 1})
	const ritaDevice = "0190c3a1-0000-7000-8000-00000000d001"
	first := fileTicketAs(t, srv, rita, ritaDevice, 1, "Shared drive is read-only")
	second := fileTicketAs(t, srv, rita, ritaDevice, 2, "Scanner e-mails never arrive")

	tomas := newOnLink(t, "agent", addr)
	base, agent := tomas.base, tomas.ctx
	tomas.signIn(t, "tomas@example.com")
	waitCached(t, agent)

	t.Run("EscalatedOutOfReach", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/ticket/"+first))
		waitJS(t, agent, "the agent's controls", appReady+` && !!document.getElementById("resolve") && !!document.getElementById("escalate")`, 30*time.Second)
		run(t, agent,
			typeInto("#escalate-reason", "Needs a storage technician"),
			clickStill(t, "#escalate"),
		)
		waitJS(t, agent, "escalated and sent", statusIs("online", 0)+` && !document.querySelector("#ticket [data-pending=true]")`, 20*time.Second)
		waitJS(t, agent, "no controls, and why", `!document.getElementById("resolve") && !document.getElementById("set-status") && !document.getElementById("escalate") &&
			!document.getElementById("assign-agent") && !document.getElementById("ticket-reply") &&
			document.getElementById("agent-read-only").innerText.includes(`+say("en", "perm.out_of_scope")+`)`, 20*time.Second)
		shot(t, agent, "refusal-read-only")

		// The key still works as a key: it says why instead of doing nothing.
		run(t, agent, chromedp.KeyEvent("s"))
		waitJS(t, agent, "the refusal in words, in view", `(() => { const e = document.getElementById("ticket-op-error"); if (!e) return false;
			const r = e.getBoundingClientRect();
			return e.innerText.includes(`+say("en", "perm.out_of_scope")+`) && r.top >= 0 && r.bottom <= innerHeight && r.height > 0; })()`, 20*time.Second)
		shot(t, agent, "refusal-key")
		if got := eval[string](t, agent, `document.getElementById("sync-status").dataset.pending`); got != "0" {
			t.Errorf("pending = %s; the refused resolve was queued", got)
		}
		run(t, agent, clickStill(t, "#ticket-op-error-close"))
		waitJS(t, agent, "dismissed", `!document.getElementById("ticket-op-error")`, 20*time.Second)
		for _, tk := range ticketsOf(t, srv.Store) {
			if tk.ID == first && (tk.Status != shared.StatusNew || tk.Tier != 2) {
				t.Errorf("server ticket = %s at tier %d; want new at tier 2", tk.Status, tk.Tier)
			}
		}
	})

	t.Run("RefusedByTheServerLater", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/ticket/"+second))
		waitJS(t, agent, "the agent's controls", appReady+` && !!document.getElementById("resolve")`, 30*time.Second)
		tomas.cut(t)
		// Meanwhile a colleague escalates it, out of this agent's tier.
		pushAs(t, srv, other, "0190c3a1-0000-7000-8000-00000000d002", 1,
			op{shared.OpTicketEscalate, shared.TicketOp{ID: shared.NewID(time.Now()), TicketID: second, Tier: 2, Body: "Mail relay: tier 2", CreatedAt: time.Now().UnixMilli()}})
		// A click at coordinates missed under load once, while the page
		// still settled after going offline: clickStill waits for it.
		run(t, agent, clickStill(t, "#resolve"))
		waitJS(t, agent, "resolve queued", statusIs("offline", 1), 20*time.Second)
		tomas.restore(t)
		waitJS(t, agent, "the server's refusal on the page", statusIs("online", 0)+` && !!document.getElementById("ticket-op-error") &&
			document.getElementById("ticket-op-error").innerText.includes(`+say("en", "ticket.refused", i18n.T("en", "perm.out_of_scope"))+`) &&
			!!document.getElementById("agent-read-only") && document.getElementById("ticket").dataset.status === "new"`, 60*time.Second)
		shot(t, agent, "refusal-from-server")
	})
}
