package app

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// articlePage shows one article. The server prerenders it, so its text is
// readable before the WebAssembly has loaded, or with JavaScript off.
type articlePage struct {
	page
	article     shared.Article
	translation string // ID of the article in the other language
	found       bool
	loaded      bool
	fb          feedback
}

func articleID(ctx app.Context) string {
	return strings.TrimPrefix(ctx.Page().URL().Path, "/article/")
}

func (a *articlePage) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	if serverData != nil {
		a.article, a.found = serverData.Article(articleID(ctx))
		a.loaded = true
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
	if client != nil && a.lang != "" {
		a.readFrom(ctx)
		a.load(ctx)
	}
}

// readFrom notes how the reader came (?from=search), for the feedback.
func (a *articlePage) readFrom(ctx app.Context) {
	switch from := ctx.Page().URL().Query().Get("from"); from {
	case shared.FromSearch, shared.FromTree:
		a.fb.from = from
	default:
		a.fb.from = shared.FromBrowse
	}
}

func (a *articlePage) load(ctx app.Context) {
	id, lang := articleID(ctx), a.lang
	ctx.Async(func() {
		var art shared.Article
		rec, found, err := client.Store.Get(wire.TypeArticle, id)
		if found && err == nil {
			found = json.Unmarshal(rec.Data, &art) == nil
		}
		// The same article in the UI language, if there is one.
		var translation string
		if found {
			if all, err := client.Store.List(wire.TypeArticle); err == nil {
				group := art.TranslationOf
				if group == "" {
					group = art.ID
				}
				for _, r := range all {
					var other shared.Article
					if json.Unmarshal(r.Data, &other) == nil && other.ID != art.ID &&
						(other.TranslationOf == group || other.ID == group) && other.Lang != art.Lang {
						translation = other.ID
					}
				}
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			if art.ID != a.article.ID {
				a.loadFeedback(ctx, id)
			}
			a.article, a.found, a.translation = art, found, translation
			// Until the first sync has brought the article, keep waiting
			// rather than saying it does not exist.
			a.loaded = found || client.Engine.Status().Synced
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
				app.Span().Text(" · "+t(l, "category."+art.Category)),
			),
			app.H1().Text(art.Title),
			app.If(art.Summary != "", func() app.UI { return app.P().Class("lead").Text(art.Summary) }),
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
		a.renderFeedback(),
		app.Aside().Class("cta").Body(
			app.A().Class("button").Href("/ticket/new").Text(t(l, "article.still_stuck")),
		),
	)
}
