// Package seed holds the demo knowledge base that `outpost serve` loads into
// an empty data directory: IT self-help articles in English and Spanish,
// embedded in the binary.
package seed

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"outpost/server/kb"
	"outpost/server/store"
	"outpost/shared"
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
		a, err := kb.Parse(path.Base(name), b, now, shared.Categories)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, a)
	}
	return out, errors.Join(errs...)
}

// IfEmpty loads the demo articles if the store has never been written to,
// and reports how many it loaded. The articles go through kb.ImportFS, the
// code `outpost kb import` runs, so they get the same checks, revisions and
// revision records; 24 articles fit in one transaction.
//
// The server calls IfEmpty before it serves, so IfEmpty first runs
// kb.Recover: an import that a crash interrupted is finished (or undone)
// before any client reads the store.
func IfEmpty(ctx context.Context, s store.Store, now int64) (int, error) {
	if _, err := kb.Recover(ctx, s, kb.Options{Now: now}); err != nil {
		return 0, fmt.Errorf("finish an interrupted import: %w", err)
	}
	var v uint64
	err := s.View(ctx, func(tx store.ReadTx) (err error) {
		v, err = tx.Version()
		return err
	})
	if err != nil || v > 0 {
		return 0, err
	}
	dir, err := fs.Sub(files, "articles")
	if err != nil {
		return 0, err
	}
	rep, err := kb.ImportFS(ctx, s, dir, "articles", kb.Options{Now: now})
	if err != nil {
		errs := []error{err}
		for _, e := range rep.Errors {
			errs = append(errs, e)
		}
		return 0, fmt.Errorf("import demo articles: %w", errors.Join(errs...))
	}
	return len(rep.New), nil
}
