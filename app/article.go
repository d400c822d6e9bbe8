package app

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// articlePage shows one article. The server prerenders it, so its text is
// readable before the WebAssembly has loaded, or with JavaScript off.
type articlePage struct {
	page
	article     shared.Article
	translation string // ID of the article in the other language
	// untranslated is the UI language when the article is in another one
	// and has no translation into it yet (issue 16): the page says so.
	untranslated string
	shownLang    string // the UI language of the last load: a change is the reader switching
	draft        string // the ticket draft the reader came from (?from=ticket&draft=)
	found        bool
	loaded       bool
	fb           feedback
	related      []shared.Article
	staff        articleStaff
}

// articleStaff is what staff see under an article: its feedback figures
// and its revisions, which they can view and restore.
type articleStaff struct {
	state    articleState // the article with the changes still queued
	stats    shared.ArticleStats
	revs     []shared.Revision // oldest first
	viewing  int               // the revision shown, 0 none
	restored int               // the revision a restore was queued for
	err      string
}

func articleID(ctx app.Context) string {
	return strings.TrimPrefix(ctx.Page().URL().Path, "/article/")
}

func (a *articlePage) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	if a.client.server != nil {
		var err error
		a.article, a.found, err = a.client.server.Article(ctx, articleID(ctx))
		a.loaded = err == nil // a failed read is not "not found"
		if a.found {
			a.lang = a.article.Lang
			ctx.Page().SetLang(a.lang)
			ctx.Page().SetTitle(a.article.Title + " · " + t(a.lang, "app.name"))
			ctx.Page().SetDescription(a.article.Summary)
		}
	}
}

func (a *articlePage) OnMount(ctx app.Context) {
	a.readFrom(ctx)
	a.mountPage(ctx, a.load)
}

func (a *articlePage) OnNav(ctx app.Context) {
	if !a.client.prerendering() && a.lang != "" {
		a.readFrom(ctx)
		a.load(ctx)
	}
}

// readFrom notes how the reader came (?from=search&q=…), for the feedback.
func (a *articlePage) readFrom(ctx app.Context) {
	q := ctx.Page().URL().Query()
	a.fb.query, a.draft = "", ""
	if d := q.Get("draft"); shared.ValidUUID(d) {
		a.draft = d
	}
	switch from := q.Get("from"); from {
	case shared.FromSearch, shared.FromTree, shared.FromTicket:
		a.fb.from = from
	default:
		a.fb.from = shared.FromBrowse
	}
	if a.fb.from == shared.FromSearch {
		// What they searched for, so a helpful answer teaches search.
		if query := []rune(strings.TrimSpace(q.Get("q"))); len(query) <= shared.MaxSearchQuery {
			a.fb.query = string(query)
		}
	}
}

func (a *articlePage) load(ctx app.Context) {
	id, lang := articleID(ctx), a.lang
	ctx.Async(func() {
		var art shared.Article
		rec, found, err := a.client.Store.Get(wire.TypeArticle, id)
		if found && err == nil {
			found = json.Unmarshal(rec.Data, &art) == nil
		}
		// The same article in the other languages, by language.
		translations := map[string]string{}
		if found {
			if all, err := a.client.Store.List(wire.TypeArticle); err == nil {
				group := art.TranslationOf
				if group == "" {
					group = art.ID
				}
				for _, r := range all {
					var other shared.Article
					if json.Unmarshal(r.Data, &other) == nil && other.ID != art.ID && other.IsPublished() &&
						(other.TranslationOf == group || other.ID == group || other.ID == art.TranslationOf) && other.Lang != art.Lang {
						translations[other.Lang] = other.ID
					}
				}
			}
		}
		translation := translations[lang]
		if translation == "" {
			for _, l := range shared.Languages {
				if translations[l] != "" {
					translation = translations[l]
				}
			}
		}
		var related []shared.Article
		var staff articleStaff
		if found {
			related = a.client.related(art)
			if a.client.isStaff() {
				staff = a.client.articleStaff(id)
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			switched := a.shownLang != "" && a.shownLang != lang
			a.shownLang = lang
			if switched && found && art.Lang != lang && translations[lang] != "" {
				// The reader switched the language: open the translation.
				u := *ctx.Page().URL()
				u.Path = "/article/" + translations[lang]
				ctx.Navigate(u.String())
				return
			}
			a.untranslated = ""
			if found && art.Lang != lang && translations[lang] == "" {
				a.untranslated = lang
			}
			if art.ID != a.article.ID {
				a.loadFeedback(ctx, id)
			} else {
				staff.viewing, staff.restored, staff.err = a.staff.viewing, a.staff.restored, a.staff.err
			}
			a.related, a.staff = related, staff
			a.article, a.found, a.translation = art, found, translation
			// Until the first sync has brought the article, keep waiting
			// rather than saying it does not exist.
			a.loaded = found || a.client.Engine.Status().Synced
			if found {
				ctx.Page().SetTitle(art.Title + " · " + t(lang, "app.name"))
			}
		})
	})
}

