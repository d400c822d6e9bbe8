// Package app is Outpost's user interface: go-app components compiled to
// WebAssembly for the browser, and natively so the server can prerender the
// same pages. Components never do I/O in Render: they read the local replica
// (app/store) in ctx.Async and redraw through ctx.Dispatch.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"outpost/app/engine"
	"outpost/app/kbsearch"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// ServerData is what the server gives components to prerender: the public
// articles, read from its store. A read that fails returns its error (the
// server has logged it); the page then prerenders as it renders before the
// replica has loaded, and the browser reads its replica.
type ServerData interface {
	Articles(ctx context.Context, lang string) ([]shared.Article, error)
	Article(ctx context.Context, id string) (a shared.Article, found bool, err error)
	Search(ctx context.Context, q search.Query) ([]SearchHit, error)
	// Categories returns the server's category tree in use.
	Categories() shared.CategoryTree
}

// SearchHit is one search result with its article.
type SearchHit struct {
	Article shared.Article
	search.Result
}

// Client is what every page is built with (routes.go). In the browser,
// Start returns it with the local store and the engine syncing it; on the
// server, Prerender returns one with only the server's data, and no
// replica (prerendering reports true).
type Client struct {
	Store  store.Store
	Engine *engine.Engine
	// Index searches the replica's articles; it is also the Store the
	// engine applies pages through, so it never falls behind.
	Index *kbsearch.Index
	// Durable is false when the browser gave us no IndexedDB: nothing
	// survives a reload, and the app says so.
	Durable bool
	// Post sends a JSON body to an API path of the server and returns the
	// status and body of the answer; err means no answer (offline).
	Post func(path string, body []byte, lang string) (status int, resp []byte, err error)
	// Clock is the device's time for what waits: the engine, the search
	// index's save delay, the uploader's retries, the kiosk's idle timer
	// and the SLA panel's minute (nil: the wall clock). Tests hand it a
	// clock.Fake.
	Clock clock.Clock

	server ServerData                      // the server's articles, when prerendering
	who    atomic.Pointer[shared.Identity] // who is signed in on this device (session.go)
	lang   atomic.Pointer[string]          // the UI language, once known (layout.go)
	// workerAtLoad says whether a service worker served this page, i.e.
	// whether an older version of the app was installed when it loaded
	// (Start sets it; layout.go's OnAppUpdate reads it).
	workerAtLoad bool

	uploads        uploadBoard    // upload progress the thumbnails watch (attach.go)
	objectURLs     objectURLCache // object URLs of blobs shown (attach_wasm.go)
	news           newsState      // tickets with news, the unread count (notify.go)
	kiosk          kioskIdle      // a kiosk's idle timer (kiosk_frame.go)
	categoriesTree categoryInUse  // the category tree in use (admin_categories.go)
	siteList       sitesInUse     // the site list in use (names.go)
	refusalHook    sync.Once      // refusals.go: OnReject is wrapped once
	events         runEvents      // troubleshooting run events on their way (troubleshoot.go)
}

// Prerender returns the client the server builds pages with: no replica,
// only its data.
func Prerender(d ServerData) *Client { return &Client{server: d} }

// prerendering reports whether c has no replica: the page is being
// prerendered on the server (or the browser has not started yet).
func (c *Client) prerendering() bool { return c == nil || c.Engine == nil }

// clk returns the client's clock (the wall clock if it has none).
func (c *Client) clk() clock.Clock {
	if c == nil {
		return clock.Real{}
	}
	return clock.Or(c.Clock)
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

// InlineHandlers returns the inline event handler attributes the app sets,
// for the server's Content-Security-Policy to allow by hash and nothing
// else.
func InlineHandlers() []string { return []string{noNativeSubmit} }

// typedValue: a text field the user types into must not be bound with
// Value(state). go-app runs input handlers asynchronously, so a redraw with
// state a keystroke behind would put the old text back over what was just
// typed. Such fields show a value the app set on purpose (a restored draft,
// a search from the URL) and are otherwise left to the user; clearField
// empties one.

// storageErrText says, in lang, why something could not be saved on this
// device: a full device in words the user can act on, else the error.
func storageErrText(lang string, err error) string {
	var full *store.QuotaError
	if errors.As(err, &full) {
		return t(lang, "status.storage_full")
	}
	return t(lang, "status.storage_err", err.Error())
}

// errorText says what is wrong with err, in lang.
func errorText(lang string, err error) string {
	key, args := shared.ErrorKey(err)
	return t(lang, key, args...)
}

// articles returns the replica's published articles in lang, by category
// then title.
func (c *Client) articles(lang string) ([]shared.Article, error) {
	recs, err := c.Store.List(wire.TypeArticle)
	if err != nil {
		return nil, err
	}
	var out []shared.Article
	for _, r := range recs {
		var a shared.Article
		// Drafts and archived articles reach staff devices for the editors,
		// not for the help pages.
		if json.Unmarshal(r.Data, &a) == nil && a.Lang == lang && a.IsPublished() {
			out = append(out, a)
		}
	}
	SortArticles(out, c.categories())
	return out, nil
}

// SortArticles orders articles by category (in the order of cats, the
// category tree in use), then title.
func SortArticles(as []shared.Article, cats shared.CategoryTree) {
	rank := map[string]int{}
	for i, c := range cats {
		rank[c.Slug] = i
	}
	sort.SliceStable(as, func(i, j int) bool {
		if as[i].Category != as[j].Category {
			return rank[as[i].Category] < rank[as[j].Category]
		}
		return strings.ToLower(as[i].Title) < strings.ToLower(as[j].Title)
	})
}

// onReject keeps the words of a change the server refused, as a ticket
// draft that says why: a ticket that could not be filed, or a reply to a
// ticket that was closed meanwhile. If the draft cannot be stored (the
// device is full), it returns the error: the engine then keeps the change
// in the outbox, where the words already are, shows the error, and asks
// again at the next push.
func (c *Client) onReject(m wire.Mutation, r wire.Result) error {
	var d store.Draft
	switch m.Name {
	case shared.OpTicketCreate:
		var tc shared.TicketCreate
		if json.Unmarshal(m.Args, &tc) != nil {
			return nil
		}
		if r.Code == shared.ECONFLICT {
			if _, ok, _ := c.Store.Get(wire.TypeTicket, tc.ID); ok {
				return nil // our own ticket, sent twice: nothing was lost
			}
		}
		d = store.Draft{ID: tc.ID, Title: tc.Title, Description: tc.Description, Category: tc.Category, Attachments: tc.Attachments}
	case shared.OpTicketReply, shared.OpTicketNote:
		var op shared.TicketOp
		if json.Unmarshal(m.Args, &op) != nil || r.Key == "ticket.op_exists" {
			return nil
		}
		title := ""
		if rec, ok, _ := c.Store.Get(wire.TypeTicket, op.TicketID); ok {
			var tk shared.Ticket
			json.Unmarshal(rec.Data, &tk)
			title = tk.Title
		}
		d = store.Draft{ID: op.ID, Title: title, Description: op.Body}
	default:
		return nil
	}
	d.UpdatedAt, d.RejectKey, d.RejectArgs = c.Engine.Now().UnixMilli(), r.Key, r.Args
	if err := c.Store.PutDraft(d); err != nil {
		return fmt.Errorf("keep refused %s as a draft: %w", m.Name, err)
	}
	return nil
}
