// Package sync applies clients' mutations and answers their pulls: the
// server half of the sync model in docs/ARCHITECTURE.md. It knows nothing of
// websockets; server/http carries its messages.
package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Service applies mutations and serves pulls.
type Service struct {
	Store store.Store
	Log   *slog.Logger
	Now   func() time.Time

	// AfterApply, if set, runs after a mutation is committed and before it
	// is acknowledged. Fault tests use it to kill the server in that window.
	AfterApply func(clientID string, seq uint64)

	mu       gosync.Mutex
	watchers map[chan struct{}]struct{}
}

// handler applies one mutation's effects in tx. A *shared.Error that is not
// EINTERNAL rejects the mutation; any other error aborts the push, to be
// retried.
type handler func(tx store.Tx, clientID string, args json.RawMessage, now time.Time) error

var handlers = map[string]handler{
	wire.MTicketCreate: ticketCreate,
	wire.MKBFeedback:   kbFeedback,
	wire.MSearchMiss:   searchMiss,
}

func ticketCreate(tx store.Tx, clientID string, args json.RawMessage, now time.Time) error {
	var tc shared.TicketCreate
	if err := json.Unmarshal(args, &tc); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := tc.Validate(); err != nil {
		return err
	}
	_, err := tx.Get(wire.TypeTicket, tc.ID)
	switch shared.ErrorCode(err) {
	case "":
		return shared.Errorf(shared.ECONFLICT, "ticket.exists")
	case shared.ENOTFOUND:
	default:
		return err
	}
	data, err := json.Marshal(tc.Ticket(clientID))
	if err != nil {
		return err
	}
	_, err = tx.Put(wire.TypeTicket, tc.ID, data)
	return err
}

// errRejected aborts a transaction whose mutation was rejected, so none of
// its effects are kept.
var errRejected = errors.New("mutation rejected")

// Push applies a client's mutations in order, each in its own transaction
// together with the client's last applied sequence. A mutation at or below
// that sequence was handled before and gets the same answer again: OK, or
// the rejection it got then (see typeRejections). It returns a result for
// every mutation handled; on an internal error it stops there and returns
// the error, leaving the rest for the client to resend.
func (s *Service) Push(ctx context.Context, clientID string, ms []wire.Mutation) ([]wire.Result, error) {
	results := make([]wire.Result, 0, len(ms))
	changed := false
	defer func() {
		if changed {
			s.poke()
		}
	}()
	for _, m := range ms {
		var rejection error
		var earlier *wire.Result // the answer to a resent mutation
		applied := false
		err := s.Store.Update(ctx, func(tx store.Tx) error {
			last, err := tx.LastSeq(clientID)
			if err != nil {
				return err
			}
			if m.Seq <= last {
				earlier, err = rejectionOf(tx, clientID, m.Seq)
				return err // handled before: answer again
			}
			h, ok := handlers[m.Name]
			if !ok {
				rejection = shared.Errorf(shared.EINVALID, "mutation.unknown", m.Name)
				return errRejected
			}
			if err := h(tx, clientID, m.Args, s.Now()); err != nil {
				if code := shared.ErrorCode(err); code != shared.EINTERNAL {
					rejection = err
					return errRejected
				}
				return err
			}
			applied = true
			return tx.SetLastSeq(clientID, m.Seq)
		})
		if errors.Is(err, errRejected) {
			// Record the sequence alone, and the rejection, so that a resend
			// (its ack lost) is rejected again rather than acknowledged.
			r := wire.Reject(m.Seq, rejection)
			err = s.Store.Update(ctx, func(tx store.Tx) error {
				if last, err := tx.LastSeq(clientID); err != nil || m.Seq <= last {
					return err
				}
				if err := tx.SetLastSeq(clientID, m.Seq); err != nil {
					return err
				}
				return rememberRejection(tx, clientID, r, ms[0].Seq)
			})
			if err == nil {
				s.Log.Info("mutation rejected", "client", clientID, "seq", m.Seq, "name", m.Name, "reason", rejection)
				results = append(results, r)
				continue
			}
		}
		if err != nil {
			return results, err
		}
		if earlier != nil {
			results = append(results, *earlier)
			continue
		}
		if applied {
			changed = true
			s.Log.Info("mutation applied", "client", clientID, "seq", m.Seq, "name", m.Name)
			if s.AfterApply != nil {
				s.AfterApply(clientID, m.Seq)
			}
		}
		results = append(results, wire.Result{Seq: m.Seq, OK: true})
	}
	return results, nil
}

