package http

import (
	"context"
	"encoding/json"

	outpost "outpost/app"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// ServerData reads public articles from the store for prerendering.
type ServerData struct {
	Store store.Store
}

var _ outpost.ServerData = ServerData{}

// Articles returns the public articles in lang, sorted as the app lists them.
func (d ServerData) Articles(lang string) []shared.Article {
	var out []shared.Article
	d.Store.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeArticle, func(id string, data []byte) error {
			var a shared.Article
			if json.Unmarshal(data, &a) == nil && a.Visibility == shared.Public && a.Lang == lang {
				out = append(out, a)
			}
			return nil
		})
	})
	outpost.SortArticles(out)
	return out
}

// Article returns one public article.
func (d ServerData) Article(id string) (shared.Article, bool) {
	var a shared.Article
	found := false
	d.Store.View(context.Background(), func(tx store.ReadTx) error {
		b, err := tx.Get(wire.TypeArticle, id)
		if err == nil && json.Unmarshal(b, &a) == nil && a.Visibility == shared.Public {
			found = true
		}
		return nil
	})
	return a, found
}
