package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSearchFallsBackToTheOtherLanguage is issue 16's seventh item: the
// English placeholder suggests "contraseña"; typed in the English UI it
// finds the Spanish articles, offline, and says which language they are in.
func TestSearchFallsBackToTheOtherLanguage(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)
	run(t, ctx, chromedp.Navigate(base+"/"))
	waitJS(t, ctx, "synced", appReady+` && `+statusIs("online", 0)+` && `+synced, 60*time.Second)
	waitCached(t, ctx)
	srv.Close()
	setOffline(t, ctx, true)
	run(t, ctx, typeInto("#search", "contraseña"))
	waitJS(t, ctx, "Spanish results, said so", `(() => { const r = document.getElementById("search-results");
		return !!r && Number(r.dataset.count) > 0 && r.innerText.includes("results in Español") &&
			[...r.querySelectorAll("a[data-id]")].length > 0; })()`, 20*time.Second)
	shot(t, ctx, "search-other-language")
	// The same words in the reader's language still come first.
	run(t, ctx, chromedp.Navigate(base+"/?q=password"))
	waitJS(t, ctx, "English results", appReady+` && !!document.getElementById("search-results") && Number(document.getElementById("search-results").dataset.count) > 0 &&
		!document.getElementById("search-results").innerText.includes("Español")`, 30*time.Second)
}
