package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"outpost/server/auth"
	"outpost/server/postgres/pgtest"
	"outpost/server/seed"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

// startNodes starts n Mains (with -demo) on the PostgreSQL database at
// dsn, as the nodes of one portal, stopped when the test ends. (One after
// the other: the go-app handler keeps its server data in a package
// variable, one per process; TestNodesSeedOnce starts them together.)
func startNodes(t *testing.T, dsn string, n int) []*Main {
	t.Helper()
	ms := make([]*Main, n)
	for i := range ms {
		m := NewMain()
		m.Addr, m.StoreURL, m.DataDir, m.Demo = "127.0.0.1:0", dsn, "", true
		m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		ms[i] = m
		t.Cleanup(func() { m.Close() })
		if err := m.Run(context.Background()); err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	return ms
}

// TestNodesSeedOnce: nodes starting together on an empty database store
// the defaults and the demo accounts once: one seeds while the others wait
// their turn (store.Shared.Exclusive).
func TestNodesSeedOnce(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	ms := make([]*Main, 3)
	for i := range ms {
		m := NewMain()
		m.StoreURL, m.Demo = dsn, true
		m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		var err error
		if m.Store, _, err = m.openStore(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Store.Close() })
		m.Auth = &auth.Service{Store: m.Store, Log: m.Log, Clock: m.Clock} // production hashing: slow enough that the nodes overlap
		m.Sync = &outsync.Service{Store: m.Store, Log: m.Log}              // seed puts the stored category tree in use on it
		ms[i] = m
	}
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = m.exclusive(ctx, "start", m.seed) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	users, err := ms[0].Auth.ListUsers(ctx)
	if err != nil || len(users) != len(seed.DemoUsers) {
		t.Fatalf("after three nodes started together: %d accounts, %v; want the %d demo accounts once", len(users), err, len(seed.DemoUsers))
	}
}

// TestTwoNodesApplyOnce: one client's mutations, pushed to two nodes on one
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
	const n = 30
	client := shared.NewID(time.Now())
	var ms []wire.Mutation
	for i := range n {
		args, _ := json.Marshal(shared.TicketCreate{ID: shared.NewID(time.Now()), Title: fmt.Sprint("Printer ", i), Description: "jammed", CreatedAt: time.Now().UnixMilli()})
		ms = append(ms, wire.Mutation{Seq: uint64(i + 1), Name: shared.OpTicketCreate, Args: args})
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

// wsClient is a device's websocket to one node.
type wsClient struct {
	t       *testing.T
	ws      *websocket.Conn
	welcome wire.Msg
	cursor  uint64
}

// dialNode opens a websocket to m as client, signed in with token ("" for
// nobody), and pulls everything there is.
func dialNode(t *testing.T, m *Main, token, client string) *wsClient {
	t.Helper()
	h := http.Header{"Origin": {m.HTTP.URL()}}
	if token != "" {
		h.Set("Cookie", (&http.Cookie{Name: auth.CookieName, Value: token}).String())
	}
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(m.HTTP.URL(), "http", "ws", 1)+"/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &wsClient{t: t, ws: ws}
	c.send(wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: client, DeviceKey: DeviceKeyOf(client)})
	if c.welcome = c.recv(false); c.welcome.T != wire.TWelcome {
		t.Fatalf("hello answered with %+v", c.welcome)
	}
	c.pull()
	return c
}

func (c *wsClient) send(m wire.Msg) {
	c.t.Helper()
	b, _ := wire.Encode(m)
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatal(err)
	}
}

// recv returns the next message; pokes are skipped unless wantPoke.
func (c *wsClient) recv(wantPoke bool) wire.Msg {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		m, err := wire.Decode(b)
		if err != nil {
			c.t.Fatalf("decode %s: %v", b, err)
		}
		if m.T != wire.TPoke || wantPoke {
			return m
		}
	}
}

// pull pulls every page from the cursor and returns the changes.
func (c *wsClient) pull() []wire.Change {
	c.t.Helper()
	var out []wire.Change
	for {
		c.send(wire.Msg{T: wire.TPull, Cursor: c.cursor})
		m := c.recv(false)
		if m.T != wire.TChanges {
			c.t.Fatalf("pull answered with %+v", m)
		}
		out = append(out, m.Changes...)
		c.cursor = m.Cursor
		if !m.More {
			return out
		}
	}
}

// awaitPokeWith waits for a poke, pulls, and returns the record of type typ
// and ID id if the pull brought it (else pulls again on the next poke).
func (c *wsClient) awaitPokeWith(typ, id string) wire.Change {
	c.t.Helper()
	for {
		if m := c.recv(true); m.T != wire.TPoke {
			c.t.Fatalf("waiting for a poke, got %+v", m)
		}
		for _, ch := range c.pull() {
			if ch.Type == typ && ch.ID == id {
				return ch
			}
		}
	}
}

// TestPokesReachOtherNodes: a ticket filed through node A reaches an agent
// whose socket is on node B, by a poke (B hears A's commit through
// PostgreSQL), and the agent's reply filed on B reaches the requester's
// socket on A the same way.
func TestPokesReachOtherNodes(t *testing.T) {
	nodes := startNodes(t, pgtest.DB(t), 2)
	a, b := nodes[0], nodes[1]
	ctx := context.Background()
	agentToken, _, err := b.Auth.Login(ctx, "agent1@outpost.example", seed.DemoPassword, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	fieldToken, _, err := a.Auth.Login(ctx, "field@outpost.example", seed.DemoPassword, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	agent := dialNode(t, b, agentToken, shared.NewID(time.Now()))
	requester := dialNode(t, a, fieldToken, shared.NewID(time.Now()))

	id := shared.NewID(time.Now())
	args, _ := json.Marshal(shared.TicketCreate{ID: id, Title: "VPN drops every hour", Description: "since Monday", CreatedAt: time.Now().UnixMilli()})
	requester.send(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: 1, Name: shared.OpTicketCreate, Args: args}}})
	if ack := requester.recv(false); ack.T != wire.TAck || len(ack.Results) != 1 || !ack.Results[0].OK {
		t.Fatalf("push on node A answered %+v", ack)
	}
	sent := time.Now()
	agent.awaitPokeWith(wire.TypeTicket, id)
	t.Logf("the ticket filed on node A reached the agent on node B %v after its ack", time.Since(sent).Round(time.Millisecond))

	reply := shared.TicketOp{ID: shared.NewID(time.Now()), TicketID: id, Body: "Try the new client, please.", CreatedAt: time.Now().UnixMilli()}
	rargs, _ := json.Marshal(reply)
	agent.send(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: 1, Name: shared.OpTicketReply, Args: rargs}}})
	if ack := agent.recv(false); ack.T != wire.TAck || len(ack.Results) != 1 || !ack.Results[0].OK {
		t.Fatalf("reply on node B answered %+v", ack)
	}
	requester.awaitPokeWith(wire.TypeEntry, reply.ID)
}
