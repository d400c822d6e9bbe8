package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestServerPagesUseTheServersTree: what the server answers from its
// category tree (prerendered pages, the search API) follows the tree its
// sync Service has in use: after an admin saves a tree with a new, named
// category, the home page offers it by its name and drops a removed one,
// and the search API accepts the new category and refuses the removed
// one. Not parallel: go-app's router is process-wide, and pages are
// prerendered from the last server opened.
func TestServerPagesUseTheServersTree(t *testing.T) {
	s := newServer(t)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if _, home := get("/"); !strings.Contains(home, `data-category="accounts"`) || strings.Contains(home, `data-category="facilities"`) {
		t.Fatalf("home page before the save offers the wrong categories:\n%s", home)
	}

	tree := shared.CategoryTree{{Slug: "facilities", Names: shared.Names{"en": "Plant and buildings", "es": "Edificios"}}, {Slug: "network"}}
	args, _ := json.Marshal(shared.CategorySave{ID: shared.ConfigCategories, Categories: tree})
	admin := &shared.Identity{UserID: shared.NewID(s.Sync.Now()), Email: "ada@example.com", Role: shared.RoleAdmin}
	rs, err := s.Sync.PushAs(context.Background(), outsync.Actor{ClientID: clientA, User: admin},
		[]wire.Mutation{{Seq: 1, Name: shared.OpConfigSave, Args: args}})
	if err != nil || len(rs) != 1 || !rs[0].OK {
		t.Fatalf("config.save = %+v, %v; want OK", rs, err)
	}

	_, home := get("/")
	if !strings.Contains(home, `data-category="facilities"`) || !strings.Contains(home, "Plant and buildings") {
		t.Errorf("home page after the save does not offer Plant and buildings:\n%s", home)
	}
	if strings.Contains(home, `data-category="accounts"`) {
		t.Errorf("home page after the save still offers the removed category accounts")
	}
	if code, body := get("/api/search?q=radiator&category=facilities"); code != http.StatusOK {
		t.Errorf("search in the new category = %d %s; want 200", code, body)
	}
	if code, body := get("/api/search?q=password&category=accounts"); code != http.StatusBadRequest || !strings.Contains(body, "category.unknown") {
		t.Errorf("search in the removed category = %d %s; want 400 category.unknown", code, body)
	}
}
