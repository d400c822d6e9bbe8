package badger

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store"
	"outpost/server/store/storetest"
	"outpost/shared"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		db, err := Open("", slog.New(slog.NewTextHandler(io.Discard, nil)), WithClock(now))
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

// TestOldLocalLayoutMoves: unlogged data written before expiry was kept
// beside the value (u/, with Badger's TTL) is moved on open, keeping what
// it held and when it expires.
func TestOldLocalLayoutMoves(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Now()
	err = db.db.Update(func(txn *badger.Txn) error {
		e := badger.NewEntry([]byte("u/session/abc"), []byte("s1")).WithTTL(time.Hour)
		if err := txn.SetEntry(e); err != nil {
			return err
		}
		return txn.Set([]byte("u/email/ana@example.com"), []byte("u1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	clock := wall
	db, err = Open(dir, log, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	read := func(kind, key string) string {
		var got string
		db.View(ctx, func(tx store.ReadTx) error {
			b, err := tx.GetLocal(kind, key)
			got = string(b)
			if err != nil {
				got = shared.ErrorCode(err)
			}
			return nil
		})
		return got
	}
	if got := read("session", "abc"); got != "s1" {
		t.Errorf("moved session = %q; want s1", got)
	}
	if got := read("email", "ana@example.com"); got != "u1" {
		t.Errorf("moved e-mail index = %q; want u1", got)
	}
	clock = wall.Add(time.Hour + 2*time.Second)
	if got := read("session", "abc"); got != shared.ENOTFOUND {
		t.Errorf("moved session an hour later = %q; want %s (it kept its expiry)", got, shared.ENOTFOUND)
	}
	db.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("u/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			t.Errorf("old-layout key %q left behind", it.Item().Key())
		}
		return nil
	})
}
