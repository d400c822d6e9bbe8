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
	owner   *owner // for owned types, read once per change, not per watcher
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

// put is Put for putJSON, which may know the record's owner (nil if not).
func (r *recorder) put(typ, id string, data []byte, o *owner) error {
	if _, err := r.Tx.Put(typ, id, data); err != nil {
		return err
	}
	r.writes = append(r.writes, change{typ: typ, data: data, owner: o})
	return nil
}

// ownerOf is the owner of a ticket or an entry, read from the value rather
// than decoded again from its JSON; nil for other values.
func ownerOf(v any) *owner {
	switch v := v.(type) {
	case shared.Ticket:
		return &owner{RequesterID: v.RequesterID, ClientID: v.ClientID}
	case shared.Entry:
		return &owner{RequesterID: v.RequesterID, ClientID: v.ClientID, Internal: v.Internal}
	}
	return nil
}

func (r *recorder) Delete(typ, id string) error {
	err := r.Tx.Delete(typ, id)
	if err == nil {
		r.writes = append(r.writes, change{typ: typ, deleted: true})
	}
	return err
}

// watcher is one Watch: poke is called, under the Service's lock, when a
// change a may see (any change if a is nil) is committed.
type watcher struct {
	a    *Actor
	poke func()
}

// Watch returns a channel that receives a value (coalesced) whenever data
// changed, and a function to stop watching.
func (s *Service) Watch() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	return ch, s.watch(nil, signal(ch))
}

// WatchAs is Watch for a connection of a: it is poked only about changes a
// may see. A busy portal's pushes would otherwise wake every connection,
// each to pull nothing.
func (s *Service) WatchAs(a Actor) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	return ch, s.watch(&a, signal(ch))
}

// OnChangeAs is WatchAs without a channel: poke is called after each
// commit of changes a may see, and must return at once (it runs under a
// lock the next push needs). A connection that writes its pokes itself
// needs no goroutine to wait on a channel.
func (s *Service) OnChangeAs(a Actor, poke func()) (stop func()) { return s.watch(&a, poke) }

// signal pokes ch without blocking: a poke already waiting covers this one.
func signal(ch chan struct{}) func() {
	return func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (s *Service) watch(a *Actor, poke func()) func() {
	w := &watcher{a: a, poke: poke}
	keys := watchKeys(a)
	s.mu.Lock()
	if s.watchers == nil {
		s.watchers = make(map[*watcher]struct{})
		s.watchBy = make(map[string]map[*watcher]struct{})
	}
	s.watchers[w] = struct{}{}
	for _, k := range keys {
		if s.watchBy[k] == nil {
			s.watchBy[k] = make(map[*watcher]struct{})
		}
		s.watchBy[k][w] = struct{}{}
	}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.watchers, w)
		for _, k := range keys {
			if delete(s.watchBy[k], w); len(s.watchBy[k]) == 0 {
				delete(s.watchBy, k)
			}
		}
		s.mu.Unlock()
	}
}

// watchKeys are the index entries under which a watcher may be poked about
// an owned record (see ownerKeys): everyone for staff and unfiltered
// watchers, else the device and the signed-in user.
func watchKeys(a *Actor) []string {
	if a == nil || a.staff() {
		return []string{"*"}
	}
	keys := []string{"c:" + a.ClientID}
	if a.User != nil {
		keys = append(keys, "u:"+a.User.UserID)
	}
	return keys
}

// ownerKeys are the index entries of the watchers an owned record may
// concern: a superset of those concerns accepts.
func ownerKeys(w *change) [2]string {
	k := [2]string{"*"}
	if w.owner.RequesterID != "" {
		k[1] = "u:" + w.owner.RequesterID
	} else {
		k[1] = "c:" + w.owner.ClientID
	}
	return k
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
	indexed := writes != nil // every write is owned: only its owner's watchers and staff need a look
	for i := range writes {
		w := &writes[i]
		if !owned[w.typ] || w.deleted {
			indexed = false
			continue
		}
		if w.owner == nil {
			w.owner = new(owner)
			json.Unmarshal(w.data, w.owner)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	poke := func(w *watcher) {
		if writes == nil || w.a == nil || concerns(*w.a, writes) {
			w.poke()
		}
	}
	if !indexed {
		for w := range s.watchers {
			poke(w)
		}
		return
	}
	// With a thousand connections, asking each about every write would cost
	// more than the write: ask only those the index names.
	for i := range writes {
		for _, k := range ownerKeys(&writes[i]) {
			for w := range s.watchBy[k] {
				poke(w)
			}
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
