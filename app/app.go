// Package app is Outpost's user interface: go-app components compiled to
// WebAssembly for the browser, and natively so the server can prerender the
// same pages. Components never do I/O in Render: they read the local replica
// (app/store) in ctx.Async and redraw through ctx.Dispatch.
package app

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/engine"
	"outpost/app/kbsearch"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// Routes registers every page. The WebAssembly main and the server both call
// it, so a prerendered page and the page the app then shows are the same
// component.
func Routes() { routesOnce.Do(routes) }

var routesOnce sync.Once

func routes() {
	app.Route("/", app.NewZeroComponentFactory(&home{}))
	app.RouteWithRegexp(`^/article/[a-z0-9-]{1,64}$`, app.NewZeroComponentFactory(&articlePage{}))
	app.Route("/ticket/new", app.NewZeroComponentFactory(&ticketNew{}))
	app.Route("/tickets", app.NewZeroComponentFactory(&ticketList{}))
	app.Route("/device", app.NewZeroComponentFactory(&devicePage{}))
	for _, r := range featureRoutes {
		r()
	}
}

// featureRoutes are route registrations added by feature files from init,
// so a feature's pages live in its own files.
var featureRoutes []func()

// ServerData is what the server gives components to prerender: the public
// articles, read from its store.
type ServerData interface {
	Articles(lang string) []shared.Article
	Article(id string) (shared.Article, bool)
	Search(q search.Query) []SearchHit
}

// SearchHit is one search result with its article.
type SearchHit struct {
	Article shared.Article
	search.Result
}

// serverData is set by the server (SetServerData) and nil in the browser.
var serverData ServerData

// SetServerData gives prerendering components access to the server's data.
func SetServerData(d ServerData) { serverData = d }

// client is the browser's replica and sync engine; nil when prerendering.
var client *Client

// Client is the browser side: the local store and the engine syncing it.
type Client struct {
	Store  store.Store
	Engine *engine.Engine
	// Index searches the replica's articles; it is also the Store the
	// engine applies pages through, so it never falls behind.
	Index *kbsearch.Index
	// Durable is false when the browser gave us no IndexedDB: nothing
	// survives a reload, and the app says so.
	Durable bool
}

// langKey is the local-storage key of the chosen UI language.
const langKey = "lang"

// t translates key into lang.
func t(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// noNativeSubmit is the onsubmit attribute of forms the app handles. go-app
// runs Go event handlers after the browser has dispatched the event, too late
// for PreventDefault, so the browser's own submit (a page load) is stopped in
// JavaScript.
const noNativeSubmit = "event.preventDefault()"

// errorText says what is wrong with err, in lang.
func errorText(lang string, err error) string {
	key, args := shared.ErrorKey(err)
	return t(lang, key, args...)
}

// articles returns the replica's articles in lang, by category then title.
func (c *Client) articles(lang string) ([]shared.Article, error) {
	recs, err := c.Store.List(wire.TypeArticle)
	if err != nil {
		return nil, err
	}
	var out []shared.Article
	for _, r := range recs {
		var a shared.Article
		if json.Unmarshal(r.Data, &a) == nil && a.Lang == lang {
			out = append(out, a)
		}
	}
	SortArticles(out)
	return out, nil
}

// SortArticles orders articles by category (in the order of the category
// tree), then title.
func SortArticles(as []shared.Article) {
	rank := map[string]int{}
	for i, c := range shared.Categories {
		rank[c.Slug] = i
	}
	sort.SliceStable(as, func(i, j int) bool {
		if as[i].Category != as[j].Category {
			return rank[as[i].Category] < rank[as[j].Category]
		}
		return strings.ToLower(as[i].Title) < strings.ToLower(as[j].Title)
	})
}

// ticketView is a ticket as the requester sees it: from the server, or
// still waiting in the outbox.
type ticketView struct {
	shared.Ticket
	Pending bool
}

// tickets returns the server's tickets with the pending creations rebased
// on top, newest first.
func (c *Client) tickets() ([]ticketView, error) {
	recs, err := c.Store.List(wire.TypeTicket)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []ticketView
	for _, r := range recs {
		var tk shared.Ticket
		if json.Unmarshal(r.Data, &tk) == nil {
			out = append(out, ticketView{Ticket: tk})
			seen[tk.ID] = true
		}
	}
	pending, err := c.Store.Outbox()
	if err != nil {
		return nil, err
	}
	for _, m := range pending {
		var tc shared.TicketCreate
		if m.Name != wire.MTicketCreate || json.Unmarshal(m.Args, &tc) != nil || seen[tc.ID] {
			continue
		}
		out = append(out, ticketView{Ticket: tc.Ticket(c.Engine.ClientID()), Pending: true})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt > out[j].CreatedAt })
	return out, nil
}

// onReject keeps the words of a ticket the server refused, as a draft that
// says why.
func (c *Client) onReject(m wire.Mutation, r wire.Result) {
	if m.Name != wire.MTicketCreate {
		return
	}
	var tc shared.TicketCreate
	if json.Unmarshal(m.Args, &tc) != nil {
		return
	}
	if r.Code == shared.ECONFLICT {
		if _, ok, _ := c.Store.Get(wire.TypeTicket, tc.ID); ok {
			return // our own ticket, sent twice: nothing was lost
		}
	}
	c.Store.PutDraft(store.Draft{
		ID: tc.ID, Title: tc.Title, Description: tc.Description, Category: tc.Category,
		UpdatedAt: c.Engine.Now().UnixMilli(), RejectKey: r.Key, RejectArgs: r.Args,
	})
}
