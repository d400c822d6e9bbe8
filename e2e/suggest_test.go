package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server"
	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/wire"
)

// TestTicketSuggestions is issue 16's self-service loop on the ticket form:
// offline, a requester types a title key by key and the form suggests
// articles from the device's index; she opens one, answers "Yes", and comes
// back to her draft, still there. Once the link is back the answer reaches
// the server marked as from the ticket form, and the agent's dashboard
// counts it.
func TestTicketSuggestions(t *testing.T) {
	srv, addr := requesterAndAgent(t, "rita@example.com", "Rita Requester")

	requester := newOnLink(t, "requester", addr)
	base, req := requester.base, requester.ctx
	requester.signIn(t, "rita@example.com")
	visitHome(t, requester.device) // the articles are in the replica, not only on the server's page
	requester.cut(t)
	run(t, req, chromedp.Navigate(base+"/ticket/new"))
	waitJS(t, req, "ticket form offline", appReady+` && !!document.getElementById("ticket-title")`, 30*time.Second)
	if n := eval[int](t, req, `document.querySelectorAll("#suggestions a.suggestion").length`); n != 0 {
		t.Fatalf("suggestions before typing: %d", n)
	}

	const title = "The printer has a paper jam"
	run(t, req, typeInto("#ticket-title", title)) // key by key
	list := `[...document.querySelectorAll("#suggestions a.suggestion")]`
	waitJS(t, req, "suggestions while typing", list+`.length > 0 && `+list+`.length <= 5 && `+list+`[0].dataset.id === "printer-jam"`, 20*time.Second)
	if h := eval[string](t, req, `document.querySelector("#suggestions h2").innerText`); h != i18n.T("en", "suggest.title") {
		t.Errorf("suggestions heading = %q", h)
	}
	shot(t, req, "suggest-ticket-form")
	draft := eval[string](t, req, `new URLSearchParams(location.search).get("draft") || ""`)
	if !shared.ValidUUID(draft) {
		t.Fatalf("the form's draft = %q; want its ID in the URL", draft)
	}

	run(t, req, clickStill(t, `#suggestions a.suggestion[data-id="printer-jam"]`))
	waitJS(t, req, "the article", `location.pathname === "/article/printer-jam" && !!document.getElementById("feedback-yes")`, 20*time.Second)
	run(t, req, clickStill(t, "#feedback-yes"))
	waitJS(t, req, "the answer queued", statusIs("offline", 1), 20*time.Second)

	// Back to the ticket: the draft is as she left it.
	run(t, req, clickStill(t, "#back-to-draft"))
	waitJS(t, req, "the draft kept", `location.pathname === "/ticket/new" && document.getElementById("ticket-title").value === `+jsString(title), 20*time.Second)
	waitJS(t, req, "suggestions again", list+`.length > 0`, 20*time.Second)

	requester.restore(t) // the answer sent
	var fb []shared.Feedback
	for _, f := range recordsOf[shared.Feedback](t, srv.Store, wire.TypeFeedback) {
		if f.ArticleID == "printer-jam" && f.Helpful {
			fb = append(fb, f)
		}
	}
	if len(fb) != 1 || fb[0].From != shared.FromTicket {
		t.Fatalf("server feedback = %+v; want one helpful answer from the ticket form", fb)
	}

	agent := newBrowser(t)
	signInUI(t, agent, "http://"+addr, agentEmail)
	waitJS(t, agent, "synced", statusIs("online", 0), 30*time.Second)
	run(t, agent, chromedp.Navigate("http://"+addr+"/agent/dashboard"))
	waitJS(t, agent, "the deflection counted", appReady+` && !!document.querySelector("#kpi-deflection .kpi-detail") && document.querySelector("#kpi-deflection .kpi-detail").innerText.includes("1 helpful answers after a search, a guide or the ticket form") && document.querySelector("#kpi-deflection .kpi-detail").innerText.includes("(1 suggested on the ticket form)")`, 30*time.Second)
	shot(t, agent, "suggest-dashboard")
}

// TestArticleLanguageSwitch is issue 16's item 7 on an article: switching
// the UI language opens the article's translation; an article with none
// says it is not translated yet, and stays readable.
func TestArticleLanguageSwitch(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	b := newBrowser(t)
	run(t, b, chromedp.Navigate(base+"/"))
	waitJS(t, b, "synced", appReady+` && `+statusIs("online", 0)+` && `+synced, 60*time.Second)
	if eval[string](t, b, `document.documentElement.lang`) != "en" {
		run(t, b, clickStill(t, "button.lang"))
	}
	run(t, b, chromedp.Navigate(base+"/article/printer-jam"))
	waitJS(t, b, "the English article", appReady+` && !!document.querySelector("#article h1") && document.querySelector("#article").lang === "en"`, 30*time.Second)

	run(t, b, clickStill(t, "button.lang"))
	waitJS(t, b, "its Spanish translation", `location.pathname === "/article/printer-jam-es" && document.querySelector("#article").lang === "es" && document.querySelector("#article h1").innerText.startsWith("La impresora")`, 20*time.Second)
	if eval[bool](t, b, `!!document.getElementById("not-translated")`) {
		t.Error("a translated article says it is not translated")
	}
	run(t, b, clickStill(t, "button.lang"))
	waitJS(t, b, "back to English", `location.pathname === "/article/printer-jam" && document.querySelector("#article").lang === "en"`, 20*time.Second)
	shot(t, b, "article-switched")

	// An article with no Spanish translation (written in English only).
	art := shared.Article{ID: "badge-reader", Lang: "en", Title: "Badge reader at the door", Summary: "What to do when the door does not open.",
		Category: "devices", Body: "Hold the badge still for two seconds.", Visibility: shared.Public}
	putArticle(t, srv, art)
	run(t, b, chromedp.Navigate(base+"/article/badge-reader"))
	waitJS(t, b, "the English-only article", appReady+` && !!document.querySelector("#article h1") && document.querySelector("#article h1").innerText === "Badge reader at the door"`, 30*time.Second)
	run(t, b, clickStill(t, "button.lang"))
	waitJS(t, b, "not translated yet", `!!document.getElementById("not-translated") && location.pathname === "/article/badge-reader"`, 20*time.Second)
	msg := eval[string](t, b, `document.getElementById("not-translated").innerText`)
	if msg != i18n.T("es", "article.not_translated", i18n.T("es", "names.lang.en")) {
		t.Errorf("not-translated notice = %q", msg)
	}
	if eval[string](t, b, `document.querySelector("#article h1").innerText`) != "Badge reader at the door" {
		t.Error("the untranslated article is no longer shown")
	}
	shot(t, b, "article-not-translated")
}

// putArticle saves and publishes art on the server as an agent would.
func putArticle(t *testing.T, m *server.Main, art shared.Article) {
	t.Helper()
	u := addUser(t, m, auth.NewUser{Email: "writer-" + art.ID + "@example.com", Name: "Writer", Role: shared.RoleAgent, Tier: 1})
	pushAs(t, m, u, shared.NewID(time.Now()), 1,
		op{shared.OpArticleSave, shared.ArticleSave{Article: art}},
		op{shared.OpArticlePublish, shared.ArticleChange{ArticleID: art.ID}})
}
