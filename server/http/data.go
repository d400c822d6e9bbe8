package http

import (
	"context"
	"encoding/json"

	outpost "outpost/app"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// prerenderData reads public articles from the store for prerendering.
type prerenderData struct {
	store  store.Store
	search *searcher
}

var _ outpost.ServerData = prerenderData{}

// Search runs a search for a page prerendered with ?q=, so a search typed
// before the app has loaded (or with JavaScript off) still answers.
func (d prerenderData) Search(q search.Query) []outpost.SearchHit {
	hits, _ := d.search.Search(context.Background(), q)
	return hits
}

// Articles returns the public articles in lang, sorted as the app lists them.
func (d prerenderData) Articles(lang string) []shared.Article {
	var out []shared.Article
	d.store.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeArticle, func(id string, data []byte) error {
			var a shared.Article
			if json.Unmarshal(data, &a) == nil && a.Visibility == shared.Public && a.IsPublished() && a.Lang == lang {
				out = append(out, a)
			}
			return nil
		})
	})
	outpost.SortArticles(out)
	return out
}

// Article returns one public article.
func (d prerenderData) Article(id string) (shared.Article, bool) {
	var a shared.Article
	found := false
	d.store.View(context.Background(), func(tx store.ReadTx) error {
		b, err := tx.Get(wire.TypeArticle, id)
		if err == nil && json.Unmarshal(b, &a) == nil && a.Visibility == shared.Public && a.IsPublished() {
			found = true
		}
		return nil
	})
	return a, found
}