func (a *articlePage) Render() app.UI {
	l := a.lang
	if !a.loaded {
		return a.frame(app.P().Class("muted").Text(t(l, "article.loading")))
	}
	if !a.found {
		return a.frame(
			app.H1().Text(t(l, "article.not_found")),
			app.P().Text(t(l, "article.not_found_p")),
			app.A().Href("/").Text("← "+t(l, "article.back")),
		)
	}
	art := a.article
	return a.frame(
		app.Article().ID("article").Lang(art.Lang).Body(
			app.P().Class("crumbs").Body(
				app.A().Href("/").Text("← "+t(l, "article.back")),
				app.If(a.draft != "", func() app.UI {
					return app.A().ID("back-to-draft").Href("/ticket/new?draft=" + a.draft).Text(" · " + t(l, "suggest.back_to_draft"))
				}),
				app.Span().Text(" · "+a.client.categoryName(l, art.Category)),
				app.If(!a.client.prerendering() && a.client.isStaff(), func() app.UI {
					return app.Span().Body(
						app.If(!art.IsPublished(), func() app.UI {
							return app.Span().ID("article-status").Class("badge status-" + art.Status).Text(" " + t(l, "kbedit.status."+art.Status))
						}),
						app.Text(" · "),
						app.A().ID("article-edit").Href("/kb/edit/"+art.ID).Text(t(l, "kbedit.edit")),
					)
				}),
			),
			app.H1().Text(art.Title),
			app.If(art.Summary != "", func() app.UI { return app.P().Class("lead").Text(art.Summary) }),
			app.If(a.untranslated != "", func() app.UI {
				return app.P().ID("not-translated").Class("notice").Lang(l).Text(t(l, "article.not_translated", t(l, "names.lang."+art.Lang)))
			}),
			app.If(a.translation != "", func() app.UI {
				return app.P().Body(app.A().Class("translation").Href("/article/" + a.translation).Text(t(art.Lang, "article.translation")))
			}),
			app.Raw(`<div class="body">`+art.HTML+`</div>`),
			app.If(len(art.Tags) > 0, func() app.UI {
				return app.Ul().Class("tags").Body(app.Range(art.Tags).Slice(func(i int) app.UI {
					return app.Li().Text(art.Tags[i])
				}))
			}),
		),
		a.renderRelated(),
		a.renderFeedback(),
		a.renderStaff(),
		app.Aside().Class("cta").Body(
			app.A().Class("button").Href("/ticket/new").Text(t(l, "article.still_stuck")),
		),
	)
}

// related returns up to 3 published articles in art's language and
// category that share the most terms with its title and tags, from the
// device's search index: it works offline.
func (c *Client) related(art shared.Article) []shared.Article {
	if c.Index == nil {
		return nil
	}
	q := search.Query{Text: art.Title + " " + strings.Join(art.Tags, " "), Lang: art.Lang, Category: art.Category, Limit: 10}
	var out []shared.Article
	for _, r := range c.Index.Search(q) {
		if r.ID == art.ID || len(out) == 3 {
			continue
		}
		rec, ok, err := c.Store.Get(wire.TypeArticle, r.ID)
		var other shared.Article
		if err == nil && ok && json.Unmarshal(rec.Data, &other) == nil && other.IsPublished() {
			out = append(out, other)
		}
	}
	return out
}

// articleStaff reads the staff figures and history of article id.
func (c *Client) articleStaff(id string) articleStaff {
	var st articleStaff
	st.state, _ = c.articleState(id)
	if rec, ok, err := c.Store.Get(wire.TypeArticleStats, id); err == nil && ok {
		json.Unmarshal(rec.Data, &st.stats)
	}
	recs, _ := c.Store.List(shared.RevisionType)
	for _, r := range recs {
		if !strings.HasPrefix(r.ID, id+".") {
			continue
		}
		var rev shared.Revision
		if json.Unmarshal(r.Data, &rev) == nil && rev.ArticleID == id {
			st.revs = append(st.revs, rev)
		}
	}
	return st
}

