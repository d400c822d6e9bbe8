package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"outpost/server/postgres/pgtest"
	"outpost/server/seed"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// startNodes starts n Mains (with -demo) at once on the PostgreSQL
// database at dsn, as the nodes of one portal, stopped when the test ends.
func startNodes(t *testing.T, dsn string, n int) []*Main {
	t.Helper()
	ms := make([]*Main, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range ms {
		m := NewMain()
		m.Addr, m.StoreURL, m.DataDir, m.Demo = "127.0.0.1:0", dsn, "", true
		m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		ms[i] = m
		t.Cleanup(func() { m.Close() })
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = m.Run(context.Background()) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	return ms
}

// TestTwoNodesApplyOnce: two nodes started together on an empty database
// seed it once; one client's mutations, pushed to two nodes on one
// PostgreSQL at once and again (a reconnect through a load balancer that
// picks the other node), are each applied exactly once and acknowledged OK
// by both.
func TestTwoNodesApplyOnce(t *testing.T) {
	dsn := pgtest.DB(t)
	nodes := startNodes(t, dsn, 2)
	if nodes[0].Store.Epoch() != nodes[1].Store.Epoch() {
		t.Fatalf("two nodes on one database have epochs %q and %q", nodes[0].Store.Epoch(), nodes[1].Store.Epoch())
	}
	ctx := context.Background()
	// Started together on an empty database, they stored the demo data
	// once: one node seeds while the other waits its turn.
	users, err := nodes[1].Auth.ListUsers(ctx)
	if err != nil || len(users) != len(seed.DemoUsers) {
		t.Fatalf("after two nodes started: %d accounts, %v; want the %d demo accounts once", len(users), err, len(seed.DemoUsers))
	}
	const n = 30
	client := shared.NewID(time.Now())
	var ms []wire.Mutation
	for i := range n {
		args, _ := json.Marshal(shared.TicketCreate{ID: shared.NewID(time.Now()), Title: fmt.Sprint("Printer ", i), Description: "jammed", CreatedAt: time.Now().UnixMilli()})
		ms = append(ms, wire.Mutation{Seq: uint64(i + 1), Name: wire.MTicketCreate, Args: args})
	}
	var wg sync.WaitGroup
	for try := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := nodes[try%2].Sync.Push(ctx, client, ms)
			if err != nil {
				t.Errorf("push to node %d: %v", try%2, err)
				return
			}
			for _, r := range rs {
				if !r.OK {
					t.Errorf("node %d answered mutation %d %+v; want OK (a second apply was refused as a duplicate)", try%2, r.Seq, r)
				}
			}
		}()
	}
	wg.Wait()
	for i, node := range nodes {
		titles := map[string]int{}
		node.Store.View(ctx, func(tx store.ReadTx) error {
			return tx.Each(wire.TypeTicket, func(_ string, data []byte) error {
				var tk shared.Ticket
				json.Unmarshal(data, &tk)
				titles[tk.Title]++
				return nil
			})
		})
		if len(titles) != n {
			t.Errorf("node %d sees %d tickets; want %d", i, len(titles), n)
		}
		for title, k := range titles {
			if k != 1 {
				t.Errorf("node %d: %q filed %d times", i, title, k)
			}
		}
	}
}

// TestStoreUnreachable: a -store that does not answer fails the start with
// an error that names it.
func TestStoreUnreachable(t *testing.T) {
	m := NewMain()
	m.Addr, m.StoreURL = "127.0.0.1:0", "postgres://outpost@127.0.0.1:1/outpost?connect_timeout=2"
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	err := m.Run(context.Background())
	defer m.Close()
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL at 127.0.0.1:1/outpost") {
		t.Fatalf("Run with an unreachable store: %v; want \"cannot reach PostgreSQL at 127.0.0.1:1/outpost\"", err)
	}
	if err := m.ParseFlags([]string{"-store", "mysql://x"}, io.Discard); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("-store mysql://x: %v; want an error asking for a postgres:// URL", err)
	}
}
