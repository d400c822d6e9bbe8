package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// storedArticle reads an article from the server's store.
func storedArticle(t *testing.T, s store.Store, id string) (a shared.Article) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeArticle, id)
		if err != nil {
			return err
		}
		return json.Unmarshal(data, &a)
	})
	if err != nil {
		t.Fatalf("read article %s: %v", id, err)
	}
	return a
}

// setInput sets a field's value as typing would, firing the event go-app
// listens to ("input", or "change" for a select).
func setInput(t *testing.T, ctx context.Context, sel, value, event string) {
	t.Helper()
	v, _ := json.Marshal(value)
	eval[bool](t, ctx, `(() => { const el = document.querySelector(`+jsString(sel)+`);
		el.value = `+string(v)+`; el.dispatchEvent(new Event(`+jsString(event)+`, {bubbles: true})); return true; })()`)
}

// TestKBEdit is the knowledge-base authoring loop: an agent offline writes
// an article with a live preview and saves it as a draft; back online they
// publish it; a signed-out browser then finds it with the offline search;
// after an edit, the agent restores revision 1 as a new revision.
func TestKBEdit(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base, outer := srv.HTTP.URL(), t
	addAccount(t, srv, "writer@example.com", "Wanda Writer", shared.RoleAgent, 1)

	agent := signedInForOffline(t, base, "writer@example.com")

	const (
		id    = "label-printer-prints-blank-labels"
		title = "Label printer prints blank labels"
		body  = "## Replace the ribbon\n\nA blank label means the zanzibarite ribbon ran out.\n\n1. Open the lid.\n2. Swap the ribbon."
	)

	t.Run("WriteOfflineWithPreview", func(t *testing.T) {
		// Offline for real: the server is down, not just the page's network.
		srv.Close()
		setOffline(t, agent, true)
		run(t, agent, chromedp.Navigate(base+"/kb/new"))
		waitJS(t, agent, "editor offline", appReady+` && !!document.getElementById("kb-body") && `+statusIs("offline", 0), 30*time.Second)
		run(t, agent,
			typeInto("#kb-title", title),
			typeInto("#kb-summary", "The ribbon ran out; here is how to swap it."),
			typeInto("#kb-tags", "printer, labels"),
		)
		setInput(t, agent, "#kb-category", "devices", "change")
		waitJS(t, agent, "printer subcategory offered", `!!document.querySelector('#kb-subcategory option[value="printer"]')`, 20*time.Second)
		setInput(t, agent, "#kb-subcategory", "printer", "change")
		run(t, agent, typeInto("#kb-body", body))
		waitJS(t, agent, "live preview shows the heading and the list",
			`[...document.querySelectorAll("#kb-preview h2")].some(h => h.innerText === "Replace the ribbon") && document.querySelectorAll("#kb-preview ol li").length === 2`, 20*time.Second)
		if got := eval[string](t, agent, `document.getElementById("kb-id").value`); got != id {
			t.Fatalf("ID made from the title = %q; want %q", got, id)
		}
		shot(t, agent, "kb-edit-offline")
		run(t, agent, clickStill(t, "#kb-save"))
		waitJS(t, agent, "draft queued", statusIs("offline", 1)+` && location.pathname === "/kb/edit/`+id+`" && document.getElementById("kb-state").dataset.revision === "1"`, 20*time.Second)
		// A reload offline loses nothing.
		run(t, agent, chromedp.Reload())
		waitJS(t, agent, "still there after a reload", appReady+` && `+statusIs("offline", 1)+` && !!document.getElementById("kb-body") && document.getElementById("kb-body").value.includes("zanzibarite")`, 30*time.Second)
	})

	t.Run("PublishOnline", func(t *testing.T) {
		srv = startServer(outer, addr, dir) // for the rest of the test
		setOffline(t, agent, false)
		waitJS(t, agent, "draft arrived", statusIs("online", 0)+` && document.getElementById("kb-state").dataset.sent === "0" && document.getElementById("kb-notice") !== null`, 45*time.Second)
		a := storedArticle(t, srv.Store, id)
		if a.Status != shared.ArticleDraft || a.Revision != 1 || a.UpdatedBy != "Wanda Writer" || a.Category != "devices" || a.Subcategory != "printer" || !strings.Contains(a.HTML, "<h2") {
			t.Fatalf("server has %+v; want a draft, revision 1, by Wanda Writer, in devices/printer, with its HTML", a)
		}
		run(t, agent, clickStill(t, "#kb-publish"))
		waitJS(t, agent, "published", statusIs("online", 0)+` && document.getElementById("kb-state").dataset.status === "published" && document.getElementById("kb-state").dataset.sent === "0"`, 20*time.Second)
		if a := storedArticle(t, srv.Store, id); a.Status != shared.ArticlePublished || a.Revision != 2 {
			t.Fatalf("after publishing the server has %s revision %d; want published, 2", a.Status, a.Revision)
		}
	})

	t.Run("ReaderFindsItOffline", func(t *testing.T) {
		reader := newBrowser(t)
		run(t, reader, chromedp.Navigate(base+"/"))
		waitJS(t, reader, "synced", statusIs("online", 0)+` && `+synced+` && document.querySelectorAll("#article-list a[href='/article/`+id+`']").length === 1`, 30*time.Second)
		waitCached(t, reader)
		setOffline(t, reader, true)
		run(t, reader, chromedp.Navigate(base+"/"))
		waitJS(t, reader, "app offline", appReady+` && `+statusIs("offline", 0), 30*time.Second)
		run(t, reader, typeInto("#search", "zanzibarite ribbon"))
		waitJS(t, reader, "found first", `(() => { const a = document.querySelector("#search-results li a"); return !!a && a.dataset.id === "`+id+`"; })()`, 20*time.Second)
		shot(t, reader, "kb-edit-reader-search")
	})

	t.Run("RestoreRevision1AfterAnEdit", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/kb/edit/"+id))
		waitJS(t, agent, "editor", appReady+` && !!document.getElementById("kb-body") && document.getElementById("kb-state").dataset.revision === "2"`, 30*time.Second)
		setInput(t, agent, "#kb-body", body+"\n\nIf it is still blank, clean the print head.", "input")
		waitJS(t, agent, "preview follows", `document.getElementById("kb-preview").innerText.includes("print head")`, 20*time.Second)
		run(t, agent, clickStill(t, "#kb-save"))
		waitJS(t, agent, "edit saved", statusIs("online", 0)+` && document.getElementById("kb-state").dataset.revision === "3" && document.getElementById("kb-state").dataset.sent === "0"`, 20*time.Second)

		run(t, agent, chromedp.Navigate(base+"/article/"+id))
		waitJS(t, agent, "history with 3 revisions", appReady+` && document.querySelectorAll("#revisions li").length === 3 && document.getElementById("article").innerText.includes("print head")`, 30*time.Second)
		run(t, agent, clickStill(t, `#revisions li[data-number="1"] .view-revision`))
		waitJS(t, agent, "revision 1 shown", `!!document.querySelector('#revisions li[data-number="1"] .revision-view h2')`, 20*time.Second)
		run(t, agent, clickStill(t, `#revisions li[data-number="1"] .restore-revision`))
		waitJS(t, agent, "restored as revision 4", statusIs("online", 0)+` && document.querySelectorAll("#revisions li").length === 4 && !document.getElementById("article").innerText.includes("print head")`, 20*time.Second)
		shot(t, agent, "kb-edit-history")
		a := storedArticle(t, srv.Store, id)
		if a.Revision != 4 || a.Status != shared.ArticlePublished || strings.Contains(a.Body, "print head") || !strings.Contains(a.Body, "zanzibarite") {
			t.Fatalf("after restoring revision 1 the server has revision %d, %s, body %q; want revision 4, published, revision 1's body", a.Revision, a.Status, a.Body)
		}
	})
}
