package tree

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"outpost/shared"
)

// printer returns a copy of testdata/trees/printer.json, for tests to edit.
func printer(t testing.TB) *Tree {
	t.Helper()
	tr, err := Decode(must(t, "testdata/trees/printer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func must(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func answers(pairs ...string) []Answer {
	var out []Answer
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Answer{Node: pairs[i], Choice: pairs[i+1]})
	}
	return out
}

func choiceIDs(cs []Choice) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func errKey(err error) string {
	if err == nil {
		return ""
	}
	key, args := shared.ErrorKey(err)
	return fmt.Sprintf("%s %v", key, args)
}

func TestEval(t *testing.T) {
	online := Facts{Online: true, Lang: "en"}
	offline := Facts{Lang: "en"}
	tests := []struct {
		name    string
		facts   Facts
		answers []Answer
		node    string
		outcome string
		visible []string
		err     string // key and args
	}{
		{"start", online, nil, "power", "", []string{"on", "off"}, ""},
		{"condition shows answer online", online, answers("power", "on"), "screen", "", []string{"jam", "portal", "nothing"}, ""},
		{"condition hides answer offline", offline, answers("power", "on"), "screen", "", []string{"jam", "nothing"}, ""},
		{"step offers yes and no", online, answers("power", "off"), "switch-on", "", []string{Yes, No}, ""},
		{"step fixed it", online, answers("power", "off", "switch-on", Yes), "switch-on", Solved, nil, ""},
		{"step did not help", online, answers("power", "off", "switch-on", No), "screen", "", []string{"jam", "portal", "nothing"}, ""},
		{"solution confirmed", offline, answers("power", "on", "screen", "jam", "jam", Yes), "jam", Solved, nil, ""},
		{"solution not confirmed", offline, answers("power", "on", "screen", "jam", "jam", No), "ticket", Escalated, nil, ""},
		{"escalates at once", offline, answers("power", "on", "screen", "nothing"), "ticket", Escalated, nil, ""},
		{"hidden answer", offline, answers("power", "on", "screen", "portal"), "screen", "", []string{"jam", "nothing"}, "tree.eval_hidden_answer [2 screen portal]"},
		{"unknown answer", online, answers("power", "maybe"), "power", "", []string{"on", "off"}, "tree.eval_unknown_answer [1 power maybe]"},
		{"yes is no answer to a question", online, answers("power", Yes), "power", "", []string{"on", "off"}, "tree.eval_unknown_answer [1 power yes]"},
		{"answer at another node", online, answers("power", "on", "power", "on"), "screen", "", []string{"jam", "portal", "nothing"}, "tree.eval_wrong_node [2 power screen]"},
		{"answer after solved", online, answers("power", "off", "switch-on", Yes, "switch-on", No), "switch-on", Solved, nil, "tree.eval_finished [3]"},
		{"answer after escalation", online, answers("power", "on", "screen", "nothing", "ticket", Yes), "ticket", Escalated, nil, "tree.eval_finished [3]"},
	}
	tr := printer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Eval(tr, tt.facts, tt.answers)
			if got := errKey(err); got != tt.err {
				t.Errorf("Eval(%v) error = %s; want %s", tt.answers, got, tt.err)
			}
			if st.Node.ID != tt.node || st.Outcome != tt.outcome {
				t.Errorf("Eval(%v) at %s, outcome %q; want %s, %q", tt.answers, st.Node.ID, st.Outcome, tt.node, tt.outcome)
			}
			if got := choiceIDs(st.Answers); !slices.Equal(got, tt.visible) {
				t.Errorf("Eval(%v) answers = %v; want %v", tt.answers, got, tt.visible)
			}
			if (st.Ticket != nil) != (st.Outcome == Escalated) {
				t.Errorf("Eval(%v) ticket = %v with outcome %q", tt.answers, st.Ticket, st.Outcome)
			}
		})
	}
}

