package sync

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Ticket numbers: the short number people say on the phone ("#1042"). A
// ticket gets the next one when the server first stores it, in the
// transaction of the mutation that files it, from a counter kept as
// unlogged data; a rejected mutation writes nothing, so numbers are never
// skipped, and writes are serialized, so never shared. A device shows
// "number pending" for a ticket the server has not stored yet.

const (
	counterKind = "counter"
	counterKey  = "ticket-number"
)

// nextTicketNumber returns the next ticket number and records it as used,
// in tx.
func nextTicketNumber(tx store.Tx) (int64, error) {
	var n int64
	switch data, err := tx.GetLocal(counterKind, counterKey); shared.ErrorCode(err) {
	case "":
		if len(data) != 8 {
			return 0, shared.Errorf(shared.EINTERNAL, "ticket number counter holds %d bytes", len(data))
		}
		n = int64(binary.BigEndian.Uint64(data))
	case shared.ENOTFOUND:
	default:
		return 0, err
	}
	n++
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	if err := tx.PutLocal(counterKind, counterKey, b[:], time.Time{}); err != nil {
		return 0, err
	}
	return n, nil
}

// NumberTickets gives every stored ticket without a number one, in the
// order the server received them, and returns how many it numbered: the
// tickets filed before numbers existed. It runs at start-up, before any
// push, in transactions of at most numberBatch tickets.
func NumberTickets(ctx context.Context, s store.Store) (int, error) {
	total := 0
	for {
		numbered := 0
		err := s.Update(ctx, func(tx store.Tx) error {
			numbered = 0
			var todo []shared.Ticket
			err := tx.Each(wire.TypeTicket, func(id string, data []byte) error {
				var t shared.Ticket
				if err := json.Unmarshal(data, &t); err != nil {
					return err
				}
				if t.Number == 0 {
					todo = append(todo, t)
				}
				return nil
			})
			if err != nil {
				return err
			}
			slices.SortFunc(todo, func(a, b shared.Ticket) int {
				return cmp.Or(cmp.Compare(a.ReceivedAt, b.ReceivedAt), cmp.Compare(a.ID, b.ID))
			})
			for _, t := range todo[:min(len(todo), numberBatch)] {
				n, err := nextTicketNumber(tx)
				if err != nil {
					return err
				}
				t.Number = n
				if err := putJSON(tx, wire.TypeTicket, t.ID, t); err != nil {
					return err
				}
				numbered++
			}
			return nil
		})
		total += numbered
		if err != nil || numbered < numberBatch {
			return total, err
		}
	}
}

const numberBatch = 500
