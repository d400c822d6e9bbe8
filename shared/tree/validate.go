package tree

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"outpost/shared"
)

// Validate returns every problem with t, each an EINVALID *shared.Error
// whose first argument names the node it is about (problems with the tree's
// own fields name none). cats is the category tree in use, which the
// tree's category and its escalations' must be in; articleExists reports
// whether a solution's article exists; the caller decides in which
// language.
//
// Besides fields and links, Validate checks the shape of the tree: every
// node can be reached from the start, and from every node someone for whom
// nothing works can still reach an escalation, whatever the facts are: so no
// question may lose all its answers to conditions, and a loop must have a
// way out that leads to a ticket.
func Validate(t *Tree, cats shared.CategoryTree, articleExists func(id string) bool) []error {
	v := &validator{t: t, cats: cats, articleExists: articleExists}
	v.fields()
	ids := map[string]bool{}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if ids[n.ID] {
			v.add("tree.node_duplicate", n.ID)
		}
		ids[n.ID] = true
		v.node(n)
	}
	if len(t.Nodes) <= MaxNodes && t.Node(t.Start) != nil {
		v.shape()
	}
	return v.errs
}

// Publishable returns nil if t may be published, and otherwise every problem
// Validate finds, joined by errors.Join: shared.ErrorCode of it is EINVALID
// and shared.ErrorKey names the first problem.
func Publishable(t *Tree, cats shared.CategoryTree, articleExists func(id string) bool) error {
	return errors.Join(Validate(t, cats, articleExists)...)
}

type validator struct {
	t             *Tree
	cats          shared.CategoryTree
	articleExists func(string) bool
	errs          []error
}

func (v *validator) add(key string, args ...any) {
	v.errs = append(v.errs, invalid(key, args...))
}

func (v *validator) fields() {
	t := v.t
	if !shared.ValidSlug(t.ID) {
		v.add("tree.bad_id", t.ID)
	}
	if t.TranslationOf != "" && !shared.ValidSlug(t.TranslationOf) {
		v.add("tree.bad_translation_of", t.TranslationOf)
	}
	if !shared.ValidLang(t.Lang) {
		v.add("tree.bad_lang", t.Lang)
	}
	if strings.TrimSpace(t.Title) == "" {
		v.add("tree.title_required")
	} else if utf8.RuneCountInString(t.Title) > shared.MaxTitle {
		v.add("field.too_long", "title", shared.MaxTitle)
	}
	if utf8.RuneCountInString(t.Summary) > shared.MaxSummary {
		v.add("field.too_long", "summary", shared.MaxSummary)
	}
	if !v.cats.Has(t.Category) {
		v.add("category.unknown", t.Category)
	}
	if t.Status != StatusDraft && t.Status != StatusPublished {
		v.add("tree.bad_status", t.Status)
	}
	switch {
	case len(t.Nodes) == 0:
		v.add("tree.no_nodes")
	case len(t.Nodes) > MaxNodes:
		v.add("tree.too_many_nodes", len(t.Nodes), MaxNodes)
	}
	switch {
	case t.Start == "":
		v.add("tree.start_required")
	case t.Node(t.Start) == nil:
		v.add("tree.start_missing", t.Start)
	}
}

// node checks what can be checked of n alone.
func (v *validator) node(n *Node) {
	if !shared.ValidSlug(n.ID) {
		v.add("tree.node_bad_id", n.ID)
	}
	switch n.Kind {
	case KindQuestion, KindStep, KindSolution, KindEscalate:
	default:
		v.add("tree.node_bad_kind", n.ID, n.Kind)
		return
	}
	v.text(n.ID, n.Text)
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"answers", n.Answers != nil},
		{"next", n.Next != ""},
		{"article", n.Article != ""},
		{"title", n.Title != ""},
		{"priority", n.Priority != ""},
		{"category", n.Category != ""},
	} {
		if f.set && !allowed(n.Kind, f.name) {
			v.add("tree.node_field_not_allowed", n.ID, n.Kind, f.name)
		}
	}
	switch n.Kind {
	case KindQuestion:
		v.answers(n)
	case KindStep:
		v.link(n.ID, n.Next)
	case KindSolution:
		switch {
		case n.Article == "":
			v.add("tree.article_required", n.ID)
		case !v.articleExists(n.Article):
			v.add("tree.article_missing", n.ID, n.Article)
		}
		v.link(n.ID, n.Next)
	case KindEscalate:
		if !slices.Contains(Priorities, n.Priority) {
			v.add("tree.bad_priority", n.ID, n.Priority)
		}
		if n.Category != "" && !v.cats.Has(n.Category) {
			v.add("tree.bad_node_category", n.ID, n.Category)
		}
		if utf8.RuneCountInString(n.Title) > shared.MaxTicketTitle {
			v.add("tree.ticket_title_too_long", n.ID, shared.MaxTicketTitle)
		}
	}
}

