package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/blob"
	"outpost/server/postgres"
	"outpost/server/postgres/pgtest"
	"outpost/server/seed"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestMigrateRoundTrip: a Badger portal with tickets, articles, a session,
// an attachment and a synced device is copied into PostgreSQL and served
// from there; the device keeps its cursor (same epoch, nothing to pull), its
// session and its sequence (a resent mutation is not applied again), and
// the attachment's bytes are intact.
func TestMigrateRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old := NewMain()
	old.Addr, old.DataDir, old.Demo = "127.0.0.1:0", dir, true
	old.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := old.Run(ctx); err != nil {
		t.Fatal(err)
	}
	token, user, err := old.Auth.Login(ctx, "field@outpost.example", seed.DemoPassword, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	client := shared.NewID(time.Now())
	dev := dialNode(t, old, token, client)
	file := []byte("ping 10.0.0.1: request timed out\n")
	sum := sha256.Sum256(file)
	sha := hex.EncodeToString(sum[:])
	tc := shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "No network on floor 3", Description: "log attached", CreatedAt: 1,
		Attachments: []shared.Attachment{{SHA256: sha, Name: "ping.txt", Type: "text/plain", Size: int64(len(file))}}}
	args, _ := json.Marshal(tc)
	push := wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: 1, Name: shared.OpTicketCreate, Args: args}}}
	dev.send(push)
	if ack := dev.recv(false); ack.T != wire.TAck || !ack.Results[0].OK {
		t.Fatalf("push answered %+v", ack)
	}
	if _, err := blob.Put(ctx, old.Store, user.Identity(), sha, 0, file); err != nil {
		t.Fatal(err)
	}
	dev.pull()
	cursor, epoch := dev.cursor, old.Store.Epoch()
	dev.ws.Close()
	old.Close()

	dsn := pgtest.DB(t)
	var lastDone, lastTotal int
	n, err := Migrate(ctx, dir, dsn, old.Log, func(done, total int) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || lastDone != n || lastTotal != n {
		t.Errorf("Migrate copied %d; progress ended at %d of %d", n, lastDone, lastTotal)
	}
	if _, err := Migrate(ctx, dir, dsn, old.Log, nil); err == nil || !strings.Contains(err.Error(), "already holds a portal") {
		t.Errorf("a second Migrate into the same database: %v; want a refusal", err)
	}

	node := startNodes(t, dsn, 1)[0]
	if node.Store.Epoch() != epoch {
		t.Fatalf("epoch on PostgreSQL %q; want Badger's %q (else every device refetches)", node.Store.Epoch(), epoch)
	}
	dev = dialNode(t, node, token, client) // pulls from 0: the replica's view
	if id := dev.welcome.Identity; id == nil || id.Email != "field@outpost.example" {
		t.Errorf("after the move the session signs the device in as %+v; want field@outpost.example", id)
	}
	again := &wsClient{t: t, ws: dev.ws, cursor: cursor}
	if got := again.pull(); len(got) != 0 {
		t.Errorf("the device's cursor %d brought %d changes after the move; want none", cursor, len(got))
	}
	if dev.cursor != cursor {
		t.Errorf("the head after the move is %d; want %d", dev.cursor, cursor)
	}
	dev.send(push) // its ack was lost, say: sent again
	if ack := dev.recv(false); ack.T != wire.TAck || !ack.Results[0].OK {
		t.Fatalf("resent push answered %+v", ack)
	}
	tickets := 0
	node.Store.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(string, []byte) error { tickets++; return nil })
	})
	if tickets != 1 {
		t.Errorf("%d tickets after the resend; want 1", tickets)
	}
	var buf bytes.Buffer
	if err := blob.WriteTo(ctx, node.Store, user.Identity(), sha, &buf); err != nil || !bytes.Equal(buf.Bytes(), file) {
		t.Errorf("the attachment after the move = %q, %v; want %q", buf.Bytes(), err, file)
	}
}

// TestMigrateAllOrNothing: a copy that fails midway leaves the database
// empty, to be tried again.
func TestMigrateAllOrNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := badger.Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	err = src.Update(ctx, func(tx store.Tx) error {
		for _, id := range []string{"a", "b", "c"} {
			if _, err := tx.Put("article", id, []byte(`{}`)); err != nil {
				return err
			}
		}
		_, err := tx.Put("zz", "\xff\xfe", []byte(`{}`)) // sorts last; not text PostgreSQL takes
		return err
	})
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	dsn := pgtest.DB(t)
	if _, err := Migrate(ctx, dir, dsn, log, nil); err == nil || !strings.Contains(err.Error(), "nothing was copied") {
		t.Fatalf("Migrate with a bad key: %v; want an error saying nothing was copied", err)
	}
	db, err := postgres.Open(ctx, dsn, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Remaining(ctx, 0); n != 0 || err != nil {
		t.Fatalf("after a failed copy the database has %d records, %v; want none", n, err)
	}
}
