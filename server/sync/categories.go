package sync

import (
	"context"
	"encoding/json"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// The category tree as data (issue 7): the "config" record
// shared.ConfigCategories holds the tree in use, synced to every device
// like the SLA calendar. The server puts it in use (shared.SetCategories)
// at start and after every config.save of it, once the save is committed.

// SeedCategories stores the default category tree (shared.Categories) if
// the portal has none, then puts the stored tree in use. It reports
// whether it stored the default.
func SeedCategories(ctx context.Context, st store.Store) (bool, error) {
	seeded := false
	err := st.Update(ctx, func(tx store.Tx) error {
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
	return seeded, LoadCategories(ctx, st)
}

// LoadCategories puts the stored category tree in use, or the default
// where none is stored.
func LoadCategories(ctx context.Context, st store.Store) error {
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
	if err != nil {
		return err
	}
	return shared.SetCategories(tree)
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
