package app

import (
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/search"
)

// home lists the knowledge base by category and searches it as you type,
// offline, over the replica's search index.
type home struct {
	page
	articles []shared.Article
	loaded   bool
	err      string

	query    string      // what is in the search box
	shown    string      // the query as last put in the box by the app (see typedValue)
	category string      // category filter; "" = all
	hits     []SearchHit // results for searched
	searched string      // the query hits answer ("" = not searching)
	seq      int         // drops results of superseded searches
	ticket   *ticketView // the ticket whose number was searched for, if this device has it
	hitsLang string      // the language of hits when it is not the page's: nothing matched in it
	missed   map[string]bool

	// prerendered is the article list (or the results of ?q=) the server
	// drew, as the browser got it. On a first visit the replica is empty
	// until the first sync ends; the page keeps showing this meanwhile
	// rather than "no articles" (issue 16). prerenderedQ is its ?q=.
	prerendered, prerenderedQ string
	// loadedChanges is the engine's change count when the articles held
	// were read: once the device has synced and nothing changed since,
	// they are as good as the server's list.
	loadedChanges int
}

// OnInit runs in the browser before the app replaces the prerendered page:
// it keeps the server's article list or results (see prerendered).
func (h *home) OnInit() {
	if !app.IsClient {
		return
	}
	for _, id := range []string{"search-results", "article-list"} {
		if el := app.Window().GetElementByID(id); el.Truthy() {
			h.prerendered = el.Get("outerHTML").String()
			h.prerenderedQ = app.Window().URL().Query().Get("q")
			return
		}
	}
}

// keepPrerendered says whether the server's list is still better than the
// replica's: until the page has read the replica after this device's first
// full sync (a partial first sync, or none, is worse), for the same search.
func (h *home) keepPrerendered() bool {
	return h.prerendered != "" && !h.client.prerendering() && h.query == h.prerenderedQ &&
		!(h.status.Synced && h.loaded && h.loadedChanges == h.status.Changes)
}

// missDelay is how long a search that found nothing must stay on screen
// before it counts as a miss, so half-typed words are not reported.
const missDelay = 2 * time.Second

func (h *home) OnPreRender(ctx app.Context) {
	h.lang = prerenderLang(ctx)
	h.readURL(ctx)
	if h.client.server != nil {
		var err error
		h.articles, err = h.client.server.Articles(ctx, h.lang)
		h.loaded = err == nil
		if h.query != "" {
			if h.hits, err = h.client.server.Search(ctx, h.searchQuery()); err == nil {
				h.searched = h.query
			}
		}
	}
	ctx.Page().SetTitle(t(h.lang, "app.name") + " · " + t(h.lang, "nav.home"))
}

func (h *home) OnMount(ctx app.Context) {
	h.readURL(ctx)
	h.mountPage(ctx, h.load)
}

// readURL takes the search and filter from ?q= and ?category=, so a
// reload, a shared link or the back button keeps them.
func (h *home) readURL(ctx app.Context) {
	q := ctx.Page().URL().Query()
	h.query = q.Get("q")
	h.shown = h.query
	if c := q.Get("category"); h.client.categories().Has(c) {
		h.category = c
	}
}

func (h *home) load(ctx app.Context) {
	lang := h.lang
	ctx.Page().SetTitle(t(lang, "app.name") + " · " + t(lang, "nav.home"))
	changes := h.client.Engine.Status().Changes
	ctx.Async(func() {
		as, err := h.client.articles(lang)
		ctx.Dispatch(func(ctx app.Context) {
			h.articles, h.loaded, h.err = as, true, ""
			h.loadedChanges = changes
			if now := h.client.Engine.Status(); now.Synced && now.Changes == changes {
				h.prerendered = "" // the replica has it all: never go back
			}
			if err != nil {
				h.err = err.Error()
			}
			h.search(ctx)
		})
	})
}

func (h *home) searchQuery() search.Query {
	return search.Query{Text: h.query, Lang: h.lang, Category: h.category, Limit: 20}
}

// search runs the query in the background and shows its results unless a
// newer search has started meanwhile.
func (h *home) search(ctx app.Context) {
	h.seq++
	seq, query := h.seq, strings.TrimSpace(h.query)
	if query == "" || h.client.prerendering() || h.client.Index == nil {
		h.hits, h.searched, h.ticket, h.hitsLang = nil, "", nil, ""
		return
	}
	number := parseNumber(query) // "#1042": a ticket people read out (ticket_number.go)
	q := h.searchQuery()
	byID := make(map[string]shared.Article, len(h.articles))
	for _, a := range h.articles {
		byID[a.ID] = a
	}
	ctx.Async(func() {
		var found *ticketView
		if number > 0 {
			if tk, ok, _ := h.client.ticketByNumber(number); ok {
				found = &tk
			}
		}
		results := h.client.Index.Search(q)
		hits := make([]SearchHit, 0, len(results))
		for _, r := range results {
			if a, ok := byID[r.ID]; ok {
				hits = append(hits, SearchHit{Article: a, Result: r})
			}
		}
		hitsLang := ""
		if len(hits) == 0 {
			hits, hitsLang = h.client.otherLanguageHits(q)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if seq != h.seq {
				return
			}
			h.hits, h.searched, h.ticket, h.hitsLang = hits, query, found, hitsLang
			if len(hits) == 0 && found == nil {
				ctx.After(missDelay, func(ctx app.Context) {
					if seq == h.seq {
						h.recordMiss()
					}
				})
			}
		})
	})
}

