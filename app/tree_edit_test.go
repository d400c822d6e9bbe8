package app

import (
	"reflect"
	"testing"

	"outpost/shared"
	"outpost/shared/tree"
)

func editorTree() *tree.Tree {
	return &tree.Tree{ID: "t", Lang: "en", Title: "T", Category: "network", Status: tree.StatusDraft, Start: "ask",
		Nodes: []tree.Node{
			{ID: "ask", Kind: tree.KindQuestion, Text: "?", Answers: []tree.Choice{{ID: "a", Text: "A", Next: "try"}, {ID: "b", Text: "B", Next: "try"}}},
			{ID: "orphan", Kind: tree.KindEscalate, Text: "x", Priority: "P3"},
			{ID: "try", Kind: tree.KindStep, Text: "Try"},
		}}
}

// TestEditorOutline: depths follow the path from the start, and each
// problem is shown beside the node it names.
func TestEditorOutline(t *testing.T) {
	tr := editorTree()
	if got, want := depths(tr), []int{0, -1, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("depths = %v; want %v", got, want)
	}
	own, byNode := sortProblems("en", tree.Validate(tr, shared.Categories, func(string) bool { return false }))
	if len(own) != 0 {
		t.Errorf("tree problems = %q; want none", own)
	}
	want := map[string][]string{
		"try":    {`Node "try" needs a next node for when it did not help.`},
		"orphan": {`Node "orphan" cannot be reached from the start node.`},
	}
	if !reflect.DeepEqual(byNode, want) {
		t.Errorf("problems by node = %q; want %q", byNode, want)
	}
	renameNode(tr, 2, "step")
	if tr.Nodes[0].Answers[0].Next != "step" || tr.Nodes[0].Answers[1].Next != "step" {
		t.Errorf("after renaming, answers lead to %q, %q; want step", tr.Nodes[0].Answers[0].Next, tr.Nodes[0].Answers[1].Next)
	}
}

func TestDeflection(t *testing.T) {
	for _, tc := range []struct {
		in   tree.Counts
		want string
	}{
		{tree.Counts{}, "–"},
		{tree.Counts{Started: 4, Solved: 1}, "25%"},
		{tree.Counts{Started: 3, Solved: 2, Escalated: 1}, "67%"},
	} {
		if got := deflection(tc.in); got != tc.want {
			t.Errorf("deflection(%+v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
