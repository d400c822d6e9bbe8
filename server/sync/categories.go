package sync

import (
	"context"
	"encoding/json"
	gosync "sync"
	"sync/atomic"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// The category tree as data (issue 7): the "config" record
// shared.ConfigCategories holds the tree in use, synced to every device
// like the SLA calendar. The Service holds the tree it validates with
// (Categories): it reads it at start (SeedCategories, LoadCategories) and
// again after every config.save of it, once the save is committed, and
// when another node's save reaches it (follow.go). Each Service has its
// own, so tests of different trees run side by side.

// categoriesInUse is the tree a Service validates with; nil means
// shared.Categories, the default.
type categoriesInUse struct {
	tree atomic.Pointer[shared.CategoryTree]
	// load is held from a reload's read to its store, so two reloads at
	// once (a save committed here, another node's heard) cannot put the
	// older tree in use last.
	load gosync.Mutex
}

// Categories returns the category tree in use: the stored one once
// SeedCategories or LoadCategories has read it, else the default
// (shared.Categories). Callers must not change it.
func (s *Service) Categories() shared.CategoryTree {
	if t := s.categories.tree.Load(); t != nil {
		return *t
	}
	return shared.Categories
}

// SeedCategories stores the default category tree (shared.Categories) if
// the portal has none, then puts the stored tree in use. It reports
// whether it stored the default.
func (s *Service) SeedCategories(ctx context.Context) (bool, error) {
	seeded := false
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		seeded = false
		switch _, err := tx.Get(wire.TypeConfig, shared.ConfigCategories); shared.ErrorCode(err) {
		case "":
			return nil
		case shared.ENOTFOUND:
		default:
			return err
		}
		seeded = true
		return putJSON(tx, wire.TypeConfig, shared.ConfigCategories, shared.Categories)
	})
	if err != nil {
		return false, err
	}
	return seeded, s.LoadCategories(ctx)
}

// LoadCategories puts the stored category tree in use, or the default
// where none is stored. A stored tree that shared.CategoryTree's
// ValidateConfig refuses is not put in use, and its error returned.
func (s *Service) LoadCategories(ctx context.Context) error {
	s.categories.load.Lock()
	defer s.categories.load.Unlock()
	tree, err := StoredCategories(ctx, s.Store)
	if err != nil {
		return err
	}
	if err := tree.ValidateConfig(); err != nil {
		return err
	}
	tree = tree.Clone()
	s.categories.tree.Store(&tree)
	return nil
}

// StoredCategories returns the category tree stored in st, or the default
// (shared.Categories) where none is stored: the tree articles imported
// into st are checked against.
func StoredCategories(ctx context.Context, st store.Store) (shared.CategoryTree, error) {
	tree := shared.Categories
	err := st.View(ctx, func(tx store.ReadTx) error {
		var stored shared.CategoryTree
		if err := getJSON(tx, wire.TypeConfig, shared.ConfigCategories, &stored); err != nil {
			return err
		}
		if stored != nil {
			tree = stored
		}
		return nil
	})
	return tree, err
}

// categoriesSave stores the category tree an admin saved (config.save with
// ID shared.ConfigCategories), after checking it as the admin screen did.
// Categories that tickets or articles still use may go: those records keep
// their value. Admins only.
func categoriesSave(tx store.Tx, a Actor, args json.RawMessage) error {
	if a.User.Role != shared.RoleAdmin {
		return shared.Errorf(shared.EFORBIDDEN, "catadmin.admin_only")
	}
	var s shared.CategorySave
	if err := json.Unmarshal(args, &s); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := s.Categories.ValidateConfig(); err != nil {
		return err
	}
	return putJSON(tx, wire.TypeConfig, shared.ConfigCategories, s.Categories)
}
