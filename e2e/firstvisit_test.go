package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// firstVisitWatch records, from the first byte of the page, what a person
// would have seen: whether the article list ever went away once shown,
// whether "no articles" or "Offline" showed, and whether a new version
// was offered.
const firstVisitWatch = `window.__seen = {hadList: false, lostList: false, empty: false, offline: false, update: false, states: []};
new MutationObserver(() => {
	const seen = window.__seen;
	const s = document.getElementById("sync-status");
	if (s && !seen.states.includes(s.dataset.state)) seen.states.push(s.dataset.state);
	if (s && s.dataset.state === "offline") seen.offline = true;
	if (document.getElementById("update")) seen.update = true;
	const list = document.getElementById("article-list");
	if (list && list.querySelectorAll("li").length > 0) seen.hadList = true;
	else if (seen.hadList) seen.lostList = true;
	if (document.body && document.body.textContent.includes("No articles on this device yet")) seen.empty = true;
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});`

// TestFirstVisitKeepsWhatItShows is issue 16's eighth item: on a first
// visit the prerendered article list stays until the replica has the
// articles (never "No articles on this device yet"), the status never
// says "Offline" while the app connects (it has a label while loading),
// and no "new version" is offered.
func TestFirstVisitKeepsWhatItShows(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: firstVisitWatch}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(base+"/"))
	if label := eval[string](t, ctx, `document.querySelector("#sync-status .label") ? document.querySelector("#sync-status .label").textContent : ""`); label == "" {
		t.Errorf("the status dot has no label while the app loads")
	}
	waitJS(t, ctx, "synced", appReady+` && `+statusIs("online", 0)+` && document.querySelectorAll("#article-list li").length > 0`, 60*time.Second)
	waitCached(t, ctx) // the service worker is installed and in control: when go-app reports an "update"
	waitQuiet(t, ctx, "the first visit over", 500*time.Millisecond)
	type seen struct {
		HadList, LostList, Empty, Offline, Update bool
		States                                    []string
	}
	got := eval[seen](t, ctx, `window.__seen`)
	if !got.HadList || got.LostList || got.Empty || got.Offline || got.Update {
		shot(t, ctx, "first-visit")
		t.Errorf("first visit: %+v; want the list shown throughout, never empty, never offline, no update offered", got)
	}
}
