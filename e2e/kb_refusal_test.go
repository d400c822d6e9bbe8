package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/shared"
	"outpost/shared/wire"
)

// TestArticleEditRefusedKeepsTextAndSaysWhy: Wanda edits an article
// offline while Ed, online, saves the same article. When Wanda's link comes
// back the server refuses her save as stale; her editor keeps her text and
// says why, in the server's words (who saved which revision), and her next
// save becomes the next revision, once. Her editor is a tab that does not
// sync: the tab that does shows another page, and passes the refusal on.
func TestArticleEditRefusedKeepsTextAndSaysWhy(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addAccount(t, srv, "wanda@example.com", "Wanda Writer", shared.RoleAgent, 1)
	addAccount(t, srv, "ed@example.com", "Ed Editor", shared.RoleAgent, 1)

	// The first published, public English demo article.
	var art shared.Article
	for _, a := range recordsOf[shared.Article](t, srv.Store, wire.TypeArticle) {
		if a.Lang == "en" && a.IsPublished() && a.Visibility == shared.Public {
			art = a
			break
		}
	}
	if art.ID == "" {
		t.Fatal("no published public English article in the demo data")
	}
	id, r0 := art.ID, max(art.Revision, 1)
	const (
		wandaText = "Wanda's kept paragraph: reseat the quillwort connector first."
		edText    = "Ed's paragraph: check the cable before anything else."
	)

	// Wanda reaches the server only through the proxy: her origin is its
	// address.
	proxy := newLink(t, addr)
	wandaBase := "http://" + proxy.Listen
	wanda, ed := newBrowser(t), newBrowser(t)

	editorAt := func(rev int) string {
		return appReady + ` && !!document.getElementById("kb-body") && document.getElementById("kb-state").dataset.revision === "` + fmt.Sprint(rev) + `"`
	}
	signInUI(t, ed, base, "ed@example.com")
	run(t, ed, chromedp.Navigate(base+"/kb/edit/"+id))
	waitJS(t, ed, "Ed's editor", statusIs("online", 0)+` && `+editorAt(r0), 30*time.Second)
	signInUI(t, wanda, wandaBase, "wanda@example.com")
	leader := wanda // Wanda's first tab syncs for her browser, on the home page
	run(t, leader, chromedp.Navigate(wandaBase+"/"))
	waitJS(t, leader, "Wanda's first tab syncs", `document.documentElement.dataset.syncLeader === "true" && `+statusIs("online", 0), 30*time.Second)
	wanda, closeTab := chromedp.NewContext(leader) // her editor, in a second tab
	defer closeTab()
	if err := chromedp.Do(wanda); err != nil {
		t.Fatal(err)
	}
	run(t, wanda, chromedp.Navigate(wandaBase+"/kb/edit/"+id))
	waitJS(t, wanda, "Wanda's editor, in a tab that follows", `!document.documentElement.dataset.syncLeader && `+statusIs("online", 0)+` && `+editorAt(r0), 30*time.Second)

	// Wanda loses the server for real; Ed does not.
	proxy.Stop()
	setOffline(t, leader, true)
	setOffline(t, wanda, true)
	waitJS(t, wanda, "Wanda offline", statusIs("offline", 0), 20*time.Second)
	wandaBody := strings.TrimSpace(art.Body) + "\n\n" + wandaText
	setInput(t, wanda, "#kb-body", wandaBody, "input")
	run(t, wanda, clickStill(t, "#kb-save"))
	waitJS(t, wanda, "Wanda's save queued", statusIs("offline", 1)+` && document.getElementById("kb-state").dataset.sent === "`+fmt.Sprint(r0+1)+`"`, 20*time.Second)
	waitJS(t, leader, "the syncing tab counts it", statusIs("offline", 1), 20*time.Second)

	// Ed saves first.
	setInput(t, ed, "#kb-body", strings.TrimSpace(art.Body)+"\n\n"+edText, "input")
	run(t, ed, clickStill(t, "#kb-save"))
	waitJS(t, ed, "Ed's save arrived", statusIs("online", 0)+` && `+editorAt(r0+1)+` && document.getElementById("kb-state").dataset.sent === "0"`, 20*time.Second)
	if a := storedArticle(t, srv.Store, id); a.Revision != r0+1 || a.UpdatedBy != "Ed Editor" || !strings.Contains(a.Body, edText) {
		t.Fatalf("after Ed's save the server has revision %d by %q; want %d by Ed Editor with his text", a.Revision, a.UpdatedBy, r0+1)
	}

	// Wanda comes back: her save is refused as stale, and the editor says
	// so in the server's words, keeping her text.
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	setOffline(t, leader, false)
	setOffline(t, wanda, false)
	want := fmt.Sprintf("The server did not take your last change: Someone else saved this article meanwhile (revision %d, by Ed Editor). "+
		"Your text is kept here. Check it, then save again to make it the next revision.", r0+1)
	waitJS(t, wanda, "the refusal, with the server's reason",
		statusIs("online", 0)+` && !!document.getElementById("kb-error") && document.getElementById("kb-error").innerText.trim() === `+jsString(want), 30*time.Second)
	eval[bool](t, wanda, `(window.scrollTo(0, 0), true)`) // the click on Save scrolled down
	shot(t, wanda, "kb-refused")
	if got := eval[string](t, wanda, `document.getElementById("kb-body").value`); got != wandaBody {
		t.Fatalf("after the refusal the body field holds %q; want Wanda's text %q", got, wandaBody)
	}
	if st := eval[map[string]string](t, wanda, `({...document.getElementById("kb-state").dataset})`); st["dirty"] != "true" || st["sent"] != "0" || st["revision"] != fmt.Sprint(r0+1) {
		t.Fatalf("after the refusal the editor state is %v; want dirty, nothing sent, at Ed's revision %d", st, r0+1)
	}
	if a := storedArticle(t, srv.Store, id); a.Revision != r0+1 || a.UpdatedBy != "Ed Editor" || strings.Contains(a.Body, wandaText) {
		t.Fatalf("after the refusal the server has revision %d by %q (Wanda's text stored: %v); want Ed's revision %d only",
			a.Revision, a.UpdatedBy, strings.Contains(a.Body, wandaText), r0+1)
	}
	// A reload keeps it too (the form lives in local storage).
	run(t, wanda, chromedp.Reload())
	waitJS(t, wanda, "Wanda's text after a reload", statusIs("online", 0)+` && `+editorAt(r0+1)+` && document.getElementById("kb-body").value === `+jsString(wandaBody), 30*time.Second)

	// Saving again makes her text the next revision, once.
	run(t, wanda, clickStill(t, "#kb-save"))
	waitJS(t, wanda, "Wanda's second save arrived",
		statusIs("online", 0)+` && `+editorAt(r0+2)+` && document.getElementById("kb-state").dataset.sent === "0" && document.getElementById("kb-state").dataset.dirty === "false" && !document.getElementById("kb-error")`, 20*time.Second)
	a := storedArticle(t, srv.Store, id)
	if a.Revision != r0+2 || a.UpdatedBy != "Wanda Writer" || strings.Count(a.Body, wandaText) != 1 || strings.Contains(a.Body, edText) {
		t.Fatalf("after Wanda's second save the server has revision %d by %q, body %q; want revision %d by Wanda Writer with her text once", a.Revision, a.UpdatedBy, a.Body, r0+2)
	}
	revs := map[int]shared.Revision{}
	for _, r := range recordsOf[shared.Revision](t, srv.Store, shared.RevisionType) {
		if r.ArticleID == id {
			revs[r.Number] = r
		}
	}
	withHer := 0
	for n, r := range revs {
		if strings.Contains(r.Article.Body, wandaText) {
			withHer++
			if n != r0+2 || r.Author != "Wanda Writer" {
				t.Errorf("revision %d by %q has Wanda's text; want only revision %d, by Wanda Writer", n, r.Author, r0+2)
			}
		}
		if n > r0+2 {
			t.Errorf("revision %d by %q exists; want none after %d", n, r.Author, r0+2)
		}
	}
	if withHer != 1 || revs[r0+1].Author != "Ed Editor" {
		t.Fatalf("%d revisions hold Wanda's text (want 1); revision %d is by %q (want Ed Editor)", withHer, r0+1, revs[r0+1].Author)
	}
}
