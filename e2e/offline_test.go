package e2e

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOfflineLoop walks the whole offline loop in one browser: first visit,
// offline reload and deep link, a ticket drafted and filed offline, and its
// single arrival on the server once the network is back.
func TestOfflineLoop(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)

	t.Run("FirstVisitShowsKnowledgeBase", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(base+"/"))
		waitJS(t, ctx, "app mounted and online", statusIs("online", 0), 30*time.Second)
		waitJS(t, ctx, "article list from the local replica", synced+` && document.querySelectorAll("#article-list ul.articles li").length >= 10`, 30*time.Second)
		shot(t, ctx, "home")
		waitCached(t, ctx)
	})

	t.Run("LanguageSwitchesAndSticks", func(t *testing.T) {
		run(t, ctx, clickStill(t, "button.lang"))
		spanish := `document.querySelector(".top nav a").innerText === ` + say("es", "nav.home") + ` && !!document.querySelector("a[href='/article/wifi-connect-es']")`
		waitJS(t, ctx, "Spanish UI and articles", spanish, 20*time.Second)
		run(t, ctx, chromedp.Reload())
		waitJS(t, ctx, "Spanish after reload", appReady+" && "+spanish, 30*time.Second)
		shot(t, ctx, "home-es")
		run(t, ctx, clickStill(t, "button.lang"))
		waitJS(t, ctx, "English again", `document.querySelector(".top nav a").innerText === `+say("en", "nav.home"), 20*time.Second)
	})

	t.Run("ArticleIsPrerenderedForBrowsersWithoutJavaScript", func(t *testing.T) {
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		if err := chromedp.Do(tab); err != nil { // open the tab, with no timeout tied to it
			t.Fatal(err)
		}
		disableJS(t, tab)
		run(t, tab, chromedp.Navigate(base+"/article/vpn-setup"))
		text := eval[string](t, tab, `document.getElementById("article") ? document.getElementById("article").innerText : ""`)
		if !strings.Contains(text, "vpn.example.com") {
			t.Fatalf("article text with JavaScript off = %q; want the article body (vpn.example.com)", text)
		}
	})

	// Offline means both: the server is gone, and Chromium (page and
	// service worker) is told the network is down.
	srv.Close()
	setOffline(t, ctx, true)

	t.Run("OfflineReloadShowsAppListAndArticle", func(t *testing.T) {
		run(t, ctx, chromedp.Reload())
		waitJS(t, ctx, "app mounted offline", appReady+` && `+statusIs("offline", 0), 30*time.Second)
		waitJS(t, ctx, "article list offline", `document.querySelectorAll("#article-list ul.articles li").length >= 10`, 30*time.Second)
		// A deep link that was never visited: the worker falls back to the shell.
		run(t, ctx, chromedp.Navigate(base+"/article/wifi-connect"))
		waitJS(t, ctx, "article offline", appReady+` && !!document.getElementById("article") && document.getElementById("article").innerText.includes("Outpost-Corp")`, 30*time.Second)
		shot(t, ctx, "article-offline")
	})

	const title = "Docking station drops the external monitor"
	t.Run("DraftSurvivesReloadAndInvalidTicketIsRefused", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, ctx, "ticket form", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
		run(t, ctx, typeInto("#ticket-description", "Since Monday the monitor on my dock goes black every"))
		// Submitting without a title: refused in words, text kept.
		run(t, ctx, clickStill(t, "#ticket-submit"))
		waitJS(t, ctx, "validation message", `!!document.getElementById("ticket-error") && document.getElementById("ticket-error").innerText.includes("title")`, 20*time.Second)
		if v := eval[string](t, ctx, `document.getElementById("ticket-description").value`); !strings.HasPrefix(v, "Since Monday") {
			t.Fatalf("description after refused submit = %q; want the typed text kept", v)
		}
		run(t, ctx, typeInto("#ticket-title", title))
		waitJS(t, ctx, "draft saved", `!!document.getElementById("draft-saved")`, 20*time.Second)
		run(t, ctx, chromedp.Reload())
		waitJS(t, ctx, "draft restored", appReady+` && document.getElementById("ticket-title") && document.getElementById("ticket-title").value === `+jsString(title), 30*time.Second)
		if v := eval[string](t, ctx, `document.getElementById("ticket-description").value`); v != "Since Monday the monitor on my dock goes black every" {
			t.Fatalf("description after reload = %q", v)
		}
		shot(t, ctx, "ticket-draft-restored")
	})

	t.Run("SubmitOfflineShowsPending", func(t *testing.T) {
		run(t, ctx, typeInto("#ticket-description", " few minutes."))
		run(t, ctx, clickStill(t, "#ticket-submit"))
		waitJS(t, ctx, "pending ticket", `location.pathname === "/tickets" && !!document.querySelector("li.ticket[data-state=pending]")`, 30*time.Second)
		waitJS(t, ctx, "indicator shows 1 pending", statusIs("offline", 1), 20*time.Second)
		run(t, ctx, chromedp.Reload())
		waitJS(t, ctx, "still pending after offline reload", appReady+` && `+statusIs("offline", 1)+` && !!document.querySelector("li.ticket[data-state=pending]")`, 30*time.Second)
		shot(t, ctx, "ticket-pending-offline")
	})

	t.Run("BackOnlineTheTicketArrivesOnce", func(t *testing.T) {
		srv = startServer(t, addr, dir)
		setOffline(t, ctx, false)
		waitJS(t, ctx, "synced, 0 pending", statusIs("online", 0)+` && !!document.querySelector("li.ticket[data-state=sent]")`, 45*time.Second)
		shot(t, ctx, "ticket-sent")
		if n := countTitle(ticketsOf(t, srv.Store), title); n != 1 {
			t.Fatalf("server has %d tickets titled %q; want exactly 1", n, title)
		}
		tk := ticketsOf(t, srv.Store)[0]
		if tk.Description != "Since Monday the monitor on my dock goes black every few minutes." {
			t.Errorf("ticket description on the server = %q", tk.Description)
		}
	})
}

