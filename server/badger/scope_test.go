package badger

import (
	"io"
	"log/slog"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store/storetest"
)

// TestScopeIndexBuiltForAnOldDirectory opens a data directory written
// before the scope index (no s/, x/ or m/scopes keys) and checks that Open
// indexes its records, so its signed-out devices still pull what is theirs
// and a later rewrite drops the built entries.
func TestScopeIndexBuiltForAnOldDirectory(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func() *DB {
		db, err := Open(dir, log)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := storetest.ScopeIndexBuilt(t, open(), func(db *DB) {
		// Make it an old directory: no index at all.
		if err := db.db.DropPrefix(keyScopes, prefixScope, prefixScopes); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}, open)
	defer db.Close()
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
