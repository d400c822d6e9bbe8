package sync_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"outpost/shared"
	"outpost/shared/wire"
)

// TestDisplayNamesAreConfig: an admin names a new category, its
// subcategory and a site in English and Spanish (issue 16); names that are
// blank, too long or in a language the portal does not speak are refused
// with the thing named and nothing stored; only admins may name sites; a
// tree saved before names existed still loads.
func TestDisplayNamesAreConfig(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "outpost-names")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	now := madrid(2026, 1, 5, 9, 0)
	s := openSLA(t, dir, &now)
	defer s.close(t)
	if _, err := s.SeedCategories(context.Background()); err != nil {
		t.Fatal(err)
	}

	named := shared.Category{Slug: "facilities", Names: shared.Names{"en": "Facilities", "es": "Instalaciones"},
		Subcategories: []shared.Subcategory{{Slug: "heating", Names: shared.Names{"en": "Heating", "es": "Calefacción"}}}}
	bad := []struct {
		name  string
		names shared.Names
		key   string
	}{
		{"blank", shared.Names{"en": "  ", "es": "Instalaciones"}, "names.blank"},
		{"padded", shared.Names{"en": " Facilities", "es": "Instalaciones"}, "names.blank"},
		{"too long", shared.Names{"en": strings.Repeat("x", shared.MaxDisplayName+1)}, "names.too_long"},
		{"control", shared.Names{"en": "Faci\nlities"}, "names.control"},
		{"french", shared.Names{"fr": "Installations"}, "names.bad_lang"},
	}
	seq := uint64(1)
	for _, b := range bad {
		c := named
		c.Names = b.names
		tree := append(shared.Categories.Clone(), c)
		if r := push(t, s.Service, slaAdmin, seq, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: tree}); r.OK || r.Key != b.key {
			t.Errorf("%s: config.save = %+v; want %s", b.name, r, b.key)
		}
		seq++
	}
	if s.Categories().Has("facilities") {
		t.Fatal("a refused tree was put in use")
	}
	mustOK(t, push(t, s.Service, slaAdmin, seq, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: append(shared.Categories.Clone(), named)}))
	seq++
	stored, _ := get[shared.CategoryTree](t, s.db, wire.TypeConfig, shared.ConfigCategories)
	got, ok := stored.Find("facilities")
	if !ok || got.Names.Own("es") != "Instalaciones" || got.Subcategories[0].Names.Own("es") != "Calefacción" {
		t.Fatalf("stored category = %+v; want its names", got)
	}
	if c, _ := s.Categories().Find("network"); c.Names != nil {
		t.Fatalf("a category saved without names = %+v; want none (the catalog names it)", c)
	}

	sites := shared.SiteList{{Slug: "madrid-hq", Names: shared.Names{"en": "Madrid HQ", "es": "Sede de Madrid"}}}
	if r := push(t, s.Service, agentAna, 1, shared.OpConfigSave, shared.SiteSave{ID: shared.ConfigSites, Sites: sites}); r.OK || r.Key != "sites.admin_only" {
		t.Fatalf("an agent naming a site = %+v; want sites.admin_only", r)
	}
	dup := append(sites, sites[0])
	if r := push(t, s.Service, slaAdmin, seq, shared.OpConfigSave, shared.SiteSave{ID: shared.ConfigSites, Sites: dup}); r.OK || r.Key != "sites.duplicate" {
		t.Fatalf("a site named twice = %+v; want sites.duplicate", r)
	}
	seq++
	if r := push(t, s.Service, slaAdmin, seq, shared.OpConfigSave, shared.SiteSave{ID: shared.ConfigSites, Sites: shared.SiteList{{Slug: "Madrid HQ"}}}); r.OK || r.Key != "role.bad_site" {
		t.Fatalf("a bad site slug = %+v; want role.bad_site", r)
	}
	seq++
	mustOK(t, push(t, s.Service, slaAdmin, seq, shared.OpConfigSave, shared.SiteSave{ID: shared.ConfigSites, Sites: sites}))
	list, _ := get[shared.SiteList](t, s.db, wire.TypeConfig, shared.ConfigSites)
	if n := list.Name("es", "madrid-hq"); n != "Sede de Madrid" {
		t.Fatalf("stored site name in es = %q; want Sede de Madrid", n)
	}
	if n := list.Name("en", "bilbao-office"); n != "Bilbao Office" {
		t.Fatalf("an unnamed site = %q; want its slug title-cased", n)
	}
}