// TestEvalBackAndRestart checks that a run is just its answers: each prefix
// shows the screen where the next answer was given, with one turn per
// answer, so Back drops the last answer and Restart passes none.
func TestEvalBackAndRestart(t *testing.T) {
	tr := printer(t)
	run := answers("power", "off", "switch-on", No, "screen", "jam", "jam", No)
	for i := len(run); i >= 0; i-- {
		st, err := Eval(tr, Facts{Online: true}, run[:i])
		if err != nil {
			t.Fatalf("Eval(%v): %v", run[:i], err)
		}
		if len(st.Transcript) != i {
			t.Errorf("Eval(%v) has %d turns; want %d", run[:i], len(st.Transcript), i)
		}
		if i < len(run) && (st.Node.ID != run[i].Node || st.Outcome != "") {
			t.Errorf("Eval(%v) is at %s (outcome %q); want %s, running", run[:i], st.Node.ID, st.Outcome, run[i].Node)
		}
	}
	if st, _ := Eval(tr, Facts{}, nil); st.Node.ID != tr.Start || st.Transcript != nil {
		t.Errorf("restart = %+v; want the start node and no transcript", st)
	}
}

func TestEvalTicket(t *testing.T) {
	tr := printer(t)
	st, err := Eval(tr, Facts{}, answers("power", "on", "screen", "jam", "jam", No))
	if err != nil {
		t.Fatal(err)
	}
	want := Ticket{
		Title:    "Printer still not printing",
		Category: "devices",
		Priority: "P3",
		Hint:     "Tell us the printer's name and what its screen says.",
	}
	got := *st.Ticket
	desc := got.Description
	got.Description = ""
	if got != want {
		t.Errorf("ticket = %+v; want %+v", got, want)
	}
	for _, s := range []string{"Printer not printing", "1. Is the printer switched on?", "Yes, it is on", "(article printer-jam)", "No, the article did not help"} {
		if !strings.Contains(desc, s) {
			t.Errorf("description %q does not mention %q", desc, s)
		}
	}

	// Without a title or category of its own, the ticket takes the tree's.
	tr.Node("ticket").Title = ""
	tr.Node("ticket").Category = ""
	tr.Category = "network"
	st, _ = Eval(tr, Facts{}, answers("power", "on", "screen", "nothing"))
	if st.Ticket.Title != tr.Title || st.Ticket.Category != "network" {
		t.Errorf("ticket title, category = %q, %q; want the tree's %q, %q", st.Ticket.Title, st.Ticket.Category, tr.Title, "network")
	}
}

func TestEvalBrokenTree(t *testing.T) {
	tr := printer(t)
	tr.Start = "nope"
	if _, err := Eval(tr, Facts{}, nil); errKey(err) != "tree.eval_start_missing [nope]" {
		t.Errorf("Eval with a missing start: %v", err)
	}
	tr = printer(t)
	tr.Node("power").Answers[0].Next = "gone"
	st, err := Eval(tr, Facts{}, answers("power", "on"))
	if errKey(err) != "tree.eval_next_missing [power gone]" || st.Node.ID != "power" {
		t.Errorf("Eval through a broken link = %s at %s; want tree.eval_next_missing at power", errKey(err), st.Node.ID)
	}
}

