package app

import (
	"slices"
	"testing"
	"time"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestClientTreeIsItsReplicas: a Client names, offers and checks
// categories with the default tree until its replica has one, then with
// the replica's; a record it cannot use keeps the tree in use; a second
// Client beside it keeps its own.
func TestClientTreeIsItsReplicas(t *testing.T) {
	t.Parallel()
	mem := store.NewMemory()
	c, other := &Client{Store: mem}, &Client{Store: store.NewMemory()}
	put := func(data string, cursor uint64) {
		t.Helper()
		if err := mem.Apply([]wire.Change{{Type: wire.TypeConfig, ID: shared.ConfigCategories, Data: []byte(data)}}, cursor); err != nil {
			t.Fatal(err)
		}
	}
	slugs := func(c *Client) []string {
		var out []string
		for _, o := range c.categoryOptions("en") {
			out = append(out, o.value)
		}
		return out
	}
	if c.refreshCategories() || !slices.Equal(slugs(c), []string{"network", "accounts", "email", "devices"}) {
		t.Fatalf("before the replica has a tree: changed, options = %v; want the default tree", slugs(c))
	}

	put(`[{"slug":"facilities","names":{"en":"Plant and buildings","es":"Edificios"},"subcategories":[{"slug":"heating"}]},{"slug":"network"}]`, 1)
	if !c.refreshCategories() {
		t.Fatal("refreshCategories after the record arrived = false; want true")
	}
	if c.refreshCategories() {
		t.Error("refreshCategories of the same record again = true; want false (no redraw)")
	}
	if got := slugs(c); !slices.Equal(got, []string{"facilities", "network"}) {
		t.Errorf("options = %v; want the replica's tree", got)
	}
	if got := c.categoryName("es", "facilities"); got != "Edificios" {
		t.Errorf("categoryName(es, facilities) = %q; want Edificios", got)
	}
	tc := shared.TicketCreate{ID: shared.NewID(time.UnixMilli(1_800_000_000_000)), Title: "Cold radiator", Category: "facilities", Subcategory: "heating"}
	if err := tc.Validate(c.categories()); err != nil {
		t.Errorf("a ticket in the replica's new category = %v; want valid", err)
	}
	if key, _ := shared.ErrorKey(tc.Validate(other.categories())); key != "category.unknown" {
		t.Errorf("the same ticket on another client = %q; want category.unknown (its tree is the default)", key)
	}

	for i, bad := range []string{`[]`, `{"slug":"x"}`, `[{"slug":"none"}]`} {
		put(bad, uint64(2+i))
		if c.refreshCategories() || !slices.Equal(slugs(c), []string{"facilities", "network"}) {
			t.Errorf("record %s: the tree in use changed to %v; want kept", bad, slugs(c))
		}
	}
}
