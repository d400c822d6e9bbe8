package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// home lists the knowledge base by category.
type home struct {
	page
	articles []shared.Article
	loaded   bool
	err      string
}

func (h *home) OnPreRender(ctx app.Context) {
	h.lang = prerenderLang(ctx)
	if serverData != nil {
		h.articles, h.loaded = serverData.Articles(h.lang), true
	}
	ctx.Page().SetTitle(t(h.lang, "app.name") + " · " + t(h.lang, "nav.home"))
}

func (h *home) OnMount(ctx app.Context) {
	h.mountPage(ctx, h.load)
}

func (h *home) load(ctx app.Context) {
	lang := h.lang
	ctx.Page().SetTitle(t(lang, "app.name") + " · " + t(lang, "nav.home"))
	ctx.Async(func() {
		as, err := client.articles(lang)
		ctx.Dispatch(func(ctx app.Context) {
			h.articles, h.loaded, h.err = as, true, ""
			if err != nil {
				h.err = err.Error()
			}
		})
	})
}

func (h *home) Render() app.UI {
	l := h.lang
	var body app.UI
	switch {
	case h.err != "":
		body = app.P().Class("error").Text(t(l, "status.storage_err", h.err))
	case !h.loaded:
		body = app.P().Class("muted").Text(t(l, "home.loading"))
	case len(h.articles) == 0:
		body = app.P().Class("empty").Text(t(l, "home.empty"))
	default:
		body = app.Div().ID("article-list").Body(
			app.Range(shared.Categories).Slice(func(i int) app.UI {
				cat := shared.Categories[i].Slug
				var in []shared.Article
				for _, a := range h.articles {
					if a.Category == cat {
						in = append(in, a)
					}
				}
				if len(in) == 0 {
					return nil
				}
				return app.Section().Class("category").Body(
					app.H2().Text(t(l, "category."+cat)),
					app.Ul().Class("articles").Body(
						app.Range(in).Slice(func(j int) app.UI {
							a := in[j]
							return app.Li().Body(
								app.A().Href("/article/"+a.ID).Body(
									app.Strong().Text(a.Title),
									app.Span().Class("summary").Text(a.Summary),
								),
							)
						}),
					),
				)
			}),
		)
	}
	return h.frame(
		app.Section().Class("hero").Body(
			app.H1().Text(t(l, "home.title")),
			app.P().Text(t(l, "home.intro")),
		),
		body,
		app.Aside().Class("cta").Body(
			app.Span().Text(t(l, "home.cant_find")+" "),
			app.A().Class("button").Href("/ticket/new").Text(t(l, "home.file_ticket")),
		),
	)
}
