package badger

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store"
	"outpost/shared/wire"
)

// TestScopeIndexBuiltForAnOldDirectory opens a data directory written
// before the scope index (no s/, x/ or m/scopes keys) and checks that Open
// indexes its records, so its signed-out devices still pull what is theirs
// and a later rewrite drops the built entries.
func TestScopeIndexBuiltForAnOldDirectory(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	db, err := Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		for _, r := range [][3]string{
			{wire.TypeArticle, "a1", `{}`},
			{wire.TypeTicket, "t1", `{"client_id":"me"}`},
			{wire.TypeTicket, "t2", `{"client_id":"you"}`},
		} {
			if _, err := tx.Put(r[0], r[1], []byte(r[2])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Make it an old directory: no index at all.
	if err := db.db.DropPrefix(keyScopes, prefixScope, prefixScopes); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if db, err = Open(dir, log); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	anon := []string{store.ScopeAll, store.ScopeClient("me")}
	all := func(string, []byte) bool { return true }
	page, _, _, err := db.ChangesIn(ctx, anon, 0, 100, 1<<20, all)
	if err != nil || fmt.Sprint(changeIDs(page)) != "[a1 t1]" {
		t.Fatalf("ChangesIn(all, c:me) after reopening = %v, %v; want [a1 t1]", changeIDs(page), err)
	}
	if err := db.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeTicket, "t1", []byte(`{"client_id":"me","requester_id":"u1"}`))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if page, _, _, _ = db.ChangesIn(ctx, anon, 0, 100, 1<<20, all); fmt.Sprint(changeIDs(page)) != "[a1]" {
		t.Errorf("ChangesIn(all, c:me) after t1 was claimed = %v; want [a1]: the built entry is dropped", changeIDs(page))
	}
	n := 0
	db.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixScope})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if n != 3 {
		t.Errorf("%d scope entries; want 3 (a1, t1, t2: one each)", n)
	}
}

func changeIDs(cs []wire.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
