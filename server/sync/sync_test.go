package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

const client = "01936f6e-7a1b-7c3d-8e4f-0123456789ab"

func newService(t *testing.T) *Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &Service{Log: log}
	db, err := badger.Open("", log, badger.WithClock(func() time.Time { return s.Now() }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.Store = db
	return s
}

func create(seq uint64, id, title string) wire.Mutation {
	b, _ := json.Marshal(shared.TicketCreate{ID: id, Title: title, CreatedAt: 1})
	return wire.Mutation{Seq: seq, Name: shared.OpTicketCreate, Args: b}
}

func push(t *testing.T, s *Service, ms ...wire.Mutation) []wire.Result {
	t.Helper()
	return pushAs(t, s, Actor{ClientID: client}, ms...)
}

var fuzzAgent = Actor{ClientID: client, User: &shared.Identity{
	UserID: "01936f6e-7a1b-7c3d-8e4f-0000000000aa", Email: "agent@example.com", Role: shared.RoleAgent, Tier: 1,
}}

func pushAs(t *testing.T, s *Service, a Actor, ms ...wire.Mutation) []wire.Result {
	t.Helper()
	rs, err := s.PushAs(context.Background(), a, ms)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if len(rs) != len(ms) {
		t.Fatalf("Push of %d mutations = %d results", len(ms), len(rs))
	}
	return rs
}

// TestResentRejectionIsRejectedAgain resends a push whose ack was lost. The
// convergence test found this: the server acknowledged the resent rejected
// mutation as OK, so the engine dropped it without telling the app, and the
// user's ticket text vanished without a ticket.
func TestResentRejectionIsRejectedAgain(t *testing.T) {
	t.Parallel()
	s := newService(t)
	id := shared.NewID(time.Now())
	batch := []wire.Mutation{create(1, id, "  "), create(2, id, "Printer jam"), create(3, id, "Again")}
	first := push(t, s, batch...)
	again := push(t, s, batch...) // the ack was lost; the client resends
	want := []struct {
		ok  bool
		key string
	}{{false, "ticket.title_required"}, {true, ""}, {false, "ticket.exists"}}
	for i, w := range want {
		for _, rs := range [][]wire.Result{first, again} {
			if r := rs[i]; r.Seq != uint64(i+1) || r.OK != w.ok || r.Key != w.key {
				t.Errorf("result for seq %d = %+v; want ok %v, key %q", i+1, r, w.ok, w.key)
			}
		}
	}
	n := 0
	s.Store.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(string, []byte) error { n++; return nil })
	})
	if n != 1 {
		t.Errorf("%d tickets; want 1", n)
	}
}

// TestRejectionsArePruned checks the server forgets a rejection once the
// client has shown, by pushing from a later sequence, that it heard it.
func TestRejectionsArePruned(t *testing.T) {
	t.Parallel()
	s := newService(t)
	push(t, s, create(1, "bad", "x"), create(2, "bad", "y"))
	push(t, s, create(3, "bad", "z"))
	var rs []wire.Result
	err := s.Store.View(context.Background(), func(tx store.ReadTx) error {
		var err error
		rs, err = rejections(tx, client)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Seq != 3 {
		t.Fatalf("kept rejections %+v; want only seq 3", rs)
	}
	if r := push(t, s, create(3, "bad", "z"))[0]; r.OK || r.Key != "ticket.bad_id" {
		t.Fatalf("resent seq 3 = %+v; want rejected with ticket.bad_id", r)
	}
	// The record is the server's own: no client sees it.
	page, err := s.Pull(context.Background(), client, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 0 {
		t.Fatalf("pull = %+v; want no changes", page.Changes)
	}
}

// FuzzPush feeds arbitrary arguments to every mutation handler: the
// decoders of mutation args, which arrive from the wire. No input may fail
// the push (only a broken store may), every mutation gets a result, a
// rejection says why in words, and a resend gets the same answer.
func FuzzPush(f *testing.F) {
	// Every handler, in a fixed order, and a name no handler has.
	names := []string{shared.OpTicketCreate, shared.OpKBFeedback, shared.OpSearchMiss, "no.such.mutation"}
	var more []string
	for name := range handlers {
		if !slices.Contains(names, name) {
			more = append(more, name)
		}
	}
	slices.Sort(more)
	names = append(names, more...)
	ticket, _ := json.Marshal(shared.TicketCreate{ID: "01936f6e-7a1b-7c3d-8e4f-0123456789ac", Title: "Printer jam", CreatedAt: 1})
	f.Add(uint8(0), ticket)
	f.Add(uint8(0), []byte(`{"id":"01936f6e-7a1b-7c3d-8e4f-0123456789ac","title":"  ","created_at":-1}`))
	f.Add(uint8(1), []byte(`{"id":"01936f6e-7a1b-7c3d-8e4f-0123456789ad","article_id":"vpn-setup","helpful":true}`))
	f.Add(uint8(2), []byte(`{"query":"contraseña","lang":"es"}`))
	f.Add(uint8(3), []byte(`{}`))
	f.Add(uint8(0), []byte(`[1,2,3]`))
	f.Add(uint8(1), []byte(`null`))
	f.Fuzz(func(t *testing.T, which uint8, args []byte) {
		if !json.Valid(args) || len(args) > wire.MaxArgs {
			return // wire.Decode refuses the frame before Push sees it
		}
		s := newService(t)
		m := wire.Mutation{Seq: 1, Name: names[int(which)%len(names)], Args: args}
		// As an agent, so the handlers that need a signed-in user run too.
		first := pushAs(t, s, fuzzAgent, m)[0]
		again := pushAs(t, s, fuzzAgent, m)[0]
		if first.Seq != 1 || (!first.OK && (first.Code == "" || first.Code == shared.EINTERNAL || first.Key == "")) {
			t.Fatalf("Push(%s %s) = %+v; want OK or a rejection with a reason", m.Name, args, first)
		}
		if fmt.Sprint(first) != fmt.Sprint(again) {
			t.Fatalf("Push(%s %s) = %+v, then on resend %+v; want the same answer", m.Name, args, first, again)
		}
	})
}

// TestMustBeNew: a client-made ID that names a stored record is refused
// with the handler's own conflict key; a free one passes.
func TestMustBeNew(t *testing.T) {
	t.Parallel()
	s := newService(t)
	ctx := context.Background()
	if err := s.Store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeEntry, "e1", []byte(`{}`))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.Store.View(ctx, func(tx store.ReadTx) error {
		err := mustBeNew(tx, wire.TypeEntry, "e1", "ticket.op_exists")
		var se *shared.Error
		if !errors.As(err, &se) || se.Code != shared.ECONFLICT || se.Key != "ticket.op_exists" {
			t.Errorf("a stored ID: %v; want ECONFLICT ticket.op_exists", err)
		}
		if err := mustBeNew(tx, wire.TypeEntry, "e2", "ticket.op_exists"); err != nil {
			t.Errorf("a free ID: %v; want nil", err)
		}
		return nil
	})
}
