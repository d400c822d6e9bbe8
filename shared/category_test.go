package shared_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"outpost/shared"
	"outpost/shared/i18n"
)

func TestCategoryTreeValidate(t *testing.T) {
	subs := func(slugs ...string) []shared.Subcategory {
		var out []shared.Subcategory
		for _, s := range slugs {
			out = append(out, shared.Subcategory{Slug: s})
		}
		return out
	}
	many := func(n int) shared.CategoryTree {
		var tree shared.CategoryTree
		for i := 0; i < n; i++ {
			tree = append(tree, shared.Category{Slug: fmt.Sprintf("c%d", i)})
		}
		return tree
	}
	tests := []struct {
		name string
		in   shared.CategoryTree
		want string // catalog key; "" for valid
	}{
		{"default", shared.Categories, ""},
		{"empty", nil, ""},
		{"ten categories", many(10), ""},
		{"eleven categories", many(11), "category.too_many"},
		{"five subcategories", shared.CategoryTree{{Slug: "a", Subcategories: subs("a", "b", "c", "d", "e")}}, ""},
		{"six subcategories", shared.CategoryTree{{Slug: "a", Subcategories: subs("a", "b", "c", "d", "e", "f")}}, "category.too_many_subs"},
		{"bad slug", shared.CategoryTree{{Slug: "Network"}}, "category.bad_slug"},
		{"empty slug", shared.CategoryTree{{Slug: ""}}, "category.bad_slug"},
		{"duplicate", shared.CategoryTree{{Slug: "a"}, {Slug: "b"}, {Slug: "a"}}, "category.duplicate_slug"},
		{"bad subcategory slug", shared.CategoryTree{{Slug: "a", Subcategories: subs("wi fi")}}, "subcategory.bad_slug"},
		{"duplicate subcategory", shared.CategoryTree{{Slug: "a", Subcategories: subs("x", "x")}}, "subcategory.duplicate"},
		{"same subcategory in two categories", shared.CategoryTree{{Slug: "a", Subcategories: subs("x")}, {Slug: "b", Subcategories: subs("x")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if key, _ := shared.ErrorKey(err); (err == nil) != (tt.want == "") || (err != nil && key != tt.want) {
				t.Fatalf("Validate() = %v; want %q", err, tt.want)
			}
			if err != nil && shared.ErrorCode(err) != shared.EINVALID {
				t.Errorf("Validate() code = %q; want %q", shared.ErrorCode(err), shared.EINVALID)
			}
		})
	}
}

func TestHasSubcategory(t *testing.T) {
	tests := []struct {
		cat, sub string
		want     bool
	}{
		{"network", "wifi", true},
		{"email", "shared-mailbox", true},
		{"devices", "phone", true},
		{"network", "printer", false},
		{"snacks", "wifi", false},
		{"network", "", false},
	}
	for _, tt := range tests {
		if got := shared.Categories.HasSubcategory(tt.cat, tt.sub); got != tt.want {
			t.Errorf("Categories.HasSubcategory(%q, %q) = %v; want %v", tt.cat, tt.sub, got, tt.want)
		}
	}
}

// TestCategoryNamesInCatalog checks that every category and subcategory has
// a display name in every language, and so does every error the tree can
// give.
func TestCategoryNamesInCatalog(t *testing.T) {
	keys := []string{
		"category.too_many", "category.bad_slug", "category.duplicate_slug", "category.too_many_subs",
		"subcategory.bad_slug", "subcategory.duplicate", "subcategory.unknown",
		"article.bad_status", "article.bad_revision", "article.bad_time", "article.bad_updated_by", "article.bad_tag",
	}
	for _, c := range shared.Categories {
		keys = append(keys, "category."+c.Slug)
		for _, s := range c.Subcategories {
			keys = append(keys, "subcategory."+c.Slug+"."+s.Slug)
		}
	}
	for _, lang := range shared.Languages {
		have := i18n.Keys(lang)
		sort.Strings(have)
		for _, k := range keys {
			if i := sort.SearchStrings(have, k); i == len(have) || have[i] != k {
				t.Errorf("catalog %s has no message %q", lang, k)
			}
		}
	}
}

func TestArticleValidateLifecycleFields(t *testing.T) {
	good := shared.Article{
		ID: "wifi-connect", Lang: "en", Title: "Wi-Fi", Category: "network", Subcategory: "wifi",
		Visibility: shared.Public, Status: shared.ArticlePublished, Revision: 1, UpdatedBy: shared.AuthorImport,
		Tags: []string{"wifi"},
	}
	if err := good.Validate(shared.Categories); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	tests := []struct {
		name   string
		change func(*shared.Article)
		want   string
	}{
		{"no subcategory", func(a *shared.Article) { a.Subcategory = "" }, ""},
		{"subcategory of another category", func(a *shared.Article) { a.Subcategory = "printer" }, "subcategory.unknown"},
		{"draft", func(a *shared.Article) { a.Status = shared.ArticleDraft }, ""},
		{"archived", func(a *shared.Article) { a.Status = shared.ArticleArchived }, ""},
		{"no status", func(a *shared.Article) { a.Status = "" }, "article.bad_status"},
		{"ticket status", func(a *shared.Article) { a.Status = "open" }, "article.bad_status"},
		{"revision 0", func(a *shared.Article) { a.Revision = 0 }, "article.bad_revision"},
		{"no author", func(a *shared.Article) { a.UpdatedBy = " " }, "article.bad_updated_by"},
		{"negative time", func(a *shared.Article) { a.UpdatedAt = -1 }, "article.bad_time"},
		{"time in the year 10000", func(a *shared.Article) { a.UpdatedAt = shared.MaxTime + 1 }, "article.bad_time"},
		{"last time", func(a *shared.Article) { a.UpdatedAt = shared.MaxTime }, ""},
		{"empty tag", func(a *shared.Article) { a.Tags = []string{"ok", ""} }, "article.bad_tag"},
		{"two-line tag", func(a *shared.Article) { a.Tags = []string{"a\nb"} }, "article.bad_tag"},
	}
	for _, tt := range tests {
		a := good
		tt.change(&a)
		err := a.Validate(shared.Categories)
		if key, _ := shared.ErrorKey(err); (err == nil) != (tt.want == "") || (err != nil && key != tt.want) {
			t.Errorf("%s: Validate() = %v; want %q", tt.name, err, tt.want)
		}
	}
}

func TestRevisionIDsSortByNumber(t *testing.T) {
	var ids []string
	for _, n := range []int{10, 2, 1, 100, 9} {
		ids = append(ids, shared.RevisionID("vpn-setup", n))
	}
	ids = append(ids, shared.RevisionID("vpn-setup-es", 1))
	sort.Strings(ids)
	want := []string{
		"vpn-setup-es.0000000001", // "-" sorts before "."
		"vpn-setup.0000000001", "vpn-setup.0000000002", "vpn-setup.0000000009",
		"vpn-setup.0000000010", "vpn-setup.0000000100",
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("sorted revision IDs = %q; want %q", ids, want)
	}
}

// TestValidationTakesTheTreeInUse: what is valid is decided by the tree
// the caller passes (the server's or the device's), not by a tree held
// in this package.
func TestValidationTakesTheTreeInUse(t *testing.T) {
	t.Parallel()
	tree := shared.CategoryTree{{Slug: "facilities", Subcategories: []shared.Subcategory{{Slug: "heating"}}}, {Slug: "network"}}
	if err := tree.ValidateConfig(); err != nil {
		t.Fatalf("ValidateConfig(facilities, network) = %v", err)
	}
	switch {
	case !tree.Has("facilities") || !tree.HasSubcategory("facilities", "heating"):
		t.Error("the new category is not in the tree")
	case tree.Has("accounts") || tree.HasSubcategory("network", "wifi"):
		t.Error("a category or subcategory left out is in the tree")
	}
	now := time.UnixMilli(1_800_000_000_000)
	tc := shared.TicketCreate{ID: shared.NewID(now), Title: "Cold radiator", Category: "facilities", Subcategory: "heating"}
	a := shared.Article{
		ID: "radiators", Lang: "en", Title: "Radiators", Category: "facilities", Subcategory: "heating",
		Visibility: shared.Public, Status: shared.ArticlePublished, Revision: 1, UpdatedBy: shared.AuthorImport,
	}
	k := shared.KioskCheckin{ID: shared.NewID(now), Site: "lobby", Number: "A-001", Name: "Ana", Email: "ana@example.com", Reason: "facilities/heating", CreatedAt: 1}
	v := shared.VisitOp{ID: shared.NewID(now), TicketID: shared.NewID(now), Title: "Cold radiator", Category: "facilities", Subcategory: "heating"}
	for _, tt := range []struct {
		name     string
		validate func(shared.CategoryTree) error
		wantKey  string // against the default tree
	}{
		{"ticket", tc.Validate, "category.unknown"},
		{"article", a.Validate, "category.unknown"},
		{"kiosk check-in", k.Validate, "kiosk.bad_reason"},
		{"visit.ticket", func(c shared.CategoryTree) error { return v.Validate(shared.OpVisitTicket, c) }, "category.unknown"},
	} {
		if err := tt.validate(tree); err != nil {
			t.Errorf("%s: Validate(tree with facilities) = %v; want nil", tt.name, err)
		}
		if key, _ := shared.ErrorKey(tt.validate(shared.Categories)); key != tt.wantKey {
			t.Errorf("%s: Validate(default tree) = %q; want %q", tt.name, key, tt.wantKey)
		}
	}
	for _, tt := range []struct {
		name string
		in   shared.CategoryTree
		want string
	}{
		{"empty", nil, "catadmin.empty"},
		{"reserved", shared.CategoryTree{{Slug: "network"}, {Slug: "none"}}, "catadmin.reserved"},
		{"bad slug", shared.CategoryTree{{Slug: "Bad Slug"}}, "category.bad_slug"},
		{"duplicate", shared.CategoryTree{{Slug: "a"}, {Slug: "a"}}, "category.duplicate_slug"},
		{"duplicate sub", shared.CategoryTree{{Slug: "a", Subcategories: []shared.Subcategory{{Slug: "x"}, {Slug: "x"}}}}, "subcategory.duplicate"},
	} {
		err := tt.in.ValidateConfig()
		if key, _ := shared.ErrorKey(err); key != tt.want {
			t.Errorf("%s: ValidateConfig = %v; want %s", tt.name, err, tt.want)
		}
	}
}