// allowed reports whether a node of kind may set field.
func allowed(kind, field string) bool {
	switch field {
	case "answers":
		return kind == KindQuestion
	case "next":
		return kind == KindStep || kind == KindSolution
	case "article":
		return kind == KindSolution
	}
	return kind == KindEscalate // title, priority, category
}

func (v *validator) text(node, text string) {
	if strings.TrimSpace(text) == "" {
		v.add("tree.node_text_required", node)
	} else if utf8.RuneCountInString(text) > MaxText {
		v.add("tree.node_text_too_long", node, MaxText)
	}
}

func (v *validator) link(node, next string) {
	if next == "" {
		v.add("tree.next_required", node)
	} else if v.t.Node(next) == nil {
		v.add("tree.next_missing", node, next)
	}
}

func (v *validator) answers(n *Node) {
	if len(n.Answers) < 2 || len(n.Answers) > MaxAnswers {
		v.add("tree.answer_count", n.ID, MaxAnswers, len(n.Answers))
	}
	seen := map[string]bool{}
	for _, c := range n.Answers {
		switch {
		case !shared.ValidSlug(c.ID):
			v.add("tree.answer_bad_id", n.ID, c.ID)
		case seen[c.ID]:
			v.add("tree.answer_duplicate", n.ID, c.ID)
		}
		seen[c.ID] = true
		if strings.TrimSpace(c.Text) == "" {
			v.add("tree.answer_text_required", n.ID, c.ID)
		} else if utf8.RuneCountInString(c.Text) > MaxAnswerText {
			v.add("tree.answer_text_too_long", n.ID, c.ID, MaxAnswerText)
		}
		if c.When != nil && !validCondition(c.When) {
			v.add("tree.bad_condition", n.ID, c.ID)
		}
		if c.Next == "" {
			v.add("tree.answer_next_required", n.ID, c.ID)
		} else if v.t.Node(c.Next) == nil {
			v.add("tree.answer_next_missing", n.ID, c.ID, c.Next)
		}
	}
}

func validCondition(c *Condition) bool {
	switch c.Fact {
	case FactOnline:
		_, ok := c.Equals.(bool)
		return ok
	case FactLang:
		s, ok := c.Equals.(string)
		return ok && shared.ValidLang(s)
	}
	return false
}

// shape checks the tree as a graph, once for each set of facts its
// conditions can tell apart (a "world"). Edges are the ways on without
// solving the problem: a question's visible answers, and the "did not
// help" link of steps and solutions. Every node must be reachable in some
// world, and in every world every reachable node must lead to an
// escalation.
func (v *validator) shape() {
	t := v.t
	index := make(map[string]int, len(t.Nodes))
	for i := len(t.Nodes) - 1; i >= 0; i-- {
		index[t.Nodes[i].ID] = i // the first of duplicates wins, as in Node
	}
	worlds := v.worlds()
	everReached := make([]bool, len(t.Nodes))
	var loops [][]int
	loopWorlds := map[string][]world{} // by fmt.Sprint(loop)
	for _, w := range worlds {
		g := newGraph(t, index, w)
		reached := g.reach([]int{index[t.Start]}, g.out)
		var ends []int
		for i, n := range t.Nodes {
			if n.Kind == KindEscalate {
				ends = append(ends, i)
			}
		}
		ending := g.reach(ends, g.in)
		for i := range t.Nodes {
			everReached[i] = everReached[i] || reached[i]
			n := &t.Nodes[i]
			if reached[i] && n.Kind == KindQuestion && len(n.Answers) > 0 && len(w.facts) > 0 && !anyVisible(n.Answers, w.Facts) {
				v.add("tree.answers_all_hidden", n.ID, w.String())
			}
		}
		for _, loop := range g.traps(reached, ending) {
			key := fmt.Sprint(loop)
			if loopWorlds[key] == nil {
				loops = append(loops, loop)
			}
			loopWorlds[key] = append(loopWorlds[key], w)
		}
	}
	for _, loop := range loops {
		names := make([]string, len(loop))
		for j, i := range loop {
			names[j] = t.Nodes[i].ID
		}
		if ws := loopWorlds[fmt.Sprint(loop)]; len(ws) < len(worlds) {
			v.add("tree.loop_no_exit_when", names[0], strings.Join(names, ", "), ws[0].String())
		} else {
			v.add("tree.loop_no_exit", names[0], strings.Join(names, ", "))
		}
	}
	for i, r := range everReached {
		if !r {
			v.add("tree.unreachable", t.Nodes[i].ID)
		}
	}
}

