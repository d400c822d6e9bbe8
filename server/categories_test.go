package server

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"outpost/server/postgres/pgtest"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestCategoryTreeReachesOtherNodes: each node holds the category tree it
// checks mutations against. An admin's new tree saved on node A is put in
// use on node B once B hears of A's commit, with no restart: a ticket
// in the new category is then accepted on B.
func TestCategoryTreeReachesOtherNodes(t *testing.T) {
	nodes := startNodes(t, pgtest.DB(t), 2)
	a, b := nodes[0], nodes[1]
	ctx := context.Background()
	push := func(m *Main, who *shared.Identity, name string, args any) wire.Result {
		t.Helper()
		raw, _ := json.Marshal(args)
		rs, err := m.Sync.PushAs(ctx, outsync.Actor{ClientID: shared.NewID(time.Now()), User: who}, []wire.Mutation{{Seq: 1, Name: name, Args: raw}})
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s = %+v, %v", name, rs, err)
		}
		return rs[0]
	}
	ticket := shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "Radiator cold", Category: "facilities", CreatedAt: time.Now().UnixMilli()}
	if r := push(b, nil, shared.OpTicketCreate, ticket); r.OK || r.Key != "category.unknown" {
		t.Fatalf("a ticket in facilities on B before the save = %+v; want category.unknown", r)
	}

	admin := &shared.Identity{UserID: shared.NewID(time.Now()), Email: "ada@example.com", Role: shared.RoleAdmin}
	tree := append(shared.Categories.Clone(), shared.Category{Slug: "facilities"})
	if r := push(a, admin, shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: tree}); !r.OK {
		t.Fatalf("config.save on A = %+v; want OK", r)
	}
	if !a.Sync.Categories().Has("facilities") {
		t.Fatal("the saved tree is not in use on A once committed")
	}
	deadline := time.Now().Add(20 * time.Second) // bounds a failure only: B polls every 3 s at worst
	for !b.Sync.Categories().Has("facilities") {
		if time.Now().After(deadline) {
			t.Fatal("node B did not put A's saved tree in use within 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	ticket.ID = shared.NewID(time.Now())
	if r := push(b, nil, shared.OpTicketCreate, ticket); !r.OK {
		t.Fatalf("a ticket in facilities on B after the save = %+v; want OK", r)
	}
}