// typeRejections is the record type, one record per client (ID: the client
// ID), of the rejections that client may not have heard: a rejection whose
// ack was lost is resent, and must be rejected again, or the client would
// drop the user's words as if they had been filed. A client sends its
// outbox oldest first, so once it pushes sequence s it holds nothing below
// s: those entries are dropped when the record is next written. No client
// may see these records (visibleTo), and they are never deleted, so they
// leave no tombstones in the change log.
const typeRejections = "rejections"

// rejectionOf returns the rejection clientID got for seq, or nil if seq was
// applied (or its rejection is too old to be resent).
func rejectionOf(tx store.ReadTx, clientID string, seq uint64) (*wire.Result, error) {
	rs, err := rejections(tx, clientID)
	for _, r := range rs {
		if r.Seq == seq {
			return &r, nil
		}
	}
	return nil, err
}

func rejections(tx store.ReadTx, clientID string) ([]wire.Result, error) {
	b, err := tx.Get(typeRejections, clientID)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rs []wire.Result
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("read rejections of %s: %w", clientID, err)
	}
	return rs, nil
}

// rememberRejection adds r to clientID's rejections, dropping those below
// floor, which the client no longer holds.
func rememberRejection(tx store.Tx, clientID string, r wire.Result, floor uint64) error {
	rs, err := rejections(tx, clientID)
	if err != nil {
		return err
	}
	kept := []wire.Result{}
	for _, old := range rs {
		if old.Seq >= floor && old.Seq != r.Seq {
			kept = append(kept, old)
		}
	}
	b, err := json.Marshal(append(kept, r))
	if err != nil {
		return err
	}
	_, err = tx.Put(typeRejections, clientID, b)
	return err
}

// Pull returns the next page of changes clientID may see after cursor.
func (s *Service) Pull(ctx context.Context, clientID string, cursor uint64, limit int) (wire.Msg, error) {
	if limit <= 0 || limit > wire.MaxPullLimit {
		limit = wire.MaxPullLimit
	}
	changes, next, more, err := s.Store.Changes(ctx, cursor, limit, wire.MaxPageBytes, visibleTo(clientID))
	if err != nil {
		return wire.Msg{}, err
	}
	page := wire.Msg{T: wire.TChanges, Changes: changes, Cursor: next, More: more}
	if more {
		if page.Remaining, err = s.Store.Remaining(ctx, next); err != nil {
			return wire.Msg{}, err
		}
	}
	return page, nil
}

// visibleTo says which records a client may see: public articles, and the
// tickets it filed. Issue 6 replaces the device with the signed-in user.
func visibleTo(clientID string) func(typ string, data []byte) bool {
	return func(typ string, data []byte) bool {
		switch typ {
		case wire.TypeArticle:
			var a struct{ Visibility string }
			return json.Unmarshal(data, &a) == nil && a.Visibility == shared.Public
		case wire.TypeTree:
			var tr struct{ Status string }
			return json.Unmarshal(data, &tr) == nil && tr.Status == "published"
		case wire.TypeTicket:
			var t struct {
				ClientID string `json:"client_id"`
			}
			return json.Unmarshal(data, &t) == nil && t.ClientID == clientID
		}
		return false
	}
}

// Watch returns a channel that receives a value (coalesced) whenever data
// changed, and a function to stop watching.
func (s *Service) Watch() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	if s.watchers == nil {
		s.watchers = make(map[chan struct{}]struct{})
	}
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.watchers, ch)
		s.mu.Unlock()
	}
}

// Changed tells watchers that data changed outside Push (an import, say).
func (s *Service) Changed() { s.poke() }

func (s *Service) poke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default: // a poke is already waiting
		}
	}
}
