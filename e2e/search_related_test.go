package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/shared"
)

// TestSearchRelatedWords: the server derives the related-words table from
// the demo knowledge base; a signed-out visitor's device pulls it and, with
// the network gone, the English UI finds the Wi-Fi pages for "radios", a
// word no article uses ("turn off all radios"). An admin blocks those
// expansions (wireless, airplane) offline on /kb/synonyms; after sync the server rebuilds the
// table without it, and the visitor's device no longer finds the Wi-Fi
// pages for "radios".
func TestSearchRelatedWords(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addAccount(t, srv, "ada@example.com", "Ada Admin", shared.RoleAdmin, 0)
	visitor, admin := newBrowser(t), newBrowser(t)
	link := newLink(t, addr) // the admin's own network
	adminBase := "http://" + link.Listen

	run(t, visitor, chromedp.Navigate(base+"/"))
	waitJS(t, visitor, "online and synced", statusIs("online", 0)+` && `+synced+` && document.querySelectorAll("#article-list ul.articles li").length >= 10`, 30*time.Second)
	waitCached(t, visitor)
	// searchUntil reloads the visitor's page (a reload pulls at once) until
	// "radios" finds the English Wi-Fi pages (want) or not (!want; the
	// search may then fall back to Spanish pages about copies).
	searchUntil := func(want bool, why string) {
		t.Helper()
		cond := `[...document.querySelectorAll("#search-results li a")].some(a => a.dataset.id === "wifi-connect" || a.dataset.id === "wifi-slow")`
		if !want {
			cond = "!" + cond
		}
		deadline := time.Now().Add(45 * time.Second)
		for {
			run(t, visitor, chromedp.Navigate(base+"/?q=radios"))
			waitJS(t, visitor, "synced, searching from the URL", appReady+` && `+statusIs("online", 0)+` && !!document.getElementById("search-results")`, 30*time.Second)
			if eval[bool](t, visitor, cond) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal(why)
			}
			time.Sleep(time.Second)
		}
	}
	searchUntil(true, "the visitor's device never found anything for radios: no related-words table reached it")

	// Offline, typed like a person.
	setOffline(t, visitor, true)
	run(t, visitor, chromedp.Navigate(base+"/"))
	waitJS(t, visitor, "offline", appReady+` && `+statusIs("offline", 0)+` && !!document.getElementById("search")`, 30*time.Second)
	run(t, visitor, typeInto("#search", "radios"))
	waitJS(t, visitor, "found offline", `!!document.getElementById("search-results") && document.getElementById("search-results").dataset.count !== "0"`, 10*time.Second)
	got := eval[[]string](t, visitor, `[...document.querySelectorAll("#search-results li a")].map(a => a.dataset.id)`)
	if len(got) == 0 || (got[0] != "wifi-connect" && got[0] != "wifi-slow") {
		t.Fatalf("radios offline found %v; want a Wi-Fi page first", got)
	}
	shot(t, visitor, "related-offline-search")
	setOffline(t, visitor, false)

	// The admin blocks the expansion, offline.
	signInUI(t, admin, adminBase, "ada@example.com")
	waitJS(t, admin, "synced", statusIs("online", 0), 30*time.Second)
	run(t, admin, chromedp.Navigate(adminBase+"/kb/synonyms"))
	waitJS(t, admin, "the blocks form", appReady+` && !!document.getElementById("blocks-en")`, 30*time.Second)
	link.Stop()
	setOffline(t, admin, true)
	waitJS(t, admin, "offline", statusIs("offline", 0), 30*time.Second)
	run(t, admin, typeInto("#blocks-en", "radios"))
	waitJS(t, admin, "a line without > refused as typed", `!!document.getElementById("blocks-en-error") && document.getElementById("blocks-save").disabled`, 10*time.Second)
	run(t, admin, typeInto("#blocks-en", " > wireless\nradios > airplane"))
	waitJS(t, admin, "accepted", `!document.getElementById("blocks-en-error") && !document.getElementById("blocks-save").disabled`, 10*time.Second)
	shot(t, admin, "related-blocks-admin")
	run(t, admin, chromedp.Click(chromedp.CSS("#blocks-save"), chromedp.NodeVisible))
	waitJS(t, admin, "queued offline", `!!document.getElementById("blocks-saved") && `+statusIs("offline", 1), 10*time.Second)
	if err := link.Start(); err != nil {
		t.Fatal(err)
	}
	setOffline(t, admin, false)
	waitJS(t, admin, "sent", statusIs("online", 0), 45*time.Second)
	stored, err := storedBlocks(srv.Store)
	if err != nil || len(stored["en"].Related) != 2 || stored["en"].Related[0] != [2]string{"radios", "wireless"} || stored["en"].Related[1] != [2]string{"radios", "airplane"} {
		t.Fatalf("stored blocks = %+v, %v; want radios > wireless and radios > airplane", stored, err)
	}
	searchUntil(false, "the visitor's device still finds pages for radios 45 s after the block was stored")
}