func anyVisible(cs []Choice, f Facts) bool {
	for _, c := range cs {
		if c.When == nil || c.When.Holds(f) {
			return true
		}
	}
	return false
}

// world is one combination of the facts that a tree's conditions test.
type world struct {
	facts []string // the facts that matter, in order
	Facts
}

func (w world) String() string {
	parts := make([]string, len(w.facts))
	for i, f := range w.facts {
		if f == FactOnline {
			parts[i] = fmt.Sprintf("%s = %v", f, w.Online)
		} else {
			parts[i] = fmt.Sprintf("%s = %v", f, w.Lang)
		}
	}
	return strings.Join(parts, ", ")
}

// worlds lists every combination of the facts t's valid conditions test.
func (v *validator) worlds() []world {
	var online, lang bool
	for _, n := range v.t.Nodes {
		for _, c := range n.Answers {
			if c.When != nil && validCondition(c.When) {
				online = online || c.When.Fact == FactOnline
				lang = lang || c.When.Fact == FactLang
			}
		}
	}
	ws := []world{{}}
	if online {
		ws = []world{{facts: []string{FactOnline}, Facts: Facts{Online: true}}, {facts: []string{FactOnline}}}
	}
	if lang {
		var out []world
		for _, w := range ws {
			for _, l := range shared.Languages {
				f := w.Facts
				f.Lang = l
				out = append(out, world{facts: append(slices.Clip(w.facts), FactLang), Facts: f})
			}
		}
		ws = out
	}
	return ws
}

// graph is the nodes of a tree as indexes with their edges in one world.
// Edges to missing nodes are left out (Validate reports them as links).
type graph struct {
	out, in  [][]int
	dangling []bool // has a link to a missing node
}

func newGraph(t *Tree, index map[string]int, w world) *graph {
	g := &graph{out: make([][]int, len(t.Nodes)), in: make([][]int, len(t.Nodes)), dangling: make([]bool, len(t.Nodes))}
	edge := func(from int, to string) {
		j, ok := index[to]
		if !ok {
			g.dangling[from] = true
			return
		}
		g.out[from] = append(g.out[from], j)
		g.in[j] = append(g.in[j], from)
	}
	for i, n := range t.Nodes {
		switch n.Kind {
		case KindQuestion:
			for _, c := range n.Answers {
				if c.When == nil || c.When.Holds(w.Facts) {
					edge(i, c.Next)
				}
			}
		case KindStep, KindSolution:
			edge(i, n.Next)
		}
	}
	return g
}

// reach returns which nodes can be reached from from along edges.
func (g *graph) reach(from []int, edges [][]int) []bool {
	seen := make([]bool, len(edges))
	stack := slices.Clone(from)
	for _, i := range from {
		seen[i] = true
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range edges[i] {
			if !seen[j] {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	return seen
}

// traps returns the loops that a run can enter and never leave: sets of
// reached nodes that cannot lead to an escalation, each strongly connected
// with no edge or link out of it. Nodes that are stuck for another reason
// (a dead end, a missing link) are reported where that reason is, not here.
// Each loop lists its nodes in the order the author wrote them.
func (g *graph) traps(reached, ending []bool) [][]int {
	var loops [][]int
	done := make([]bool, len(g.out))
	for i := range g.out {
		if done[i] || !reached[i] || ending[i] {
			continue
		}
		fwd := g.reach(g.out[i], g.out) // reachable in one step or more
		if !fwd[i] {
			continue // not on a loop
		}
		back := g.reach([]int{i}, g.in)
		var loop []int
		closed := true
		for j := range g.out {
			if fwd[j] && back[j] {
				loop = append(loop, j)
				done[j] = true
			}
		}
		for _, j := range loop {
			closed = closed && !g.dangling[j]
			for _, k := range g.out[j] {
				closed = closed && fwd[k] && back[k]
			}
		}
		if closed {
			loops = append(loops, loop)
		}
	}
	return loops
}
