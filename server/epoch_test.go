package server

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"outpost/server/postgres/pgtest"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestNodesNoticeANewEpoch: the database behind two running nodes turns
// out to be on another timeline than the one its epoch was made on, as a
// promoted standby is (simulated on one cluster by changing the recorded
// timeline). Without a restart both nodes take one new epoch, each
// device's socket is closed, and reconnecting it brings a welcome with the
// new epoch, so the device refetches; what it had pushed is still applied
// once, and its next mutation applies.
func TestNodesNoticeANewEpoch(t *testing.T) {
	dsn := pgtest.DB(t)
	nodes := startNodes(t, dsn, 2)
	ctx := context.Background()
	old := nodes[0].Store.Epoch()
	client := shared.NewID(time.Now())
	devices := []*wsClient{dialNode(t, nodes[0], "", client), dialNode(t, nodes[1], "", shared.NewID(time.Now()))}
	for i, d := range devices {
		if d.welcome.Epoch != old {
			t.Fatalf("device %d welcomed with epoch %q; want %q", i, d.welcome.Epoch, old)
		}
	}
	ticket := func(seq uint64) wire.Mutation {
		args, _ := json.Marshal(shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "Laptop will not charge", Description: "since the move", CreatedAt: time.Now().UnixMilli()})
		return wire.Mutation{Seq: seq, Name: shared.OpTicketCreate, Args: args}
	}
	first := ticket(1)
	devices[0].send(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{first}})
	if ack := devices[0].recv(false); ack.T != wire.TAck || len(ack.Results) != 1 || !ack.Results[0].OK {
		t.Fatalf("push answered %+v", ack)
	}

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE outpost_meta SET value = split_part(value, '/', 1) || '/00000009' WHERE key = 'cluster'"); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	for i, d := range devices {
		d.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			_, _, err := d.ws.ReadMessage()
			if err == nil {
				continue // a poke, or anything sent before
			}
			if !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
				t.Fatalf("device %d on node %d: %v; want its socket closed with %d", i, i, err, websocket.CloseServiceRestart)
			}
			break
		}
	}
	t.Logf("both sockets closed %v after the timeline changed", time.Since(changed).Round(time.Millisecond))
	epoch := nodes[0].Store.Epoch()
	if epoch == old || nodes[1].Store.Epoch() != epoch {
		t.Fatalf("epochs after the change: %q and %q (was %q); want one new epoch", epoch, nodes[1].Store.Epoch(), old)
	}
	for i := range devices {
		d := dialNode(t, nodes[i], "", client)
		if d.welcome.Epoch != epoch {
			t.Errorf("reconnected to node %d: welcome epoch %q; want %q", i, d.welcome.Epoch, epoch)
		}
		// The device resends what its outbox held (its ack lost) and a
		// new mutation: the first is answered as before, not applied twice.
		d.send(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{first, ticket(uint64(2 + i))}})
		if ack := d.recv(false); ack.T != wire.TAck || len(ack.Results) != 2 || !ack.Results[0].OK || !ack.Results[1].OK {
			t.Fatalf("push after the change answered %+v", ack)
		}
		tickets := 0
		d.cursor = 0 // the refetch a new epoch makes
		for _, c := range d.pull() {
			if c.Type == wire.TypeTicket {
				tickets++
			}
		}
		if tickets != 2+i {
			t.Errorf("a refetch from node %d brings %d tickets; want %d", i, tickets, 2+i)
		}
		d.ws.Close()
	}
}
