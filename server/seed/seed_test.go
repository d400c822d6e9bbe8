package seed

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"testing"

	"outpost/server/badger"
	"outpost/server/kb"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

func TestDemoArticles(t *testing.T) {
	as, err := Articles(1)
	if err != nil {
		t.Fatalf("demo articles do not parse: %v", err)
	}
	if len(as) < 20 {
		t.Fatalf("%d demo articles; want at least 20", len(as))
	}
	byID := map[string]bool{}
	langs := map[string]int{}
	for _, a := range as {
		if byID[a.ID] {
			t.Errorf("article ID %q used twice", a.ID)
		}
		byID[a.ID] = true
		langs[a.Lang]++
		if len(a.Body) < 400 || !strings.Contains(a.HTML, "<h2") {
			t.Errorf("article %s is thin: %d bytes of body, headings: %v", a.ID, len(a.Body), strings.Contains(a.HTML, "<h2"))
		}
	}
	for _, a := range as {
		if a.TranslationOf != "" && !byID[a.TranslationOf] {
			t.Errorf("article %s is a translation of missing article %q", a.ID, a.TranslationOf)
		}
	}
	if langs["en"] < 10 || langs["es"] < 10 {
		t.Errorf("languages = %v; want at least 10 articles each in en and es", langs)
	}
}

func TestIfEmptySeedsOnce(t *testing.T) {
	db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	n, err := IfEmpty(ctx, db, 1)
	if err != nil || n < 20 {
		t.Fatalf("IfEmpty on an empty store = %d, %v; want every demo article", n, err)
	}
	again, err := IfEmpty(ctx, db, 2)
	if err != nil || again != 0 {
		t.Fatalf("IfEmpty on a seeded store = %d, %v; want 0", again, err)
	}
	var v uint64
	db.View(ctx, func(tx store.ReadTx) error {
		v, _ = tx.Version()
		return tx.Each(wire.TypeArticle, func(id string, data []byte) error {
			var a shared.Article
			if err := json.Unmarshal(data, &a); err != nil {
				return err
			}
			if a.Revision != 1 || a.Status != shared.ArticlePublished || a.UpdatedBy != shared.AuthorImport || a.UpdatedAt != 1 || a.Subcategory == "" {
				t.Errorf("seeded %s: revision %d, status %q, by %q at %d, subcategory %q; want 1, published, import, 1, set",
					id, a.Revision, a.Status, a.UpdatedBy, a.UpdatedAt, a.Subcategory)
			}
			if _, err := tx.Get(shared.RevisionType, shared.RevisionID(id, 1)); err != nil {
				t.Errorf("seeded %s has no revision 1 record: %v", id, err)
			}
			return nil
		})
	})
	if v != uint64(2*n) {
		t.Errorf("version after seeding = %d; want %d (an article and its first revision each)", v, 2*n)
	}
}

// crashingStore fails every Update from number crashAt on (counting from
// 1), as if the process died there.
type crashingStore struct {
	store.Store
	crashAt, n int
}

var _ store.Store = (*crashingStore)(nil)

func (c *crashingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if c.n++; c.crashAt > 0 && c.n >= c.crashAt {
		return errors.New("crashed")
	}
	return c.Store.Update(ctx, fn)
}

// TestIfEmptyFinishesAnInterruptedImport: the server calls IfEmpty before
// serving, so an import killed while publishing is completed before any
// client can read half of it.
func TestIfEmptyFinishesAnInterruptedImport(t *testing.T) {
	ctx := context.Background()
	open := func() *badger.DB {
		db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dir, _ := fs.Sub(files, "articles")
	opts := kb.Options{Now: 1, BatchBytes: 20 << 10}
	counter := &crashingStore{Store: open()}
	rep, err := kb.ImportFS(ctx, counter, dir, "articles", opts)
	if err != nil || rep.Batches < 3 {
		t.Fatalf("ImportFS = %d batches, %v; want several", rep.Batches, err)
	}
	// Writes: the journal, each batch staged, the journal, then publishing:
	// crash on the second batch published.
	db := open()
	if _, err := kb.ImportFS(ctx, &crashingStore{Store: db, crashAt: rep.Batches + 4}, dir, "articles", opts); err == nil {
		t.Fatal("ImportFS with a crash succeeded")
	}
	count := func() (n int) {
		db.View(ctx, func(tx store.ReadTx) error {
			return tx.Each(wire.TypeArticle, func(string, []byte) error { n++; return nil })
		})
		return n
	}
	if n := count(); n == 0 || n == 24 {
		t.Fatalf("%d articles after the crash; want part of them, for this test to mean anything", n)
	}
	if n, err := IfEmpty(ctx, db, 2); err != nil || n != 0 {
		t.Fatalf("IfEmpty = %d, %v; want 0 (the store is not empty)", n, err)
	}
	if n := count(); n != 24 {
		t.Errorf("%d articles after IfEmpty; want all 24: the interrupted import completed", n)
	}
}
