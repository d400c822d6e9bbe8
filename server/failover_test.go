package server

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestFailoverToAPromotedStandby is TestNodesNoticeANewEpoch with a real
// failover: a node serves devices from a primary with a streaming standby,
// through one address (pgtest.Front, as a virtual IP or pgbouncer). The
// primary dies, the standby is promoted and the address moves to it.
// Without a restart the node takes a new epoch and closes its devices'
// sockets; a device reconnecting is welcomed with it, so it refetches, and
// resending what it had pushed before the failover (replicated, its acks
// lost) applies nothing twice; its next mutation applies after the last
// replicated version.
func TestFailoverToAPromotedStandby(t *testing.T) {
	ctx := context.Background()
	primary := pgtest.Start(t)
	primary.CreateDB("outpost")
	standby := primary.Standby(t)
	front := pgtest.NewFront(t, primary)
	node := startNodes(t, front.URL("outpost"), 1)[0]
	old := node.Store.Epoch()

	client := shared.NewID(time.Now())
	device := dialNode(t, node, "", client)
	ticket := func(seq uint64) wire.Mutation {
		args, _ := json.Marshal(shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "VPN drops every hour", Description: "since Monday", CreatedAt: time.Now().UnixMilli()})
		return wire.Mutation{Seq: seq, Name: wire.MTicketCreate, Args: args}
	}
	before := []wire.Mutation{ticket(1), ticket(2)}
	device.send(wire.Msg{T: wire.TPush, Mutations: before})
	if ack := device.recv(false); ack.T != wire.TAck || len(ack.Results) != 2 || !ack.Results[0].OK || !ack.Results[1].OK {
		t.Fatalf("push answered %+v", ack)
	}
	var head uint64
	node.Store.View(ctx, func(tx store.ReadTx) (err error) { head, err = tx.Version(); return err })
	standby.WaitReplayed(primary)

	primary.Stop("immediate") // the primary's machine dies
	standby.Promote()
	front.MoveTo(standby)
	moved := time.Now()

	device.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, _, err := device.ws.ReadMessage()
		if err == nil {
			continue // a poke
		}
		if !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
			t.Fatalf("the device's socket: %v; want it closed with %d (new epoch)", err, websocket.CloseServiceRestart)
		}
		break
	}
	t.Logf("the node closed the device's socket %v after the failover", time.Since(moved).Round(time.Millisecond))
	epoch := node.Store.Epoch()
	if epoch == old || epoch == "" {
		t.Fatalf("the node's epoch after the failover = %q; want a new one (was %q)", epoch, old)
	}

	device = dialNode(t, node, "", client)
	if device.welcome.Epoch != epoch {
		t.Fatalf("welcome after the failover: epoch %q; want %q", device.welcome.Epoch, epoch)
	}
	// The device's outbox still held both (their acks lost), and it files
	// one more.
	after := ticket(3)
	device.send(wire.Msg{T: wire.TPush, Mutations: append(before, after)})
	if ack := device.recv(false); ack.T != wire.TAck || len(ack.Results) != 3 || !ack.Results[0].OK || !ack.Results[1].OK || !ack.Results[2].OK {
		t.Fatalf("push after the failover answered %+v", ack)
	}
	device.cursor = 0 // the refetch a new epoch makes
	tickets := map[string]uint64{}
	for _, c := range device.pull() {
		if c.Type == wire.TypeTicket {
			tickets[c.ID] = c.V
		}
	}
	if len(tickets) != 3 {
		t.Fatalf("the refetch after the failover brings %d tickets; want 3 (two from before, applied once, and one after)", len(tickets))
	}
	var id struct{ ID string }
	json.Unmarshal(after.Args, &id)
	if v := tickets[id.ID]; v <= head {
		t.Errorf("the ticket filed after the failover has version %d; want one after the last replicated version %d", v, head)
	}
}
