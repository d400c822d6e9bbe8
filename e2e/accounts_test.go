package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"outpost/server"
	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/wire"
)

const password = "correct horse battery"

// addAccount makes an account with cheap hashing (tests only).
func addAccount(t *testing.T, m *server.Main, email, name, role string, tier int) {
	t.Helper()
	m.Auth.Hash = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	if _, err := m.Auth.AddUser(context.Background(), auth.NewUser{Email: email, Name: name, Role: role, Tier: tier, Password: password}); err != nil {
		t.Fatal(err)
	}
}

// signInUI signs the browser in through the sign-in page.
func signInUI(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	signInWith(t, ctx, base, email, password) // account_test.go
}

// sessionToken reads the browser's session cookie.
func sessionToken(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == auth.CookieName {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestFieldUserAndAgent is issue 6's acceptance test with two browsers: a
// field user files a ticket offline and their session ends meanwhile;
// nothing is lost, and after signing in again the ticket arrives once. An
// agent sees it, replies publicly and adds an internal note; the field
// user gets the reply and never the note, not even in IndexedDB.
func TestFieldUserAndAgent(t *testing.T) {
	srv, _ := requesterAndAgent(t, "field@example.com", "Fatima Field")
	base := srv.HTTP.URL()

	field := signedInForOffline(t, base, "field@example.com")
	agent := newBrowser(t)

	const title = "Site B router keeps rebooting"
	const replyText = "Please unplug it for 30 seconds and tell us if the lights go green."
	const noteText = "Known firmware bug on this model: RMA if it happens again."

	t.Run("FileOfflineWhileTheSessionEnds", func(t *testing.T) {
		setOffline(t, field, true)
		run(t, field, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, field, "ticket form offline", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
		run(t, field,
			typeInto("#ticket-title", title),
			typeInto("#ticket-description", "Started this morning, every ten minutes."),
		)
		// The whole site is down and work has stopped: P1.
		run(t, field, chromedp.Evaluate[chromedp.Void](`["ticket-impact", "ticket-urgency"].forEach(id => {
			const sel = document.getElementById(id);
			sel.value = "high";
			sel.dispatchEvent(new Event("change", {bubbles: true}));
		})`))
		waitJS(t, field, "priority P1 shown", `document.getElementById("ticket-priority").innerText.includes("P1")`, 20*time.Second)
		run(t, field, clickStill(t, "#ticket-submit"))
		waitJS(t, field, "pending offline", statusIs("offline", 1), 30*time.Second)
		// The session ends on the server while the device is offline.
		if err := srv.Auth.Logout(context.Background(), sessionToken(t, field, base)); err != nil {
			t.Fatal(err)
		}
		setOffline(t, field, false)
		waitJS(t, field, "asked to sign in, ticket kept", `!!document.getElementById("signin-needed") && `+statusIs("online", 1), 30*time.Second)
		shot(t, field, "session-expired")
		if n := countTitle(ticketsOf(t, srv.Store), title); n != 0 {
			t.Fatalf("the ticket reached the server without a session (%d)", n)
		}
	})

	t.Run("SignInAgainSendsItOnce", func(t *testing.T) {
		signInUI(t, field, base, "field@example.com")
		waitJS(t, field, "sent", statusIs("online", 0), 30*time.Second)
		var tk shared.Ticket
		for _, x := range ticketsOf(t, srv.Store) {
			if x.Title == title {
				tk = x
			}
		}
		if n := countTitle(ticketsOf(t, srv.Store), title); n != 1 || tk.RequesterEmail != "field@example.com" || tk.Priority != "P1" {
			t.Fatalf("server has %d tickets titled %q (requester %q, priority %q); want 1 from field, P1", n, title, tk.RequesterEmail, tk.Priority)
		}
	})

	var ticketID string
	t.Run("AgentRepliesAndNotes", func(t *testing.T) {
		signInUI(t, agent, base, "agent@example.com")
		run(t, agent, chromedp.Navigate(base+"/agent"))
		waitJS(t, agent, "ticket in the queue", `[...document.querySelectorAll("#queue tr.row a")].some(a => a.innerText === `+jsString(title)+`)`, 30*time.Second)
		shot(t, agent, "agent-queue")
		ticketID = eval[string](t, agent, `[...document.querySelectorAll("#queue tr.row")].find(r => r.innerText.includes(`+jsString(title)+`)).dataset.id`)
		run(t, agent, chromedp.Navigate(base+"/ticket/"+ticketID))
		waitJS(t, agent, "ticket page", appReady+` && !!document.getElementById("ticket-reply")`, 30*time.Second)
		run(t, agent,
			typeInto("#ticket-reply", replyText),
			clickStill(t, "#ticket-send"),
		)
		// As a person does (and as TestTwoNodes learned): once the reply
		// shows as sent (its ack redraws the history and the status line),
		// switch to a note and see it switched, then type.
		waitJS(t, agent, "reply sent, field cleared", `[...document.querySelectorAll("#history .entry.reply[data-pending=false]")].some(e => e.innerText.includes("unplug")) && document.getElementById("ticket-reply").value === "" && `+statusIs("online", 0), 20*time.Second)
		run(t, agent, clickStill(t, "#mode-note"))
		waitJS(t, agent, "note mode", `document.getElementById("mode-note").getAttribute("aria-pressed") === "true"`, 20*time.Second)
		run(t, agent,
			typeInto("#ticket-reply", noteText),
			clickStill(t, "#ticket-send"),
		)
		waitJS(t, agent, "both sent", `document.querySelectorAll("#history .entry[data-pending=false]").length >= 2 && `+statusIs("online", 0), 20*time.Second)
		// Assign it to an agent picked from the list.
		run(t, agent, chromedp.Evaluate[chromedp.Void](`(() => {
			const sel = document.getElementById("assign-agent");
			sel.value = [...sel.options].find(o => o.text.startsWith("Tomás")).value;
			sel.dispatchEvent(new Event("change", {bubbles: true}));
		})()`))
		waitJS(t, agent, "assigned", `[...document.querySelectorAll("#history .entry.assign")].some(e => e.innerText.includes("Tomás Agent")) && `+statusIs("online", 0), 20*time.Second)
		shot(t, agent, "agent-ticket")
	})

	t.Run("FieldUserSeesTheReplyNeverTheNote", func(t *testing.T) {
		run(t, field, chromedp.Navigate(base+"/tickets"))
		waitJS(t, field, "a badge for the unread reply", appReady+` && !!document.getElementById("unread") && document.getElementById("unread").innerText === "1" && !!document.querySelector("li.ticket .badge.news")`, 30*time.Second)
		shot(t, field, "field-unread")
		run(t, field, chromedp.Navigate(base+"/ticket/"+ticketID))
		waitJS(t, field, "reply arrived", appReady+` && [...document.querySelectorAll("#history .entry.reply")].some(e => e.innerText.includes("unplug"))`, 30*time.Second)
		shot(t, field, "field-ticket-reply")
		if text := eval[string](t, field, `document.body.innerText`); strings.Contains(text, "firmware") {
			t.Fatalf("the field user's page shows the internal note:\n%s", text)
		}
		waitJS(t, field, "read: badge gone", `!document.getElementById("unread")`, 20*time.Second)
		// Not even the device's storage holds it.
		stored := eval[string](t, field, `new Promise((ok, fail) => {
			const req = indexedDB.open("outpost");
			req.onerror = () => fail(req.error);
			req.onsuccess = () => {
				const all = req.result.transaction("records").objectStore("records").getAll();
				all.onsuccess = () => ok(JSON.stringify(all.result));
				all.onerror = () => fail(all.error);
			};
		})`)
		if !strings.Contains(stored, "unplug") || strings.Contains(stored, "firmware") {
			t.Fatalf("field's IndexedDB: reply stored %v, note stored %v; want the reply only",
				strings.Contains(stored, "unplug"), strings.Contains(stored, "firmware"))
		}
		// And the server holds both, once each.
		var notes, replies int
		for _, e := range recordsOf[shared.Entry](t, srv.Store, wire.TypeEntry) {
			switch {
			case e.Kind == shared.EntryNote && e.Body == noteText:
				notes++
			case e.Kind == shared.EntryReply && e.Body == replyText:
				replies++
			}
		}
		if notes != 1 || replies != 1 {
			t.Errorf("server has %d notes and %d replies; want 1 and 1", notes, replies)
		}
	})
}
