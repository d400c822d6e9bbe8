package postgres

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/server/store/storetest"
	"outpost/shared/clock"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// open opens a store on dsn, closed when the test ends.
func open(t *testing.T, dsn string, opts ...Option) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, quiet, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// nowClock is the wall clock with the contract's time of day: expiry
// follows now, the store's own loops wait in real time.
type nowClock struct {
	clock.Real
	now func() time.Time
}

func (c nowClock) Now() time.Time                  { return c.now() }
func (c nowClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }

func TestContract(t *testing.T) {
	var mu sync.Mutex
	dsns := map[store.Store]string{}
	clocks := map[store.Store]func() time.Time{}
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		dsn := pgtest.DB(t)
		db := open(t, dsn, WithClock(nowClock{now: now}))
		mu.Lock()
		defer mu.Unlock()
		dsns[db], clocks[db] = dsn, now
		return db
	}, storetest.WithSecondNode(func(t *testing.T, s store.Store) store.Store {
		mu.Lock()
		dsn, now := dsns[s], clocks[s]
		mu.Unlock()
		return open(t, dsn, WithClock(nowClock{now: now}))
	}))
}

// TestReopenKeepsDataAndEpoch: what was committed is there after a restart,
// with the same epoch, and the migrations are not applied twice.
func TestReopenKeepsDataAndEpoch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	db := open(t, dsn)
	epoch := db.Epoch()
	err := db.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Put("ticket", "t1", []byte("a\x00b")); err != nil {
			return err
		}
		return tx.SetLastSeq("c1", 3)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, dsn)
	if db.Epoch() != epoch {
		t.Errorf("epoch after reopen = %q; want %q", db.Epoch(), epoch)
	}
	db.View(ctx, func(tx store.ReadTx) error {
		if b, err := tx.Get("ticket", "t1"); err != nil || string(b) != "a\x00b" {
			t.Errorf("after reopen Get = %q, %v; want the bytes, NUL included", b, err)
		}
		if seq, _ := tx.LastSeq("c1"); seq != 3 {
			t.Errorf("after reopen LastSeq = %d; want 3", seq)
		}
		return nil
	})
}

// TestRefusesNewerSchema: a database migrated by a newer Outpost is left
// alone, with an error that says what to do.
func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	db := open(t, dsn)
	if _, err := db.pool.Exec(ctx, "UPDATE outpost_schema SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, dsn, quiet)
	if err == nil || !strings.Contains(err.Error(), "newer than this Outpost knows") {
		t.Fatalf("Open on a newer schema: %v; want a refusal", err)
	}
}

// TestNewEpochOnAnotherCluster: a database that finds itself on another
// cluster or timeline than it was made on (a dump restored elsewhere, a
// point-in-time restore, a promoted replica) gets a new epoch, so devices
// refetch rather than trust cursors from a history that may be gone.
func TestNewEpochOnAnotherCluster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	db := open(t, dsn)
	epoch := db.Epoch()
	if _, err := db.pool.Exec(ctx, "UPDATE outpost_meta SET value = '1/00000001' WHERE key = 'cluster'"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, dsn)
	if db.Epoch() == epoch || db.Epoch() == "" {
		t.Fatalf("epoch on another cluster = %q; want a new one (was %q)", db.Epoch(), epoch)
	}
	again := open(t, dsn)
	if again.Epoch() != db.Epoch() {
		t.Fatalf("a second start on the new cluster changed the epoch again: %q, %q", db.Epoch(), again.Epoch())
	}
}

// TestUnreachable: a database that does not answer is an error naming it,
// without the password, in bounded time.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Open(context.Background(), "postgres://outpost:s3cret@"+addr+"/outpost?connect_timeout=2", quiet)
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL at "+addr+"/outpost") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Open on a closed port: %v; want \"cannot reach PostgreSQL at %s/outpost\" without the password", err, addr)
	}
}

// TestExpiredSweptHourlyOnItsClock: the hourly sweep deletes unlogged data
// gcMargin past its expiry by the store's clock, a day and more ahead of
// the wall clock, and keeps data that does not expire.
func TestExpiredSweptHourlyOnItsClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Now().AddDate(100, 0, 0) // before it, the wall clock would keep everything
	fc := clock.NewFake(start)
	db := open(t, pgtest.DB(t), WithClock(fc))
	err := db.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutLocal("test", "expires", []byte("x"), start.Add(time.Hour)); err != nil {
			return err
		}
		return tx.PutLocal("test", "stays", []byte("y"), time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(key string) int {
		var n int
		if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM local WHERE kind = 'test' AND key = $1", key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Hour by hour, so that each tick's sweep reads a later time.
	for range 27 {
		fc.Advance(time.Hour)
	}
	// The sweep runs on its own goroutine: wait for its statement (real I/O).
	for deadline := time.Now().Add(20 * time.Second); count("expires") != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("unlogged data that expired %v ago on the store's clock is still stored", fc.Since(start.Add(time.Hour)))
		}
	}
	if count("stays") != 1 {
		t.Error("the sweep deleted data that never expires")
	}
}
