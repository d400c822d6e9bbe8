package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOneConnectionPerBrowser opens the app in two tabs: one websocket
// serves both, a ticket filed in the tab that does not sync reaches the
// server through the one that does, and when that tab closes the other
// takes over.
func TestOneConnectionPerBrowser(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	browser := newBrowser(t)
	newTab := func() (context.Context, context.CancelFunc) {
		tab, cancel := chromedp.NewContext(browser) // a sibling: closing one leaves the other
		if err := chromedp.Do(tab); err != nil {    // open the tab, with no timeout tied to it
			t.Fatal(err)
		}
		return tab, cancel
	}
	first, closeFirst := newTab()
	defer closeFirst()
	run(t, first, chromedp.Navigate(base+"/"))
	waitJS(t, first, "first tab syncing", `document.documentElement.dataset.syncLeader === "true" && `+statusIs("online", 0), 30*time.Second)

	second, closeSecond := newTab()
	defer closeSecond()
	run(t, second, chromedp.Navigate(base+"/ticket/new"))
	waitJS(t, second, "second tab follows, shows online", appReady+` && !document.documentElement.dataset.syncLeader && `+statusIs("online", 0), 30*time.Second)
	waitConnections(t, srv.HTTP.Connections, 1)

	const title = "Filed from the second tab"
	run(t, second,
		typeInto("#ticket-title", title),
		clickStill(t, "#ticket-submit"),
	)
	waitJS(t, second, "sent through the first tab", `!!document.querySelector("li.ticket[data-state=sent]") && `+statusIs("online", 0), 20*time.Second)
	if n := countTitle(ticketsOf(t, srv.Store), title); n != 1 {
		t.Fatalf("server has %d tickets titled %q; want 1", n, title)
	}
	waitConnections(t, srv.HTTP.Connections, 1)

	// The syncing tab closes; the other takes the lock and connects.
	closeFirst()
	waitJS(t, second, "second tab took over", `document.documentElement.dataset.syncLeader === "true" && `+statusIs("online", 0), 30*time.Second)
	waitConnections(t, srv.HTTP.Connections, 1)
}

func waitConnections(t *testing.T, n func() int, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for n() != want {
		if time.Now().After(deadline) {
			t.Fatalf("server has %d websockets; want %d", n(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
