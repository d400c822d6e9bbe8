package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared/clock"
)

// replicated starts a primary and a streaming standby of it (Debian's
// binaries, clusters of the test's own) with an empty database "outpost"
// on both, and returns them.
func replicated(t *testing.T) (primary, standby *pgtest.Server) {
	t.Helper()
	primary = pgtest.Start(t)
	primary.CreateDB("outpost")
	return primary, primary.Standby(t)
}

// TestStreamingStandby runs Outpost on a primary with a real streaming
// standby (pg_basebackup -R), then fails over to it.
//
// Versions become visible on the standby in order: a puller reading the
// change log on the standby, with the store's own Changes, while writers
// on two nodes commit on the primary, never sees a version after a gap
// (every write makes a new record, so the log is dense: a gap is a commit
// the standby shows later than the ones after it, which a cursor would
// pass and lose).
//
// Then the primary dies and the standby is promoted: a node opened on it
// has a new epoch (devices refetch), every replicated record and client
// sequence is there, and writes go on from the last replicated version.
func TestStreamingStandby(t *testing.T) {
	ctx := context.Background()
	primary, standby := replicated(t)
	nodes := [2]*DB{open(t, primary.DB("outpost")), open(t, primary.DB("outpost"))}
	epoch := nodes[0].Epoch()

	// The puller on the standby: the store's Changes on a read-only
	// handle (Open would migrate, which a standby refuses).
	pool, err := pgxpool.New(ctx, standby.DB("outpost"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	replica := &DB{pool: pool, where: "the standby", log: quiet, clock: clock.Real{}, now: time.Now}
	primaryConn := primary.Connect("outpost")
	standby.WaitReplayed(primary) // the schema

	const writers, updates = 4, 60
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for u := range updates {
				err := nodes[w%2].Update(ctx, func(tx store.Tx) error {
					for i := range 1 + rng.IntN(3) {
						if _, err := tx.Put("rec", fmt.Sprintf("w%d-u%d-%d", w, u, i), []byte("x")); err != nil {
							return err
						}
					}
					return tx.SetLastSeq(fmt.Sprintf("client-%d", w), uint64(u+1))
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	all := func(string, []byte) bool { return true }
	var cursor uint64
	pulls, pages := 0, 0
	rng := rand.New(rand.NewPCG(1, 2))
	pull := func() error {
		changes, next, _, err := replica.Changes(ctx, cursor, 1+rng.IntN(40), 1<<20, all)
		if err != nil {
			t.Fatalf("pull on the standby: %v", err)
		}
		pulls++
		from := cursor
		for _, c := range changes {
			if c.V != from+1 {
				return fmt.Errorf("pull %d on the standby from cursor %d brought version %d after %d: it skipped %d…%d", pulls, cursor, c.V, from, from+1, c.V-1)
			}
			from = c.V
		}
		if next != from {
			return fmt.Errorf("pull %d on the standby moved the cursor from %d to %d past the last version it brought (%d): versions %d…%d would be lost", pulls, cursor, next, from, from+1, next)
		}
		cursor = next
		if len(changes) > 0 {
			pages++
		}
		return nil
	}
	for racing := true; racing; {
		select {
		case <-done:
			racing = false
		default:
			if err := pull(); err != nil {
				t.Fatal(err)
			}
		}
	}
	standby.WaitReplayed(primary)
	var head uint64
	nodes[0].View(ctx, func(tx store.ReadTx) error { head, err = tx.Version(); return err })
	for cursor < head {
		if err := pull(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d pulls on the standby (%d with changes) followed %d versions written on the primary, none skipped", pulls, pages, head)
	if pages < 5 {
		t.Errorf("only %d pulls brought changes while the writers ran: the puller did not race them", pages)
	}

	// The check catches what the log lock prevents: a write numbered
	// head+2 that commits, by hand and without the lock, before head+1.
	late, early := primary.Connect("outpost"), primaryConn
	tx, err := late.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	insert := "INSERT INTO records (typ, id, version, deleted, data) VALUES ('rec', $1, $2, false, 'x')"
	if _, err := tx.Exec(ctx, insert, "late", int64(head+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := early.Exec(ctx, insert, "early", int64(head+2)); err != nil {
		t.Fatal(err)
	}
	if _, err := early.Exec(ctx, "UPDATE outpost_head SET version = $1", int64(head+2)); err != nil {
		t.Fatal(err)
	}
	standby.WaitReplayed(primary)
	if err := pull(); err == nil {
		t.Fatalf("a pull on the standby with version %d committed before %d passed unnoticed: the check above cannot fail", head+2, head+1)
	} else {
		t.Logf("with the commit order broken by hand: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	standby.WaitReplayed(primary)
	for head += 2; cursor < head; {
		if err := pull(); err != nil {
			t.Fatalf("once the late write committed: %v", err)
		}
	}

	// Failover: the primary dies (everything it committed has reached the
	// standby: waitReplayed), the standby is promoted.
	for _, n := range nodes {
		n.Close()
	}
	primary.Stop("immediate")
	standby.Promote()
	promoted := open(t, standby.DB("outpost"))
	if promoted.Epoch() == epoch || promoted.Epoch() == "" {
		t.Fatalf("epoch on the promoted standby = %q; want a new one (was %q), so devices refetch", promoted.Epoch(), epoch)
	}
	var next uint64
	err = promoted.Update(ctx, func(tx store.Tx) error {
		for w := range writers {
			if seq, err := tx.LastSeq(fmt.Sprintf("client-%d", w)); err != nil || seq != updates {
				return fmt.Errorf("client-%d's last sequence on the promoted standby = %d, %v; want %d: a resent push would apply twice", w, seq, err, updates)
			}
		}
		next, err = tx.Put("rec", "after-failover", []byte("y"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != head+1 {
		t.Errorf("the first write after the failover got version %d; want %d, after the last replicated one", next, head+1)
	}
	if again := open(t, standby.DB("outpost")); again.Epoch() != promoted.Epoch() {
		t.Errorf("a second node on the promoted standby has epoch %q; want %q", again.Epoch(), promoted.Epoch())
	}
}

// TestWhatAFailoverLoses: what a commit acknowledged on the primary is
// worth when the primary dies, by synchronous_commit. With a synchronous
// standby (synchronous_standby_names) and synchronous_commit=on, a write
// is acknowledged only once the standby has it: while the standby is away
// the write waits, unacknowledged, so a device keeps it in its outbox and
// sends it again after the failover. With synchronous_commit=local (or
// off, or no synchronous standby: asynchronous replication) the write is
// acknowledged at once and is lost if the primary dies before the standby
// received it: the promoted standby has a new epoch, devices refetch, and
// the write is gone from the server and from their replicas.
func TestWhatAFailoverLoses(t *testing.T) {
	ctx := context.Background()
	primary, standby := replicated(t)
	// The standby is synchronous from now on (made so earlier, the
	// primary's commits would wait for a standby not yet made).
	admin := primary.Connect("")
	if _, err := admin.Exec(ctx, "ALTER SYSTEM SET synchronous_standby_names = '*'"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var sync bool
		if err := admin.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_stat_replication WHERE sync_state = 'sync'").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if sync {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the standby did not become synchronous within 20 s")
		}
	}
	syncNode := open(t, primary.DB("outpost"))
	asyncNode := open(t, primary.DB("outpost")+"&synchronous_commit=local")
	put := func(n *DB, id string) error {
		return n.Update(ctx, func(tx store.Tx) error { _, err := tx.Put("rec", id, []byte("x")); return err })
	}
	if err := put(syncNode, "replicated"); err != nil {
		t.Fatal(err)
	}

	standby.Stop("fast") // the standby falls behind (here: away)
	if err := put(asyncNode, "acknowledged-async"); err != nil {
		t.Fatalf("an asynchronous write with the standby away: %v; want it acknowledged at once", err)
	}
	waiting := make(chan error, 1)
	go func() { waiting <- put(syncNode, "waiting-for-the-standby") }()
	select {
	case err := <-waiting:
		t.Fatalf("a synchronous write with its standby away returned %v; want it to wait, unacknowledged", err)
	case <-time.After(time.Second):
	}

	primary.Stop("immediate") // the primary dies
	select {
	case err := <-waiting:
		if err == nil {
			t.Fatal("the synchronous write was acknowledged though its standby never had it")
		}
		t.Logf("the synchronous write, never acknowledged, failed with the primary: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the synchronous write still waits 20 s after its primary died")
	}
	standby.Restart()
	standby.Promote()
	promoted := open(t, standby.DB("outpost"))
	if promoted.Epoch() == syncNode.Epoch() {
		t.Fatalf("the promoted standby kept the epoch %q: devices would keep cursors into a history that lost a write", promoted.Epoch())
	}
	promoted.View(ctx, func(tx store.ReadTx) error {
		for id, want := range map[string]bool{"replicated": true, "acknowledged-async": false, "waiting-for-the-standby": false} {
			_, err := tx.Get("rec", id)
			if got := err == nil; got != want {
				t.Errorf("after the failover, record %q is there: %v; want %v", id, got, want)
			}
		}
		return nil
	})
}
