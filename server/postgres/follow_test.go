package postgres

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
)

func putRec(t *testing.T, s store.Store, id string) {
	t.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put("rec", id, []byte(`{}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFollowHearsOtherNodes: a node hears the other node's commits, not
// its own, and after its listening connection is cut it says news may be
// lost, so its sockets are all poked.
func TestFollowHearsOtherNodes(t *testing.T) {
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	news := make(chan bool, 100)
	done := make(chan struct{})
	go func() { defer close(done); a.Follow(ctx, func(lost bool) { news <- lost }) }()
	defer func() { cancel(); <-done }()

	// Wait until a listens and has read the head: its connection is idle
	// after the head read or the epoch read that follows it. (Seeing the
	// head read still active is too early: commits made before its
	// snapshot are in the head it reads, and no news.)
	for start := time.Now(); ; {
		var q, state string
		if pid := a.listenPID.Load(); pid != 0 {
			b.pool.QueryRow(ctx, "SELECT query, coalesce(state, '') FROM pg_stat_activity WHERE pid = $1", int32(pid)).Scan(&q, &state)
		}
		if state == "idle" && (q == "SELECT version FROM outpost_head" || strings.Contains(q, "outpost_meta")) {
			t.Logf("a listens after %v", time.Since(start).Round(time.Millisecond))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	heard := time.Now()
	defer func() { t.Logf("news heard in %v", time.Since(heard).Round(time.Millisecond)) }()
	putRec(t, a, "own")    // a's own commit: no news for a
	putRec(t, b, "from-b") // b's: news
	select {
	case lost := <-news:
		if lost {
			t.Fatal("first news says lost; want a change")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("node a never heard node b's commit")
	}
	// Cut a's listening connection: once back, a says news may be lost.
	if _, err := b.pool.Exec(ctx, "SELECT pg_terminate_backend($1)", int32(a.listenPID.Load())); err != nil {
		t.Fatalf("terminate the listener: %v", err)
	}
	for {
		select {
		case lost := <-news:
			if lost {
				return
			}
		case <-time.After(30 * time.Second):
			t.Fatal("node a never said news were lost after its listener was cut")
		}
	}
}

// TestLeadOneAtATime: of two nodes leading one job, exactly one runs it;
// when it stops (its node shuts down), the other takes over.
func TestLeadOneAtATime(t *testing.T) {
	leadRetry = 50 * time.Millisecond
	defer func() { leadRetry = 20 * time.Second }()
	dsn := pgtest.DB(t)
	nodes := []*DB{open(t, dsn), open(t, dsn)}
	var running, maxRunning atomic.Int32
	started := make(chan int, 10)
	ctxs := make([]context.CancelFunc, 2)
	var wg sync.WaitGroup
	for i, n := range nodes {
		ctx, cancel := context.WithCancel(context.Background())
		ctxs[i] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Lead(ctx, "job", func(ctx context.Context) {
				r := running.Add(1)
				for m := maxRunning.Load(); r > m && !maxRunning.CompareAndSwap(m, r); m = maxRunning.Load() {
				}
				started <- i
				<-ctx.Done()
				running.Add(-1)
			})
		}()
	}
	defer func() { ctxs[0](); ctxs[1](); wg.Wait() }()
	first := <-started
	time.Sleep(300 * time.Millisecond) // the other keeps trying meanwhile
	if got := maxRunning.Load(); got != 1 {
		t.Fatalf("%d nodes ran the job at once; want 1", got)
	}
	ctxs[first]()
	if second := <-started; second == first {
		t.Fatalf("node %d led again after it stopped; want the other", second)
	}
	if got := maxRunning.Load(); got != 1 {
		t.Fatalf("%d nodes ran the job at once; want 1", got)
	}
}

// TestWroteHere: a node knows the versions it committed, another node's
// are not its own, and it forgets its oldest batches past ownKept.
func TestWroteHere(t *testing.T) {
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	putRec(t, a, "a1") // version 1
	putRec(t, b, "b1") // 2
	putRec(t, a, "a2") // 3
	for v, want := range map[uint64][2]bool{1: {true, false}, 2: {false, true}, 3: {true, false}, 4: {false, false}} {
		if got := [2]bool{a.WroteHere(v), b.WroteHere(v)}; got != want {
			t.Errorf("version %d: wrote here on a, b = %v; want %v", v, got, want)
		}
	}
	var o ownWrites
	for i := range uint64(ownKept + 10) {
		o.add(10*i+1, 10*i+5)
	}
	for v, want := range map[uint64]bool{1: false, 10*9 + 3: false, 10*10 + 1: true, 10*10 + 6: false, 10*(ownKept+9) + 5: true, 10*(ownKept+9) + 6: false} {
		if got := o.has(v); got != want {
			t.Errorf("after %d ranges, has(%d) = %v; want %v", ownKept+10, v, got, want)
		}
	}
}
