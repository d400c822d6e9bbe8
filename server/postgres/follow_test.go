package postgres

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared/clock"
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

// Follow's timers on the store's clock: listening, four (the hourly
// sweep, a minute of connection, the epoch's ticker and the poll, armed
// last, just before it waits for notifications); waiting to reconnect,
// two (the sweep and the backoff).
const listening, backingOff = 4, 2

// TestFollowHearsOtherNodes: a node hears the other node's commits by
// their notifications (its clock stands still: no poll reads the head for
// it), not its own. TestFollowOnItsClock covers the poll, and the news
// that may be lost after a cut connection.
func TestFollowHearsOtherNodes(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	fc := clock.NewFake(time.Now().AddDate(100, 0, 0))
	a, b := open(t, dsn, WithClock(fc)), open(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	news := make(chan bool, 100)
	done := make(chan struct{})
	go func() { defer close(done); a.Follow(ctx, func(lost bool) { news <- lost }) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := fc.BlockUntil(wctx, listening); err != nil {
		t.Fatalf("a never listened: %v", err)
	}
	putRec(t, a, "own")    // a's own commit: no news for a
	putRec(t, b, "from-b") // b's: news
	if lost := next(t, news, "node a never heard node b's commit"); lost {
		t.Fatal("first news says lost; want a change")
	}
}

// TestLeadOneAtATime: of two nodes leading one job, exactly one runs it,
// the other tries again each leadRetry on its clock; when the leader stops
// (its node shuts down), the other takes over at its next try, not before.
func TestLeadOneAtATime(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	start := time.Now().AddDate(100, 0, 0) // never meets the wall clock
	clocks := []*clock.Fake{clock.NewFake(start), clock.NewFake(start)}
	nodes := []*DB{open(t, dsn, WithClock(clocks[0])), open(t, dsn, WithClock(clocks[1]))}
	var running, maxRunning atomic.Int32
	started := make(chan int, 10)
	var stops [2]context.CancelFunc
	var done [2]chan struct{}
	for i, n := range nodes {
		ctx, cancel := context.WithCancel(context.Background())
		stops[i], done[i] = cancel, make(chan struct{})
		go func() {
			defer close(done[i])
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
	defer func() { stops[0](); stops[1](); <-done[0]; <-done[1] }()
	// A node has settled when it leads (the check's ticker) or waits to
	// try again (the retry's timer), beside its hourly expiry sweep.
	settled := func(i int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := clocks[i].BlockUntil(ctx, 2); err != nil {
			t.Fatalf("node %d neither leads nor waits to try again: %v", i, err)
		}
	}
	first := next(t, started, "neither node took the lead")
	other := 1 - first
	settled(first)
	settled(other)
	for range 3 { // the other keeps trying meanwhile
		clocks[other].Advance(leadRetry)
		settled(other)
		clocks[first].Advance(leadCheck) // the leader's connection answers: it keeps the lead
	}
	if got := maxRunning.Load(); got != 1 {
		t.Fatalf("%d nodes ran the job at once; want 1", got)
	}
	stops[first]()
	<-done[first] // its lock is released
	select {
	case i := <-started:
		t.Fatalf("node %d took the lead before its retry was due", i)
	default:
	}
	clocks[other].Advance(leadRetry)
	if second := next(t, started, "the other node did not take the lead at its next try"); second == first {
		t.Fatalf("node %d led again after it stopped; want the other", second)
	}
	if got := maxRunning.Load(); got != 1 {
		t.Fatalf("%d nodes ran the job at once; want 1", got)
	}
}

// retries is a log handler that hands a test the retry_in of each of
// Follow's reconnects as it logs them.
type retries chan string

func (r retries) Enabled(context.Context, slog.Level) bool { return true }
func (r retries) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r retries) WithGroup(string) slog.Handler            { return r }
func (r retries) Handle(_ context.Context, rec slog.Record) error {
	if strings.Contains(rec.Message, "reconnecting to PostgreSQL") {
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "retry_in" {
				r <- a.Value.String()
			}
			return true
		})
	}
	return nil
}

// next returns the next value c receives, waiting for real I/O up to 20 s.
func next[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal(what)
	}
	panic("unreachable")
}

// TestFollowOnItsClock: the listener reads the head itself once pollEvery
// passes on the store's clock without news (a notification gone missing),
// and reconnects after a backoff on that clock that doubles while the
// connection keeps breaking and starts over after a connection that
// lasted a minute.
func TestFollowOnItsClock(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	fc := clock.NewFake(time.Now().AddDate(100, 0, 0))
	logged := make(retries, 10)
	a, err := Open(context.Background(), dsn, slog.New(logged), WithClock(fc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b := open(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	news := make(chan bool, 100)
	done := make(chan struct{})
	go func() { defer close(done); a.Follow(ctx, func(lost bool) { news <- lost }) }()
	defer func() { cancel(); <-done }()
	waitClock := func(n int, what string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := fc.BlockUntil(wctx, n); err != nil {
			t.Fatalf("a never %s: %v", what, err)
		}
	}
	hear := func(want bool, what string) {
		t.Helper()
		if lost := next(t, news, "no news: "+what); lost != want {
			t.Fatalf("news says lost = %v; want %v (%s)", lost, want, what)
		}
	}
	quiet := func(what string) {
		t.Helper()
		select {
		case lost := <-news:
			t.Fatalf("news (lost = %v) %s", lost, what)
		default:
		}
	}

	waitClock(listening, "listened")
	// A commit whose notification went missing: the head moves, silently.
	if _, err := b.pool.Exec(ctx, "UPDATE outpost_head SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	quiet("before the poll was due")
	fc.Advance(pollEvery)
	hear(false, "the head read after pollEvery without notifications")

	outage := func(n int, wantRetry string) {
		t.Helper()
		pid := a.listenPID.Load()
		if _, err := b.pool.Exec(ctx, "SELECT pg_terminate_backend($1)", int32(pid)); err != nil {
			t.Fatalf("terminate the listener: %v", err)
		}
		if got := next(t, logged, "the listener never said it reconnects"); got != wantRetry {
			t.Fatalf("outage %d: reconnecting in %s; want %s", n, got, wantRetry)
		}
		waitClock(backingOff, "waited to reconnect")
		quiet("before the backoff ended")
		fc.Advance(time.Second)
		if wantRetry != "1s" {
			quiet("1s into a backoff of " + wantRetry)
			fc.Advance(time.Second)
		}
		hear(true, "reconnected after the backoff")
		if a.listenPID.Load() == pid {
			t.Fatal("reconnected on the same backend")
		}
		waitClock(listening, "listened again")
	}
	outage(1, "1s")
	outage(2, "2s") // it broke again at once: twice as long
	fc.Advance(time.Minute + pollEvery)
	outage(3, "1s") // after a minute connected: from the start
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
	// The log went back (a failover to a standby that lacked the last
	// commits): a range at or below the last one forgets the others.
	o.add(7, 8)
	if o.has(10*(ownKept+9)+5) || !o.has(7) {
		t.Errorf("after a range below the last: has(old) = %v, has(7) = %v; want false, true", o.has(10*(ownKept+9)+5), o.has(7))
	}
	o.reset()
	if o.has(7) {
		t.Error("after reset: has(7) = true")
	}
}
