// Package seed holds the demo knowledge base that `outpost serve` loads into
// an empty data directory: IT self-help articles in English and Spanish,
// embedded in the binary.
package seed

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"outpost/server/kb"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

//go:embed articles/*.md
var files embed.FS

// Articles parses the embedded demo articles, sorted by ID.
func Articles(now int64) ([]shared.Article, error) {
	names, err := fs.Glob(files, "articles/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []shared.Article
	var errs []error
	for _, name := range names {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		a, err := kb.Parse(path.Base(name), b, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, a)
	}
	return out, errors.Join(errs...)
}

// IfEmpty loads the demo articles in one transaction if the store has never
// been written to, and reports how many it loaded.
func IfEmpty(ctx context.Context, s store.Store, now int64) (int, error) {
	articles, err := Articles(now)
	if err != nil {
		return 0, fmt.Errorf("parse demo articles: %w", err)
	}
	loaded := 0
	err = s.Update(ctx, func(tx store.Tx) error {
		if v, err := tx.Version(); err != nil || v > 0 {
			return err
		}
		for _, a := range articles {
			data, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if _, err := tx.Put(wire.TypeArticle, a.ID, data); err != nil {
				return err
			}
		}
		loaded = len(articles)
		return nil
	})
	return loaded, err
}