// otherLanguageHits runs q in the other languages, for a search that found
// nothing in the reader's ("contraseña" typed in the English UI), and
// returns the hits of the first language that has any, and that language.
func (c *Client) otherLanguageHits(q search.Query) ([]SearchHit, string) {
	for _, lang := range shared.Languages {
		if lang == q.Lang {
			continue
		}
		as, err := c.articles(lang)
		if err != nil || len(as) == 0 {
			continue
		}
		byID := make(map[string]shared.Article, len(as))
		for _, a := range as {
			byID[a.ID] = a
		}
		q.Lang = lang
		var hits []SearchHit
		for _, r := range c.Index.Search(q) {
			if a, ok := byID[r.ID]; ok {
				hits = append(hits, SearchHit{Article: a, Result: r})
			}
		}
		if len(hits) > 0 {
			return hits, lang
		}
	}
	return nil, ""
}

// recordMiss queues a "search.miss" for the search on screen if it found
// nothing, once per query and page view.
func (h *home) recordMiss() {
	client := h.client
	q := h.searched
	if q == "" || len(h.hits) > 0 || h.missed[q] || client.prerendering() {
		return
	}
	if h.missed == nil {
		h.missed = map[string]bool{}
	}
	h.missed[q] = true
	miss := shared.SearchMiss{Query: q, Lang: h.lang}
	if miss.Validate() != nil {
		return
	}
	go client.Engine.Mutate(shared.OpSearchMiss, miss, "")
}

func (h *home) onInput(ctx app.Context, e app.Event) {
	h.query = ctx.JSSrc().Get("value").String()
	h.replaceURL(ctx)
	h.search(ctx)
}

func (h *home) onSubmit(ctx app.Context, e app.Event) {
	if h.searched == strings.TrimSpace(h.query) {
		h.recordMiss() // the user pressed Enter on a search that found nothing
	}
}

func (h *home) setCategory(ctx app.Context, c string) {
	h.category = c
	h.replaceURL(ctx)
	h.search(ctx)
}

func (h *home) clear(ctx app.Context, e app.Event) {
	h.query = ""
	clearField("search")
	h.replaceURL(ctx)
	h.search(ctx)
}

func (h *home) replaceURL(ctx app.Context) {
	u := *ctx.Page().URL()
	q := url.Values{}
	if s := strings.TrimSpace(h.query); s != "" {
		q.Set("q", s)
	}
	if h.category != "" {
		q.Set("category", h.category)
	}
	u.RawQuery = q.Encode()
	ctx.Page().ReplaceURL(&u)
}

func (h *home) Render() app.UI {
	l := h.lang
	var body app.UI
	switch {
	case h.err != "":
		body = app.P().Class("error").Text(t(l, "status.storage_err", h.err))
	case h.keepPrerendered():
		body = app.Raw(h.prerendered)
	case !h.loaded:
		body = app.P().Class("muted").Text(t(l, "home.loading"))
	case len(h.articles) == 0:
		body = app.P().Class("empty").Text(t(l, "home.empty"))
	case h.searched != "":
		body = h.renderResults()
	default:
		body = h.renderCategories()
	}
	return h.frame(
		app.Section().Class("hero").Body(
			app.H1().Text(t(l, "home.title")),
			app.P().Text(t(l, "home.intro")),
		),
		h.renderSearchBox(),
		body,
		app.Section().ID("home-troubleshoot").Class("cta").Body(
			app.H2().Text(t(l, "troubleshoot.home_title")),
			app.P().Text(t(l, "troubleshoot.home_p")),
			app.A().Class("button").Href("/troubleshoot").Text(t(l, "troubleshoot.home_link")),
		),
		app.Aside().Class("cta").Body(
			app.Span().Text(t(l, "home.cant_find")+" "),
			app.A().Class("button").Href("/ticket/new").Text(t(l, "home.file_ticket")),
		),
	)
}

