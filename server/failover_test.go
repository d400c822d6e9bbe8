package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"outpost/app/engine"
	appstore "outpost/app/store"
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
// replicated version. A device running the app's own sync engine files
// tickets before the failover and while it happens: it ends on the new
// epoch with every ticket once, on the server and in its refetched
// replica, its outbox empty.
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
		return wire.Mutation{Seq: seq, Name: shared.OpTicketCreate, Args: args}
	}
	before := []wire.Mutation{ticket(1), ticket(2)}
	device.send(wire.Msg{T: wire.TPush, Mutations: before})
	if ack := device.recv(false); ack.T != wire.TAck || len(ack.Results) != 2 || !ack.Results[0].OK || !ack.Results[1].OK {
		t.Fatalf("push answered %+v", ack)
	}
	app := &engine.Engine{Store: appstore.NewMemory(), Heartbeat: 500 * time.Millisecond, ReplyTimeout: 3 * time.Second,
		Dial: func(ctx context.Context) (engine.Conn, error) {
			u := node.HTTP.URL()
			return engine.DialWSHeader(ctx, strings.Replace(u, "http", "ws", 1)+"/ws", http.Header{"Origin": {u}})
		}}
	ectx, stop := context.WithCancel(ctx)
	defer stop()
	if err := app.Start(ectx); err != nil {
		t.Fatal(err)
	}
	var filed []string
	file := func() {
		t.Helper()
		id := shared.NewID(time.Now())
		filed = append(filed, id)
		if err := app.Mutate(shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "Printer offline", CreatedAt: time.Now().UnixMilli()}, ""); err != nil {
			t.Fatal(err)
		}
	}
	waitApp := func(what string, ok func(engine.Status) bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(app.Status()); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: the device's status is %+v", what, app.Status())
			}
		}
	}
	file()
	file()
	waitApp("the app's tickets acknowledged", func(s engine.Status) bool { return s.Online && s.Pending == 0 })

	var head uint64
	node.Store.View(ctx, func(tx store.ReadTx) (err error) { head, err = tx.Version(); return err })
	standby.WaitReplayed(primary)

	primary.Stop("immediate") // the primary's machine dies
	file()                    // while the database fails over: it waits in the outbox
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

	// The app: on the new epoch, its outbox sent, every ticket once.
	waitApp("the app to send its outbox on the new epoch", func(s engine.Status) bool { return s.Online && s.Pending == 0 && s.Synced })
	if e, _ := app.Store.Epoch(); e != epoch {
		t.Errorf("the app's replica is of epoch %q; want the new %q", e, epoch)
	}
	n := 0
	node.Store.View(ctx, func(tx store.ReadTx) error {
		for _, id := range filed {
			if _, err := tx.Get(wire.TypeTicket, id); err == nil {
				n++
			}
		}
		return nil
	})
	replica, _ := app.Store.List(wire.TypeTicket)
	if n != len(filed) || len(replica) != len(filed) {
		t.Errorf("of the app's %d tickets the server holds %d and its replica %d; want all, once", len(filed), n, len(replica))
	}
}
