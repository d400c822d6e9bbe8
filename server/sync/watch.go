package sync

import (
	"outpost/server/store"
)

// change is one record a mutation wrote: what a watcher may be poked about.
type change struct {
	typ     string
	data    []byte
	deleted bool
}

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

func concerns(a Actor, writes []change) bool {
	visible := visibleTo(a)
	for _, w := range writes {
		if w.deleted || removable[w.typ] || visible(w.typ, w.data) {
			return true
		}
	}
	return false
}
