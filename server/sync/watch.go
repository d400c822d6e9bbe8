package sync

import (
	"encoding/json"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// change is one record a mutation wrote: what a watcher may be poked about.
type change struct {
	typ     string
	data    []byte
	deleted bool
	owner   owner // for owned types, read once per change, not per watcher
}

// owner is who a ticket, a history entry or a rating belongs to.
type owner struct {
	RequesterID string `json:"requester_id"`
	ClientID    string `json:"client_id"`
	Internal    bool   `json:"internal"`
}

// owned are the record types only their requester (or filing device) and
// staff see: the bulk of what is written, so the watchers' check is cheap.
var owned = map[string]bool{wire.TypeTicket: true, wire.TypeEntry: true, wire.TypeRating: true}

// recorder is the transaction a mutation handler gets: it notes the records
// written, so that only the connections that may see them are poked.
type recorder struct {
	store.Tx
	writes []change
}

func (r *recorder) Put(typ, id string, data []byte) (uint64, error) {
	v, err := r.Tx.Put(typ, id, data)
	if err == nil {
		r.writes = append(r.writes, change{typ: typ, data: data})
	}
	return v, err
}

func (r *recorder) Delete(typ, id string) error {
	err := r.Tx.Delete(typ, id)
	if err == nil {
		r.writes = append(r.writes, change{typ: typ, deleted: true})
	}
	return err
}

// Watch returns a channel that receives a value (coalesced) whenever data
// changed, and a function to stop watching.
func (s *Service) Watch() (<-chan struct{}, func()) { return s.watch(nil) }

// WatchAs is Watch for a connection of a: it is poked only about changes a
// may see. A busy portal's pushes would otherwise wake every connection,
// each to pull nothing.
func (s *Service) WatchAs(a Actor) (<-chan struct{}, func()) { return s.watch(&a) }

func (s *Service) watch(a *Actor) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	if s.watchers == nil {
		s.watchers = make(map[chan struct{}]*Actor)
	}
	s.watchers[ch] = a
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.watchers, ch)
		s.mu.Unlock()
	}
}

// Changed tells watchers that data changed outside Push (an import, say).
func (s *Service) Changed() { s.poke() }

// poke wakes every watcher.
func (s *Service) poke() { s.pokeFor(nil) }

// pokeFor wakes the watchers that may see one of the writes, or every
// watcher if writes is nil. A deletion, and a record that may be leaving
// someone's view (an article made internal), wakes everyone who could hold
// it: they are told to drop it.
func (s *Service) pokeFor(writes []change) {
	for i := range writes {
		if w := &writes[i]; owned[w.typ] && !w.deleted {
			json.Unmarshal(w.data, &w.owner)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch, a := range s.watchers {
		if writes != nil && a != nil && !concerns(*a, writes) {
			continue
		}
		select {
		case ch <- struct{}{}:
		default: // a poke is already waiting
		}
	}
}

// concerns reports whether a may see one of writes. It agrees with
// visibleTo (TestConcernsAgreesWithVisibleTo) but decides the owned types
// without decoding each record again for every connection.
func concerns(a Actor, writes []change) bool {
	var visible func(string, []byte) bool
	for _, w := range writes {
		switch {
		case w.deleted || removable[w.typ]:
			return true
		case owned[w.typ] && a.staff():
			return true
		case owned[w.typ]:
			if w.typ == wire.TypeEntry && w.owner.Internal {
				continue
			}
			if w.owner.RequesterID != "" {
				if a.User != nil && a.User.UserID == w.owner.RequesterID {
					return true
				}
			} else if w.owner.ClientID == a.ClientID && (a.User == nil || a.User.Role != shared.RoleKiosk) {
				return true
			}
		default:
			if visible == nil {
				visible = visibleTo(a)
			}
			if visible(w.typ, w.data) {
				return true
			}
		}
	}
	return false
}
