package sync

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"outpost/server/postgres"
	"outpost/server/postgres/pgtest"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestFollowSkipsOwnWrites: two nodes on one PostgreSQL. A device on node
// A is poked when a ticket of its own is filed through node B (its other
// tab, or its push moved by the load balancer), but not again for a push
// it made on A itself when A reads the change log for B's news: A poked
// for that when it wrote it, and a second poke is a second pull.
func TestFollowSkipsOwnWrites(t *testing.T) {
	dsn := pgtest.DB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	node := func() *Service {
		db, err := postgres.Open(context.Background(), dsn, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &Service{Store: db, Log: log}
	}
	a, b := node(), node()
	ctx, cancel := context.WithCancel(context.Background())
	following := make(chan struct{})
	go func() { defer close(following); a.Follow(ctx, a.Store.(*postgres.DB)) }()
	t.Cleanup(func() { cancel(); <-following })

	// any hears every piece of news A follows; device is the device on A.
	anyNews := make(chan struct{}, 100)
	defer a.OnChangeAs(Actor{ClientID: "staff", User: &shared.Identity{UserID: "01936f6e-7a1b-7c3d-8e4f-0000000000ad", Role: shared.RoleAdmin}}, func() { anyNews <- struct{}{} })()
	var devicePokes atomic.Int64
	defer a.OnChangeAs(Actor{ClientID: client}, func() { devicePokes.Add(1) })()
	other, seq := "01936f6e-7a1b-7c3d-8e4f-0000000000bb", uint64(0)
	// fromB files a ticket through B as by and waits until A has followed it.
	fromB := func(by string) {
		t.Helper()
		seq++
		if _, err := b.Push(ctx, by, []wire.Mutation{create(seq, shared.NewID(time.Now()), "from B")}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-anyNews:
		case <-time.After(20 * time.Second):
			t.Fatal("node A never followed node B's commit")
		}
	}
	// A listens once it hears B (a commit before it listened is not news).
	for heard := false; !heard; {
		seq++
		if _, err := b.Push(ctx, other, []wire.Mutation{create(seq, shared.NewID(time.Now()), "probe")}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-anyNews:
			heard = true
		case <-time.After(200 * time.Millisecond):
		}
	}
	// A probe heard late (after its 200 ms) adds news of its own: wait for
	// quiet, so that each <-anyNews below is the news it waits for.
	for quiet := false; !quiet; {
		select {
		case <-anyNews:
		case <-time.After(300 * time.Millisecond):
			quiet = true
		}
	}

	if _, err := a.Push(ctx, client, []wire.Mutation{create(1, shared.NewID(time.Now()), "on A")}); err != nil {
		t.Fatal(err)
	}
	<-anyNews // A's own push pokes locally, staff too
	devicePokes.Store(0)
	fromB(other) // A reads the log since B's last news: its own ticket is in it
	fromB(other) // and once more, so that the read before has poked all it would
	if n := devicePokes.Load(); n != 0 {
		t.Errorf("the device on A was poked %d times for B's news of other devices' tickets and its own push on A; want 0", n)
	}
	fromB(client) // its own ticket, filed through B: news for it
	fromB(other)
	if n := devicePokes.Load(); n != 1 {
		t.Errorf("the device on A was poked %d times for its ticket filed through B; want 1", n)
	}
}