// TestServerKilledMidSubmit kills the server with SIGKILL after it committed
// a ticket but before it acknowledged it; after a restart on the same data
// directory the ticket exists exactly once and nothing else was lost.
func TestServerKilledMidSubmit(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	p := startProc(t, addr, dir, "OUTPOST_FAULT_ACK_DELAY=5s")
	base := "http://" + addr
	ctx := newBrowser(t)

	run(t, ctx, chromedp.Navigate(base+"/ticket/new"))
	waitJS(t, ctx, "online", statusIs("online", 0), 30*time.Second)
	waitJS(t, ctx, "first sync", `!document.querySelector("#sync-status .note")`, 30*time.Second)

	fileTicket := func(title string) {
		run(t, ctx, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, ctx, "ticket form", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
		run(t, ctx,
			typeInto("#ticket-title", title),
			typeInto("#ticket-description", "Filed by the fault test."),
			clickStill(t, "#ticket-submit"),
		)
	}
	fileTicket("First ticket, acknowledged")
	p.waitLog(t, "its ack is held back", 20*time.Second)
	waitJS(t, ctx, "first ticket acknowledged", statusIs("online", 0), 20*time.Second)

	fileTicket("Second ticket, in flight")
	p.waitLog(t, "its ack is held back", 20*time.Second)
	// Committed, not yet acknowledged: kill it.
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	waitJS(t, ctx, "client sees the server gone, ticket still pending", statusIs("offline", 1), 30*time.Second)

	p = startProc(t, addr, dir)
	waitJS(t, ctx, "resent and acknowledged", statusIs("online", 0)+` && document.querySelectorAll("li.ticket[data-state=sent]").length === 2`, 45*time.Second)
	if eval[bool](t, ctx, `!!document.getElementById("drafts")`) {
		t.Error("a draft appeared: the resend was treated as a new ticket")
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("server after SIGTERM: %v; want a clean exit", err)
	}

	tickets := ticketsIn(t, dir)
	for _, title := range []string{"First ticket, acknowledged", "Second ticket, in flight"} {
		if n := countTitle(tickets, title); n != 1 {
			t.Errorf("store has %d tickets titled %q; want exactly 1", n, title)
		}
	}
	if len(tickets) != 2 {
		t.Errorf("store has %d tickets; want 2", len(tickets))
	}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
