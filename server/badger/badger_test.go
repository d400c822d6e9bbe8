package badger

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"outpost/server/store"
	"outpost/server/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestReopen checks that what was committed survives closing and reopening
// the data directory.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	epoch := db.Epoch()
	db.Update(ctx, func(tx store.Tx) error {
		tx.Put("ticket", "t1", []byte(`{"title":"x"}`))
		return tx.SetLastSeq("c1", 3)
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Epoch() != epoch {
		t.Errorf("epoch after reopen = %q; want %q", db.Epoch(), epoch)
	}
	db.View(ctx, func(tx store.ReadTx) error {
		if b, err := tx.Get("ticket", "t1"); err != nil || string(b) != `{"title":"x"}` {
			t.Errorf("after reopen Get = %s, %v", b, err)
		}
		if seq, _ := tx.LastSeq("c1"); seq != 3 {
			t.Errorf("after reopen LastSeq = %d; want 3", seq)
		}
		return nil
	})
}
