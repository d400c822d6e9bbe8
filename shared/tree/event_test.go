package tree

import (
	"encoding/json"
	"testing"

	"outpost/shared"
)

const eventID = "0190c3a1-0000-7000-8000-000000000001"

func TestRunEventValidate(t *testing.T) {
	ok := RunEvent{ID: eventID, Event: Event{Tree: "no-internet", Node: "connection", Kind: EventStarted}, CreatedAt: 1}
	cases := []struct {
		name   string
		change func(e *RunEvent)
		key    string
	}{
		{"valid", func(e *RunEvent) {}, ""},
		{"bad id", func(e *RunEvent) { e.ID = "1" }, "troubleshoot.event_bad_id"},
		{"bad tree", func(e *RunEvent) { e.Tree = "No Internet" }, "tree.bad_id"},
		{"no node", func(e *RunEvent) { e.Node = "" }, "tree.node_bad_id"},
		{"unknown kind", func(e *RunEvent) { e.Kind = "paused" }, "troubleshoot.event_bad_kind"},
		{"negative time", func(e *RunEvent) { e.CreatedAt = -1 }, "troubleshoot.event_bad_time"},
		{"time beyond 2^53", func(e *RunEvent) { e.CreatedAt = 1<<53 + 1 }, "troubleshoot.event_bad_time"},
	}
	for _, c := range cases {
		e := ok
		c.change(&e)
		err := e.Validate()
		key, _ := shared.ErrorKey(err)
		if err == nil {
			key = ""
		}
		if key != c.key || err != nil && shared.ErrorCode(err) != shared.EINVALID {
			t.Errorf("%s: Validate() = %v; want key %q", c.name, err, c.key)
		}
	}
}

// TestRunEventJSON pins the mutation's wire form: the Event's fields sit
// beside the ID, not nested.
func TestRunEventJSON(t *testing.T) {
	e := RunEvent{ID: eventID, Event: Event{Tree: "t", Node: "n", Kind: EventSolved}, CreatedAt: 5}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"` + eventID + `","tree":"t","node":"n","kind":"solved","created_at":5}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s; want %s", b, want)
	}
}

func TestTreeStatsAdd(t *testing.T) {
	var s TreeStats
	s.Add(Event{Tree: "t", Node: "start", Kind: EventStarted}, true, 1)
	s.Add(Event{Tree: "t", Node: "ticket", Kind: EventEscalated}, true, 2)
	s.Add(Event{Tree: "t", Node: "gone", Kind: EventAbandoned}, false, 3)
	if s.Add(Event{Tree: "t", Node: "start", Kind: "paused"}, true, 4) {
		t.Error("Add(unknown kind) = true; want false")
	}
	want := Counts{Started: 1, Escalated: 1, Abandoned: 1}
	if s.Counts != want || s.Tree != "t" || s.UpdatedAt != 3 {
		t.Errorf("stats = %+v; want %+v for tree t, updated at 3", s, want)
	}
	if len(s.Nodes) != 2 || s.Nodes["start"].Started != 1 || s.Nodes["ticket"].Escalated != 1 {
		t.Errorf("node stats = %+v; want start: 1 started, ticket: 1 escalated, and not the unknown node", s.Nodes)
	}
}