// renderSearchBox draws the search form. Without the app (a slow first
// visit, JavaScript off) it is a plain GET form the server answers.
func (h *home) renderSearchBox() app.UI {
	l := h.lang
	form := app.Form().ID("search-form").Role("search").Action("/").Method("get")
	if !h.client.prerendering() {
		form = form.Attr("onsubmit", noNativeSubmit).OnSubmit(h.onSubmit)
	}
	return app.Div().Class("search").Body(
		form.Body(
			app.Label().For("search").Class("visually-hidden").Text(t(l, "search.label")),
			app.Input().ID("search").Type("search").Name("q").Value(h.shown).
				Placeholder(t(l, "search.placeholder")).AutoComplete(false).
				Attr("autocapitalize", "off").Attr("spellcheck", "false").
				OnInput(h.onInput),
			app.If(h.category != "", func() app.UI {
				return app.Input().Type("hidden").Name("category").Value(h.category)
			}),
		),
		app.Div().Class("chips").Role("group").Aria("label", t(l, "nav.home")).Body(
			h.chip("", t(l, "search.all")),
			h.client.eachCategory(func(c string) app.UI {
				return h.chip(c, h.client.categoryName(l, c))
			}),
		),
	)
}

func (h *home) chip(cat, label string) app.UI {
	return app.Button().Class("chip").Type("button").DataSet("category", cat).
		Aria("pressed", h.category == cat).Text(label).
		OnClick(func(ctx app.Context, e app.Event) { h.setCategory(ctx, cat) }, app.EventScope(cat))
}

func (h *home) renderResults() app.UI {
	l := h.lang
	var ticket app.UI = app.Text("")
	if tk := h.ticket; tk != nil {
		ticket = app.P().ID("search-ticket").Class("card").Body(
			app.A().Href("/ticket/"+tk.ID).Body(numberBadge(l, tk), app.Text(" "+tk.Title)),
			app.Span().Class("muted").Text(" · "+statusLabel(l, h.client.readerRole(), tk.Status)),
		)
	}
	if len(h.hits) == 0 && h.ticket != nil {
		return app.Div().ID("search-results").DataSet("count", 0).Body(ticket)
	}
	if len(h.hits) == 0 {
		return app.Div().ID("search-results").Class("empty").DataSet("count", 0).Body(
			app.P().Body(app.Strong().Text(t(l, "search.none", h.searched))),
			app.P().Text(t(l, "search.none_hint")),
			app.Button().Class("small").Type("button").Text(t(l, "search.clear")).OnClick(h.clear),
		)
	}
	count := t(l, "search.results", len(h.hits))
	if len(h.hits) == 1 {
		count = t(l, "search.result")
	}
	if h.hitsLang != "" {
		count = t(l, "search.results_in", len(h.hits), t(h.hitsLang, "kiosk.lang_name"))
	}
	return app.Div().ID("search-results").DataSet("count", len(h.hits)).Body(
		ticket,
		app.P().Class("muted").Aria("live", "polite").Text(count),
		app.Ul().Class("articles results").Body(
			app.Range(h.hits).Slice(func(i int) app.UI {
				hit := h.hits[i]
				return app.Li().Body(
					app.A().Href("/article/"+hit.Article.ID+"?"+url.Values{"from": {shared.FromSearch}, "q": {strings.TrimSpace(h.query)}}.Encode()).DataSet("id", hit.Article.ID).Body(
						app.Strong().Text(hit.Article.Title),
						app.Span().Class("summary snippet").Body(highlight(hit.Snippet, hit.Highlights)...),
						app.Span().Class("where").Text(h.client.categoryName(l, hit.Article.Category)),
					),
				)
			}),
		),
	)
}

// highlight marks the byte ranges hl of s.
func highlight(s string, hl [][2]int) []app.UI {
	var out []app.UI
	at := 0
	for _, r := range hl {
		if r[0] < at || r[1] > len(s) || r[0] >= r[1] {
			continue
		}
		out = append(out, app.Text(s[at:r[0]]), app.Mark().Text(s[r[0]:r[1]]))
		at = r[1]
	}
	return append(out, app.Text(s[at:]))
}

func (h *home) renderCategories() app.UI {
	l := h.lang
	return app.Div().ID("article-list").Body(
		h.client.eachCategory(func(cat string) app.UI {
			if h.category != "" && cat != h.category {
				return nil
			}
			var in []shared.Article
			for _, a := range h.articles {
				if a.Category == cat {
					in = append(in, a)
				}
			}
			if len(in) == 0 && h.category == cat && h.loaded {
				// The reader chose a category nothing is filed in yet
				// (an admin just added it): say so, and where to go.
				return app.Section().ID("category-empty").Class("category").Body(
					app.H2().Text(h.client.categoryName(l, cat)),
					app.P().Class("empty").Text(t(l, "home.category_empty", h.client.categoryName(l, cat))),
					app.P().Body(
						app.A().Href("/troubleshoot").Text(t(l, "troubleshoot.nav")),
						app.Text(" · "),
						app.A().Href("/ticket/new").Text(t(l, "nav.new_ticket")),
					),
				)
			}
			if len(in) == 0 {
				return nil
			}
			return app.Section().Class("category").Body(
				app.H2().Text(h.client.categoryName(l, cat)),
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
