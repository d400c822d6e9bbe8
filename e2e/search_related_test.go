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
	s := visitorAndAdmin(t)
	visitor, admin := s.visitor, s.admin
	// Whether "radios" finds the English Wi-Fi pages (without them the
	// search may fall back to Spanish pages about copies).
	const wifi = `[...document.querySelectorAll("#search-results li a")].some(a => a.dataset.id === "wifi-connect" || a.dataset.id === "wifi-slow")`
	const results = `!!document.getElementById("search-results")`
	reloadUntil(t, visitor, "/?q=radios", results, wifi, 45*time.Second,
		"the visitor's device never found anything for radios: no related-words table reached it")

	// Offline, typed like a person.
	setOffline(t, visitor.ctx, true)
	run(t, visitor.ctx, chromedp.Navigate(visitor.base+"/"))
	waitJS(t, visitor.ctx, "offline", appReady+` && `+statusIs("offline", 0)+` && !!document.getElementById("search")`, 30*time.Second)
	run(t, visitor.ctx, typeInto("#search", "radios"))
	waitJS(t, visitor.ctx, "found offline", results+` && document.getElementById("search-results").dataset.count !== "0"`, 20*time.Second)
	got := eval[[]string](t, visitor.ctx, `[...document.querySelectorAll("#search-results li a")].map(a => a.dataset.id)`)
	if len(got) == 0 || (got[0] != "wifi-connect" && got[0] != "wifi-slow") {
		t.Fatalf("radios offline found %v; want a Wi-Fi page first", got)
	}
	shot(t, visitor.ctx, "related-offline-search")
	setOffline(t, visitor.ctx, false)

	// The admin blocks the expansion, offline.
	run(t, admin.ctx, chromedp.Navigate(admin.base+"/kb/synonyms"))
	waitJS(t, admin.ctx, "the blocks form", appReady+` && !!document.getElementById("blocks-en")`, 30*time.Second)
	admin.cut(t)
	run(t, admin.ctx, typeInto("#blocks-en", "radios"))
	waitJS(t, admin.ctx, "a line without > refused as typed", `!!document.getElementById("blocks-en-error") && document.getElementById("blocks-save").disabled`, 20*time.Second)
	run(t, admin.ctx, typeInto("#blocks-en", " > wireless\nradios > airplane"))
	waitJS(t, admin.ctx, "accepted", `!document.getElementById("blocks-en-error") && !document.getElementById("blocks-save").disabled`, 20*time.Second)
	shot(t, admin.ctx, "related-blocks-admin")
	run(t, admin.ctx, clickStill(t, "#blocks-save"))
	waitJS(t, admin.ctx, "queued offline", `!!document.getElementById("blocks-saved") && `+statusIs("offline", 1), 20*time.Second)
	admin.restore(t)
	var stored shared.SearchBlocks
	err := storedConfig(t, s.srv.Store, shared.ConfigSearchBlocks, &stored)
	if err != nil || len(stored["en"].Related) != 2 || stored["en"].Related[0] != [2]string{"radios", "wireless"} || stored["en"].Related[1] != [2]string{"radios", "airplane"} {
		t.Fatalf("stored blocks = %+v, %v; want radios > wireless and radios > airplane", stored, err)
	}
	reloadUntil(t, visitor, "/?q=radios", results, "!"+wifi, 45*time.Second,
		"the visitor's device still finds pages for radios 45 s after the block was stored")
}
