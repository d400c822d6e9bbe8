package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared/tree"
)

// TestTroubleshootOfflineToTicket walks a guide offline to an escalation,
// reloading in the middle (the run resumes at the same question with its
// transcript), opens the prefilled ticket draft and files it offline. Back
// online, the ticket with its transcript is on the server once, and the
// guide's counters show one run started and one escalated.
func TestTroubleshootOfflineToTicket(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)

	// Online once: the app, its shell and the guides reach the device.
	run(t, ctx, chromedp.Navigate(base+"/"))
	waitJS(t, ctx, "online and synced", statusIs("online", 0)+` && !!document.getElementById("home-troubleshoot")`, 30*time.Second)
	waitCached(t, ctx)
	run(t, ctx, clickStill(t, "#nav-troubleshoot"))
	waitJS(t, ctx, "the English guides", `document.querySelectorAll("#tree-list li a").length === 3 && !!document.querySelector('#tree-list a[data-id="no-internet"]')`, 30*time.Second)

	srv.Close()
	setOffline(t, ctx, true)

	// atNode waits until the run shows node, after answers answers.
	atNode := func(what, node string, answers int) {
		t.Helper()
		waitJS(t, ctx, what, appReady+` && (() => { const r = document.getElementById("run");
			return !!r && r.dataset.node === `+jsString(node)+` && r.dataset.answers === "`+strconv.Itoa(answers)+`"; })()`, 30*time.Second)
	}
	answer := func(choice string) {
		t.Helper()
		run(t, ctx, clickStill(t, `#run-answers button[data-choice="`+choice+`"]`))
	}
	transcript := `[...document.querySelectorAll("#transcript li")].map(li => li.dataset.node).join(",")`

	t.Run("WalkOffline", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(base+"/troubleshoot/no-internet"))
		waitJS(t, ctx, "app offline", appReady+` && `+statusIs("offline", 0), 30*time.Second)
		atNode("the first question", "connection", 0)
		shot(t, ctx, "troubleshoot-question")
		answer("cable")
		atNode("the cable step", "cable", 1)
		waitJS(t, ctx, "run started, queued", statusIs("offline", 1), 20*time.Second)
		answer("no")
		atNode("other devices", "other-devices", 2)
		// Back undoes one answer; answering again gets back here.
		run(t, ctx, clickStill(t, "#run-back"))
		atNode("back at the cable step", "cable", 1)
		answer("no")
		atNode("other devices again", "other-devices", 2)
		if got := eval[string](t, ctx, transcript); got != "connection,cable" {
			t.Fatalf("transcript = %q; want connection,cable", got)
		}
	})

	t.Run("ReloadResumes", func(t *testing.T) {
		run(t, ctx, chromedp.Reload())
		atNode("resumed at other devices", "other-devices", 2)
		waitJS(t, ctx, "welcome back", `!!document.getElementById("run-notice")`, 20*time.Second)
		if got := eval[string](t, ctx, transcript); got != "connection,cable" {
			t.Fatalf("transcript after reload = %q; want connection,cable", got)
		}
		shot(t, ctx, "troubleshoot-resumed")
		// The started event was queued once, not again on resume.
		waitJS(t, ctx, "1 pending", statusIs("offline", 1), 20*time.Second)
	})

	var draftURL string
	t.Run("EscalateToDraft", func(t *testing.T) {
		answer("nobody-office")
		waitJS(t, ctx, "escalated", `(() => { const r = document.getElementById("run"); return !!r && r.dataset.outcome === "escalated"; })() && !!document.getElementById("open-draft")`, 20*time.Second)
		waitJS(t, ctx, "started and escalated queued", statusIs("offline", 2), 20*time.Second)
		shot(t, ctx, "troubleshoot-escalated")
		run(t, ctx, clickStill(t, "#open-draft"))
		waitJS(t, ctx, "prefilled ticket draft", `location.pathname === "/ticket/new" && location.search.startsWith("?draft=") && (() => {
			const title = document.getElementById("ticket-title"), desc = document.getElementById("ticket-description");
			return !!title && title.value === "Office network down: nobody has internet" &&
				document.getElementById("ticket-category").value === "network" &&
				desc.value.includes("Guided troubleshooting: No internet on my laptop") &&
				desc.value.includes("A network cable or a dock") &&
				desc.value.includes("No, nobody in the office has internet") &&
				desc.value.includes("Suggested priority: P1");
		})()`, 30*time.Second)
		draftURL = eval[string](t, ctx, `location.href`)
		shot(t, ctx, "troubleshoot-draft")
		run(t, ctx, clickStill(t, "#ticket-submit"))
		waitJS(t, ctx, "ticket queued", `location.pathname === "/tickets" && `+statusIs("offline", 3), 20*time.Second)
	})

	t.Run("BackOnlineOnceEach", func(t *testing.T) {
		srv = startServer(t, addr, dir)
		setOffline(t, ctx, false)
		waitJS(t, ctx, "synced, 0 pending", statusIs("online", 0), 45*time.Second)
		var found []string
		for _, tk := range ticketsOf(t, srv.Store) {
			if tk.Title == "Office network down: nobody has internet" {
				found = append(found, tk.Description)
				if tk.Priority != "P1" {
					t.Errorf("the guide's ticket has priority %q; want the suggested P1", tk.Priority)
				}
			}
		}
		if len(found) != 1 {
			t.Fatalf("server has %d tickets from the guide; want exactly 1 (draft %s)", len(found), draftURL)
		}
		for _, want := range []string{"1. How is your laptop connected?", "→ A network cable or a dock", "→ No, nobody in the office has internet", "Suggested priority: P1"} {
			if !strings.Contains(found[0], want) {
				t.Errorf("ticket description lacks %q:\n%s", want, found[0])
			}
		}
		var stats tree.TreeStats
		err := srv.Store.View(context.Background(), func(tx store.ReadTx) error {
			data, err := tx.Get(outsync.TypeTreeStats, "no-internet")
			if err != nil {
				return err
			}
			return json.Unmarshal(data, &stats)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := (tree.Counts{Started: 1, Escalated: 1}); stats.Counts != want {
			t.Errorf("no-internet counts = %+v; want %+v", stats.Counts, want)
		}
		if stats.Nodes["connection"].Started != 1 || stats.Nodes["ticket-outage"].Escalated != 1 {
			t.Errorf("node counts = %+v; want started at connection, escalated at ticket-outage", stats.Nodes)
		}
	})
}
