package sync_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/wire"
)

// TestCategoryTreeIsConfig: the server seeds the default tree, an admin
// saves a new one (checked, and put in use once committed, on real Badger
// and across a restart), and nobody else may. The tree in use is the
// Service's: another Service beside it keeps its own.
func TestCategoryTreeIsConfig(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "outpost-categories")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	now := madrid(2026, 1, 5, 9, 0)
	s := openSLA(t, dir, &now)
	ctx := context.Background()
	if seeded, err := s.SeedCategories(ctx); err != nil || !seeded {
		t.Fatalf("SeedCategories = %v, %v; want stored", seeded, err)
	}
	if got, _ := get[shared.CategoryTree](t, s.db, wire.TypeConfig, shared.ConfigCategories); len(got) != len(shared.Categories) {
		t.Fatalf("seeded tree %+v", got)
	}

	tree := append(shared.Categories.Clone(), shared.Category{Slug: "facilities", Subcategories: []shared.Subcategory{{Slug: "heating"}}})
	save := shared.CategorySave{ID: shared.ConfigCategories, Categories: tree}
	if r := push(t, s.Service, slaOther, 1, shared.OpConfigSave, save); r.OK || r.Key != "catadmin.admin_only" {
		t.Fatalf("a requester saving = %+v; want catadmin.admin_only", r)
	}
	if r := push(t, s.Service, agentAna, 1, shared.OpConfigSave, save); r.OK || r.Key != "catadmin.admin_only" {
		t.Fatalf("an agent saving = %+v; want catadmin.admin_only", r)
	}
	var eleven shared.CategoryTree
	for i := range 11 {
		eleven = append(eleven, shared.Category{Slug: fmt.Sprintf("c%d", i)})
	}
	r := push(t, s.Service, slaAdmin, 1, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: eleven})
	if r.OK || r.Key != "category.too_many" {
		t.Fatalf("eleven categories = %+v; want category.too_many", r)
	}
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = a
	}
	if msg := i18n.T("en", r.Key, args...); msg != "There are 11 categories; at most 10 are allowed." {
		t.Fatalf("message %q", msg)
	}
	if r := push(t, s.Service, slaAdmin, 2, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories}); r.OK || r.Key != "catadmin.empty" {
		t.Fatalf("no categories = %+v; want catadmin.empty", r)
	}
	dup := shared.CategoryTree{{Slug: "a"}, {Slug: "a"}}
	if r := push(t, s.Service, slaAdmin, 3, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: dup}); r.OK || r.Key != "category.duplicate_slug" {
		t.Fatalf("duplicate = %+v; want category.duplicate_slug", r)
	}
	ticket := func(seq uint64, n int, cat, sub string) wire.Result {
		return push(t, s.Service, requester, seq, shared.OpTicketCreate, shared.TicketCreate{
			ID: slaID(n), Title: "Radiator cold", Category: cat, Subcategory: sub, CreatedAt: now.UnixMilli()})
	}
	if r := ticket(1, 1, "facilities", "heating"); r.OK || r.Key != "category.unknown" {
		t.Fatalf("a ticket in a category not yet saved = %+v; want category.unknown", r)
	}

	mustOK(t, push(t, s.Service, slaAdmin, 4, shared.OpConfigSave, save))
	if !s.Categories().HasSubcategory("facilities", "heating") {
		t.Fatal("the saved tree is not in use")
	}
	mustOK(t, ticket(2, 2, "facilities", "heating"))
	other := openSLA(t, t.TempDir(), &now)
	defer other.close(t)
	if r := push(t, other.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{
		ID: slaID(3), Title: "Radiator cold", Category: "facilities", CreatedAt: now.UnixMilli()}); r.OK || r.Key != "category.unknown" {
		t.Fatalf("a ticket in facilities on another server = %+v; want category.unknown (its tree is the default)", r)
	}

	// A restart puts the stored tree in use, and does not seed over it.
	s.close(t)
	s = openSLA(t, dir, &now)
	defer s.close(t)
	if s.Categories().Has("facilities") {
		t.Fatal("a new Service uses a tree it has not read")
	}
	if seeded, err := s.SeedCategories(ctx); err != nil || seeded {
		t.Fatalf("SeedCategories after restart = %v, %v; want kept", seeded, err)
	}
	if !s.Categories().Has("facilities") {
		t.Fatal("the stored tree is not in use after a restart")
	}
	// Removing a category still in use is allowed; the ticket keeps it.
	mustOK(t, push(t, s.Service, slaAdmin, 5, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: shared.Categories}))
	if s.Categories().Has("facilities") {
		t.Fatal("the removed category is still valid")
	}
	if got, _ := get[shared.Ticket](t, s.db, wire.TypeTicket, slaID(2)); got.Category != "facilities" {
		t.Fatalf("the ticket's category = %q; want kept", got.Category)
	}
}
