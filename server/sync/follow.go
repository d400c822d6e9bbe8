package sync

import (
	"context"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// followPages bounds what Follow reads per piece of news: past it (a big
// import on another node), every connection is poked instead.
const followPages = 10

// Follow tells this node's connections about the changes other nodes
// commit to the store they share, until ctx ends. Each piece of news is
// read from the change log since the last, and goes through the same
// index as this node's own pushes (pokeFor), so a connection is poked
// only about what it may see; a new category tree is put in use. The
// records this node wrote itself, which the read also finds when the
// nodes' commits interleave, are skipped (store.OwnWrites): they were
// poked for when written. When news may have been lost, every connection
// is poked: each pulls and finds what it missed.
func (s *Service) Follow(ctx context.Context, sh store.Shared) {
	var seen uint64
	if err := s.Store.View(ctx, func(tx store.ReadTx) (err error) { seen, err = tx.Version(); return err }); err != nil {
		s.Log.Warn("read the change-log head", "err", err)
	}
	all := func(string, []byte) bool { return true }
	own, _ := sh.(store.OwnWrites)
	sh.Follow(ctx, func(lost bool) {
		if lost {
			s.pokeAll(ctx, &seen)
			return
		}
		for range followPages {
			page, cursor, more, err := s.Store.Changes(ctx, seen, 500, 4<<20, all)
			if err != nil {
				s.Log.Warn("read the other nodes' changes", "err", err)
				return // the next news, or the head poll, tries again from seen
			}
			writes := make([]change, 0, len(page))
			for _, c := range page {
				if c.Type == wire.TypeConfig && c.ID == shared.ConfigCategories {
					s.reloadCategories(ctx) // even a save of this node's: a reload that failed after it is retried
				}
				if own != nil && own.WroteHere(c.V) {
					continue // poked for when written here (store.OwnWrites)
				}
				writes = append(writes, change{typ: c.Type, data: c.Data, deleted: c.Deleted})
			}
			if len(writes) > 0 {
				s.pokeFor(writes)
			}
			seen = cursor
			if !more {
				return
			}
		}
		s.pokeAll(ctx, &seen) // too much to sort
	})
}

// pokeAll moves seen to the head and pokes every connection: each pulls
// and finds what changed.
func (s *Service) pokeAll(ctx context.Context, seen *uint64) {
	s.Store.View(ctx, func(tx store.ReadTx) (err error) { *seen, err = tx.Version(); return err })
	s.reloadCategories(ctx)
	s.poke()
}

// reloadCategories puts the stored category tree in use (categories.go),
// logging what stops it.
func (s *Service) reloadCategories(ctx context.Context) {
	if err := s.LoadCategories(ctx); err != nil {
		s.Log.Error("load the category tree", "err", err)
	}
}
