package http

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	outpost "outpost/app"
	"outpost/server/logsafe"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// prerenderData reads public articles from the store for prerendering.
// A read that fails is logged here, with the server's logger (go-app
// prerenders without the request, so there is no request ID to add), and
// returned: the page then renders as it does before a device's replica
// has loaded, never as "not found", and the browser reads its replica.
type prerenderData struct {
	store      store.Store
	search     *searcher
	log        *slog.Logger
	categories func() shared.CategoryTree // the tree in use (sync.Service.Categories)
}

var _ outpost.ServerData = prerenderData{}

// failed logs err, if any, as a failed prerender read of what, and returns
// it.
func (d prerenderData) failed(what string, err error) error {
	if err != nil {
		d.log.Error("prerender", "read", what, "err", logsafe.Err(err))
	}
	return err
}

// Search runs a search for a page prerendered with ?q=, so a search typed
// before the app has loaded (or with JavaScript off) still answers.
func (d prerenderData) Search(ctx context.Context, q search.Query) ([]outpost.SearchHit, error) {
	hits, err := d.search.Search(ctx, q)
	return hits, d.failed("search", err)
}

// Articles returns the public articles in lang, sorted as the app lists
// them. A record that does not decode is left out, as the search leaves
// it out.
func (d prerenderData) Articles(ctx context.Context, lang string) ([]shared.Article, error) {
	var out []shared.Article
	err := d.store.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(wire.TypeArticle, func(id string, data []byte) error {
			var a shared.Article
			if json.Unmarshal(data, &a) == nil && a.Visibility == shared.Public && a.IsPublished() && a.Lang == lang {
				out = append(out, a)
			}
			return nil
		})
	})
	if err != nil {
		return nil, d.failed("articles", err)
	}
	outpost.SortArticles(out, d.Categories())
	return out, nil
}

// Article returns one public article, found false if there is none (or
// it is not public).
func (d prerenderData) Article(ctx context.Context, id string) (a shared.Article, found bool, err error) {
	err = d.store.View(ctx, func(tx store.ReadTx) error {
		b, err := tx.Get(wire.TypeArticle, id)
		switch {
		case shared.ErrorCode(err) == shared.ENOTFOUND:
			return nil
		case err != nil:
			return err
		case json.Unmarshal(b, &a) != nil:
			return fmt.Errorf("article %s does not decode", id)
		}
		found = a.Visibility == shared.Public && a.IsPublished()
		return nil
	})
	if err != nil || !found {
		return shared.Article{}, false, d.failed("article", err)
	}
	return a, true, nil
}

// Categories returns the category tree in use on this server, which
// prerendered pages list and name.
func (d prerenderData) Categories() shared.CategoryTree { return d.categories() }
