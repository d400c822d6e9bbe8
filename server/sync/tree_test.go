package sync_test

import (
	"context"
	"encoding/json"
	"testing"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// putTree stores a small published tree: a question, then a ticket.
func putTree(t *testing.T, db store.Store) {
	t.Helper()
	tr := tree.Tree{
		ID: "printer", Lang: "en", Title: "Printer", Category: "printing", Status: tree.StatusPublished, Start: "ask",
		Nodes: []tree.Node{
			{ID: "ask", Kind: tree.KindQuestion, Text: "Lights?", Answers: []tree.Choice{
				{ID: "on", Text: "On", Next: "ticket"}, {ID: "off", Text: "Off", Next: "ticket"},
			}},
			{ID: "ticket", Kind: tree.KindEscalate, Text: "Tell us the model.", Priority: "P3"},
		},
	}
	data, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeTree, tr.ID, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runEvent(n int, node, kind string) tree.RunEvent {
	return tree.RunEvent{ID: feedbackID(n), Event: tree.Event{Tree: "printer", Node: node, Kind: kind}, CreatedAt: 1}
}

func TestTreeEventsCountOncePerTreeAndNode(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	putTree(t, db)
	ctx := context.Background()
	ms := []wire.Mutation{
		mutation(t, 1, shared.OpTreeEvent, runEvent(1, "ask", tree.EventStarted)),
		mutation(t, 2, shared.OpTreeEvent, runEvent(2, "ticket", tree.EventEscalated)),
		mutation(t, 3, shared.OpTreeEvent, runEvent(3, "ask", tree.EventStarted)),
		mutation(t, 4, shared.OpTreeEvent, runEvent(4, "ask", tree.EventAbandoned)),
		// A node the tree no longer has counts for the tree only.
		mutation(t, 5, shared.OpTreeEvent, runEvent(5, "removed-node", tree.EventAbandoned)),
	}
	for range 2 { // the second push is a resend after a lost ack
		res, err := s.Push(ctx, client, ms)
		if err != nil || len(res) != len(ms) {
			t.Fatalf("Push = %+v, %v", res, err)
		}
		for _, r := range res {
			if !r.OK {
				t.Fatalf("Push = %+v; want every event accepted", res)
			}
		}
	}
	stats, found := get[tree.TreeStats](t, db, outsync.TypeTreeStats, "printer")
	want := tree.Counts{Started: 2, Escalated: 1, Abandoned: 2}
	if !found || stats.Counts != want || stats.Tree != "printer" {
		t.Fatalf("treestat printer = %+v (found %v); want %+v", stats, found, want)
	}
	wantNodes := map[string]tree.Counts{
		"ask":    {Started: 2, Abandoned: 1},
		"ticket": {Escalated: 1},
	}
	if len(stats.Nodes) != len(wantNodes) {
		t.Errorf("node stats = %+v; want %+v", stats.Nodes, wantNodes)
	}
	for node, w := range wantNodes {
		if stats.Nodes[node] != w {
			t.Errorf("node %s = %+v; want %+v", node, stats.Nodes[node], w)
		}
	}

	// Requesters never see the counts; agents do.
	page, err := s.Pull(ctx, client, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Changes {
		if c.Type == outsync.TypeTreeStats {
			t.Errorf("a signed-out device pulled %s/%s", c.Type, c.ID)
		}
	}
	agent := &shared.Identity{UserID: "0190c3a1-0000-7000-8000-0000000000aa", Email: "a@example.com", Role: shared.RoleAgent}
	page, err = s.PullAs(ctx, outsync.Actor{ClientID: client, User: agent}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, c := range page.Changes {
		seen = seen || c.Type == outsync.TypeTreeStats && c.ID == "printer"
	}
	if !seen {
		t.Error("an agent did not pull treestat/printer")
	}
}

func TestTreeEventRejections(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	putTree(t, db)
	ctx := context.Background()
	cases := []struct {
		name string
		args any
		code string
		key  string
	}{
		{"no such tree", tree.RunEvent{ID: feedbackID(1), Event: tree.Event{Tree: "nope", Node: "ask", Kind: tree.EventStarted}}, shared.ENOTFOUND, "troubleshoot.no_tree"},
		{"bad id", tree.RunEvent{ID: "x", Event: tree.Event{Tree: "printer", Node: "ask", Kind: tree.EventStarted}}, shared.EINVALID, "troubleshoot.event_bad_id"},
		{"unknown kind", runEvent(2, "ask", "paused"), shared.EINVALID, "troubleshoot.event_bad_kind"},
		{"bad node", runEvent(3, "Ask!", tree.EventStarted), shared.EINVALID, "tree.node_bad_id"},
		{"not an object", "started", shared.EINVALID, "mutation.bad_args"},
	}
	for i, c := range cases {
		res, err := s.Push(ctx, client, []wire.Mutation{mutation(t, uint64(i+1), shared.OpTreeEvent, c.args)})
		if err != nil || len(res) != 1 || res[0].OK || res[0].Code != c.code || res[0].Key != c.key {
			t.Errorf("%s: Push = %+v, %v; want rejection %s %s", c.name, res, err, c.code, c.key)
		}
	}
	if stats, found := get[tree.TreeStats](t, db, outsync.TypeTreeStats, "printer"); found {
		t.Errorf("rejected events changed the stats: %+v", stats)
	}
	// The same event queued twice (two mutations, one event ID) counts once,
	// from this device or another.
	ev := runEvent(9, "ask", tree.EventStarted)
	s.Push(ctx, client, []wire.Mutation{mutation(t, 10, shared.OpTreeEvent, ev)})
	res, _ := s.Push(ctx, client, []wire.Mutation{mutation(t, 11, shared.OpTreeEvent, ev)})
	if len(res) != 1 || res[0].Code != shared.ECONFLICT || res[0].Key != "troubleshoot.event_exists" {
		t.Errorf("duplicate event ID: %+v; want troubleshoot.event_exists", res)
	}
	other := "0190c3a1-0000-7000-8000-000000000002"
	res, _ = s.Push(ctx, other, []wire.Mutation{mutation(t, 1, shared.OpTreeEvent, ev)})
	if len(res) != 1 || res[0].Key != "troubleshoot.event_exists" {
		t.Errorf("duplicate event ID from another device: %+v; want troubleshoot.event_exists", res)
	}
	if stats, _ := get[tree.TreeStats](t, db, outsync.TypeTreeStats, "printer"); stats.Started != 1 {
		t.Errorf("stats after duplicates = %+v; want 1 started", stats)
	}
}
