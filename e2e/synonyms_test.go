package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestSearchSynonyms: an admin adds a search synonym offline on
// /kb/synonyms (a group of one term is refused as it is typed), and once
// it has synced, a signed-out visitor's device finds the VPN pages for
// "tunnel", a word the knowledge base never uses, with the network gone.
func TestSearchSynonyms(t *testing.T) {
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
	run(t, visitor, typeInto("#search", "tunnel"))
	waitJS(t, visitor, "nothing for tunnel yet", `!!document.getElementById("search-results") && document.getElementById("search-results").dataset.count === "0"`, 10*time.Second)

	signInUI(t, admin, adminBase, "ada@example.com")
	waitJS(t, admin, "synced", statusIs("online", 0), 30*time.Second)
	run(t, admin, chromedp.Navigate(adminBase+"/kb/report"))
	waitJS(t, admin, "the link beside the content gaps", appReady+` && !!document.getElementById("kb-synonyms")`, 30*time.Second)
	clickJS(t, admin, "#kb-synonyms")
	waitJS(t, admin, "the synonyms form", `location.pathname === "/kb/synonyms" && !!document.getElementById("synonyms-en")`, 30*time.Second)

	link.Stop() // an emulated offline page keeps its open websocket
	setOffline(t, admin, true)
	waitJS(t, admin, "offline", statusIs("offline", 0), 30*time.Second)
	run(t, admin, typeInto("#synonyms-en", "tunnel"))
	waitJS(t, admin, "one term refused as typed", `!!document.getElementById("synonyms-en-error") && document.getElementById("synonyms-en-error").innerText.includes("Line 1 has one term") && document.getElementById("synonyms-save").disabled`, 10*time.Second)
	run(t, admin, typeInto("#synonyms-en", " = VPN"))
	waitJS(t, admin, "accepted", `!document.getElementById("synonyms-en-error") && !document.getElementById("synonyms-save").disabled && document.getElementById("synonyms-en-count").innerText === "groups: 1"`, 10*time.Second)
	shot(t, admin, "synonyms-admin")
	run(t, admin, chromedp.Click(chromedp.CSS("#synonyms-save"), chromedp.NodeVisible))
	waitJS(t, admin, "queued offline", `!!document.getElementById("synonyms-saved") && `+statusIs("offline", 1), 10*time.Second)

	if err := link.Start(); err != nil {
		t.Fatal(err)
	}
	setOffline(t, admin, false)
	waitJS(t, admin, "sent", statusIs("online", 0), 45*time.Second)
	var stored shared.Synonyms
	err := srv.Store.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeConfig, shared.ConfigSynonyms)
		if err != nil {
			return err
		}
		return json.Unmarshal(data, &stored)
	})
	if err != nil || len(stored["en"]) != 1 || stored["en"][0][0] != "tunnel" || stored["en"][0][1] != "VPN" {
		t.Fatalf("stored synonyms = %v, %v; want [[tunnel VPN]] in English", stored, err)
	}

	// The visitor's device gets the record with its next pull (a reload
	// pulls at once), then searches with it offline.
	deadline := time.Now().Add(30 * time.Second)
	for {
		run(t, visitor, chromedp.Navigate(base+"/?q=tunnel"))
		waitJS(t, visitor, "synced, searching from the URL", appReady+` && `+statusIs("online", 0)+` && !!document.getElementById("search-results")`, 30*time.Second)
		if eval[bool](t, visitor, `document.getElementById("search-results").dataset.count !== "0"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the visitor's device still finds nothing for tunnel 30 s after the synonym was stored")
		}
		time.Sleep(time.Second)
	}
	setOffline(t, visitor, true)
	run(t, visitor, chromedp.Navigate(base+"/?q=tunnel"))
	waitJS(t, visitor, "found offline", appReady+` && `+statusIs("offline", 0)+` && !!document.getElementById("search-results") && document.getElementById("search-results").dataset.count !== "0"`, 30*time.Second)
	got := eval[[]string](t, visitor, `[...document.querySelectorAll("#search-results li a")].map(a => a.dataset.id)`)
	if len(got) == 0 || eval[int](t, visitor, `document.querySelectorAll("#search-results mark").length`) == 0 {
		t.Fatalf("tunnel offline found %v; want VPN pages with the matched words marked", got)
	}
	shot(t, visitor, "synonyms-offline-search")
}
