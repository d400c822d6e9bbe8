package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/shared"
)

// TestSearchSynonyms: an admin adds a search synonym offline on
// /kb/synonyms (a group of one term is refused as it is typed), and once
// it has synced, a signed-out visitor's device finds the VPN pages for
// "tunnel", a word the knowledge base never uses, with the network gone.
func TestSearchSynonyms(t *testing.T) {
	s := visitorAndAdmin(t)
	visitor, admin := s.visitor, s.admin
	const results = `!!document.getElementById("search-results")`
	run(t, visitor.ctx, typeInto("#search", "tunnel"))
	waitJS(t, visitor.ctx, "nothing for tunnel yet", results+` && document.getElementById("search-results").dataset.count === "0"`, 20*time.Second)

	run(t, admin.ctx, chromedp.Navigate(admin.base+"/kb/report"))
	waitJS(t, admin.ctx, "the link beside the content gaps", appReady+` && !!document.getElementById("kb-synonyms")`, 30*time.Second)
	run(t, admin.ctx, clickStill(t, "#kb-synonyms"))
	waitJS(t, admin.ctx, "the synonyms form", `location.pathname === "/kb/synonyms" && !!document.getElementById("synonyms-en")`, 30*time.Second)

	admin.cut(t)
	run(t, admin.ctx, typeInto("#synonyms-en", "tunnel"))
	waitJS(t, admin.ctx, "one term refused as typed", `!!document.getElementById("synonyms-en-error") && document.getElementById("synonyms-en-error").innerText.includes(`+say("en", "synonyms.one_term", 1)+`) && document.getElementById("synonyms-save").disabled`, 20*time.Second)
	run(t, admin.ctx, typeInto("#synonyms-en", " = VPN"))
	waitJS(t, admin.ctx, "accepted", `!document.getElementById("synonyms-en-error") && !document.getElementById("synonyms-save").disabled && document.getElementById("synonyms-en-count").innerText === `+say("en", "synonyms.count", 1), 20*time.Second)
	shot(t, admin.ctx, "synonyms-admin")
	run(t, admin.ctx, clickStill(t, "#synonyms-save"))
	waitJS(t, admin.ctx, "queued offline", `!!document.getElementById("synonyms-saved") && `+statusIs("offline", 1), 20*time.Second)

	admin.restore(t)
	var stored shared.Synonyms
	err := storedConfig(t, s.srv.Store, shared.ConfigSynonyms, &stored)
	if err != nil || len(stored["en"]) != 1 || stored["en"][0][0] != "tunnel" || stored["en"][0][1] != "VPN" {
		t.Fatalf("stored synonyms = %v, %v; want [[tunnel VPN]] in English", stored, err)
	}

	// The visitor's device gets the record with its next pull (a reload
	// pulls at once), then searches with it offline.
	reloadUntil(t, visitor, "/?q=tunnel", results, `document.getElementById("search-results").dataset.count !== "0"`, 30*time.Second,
		"the visitor's device still finds nothing for tunnel 30 s after the synonym was stored")
	setOffline(t, visitor.ctx, true)
	run(t, visitor.ctx, chromedp.Navigate(visitor.base+"/?q=tunnel"))
	waitJS(t, visitor.ctx, "found offline", appReady+` && `+statusIs("offline", 0)+` && `+results+` && document.getElementById("search-results").dataset.count !== "0"`, 30*time.Second)
	got := eval[[]string](t, visitor.ctx, `[...document.querySelectorAll("#search-results li a")].map(a => a.dataset.id)`)
	if len(got) == 0 || eval[int](t, visitor.ctx, `document.querySelectorAll("#search-results mark").length`) == 0 {
		t.Fatalf("tunnel offline found %v; want VPN pages with the matched words marked", got)
	}
	shot(t, visitor.ctx, "synonyms-offline-search")
}
