package app

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"outpost/app/engine"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// fullDevice is the replica of a browser whose IndexedDB quota is spent:
// drafts cannot be written. The quota is the browser's, not ours.
type fullDevice struct{ *store.Memory }

func (fullDevice) PutDraft(store.Draft) error { return &store.QuotaError{Msg: "no room"} }

// A refused ticket or reply becomes a draft that says why; on a full
// device onReject says it could not, so the engine keeps the change (and
// the words) in the outbox instead of dropping it.
func TestOnRejectKeepsWordsOrSaysWhy(t *testing.T) {
	now := time.Date(2031, 3, 4, 10, 0, 0, 0, time.UTC) // an injected clock, never compared with the real one
	ticket, _ := json.Marshal(shared.TicketCreate{ID: "t1", Title: "Printer", Description: "It eats every page"})
	reply, _ := json.Marshal(shared.TicketOp{ID: "op1", TicketID: "t9", Body: "Still broken"})
	refused := wire.Result{Seq: 1, Code: shared.EINVALID, Key: "ticket.closed"}
	tests := []struct {
		name string
		m    wire.Mutation
		desc string // the words the draft must hold
	}{
		{"ticket", wire.Mutation{Seq: 1, Name: shared.OpTicketCreate, Args: ticket}, "It eats every page"},
		{"reply", wire.Mutation{Seq: 1, Name: shared.OpTicketReply, Args: reply}, "Still broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := store.NewMemory()
			c := &Client{Store: mem, Engine: &engine.Engine{Clock: clock.NewFake(now)}}
			if err := c.onReject(tt.m, refused); err != nil {
				t.Fatalf("onReject(%s) = %v; want nil", tt.m.Name, err)
			}
			ds, _ := mem.Drafts()
			if len(ds) != 1 || ds[0].Description != tt.desc || ds[0].RejectKey != "ticket.closed" || ds[0].UpdatedAt != now.UnixMilli() {
				t.Fatalf("drafts = %+v; want one holding %q, refused with ticket.closed", ds, tt.desc)
			}

			c.Store = fullDevice{store.NewMemory()}
			err := c.onReject(tt.m, refused)
			var full *store.QuotaError
			if !errors.As(err, &full) {
				t.Fatalf("onReject(%s) on a full device = %v; want the quota error", tt.m.Name, err)
			}
		})
	}
}