// TestDescribeKeepsLatest checks that a long run's description fits the
// ticket and keeps the last answers, which say most about the problem.
func TestDescribeKeepsLatest(t *testing.T) {
	tr := printer(t)
	var turns []Turn
	for i := range 2000 {
		turns = append(turns, Turn{Node: "n", Question: fmt.Sprintf("Question %d?", i), Answer: "No"})
	}
	for _, limit := range []int{shared.MaxTicketDescription, 500} {
		d := describe(tr, turns, limit)
		if n := utf8.RuneCountInString(d); n > limit {
			t.Errorf("describe(2000 turns, %d) has %d characters", limit, n)
		}
		if !strings.Contains(d, "Question 1999?") || strings.Contains(d, "Question 0?") {
			t.Errorf("describe(2000 turns, %d) does not keep the latest turns:\n%s", limit, d)
		}
		if !strings.Contains(d, "earlier answers left out") {
			t.Errorf("describe(2000 turns, %d) does not say turns were left out", limit)
		}
	}
	if d := describe(tr, turns[:3], 500); strings.Contains(d, "left out") {
		t.Errorf("describe(3 turns) = %q; want every turn", d)
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("é", MaxText+1)
	tests := []struct {
		name string
		edit func(*Tree)
		want []string // keys and args
	}{
		{"valid", func(*Tree) {}, nil},
		{"text too long", func(tr *Tree) { tr.Node("power").Text = long }, []string{"tree.node_text_too_long [power 1000]"}},
		{"text at the limit", func(tr *Tree) { tr.Node("power").Text = long[2:] }, nil},
		{"answer too long", func(tr *Tree) { tr.Node("power").Answers[1].Text = strings.Repeat("x", MaxAnswerText+1) },
			[]string{"tree.answer_text_too_long [power off 150]"}},
		{"ticket title too long", func(tr *Tree) { tr.Node("ticket").Title = strings.Repeat("x", shared.MaxTicketTitle+1) },
			[]string{"tree.ticket_title_too_long [ticket 200]"}},
		{"hint required", func(tr *Tree) { tr.Node("ticket").Text = " \n" }, []string{"tree.node_text_required [ticket]"}},
		{"no nodes", func(tr *Tree) { tr.Nodes = nil }, []string{"tree.no_nodes []", "tree.start_missing [power]"}},
		{"self loop without exit", func(tr *Tree) { tr.Node("portal").Next = "portal" }, []string{"tree.loop_no_exit_when [portal portal online = true]"}},
		{"loop with exit", func(tr *Tree) { tr.Node("jam").Next = "power" }, nil},
		{"dead end question", func(tr *Tree) {
			for i := range tr.Node("screen").Answers {
				tr.Node("screen").Answers[i].When = &Condition{Fact: FactOnline, Equals: true}
			}
		}, []string{"tree.answers_all_hidden [screen online = false]"}},
		{"lang condition", func(tr *Tree) {
			tr.Node("power").Answers[1].When = &Condition{Fact: FactLang, Equals: "es"}
		}, nil},
		{"node reachable in one world only", func(tr *Tree) {
			tr.Node("screen").Answers[1].When = &Condition{Fact: FactOnline, Equals: false}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := printer(t)
			tt.edit(tr)
			var got []string
			for _, err := range Validate(tr, shared.Categories, articleIn(goldenArticles)) {
				got = append(got, errKey(err))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestValidateTooManyNodes(t *testing.T) {
	tr := printer(t)
	for i := len(tr.Nodes); i <= MaxNodes; i++ {
		tr.Nodes = append(tr.Nodes, Node{ID: fmt.Sprintf("extra-%d", i), Kind: KindEscalate, Text: "Hint", Priority: "P4"})
	}
	errs := Validate(tr, shared.Categories, articleIn(goldenArticles))
	if len(errs) != 1 || errKey(errs[0]) != "tree.too_many_nodes [201 200]" {
		t.Errorf("Validate(201 nodes) = %v; want only tree.too_many_nodes", errs)
	}
}

func TestPublishable(t *testing.T) {
	tr := printer(t)
	if err := Publishable(tr, shared.Categories, articleIn(goldenArticles)); err != nil {
		t.Errorf("Publishable(printer) = %v; want nil", err)
	}
	err := Publishable(tr, shared.Categories, articleIn(nil))
	if shared.ErrorCode(err) != shared.EINVALID || errKey(err) != "tree.article_missing [jam printer-jam]" {
		t.Errorf("Publishable without articles = %v; want EINVALID tree.article_missing", err)
	}
	tr.Node("jam").Next = "gone"
	if err := Publishable(tr, shared.Categories, articleIn(nil)); len(err.(interface{ Unwrap() []error }).Unwrap()) != 2 {
		t.Errorf("Publishable = %v; want both problems", err)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in string
		err      string // key and args, or their start
	}{
		{"unknown field", `{"id":"x","colour":"red"}`, "tree.malformed [json: unknown field \"colour\"]"},
		{"unknown node field", `{"id":"x","nodes":[{"id":"a","kind":"step","txt":"typo"}]}`, "tree.malformed [json: unknown field \"txt\"]"},
		{"null", `null`, "tree.malformed [null]"},
		{"trailing data", `{"id":"x"} {}`, "tree.malformed [data after the tree]"},
		{"trailing brace", `{"id":"x"}}`, "tree.malformed [data after the tree]"},
		{"not utf-8", "{\"id\":\"\xff\"}", "tree.not_utf8 []"},
		{"too large", `{"id":"` + strings.Repeat("x", MaxBytes) + `"}`, "tree.too_large [262144]"},
		{"wrong type", `{"nodes":{}}`, "tree.malformed [json: cannot unmarshal object"},
		{"fine", "  {\"id\":\"x\"}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			if got := errKey(err); (tt.err == "") != (err == nil) || !strings.HasPrefix(got, tt.err) {
				t.Errorf("Decode(%.40q) = %s; want %s", tt.in, got, tt.err)
			}
		})
	}
}

// FuzzDecode decodes arbitrary bytes, then validates and runs what decoded:
// a tree from an import file must never crash the app or the server.
func FuzzDecode(f *testing.F) {
	f.Add(must(f, "testdata/trees/printer.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Decode(data)
		if err != nil {
			if shared.ErrorCode(err) != shared.EINVALID {
				t.Fatalf("Decode error %v is not EINVALID", err)
			}
			return
		}
		errs := Validate(tr, shared.Categories, func(id string) bool { return id != "" })
		for _, err := range errs {
			if shared.ErrorCode(err) != shared.EINVALID {
				t.Fatalf("Validate error %v is not EINVALID", err)
			}
		}
		// Walk the first visible answer until the run ends or stops.
		var run []Answer
		for range 50 {
			st, err := Eval(tr, Facts{Online: true, Lang: "en"}, run)
			if err != nil || st.Outcome != "" || len(st.Answers) == 0 {
				if len(errs) == 0 && (err != nil || st.Outcome == "") {
					t.Fatalf("valid tree stopped at %v: %v", run, err)
				}
				break
			}
			run = append(run, Answer{Node: st.Node.ID, Choice: st.Answers[len(st.Answers)-1].ID})
		}
		again, err := json.Marshal(tr)
		if err != nil {
			t.Fatalf("Marshal decoded tree: %v", err)
		}
		if _, err := Decode(again); err != nil && len(again) <= MaxBytes {
			t.Fatalf("Decode(Marshal(tree)): %v", err)
		}
	})
}

func TestTally(t *testing.T) {
	events := []Event{
		{"printer", "power", EventStarted},
		{"printer", "power", EventStarted},
		{"printer", "jam", EventSolved},
		{"printer", "ticket", EventEscalated},
		{"wifi", "start", EventStarted},
		{"wifi", "start", EventAbandoned},
		{"wifi", "start", "exploded"},
	}
	got := Tally(events)
	want := Stats{
		Trees: map[string]Counts{
			"printer": {Started: 2, Solved: 1, Escalated: 1},
			"wifi":    {Started: 1, Abandoned: 1},
		},
		Nodes: map[NodeKey]Counts{
			{"printer", "power"}:  {Started: 2},
			{"printer", "jam"}:    {Solved: 1},
			{"printer", "ticket"}: {Escalated: 1},
			{"wifi", "start"}:     {Started: 1, Abandoned: 1},
		},
		Unknown: 1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tally = %+v; want %+v", got, want)
	}
	if empty := Tally(nil); len(empty.Trees) != 0 || len(empty.Nodes) != 0 || empty.Unknown != 0 {
		t.Errorf("Tally(nil) = %+v; want nothing counted", empty)
	}
}