func (a *articlePage) renderRelated() app.UI {
	if len(a.related) == 0 {
		return nil
	}
	l := a.lang
	return app.Section().ID("related").Class("related").Body(
		app.H2().Text(t(l, "kbedit.related")),
		app.Ul().Class("articles").Body(app.Range(a.related).Slice(func(i int) app.UI {
			r := a.related[i]
			return app.Li().Body(app.A().Href("/article/"+r.ID).DataSet("id", r.ID).Body(
				app.Strong().Text(r.Title),
				app.Span().Class("summary").Text(r.Summary),
			))
		})),
	)
}

// restore queues making revision n's content the article's next revision.
func (a *articlePage) restore(ctx app.Context, n int) {
	client := a.client
	ch := shared.ArticleChange{ArticleID: a.article.ID, Base: a.staff.state.revision, Restore: n}
	if err := ch.Validate(true); err != nil {
		a.staff.err = errorText(a.lang, err)
		return
	}
	lang := a.lang
	ctx.Async(func() {
		err := client.Engine.Mutate(shared.OpArticleRestore, ch, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.staff.err = storageErrText(lang, err)
				return
			}
			a.staff.restored, a.staff.viewing, a.staff.err = n, 0, ""
		})
	})
}

func (a *articlePage) renderStaff() app.UI {
	if a.client.prerendering() || !a.client.isStaff() {
		return nil
	}
	l, st := a.lang, a.staff
	answers := st.stats.Helpful + st.stats.NotHelpful
	return app.Section().ID("article-staff").Class("card staff").Body(
		app.H2().Text(t(l, "kbedit.stats")),
		app.If(answers == 0, func() app.UI {
			return app.P().ID("article-stats").Class("muted").Text(t(l, "kbedit.no_feedback"))
		}).Else(func() app.UI {
			return app.P().ID("article-stats").DataSet("rate", int(st.stats.HelpfulRate()*100+0.5)).Body(
				app.Text(t(l, "kbedit.helpful_rate", int(st.stats.HelpfulRate()*100+0.5), st.stats.Helpful, answers)+" "),
				app.Text(t(l, "kbedit.deflected", st.stats.Deflected)),
			)
		}),
		app.H2().Text(t(l, "kbedit.history")),
		app.If(st.err != "", func() app.UI { return app.P().Class("error").Text(st.err) }),
		app.If(st.restored != 0, func() app.UI {
			return app.P().ID("restore-queued").Class("notice").Text(t(l, "kbedit.restore_queued", st.restored))
		}),
		app.Ol().ID("revisions").Class("revisions").Body(app.Range(st.revs).Slice(func(i int) app.UI {
			r := st.revs[len(st.revs)-1-i] // newest first
			n := r.Number
			current := n == a.article.Revision
			return app.Li().DataSet("number", n).Body(
				app.Strong().Text(t(l, "kbedit.revision", n)),
				app.Span().Class("muted").Text(" · "+r.Author+" · "+when(r.Time)+" · "+t(l, "kbedit.status."+or(r.Article.Status, shared.ArticlePublished))),
				app.If(current, func() app.UI { return app.Span().Class("badge").Text(t(l, "kbedit.history_current")) }),
				app.Button().Class("small secondary view-revision").Type("button").
					Text(map[bool]string{true: t(l, "kbedit.history_hide"), false: t(l, "kbedit.history_view")}[st.viewing == n]).
					OnClick(func(ctx app.Context, e app.Event) {
						if a.staff.viewing == n {
							a.staff.viewing = 0
						} else {
							a.staff.viewing = n
						}
					}, app.EventScope(strconv.Itoa(n))),
				app.If(!current, func() app.UI {
					return app.Button().Class("small restore-revision").Type("button").Text(t(l, "kbedit.history_restore")).
						OnClick(func(ctx app.Context, e app.Event) { a.restore(ctx, n) }, app.EventScope(strconv.Itoa(n)))
				}),
				app.If(st.viewing == n, func() app.UI {
					return app.Div().Class("revision-view").Body(
						app.H3().Text(r.Article.Title),
						app.Raw(`<div class="body">`+r.Article.HTML+`</div>`),
					)
				}),
			)
		})),
	)
}
