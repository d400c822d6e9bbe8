package seed

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func storedTrees(t *testing.T, db store.Store) map[string]*tree.Tree {
	t.Helper()
	out := map[string]*tree.Tree{}
	err := db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTree, func(id string, data []byte) error {
			tr, err := tree.Decode(data)
			if err != nil {
				return err
			}
			out[id] = tr
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTreesSeedOnceAndKeepEdits(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	if _, err := IfEmpty(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	n, err := Trees(ctx, db, shared.Categories)
	if err != nil || n != 6 {
		t.Fatalf("Trees = %d, %v; want the 6 demo trees", n, err)
	}
	trees := storedTrees(t, db)
	for _, id := range []string{"no-internet", "no-internet-es", "cant-sign-in", "cant-sign-in-es", "printer-not-printing", "printer-not-printing-es"} {
		tr := trees[id]
		if tr == nil || tr.ID != id || tr.Status != tree.StatusPublished || len(tr.Nodes) == 0 {
			t.Errorf("tree %s = %+v; want it stored, published, with its nodes", id, tr)
		}
	}
	if trees["no-internet-es"] != nil && trees["no-internet-es"].Lang != "es" {
		t.Errorf("no-internet-es has lang %q", trees["no-internet-es"].Lang)
	}

	// An agent edits a tree: starting again stores nothing and keeps the edit.
	edited := *trees["no-internet"]
	edited.Title = "Edited"
	b, _ := json.Marshal(edited)
	err = db.Update(ctx, func(tx store.Tx) error { _, err := tx.Put(wire.TypeTree, "no-internet", b); return err })
	if err != nil {
		t.Fatal(err)
	}
	if n, err := Trees(ctx, db, shared.Categories); err != nil || n != 0 {
		t.Errorf("Trees again = %d, %v; want 0 stored", n, err)
	}
	if got := storedTrees(t, db)["no-internet"].Title; got != "Edited" {
		t.Errorf("title after a restart = %q; want the edit kept", got)
	}
}

// TestTreesNameTheFile seeds trees into a store without the articles they
// link to: nothing is stored, and each error names its file and says why.
func TestTreesNameTheFile(t *testing.T) {
	db := openStore(t)
	n, err := Trees(context.Background(), db, shared.Categories)
	if n != 0 || err == nil {
		t.Fatalf("Trees without articles = %d, %v; want 0 and errors", n, err)
	}
	for _, file := range []string{"trees/no-internet.json", "trees/no-internet.es.json", "trees/printer-not-printing.json"} {
		if !strings.Contains(err.Error(), file+": ") {
			t.Errorf("error does not name %s:\n%v", file, err)
		}
	}
	if !strings.Contains(err.Error(), `links to article "wifi-connect", which does not exist`) {
		t.Errorf("error does not say which article is missing:\n%v", err)
	}
	if got := storedTrees(t, db); len(got) != 0 {
		t.Errorf("stored %d trees that fail validation", len(got))
	}
}
