package app

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
)

// The editor's outline: the tree's own fields, then every node in the
// order the author wrote them, indented by its distance from the start
// node, each with the problems Validate names it in.
//
// A textarea's value is set as its "value" attribute, which go-app sets as
// the element's value property whenever it changes: its text content would
// not replace what was typed (after a reorder, a discard).
//
// Handlers capture the node's and answer's positions only: an element at a
// given position always edits the node at that position, whatever it holds
// now, so a handler go-app keeps across renders is never stale.

// treeLevelProblems are the Validate keys about the tree's own fields;
// every other problem names a node first.
var treeLevelProblems = map[string]bool{
	"tree.bad_id": true, "tree.bad_translation_of": true, "tree.bad_lang": true, "tree.title_required": true,
	"field.too_long": true, "category.unknown": true, "tree.bad_status": true, "tree.no_nodes": true,
	"tree.too_many_nodes": true, "tree.start_required": true, "tree.start_missing": true,
}

// sortProblems splits problems into the tree's and each node's, in words.
func sortProblems(lang string, problems []error) (own []string, byNode map[string][]string) {
	byNode = map[string][]string{}
	for _, p := range problems {
		key, args := shared.ErrorKey(p)
		node, named := "", false
		if len(args) > 0 && !treeLevelProblems[key] {
			node, named = args[0].(string)
		}
		if named {
			byNode[node] = append(byNode[node], t(lang, key, args...))
		} else {
			own = append(own, t(lang, key, args...))
		}
	}
	return own, byNode
}

// depths returns each node's distance from the start node along the ways
// on (answers, and "did not help"), -1 for nodes it cannot reach.
func depths(tr *tree.Tree) []int {
	index := map[string]int{}
	for i := len(tr.Nodes) - 1; i >= 0; i-- {
		index[tr.Nodes[i].ID] = i
	}
	d := make([]int, len(tr.Nodes))
	for i := range d {
		d[i] = -1
	}
	start, ok := index[tr.Start]
	if !ok {
		return d
	}
	d[start] = 0
	queue := []int{start}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		n := tr.Nodes[i]
		nexts := []string{n.Next}
		for _, c := range n.Answers {
			nexts = append(nexts, c.Next)
		}
		for _, next := range nexts {
			if j, ok := index[next]; ok && d[j] < 0 {
				d[j] = d[i] + 1
				queue = append(queue, j)
			}
		}
	}
	return d
}

// uniqueID returns prefix-1, prefix-2… whichever is not taken.
func uniqueID(prefix string, taken func(string) bool) string {
	for n := 1; ; n++ {
		if id := fmt.Sprintf("%s-%d", prefix, n); !taken(id) {
			return id
		}
	}
}

// node returns the node at position i of the edit, or nil if the edit has
// changed since it was drawn.
func (e *treeEdit) node(i int) *tree.Node {
	if i < 0 || i >= len(e.d.Tree.Nodes) {
		return nil
	}
	return &e.d.Tree.Nodes[i]
}

// editNode applies fn to the node at position i.
func (e *treeEdit) editNode(ctx app.Context, i int, fn func(n *tree.Node)) {
	if e.node(i) == nil {
		return
	}
	e.edit(ctx, func(tr *tree.Tree) { fn(&tr.Nodes[i]) })
}

// editAnswer applies fn to answer j of the node at position i.
func (e *treeEdit) editAnswer(ctx app.Context, i, j int, fn func(c *tree.Choice)) {
	if n := e.node(i); n == nil || j < 0 || j >= len(n.Answers) {
		return
	}
	e.edit(ctx, func(tr *tree.Tree) { fn(&tr.Nodes[i].Answers[j]) })
}

// addNode appends a node of kind with a fresh ID.
func (e *treeEdit) addNode(ctx app.Context, kind string) {
	e.edit(ctx, func(tr *tree.Tree) {
		n := tree.Node{ID: uniqueID(kind, func(id string) bool { return tr.Node(id) != nil }), Kind: kind}
		setKind(&n, kind)
		tr.Nodes = append(tr.Nodes, n)
		if tr.Start == "" {
			tr.Start = n.ID
		}
	})
}

// setKind makes n a node of kind, dropping the fields that kind does not
// have and giving it the ones it needs.
func setKind(n *tree.Node, kind string) {
	n.Kind = kind
	if kind != tree.KindQuestion {
		n.Answers = nil
	} else if len(n.Answers) == 0 {
		n.Answers = []tree.Choice{{ID: "yes"}, {ID: "no"}}
	}
	if kind != tree.KindStep && kind != tree.KindSolution {
		n.Next = ""
	}
	if kind != tree.KindSolution {
		n.Article = ""
	}
	if kind != tree.KindEscalate {
		n.Title, n.Priority, n.Category = "", "", ""
	} else if n.Priority == "" {
		n.Priority = "P3"
	}
}

// renameNode gives the node at i a new ID, and every link to it follows.
func renameNode(tr *tree.Tree, i int, id string) {
	old := tr.Nodes[i].ID
	tr.Nodes[i].ID = id
	if old == "" || tr.Node(old) != nil {
		return // another node still has the old ID: its links stay
	}
	if tr.Start == old {
		tr.Start = id
	}
	for k := range tr.Nodes {
		n := &tr.Nodes[k]
		if n.Next == old {
			n.Next = id
		}
		for j := range n.Answers {
			if n.Answers[j].Next == old {
				n.Answers[j].Next = id
			}
		}
	}
}

// moveNode swaps the node at i with its neighbour by delta.
func (e *treeEdit) moveNode(ctx app.Context, i, delta int) {
	if e.node(i) == nil || e.node(i+delta) == nil {
		return
	}
	e.edit(ctx, func(tr *tree.Tree) { tr.Nodes[i], tr.Nodes[i+delta] = tr.Nodes[i+delta], tr.Nodes[i] })
}

func (e *treeEdit) removeNode(ctx app.Context, i int) {
	if e.node(i) == nil {
		return
	}
	e.edit(ctx, func(tr *tree.Tree) { tr.Nodes = slices.Delete(tr.Nodes, i, i+1) })
}

func (e *treeEdit) moveAnswer(ctx app.Context, i, j, delta int) {
	n := e.node(i)
	if n == nil || j < 0 || j+delta < 0 || j >= len(n.Answers) || j+delta >= len(n.Answers) {
		return
	}
	e.editNode(ctx, i, func(n *tree.Node) { n.Answers[j], n.Answers[j+delta] = n.Answers[j+delta], n.Answers[j] })
}

// conditionValue is a condition as the picker shows it: "" (always),
// "online=true", "lang=es"…
func conditionValue(c *tree.Condition) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%s=%v", c.Fact, c.Equals)
}

func parseCondition(v string) *tree.Condition {
	fact, val, ok := strings.Cut(v, "=")
	switch {
	case !ok:
		return nil
	case fact == tree.FactOnline:
		return &tree.Condition{Fact: fact, Equals: val == "true"}
	}
	return &tree.Condition{Fact: fact, Equals: val}
}

var conditionChoices = []string{"", "online=true", "online=false", "lang=en", "lang=es"}

// short cuts s to n characters for a picker's label.
func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// nodeOptions are the options of a "next node" picker.
func (e *treeEdit) nodeOptions(current string) app.UI {
	l, tr := e.lang, &e.d.Tree
	opts := []app.UI{app.Option().Value("").Selected(current == "").Text(t(l, "treeedit.choose_node"))}
	for _, n := range tr.Nodes {
		label := n.ID + " · " + t(l, "treeedit.kind_"+n.Kind)
		if n.Text != "" {
			label += ": " + short(n.Text, 40)
		}
		opts = append(opts, app.Option().Value(n.ID).Selected(n.ID == current).Text(label))
	}
	if current != "" && tr.Node(current) == nil {
		opts = append(opts, app.Option().Value(current).Selected(true).Text(t(l, "treeedit.missing_node", current)))
	}
	return app.Range(opts).Slice(func(i int) app.UI { return opts[i] })
}

func (e *treeEdit) Render() app.UI {
	l := e.lang
	title := t(l, "treeedit.title_new")
	if e.id != "" {
		title = t(l, "treeedit.title_edit")
	}
	if !e.client.prerendering() && !e.client.isStaff() {
		return e.frame(
			app.H1().Text(title),
			app.P().Class("notice").Text(t(l, "treeedit.staff_only")),
			app.A().Class("button").Href("/signin").Text(t(l, "nav.signin")),
		)
	}
	if !e.ready {
		return e.frame(
			app.H1().Text(title),
			app.If(e.errMsg != "", func() app.UI { return app.P().Class("error").Text(e.errMsg) }).
				Else(func() app.UI { return app.P().Class("muted").Text(t(l, "treeedit.loading")) }),
		)
	}
	tr := &e.d.Tree
	own, byNode := sortProblems(l, e.problems)
	status := tree.StatusDraft
	if e.cur.tree != nil {
		status = e.cur.tree.Status
	}
	// A guide is one record: a draft saved over a published guide hides it
	// from users. Say so on the button, not after the fact; the edit is
	// kept on this device meanwhile anyway.
	saveLabel, saveHint := "treeedit.save", "treeedit.save_hint"
	if status == tree.StatusPublished {
		saveLabel, saveHint = "treeedit.save_unpublish", "treeedit.hint_published"
	}
	return e.frame(
		app.P().Class("crumbs").Body(
			app.A().Href("/troubleshoot/stats").Text("← "+t(l, "treeedit.all_trees")),
		),
		app.H1().Text(title),
		app.P().ID("te-state").Class("muted").DataSet("status", status).DataSet("revision", e.cur.revision).
			DataSet("problems", len(e.problems)).DataSet("dirty", e.d.Dirty).
			Text(t(l, "treeedit.state_"+status, e.cur.revision)+" · "+t(l, "treeedit.problem_count", len(e.problems))),
		// Kept present (empty when there is nothing to say), so a message
		// appearing never replaces the elements after it.
		app.P().ID("te-notice").Class("notice").Aria("live", "polite").Text(e.notice),
		app.P().ID("te-error").Class("error").Attr("role", "alert").Text(e.errMsg),
		app.Div().Class("tree-edit").Body(
			app.Div().Class("tree-edit-outline").Body(
				e.renderFields(own),
				app.H2().Text(t(l, "treeedit.outline")),
				app.Ol().ID("te-outline").Class("te-outline").Body(
					app.Range(tr.Nodes).Slice(func(i int) app.UI { return e.renderNode(i, byNode) }),
				),
				app.Div().Class("te-add").Body(
					app.Button().ID("te-add-question").Type("button").Class("secondary").Text("+ "+t(l, "treeedit.kind_question")).
						OnClick(func(ctx app.Context, _ app.Event) { e.addNode(ctx, tree.KindQuestion) }),
					app.Button().ID("te-add-step").Type("button").Class("secondary").Text("+ "+t(l, "treeedit.kind_step")).
						OnClick(func(ctx app.Context, _ app.Event) { e.addNode(ctx, tree.KindStep) }),
					app.Button().ID("te-add-solution").Type("button").Class("secondary").Text("+ "+t(l, "treeedit.kind_solution")).
						OnClick(func(ctx app.Context, _ app.Event) { e.addNode(ctx, tree.KindSolution) }),
					app.Button().ID("te-add-escalate").Type("button").Class("secondary").Text("+ "+t(l, "treeedit.kind_escalate")).
						OnClick(func(ctx app.Context, _ app.Event) { e.addNode(ctx, tree.KindEscalate) }),
				),
				app.Div().Class("actions te-actions").Body(
					app.Button().ID("te-save").Type("button").Text(t(l, saveLabel)).
						OnClick(func(ctx app.Context, _ app.Event) { e.queue(ctx, shared.OpTreeSave) }),
					app.Button().ID("te-publish").Type("button").Text(t(l, "treeedit.publish")).
						OnClick(func(ctx app.Context, _ app.Event) { e.queue(ctx, shared.OpTreePublish) }),
					app.Button().ID("te-unpublish").Type("button").Class("secondary").
						Disabled(status != tree.StatusPublished).Text(t(l, "treeedit.unpublish")).OnClick(e.unpublish),
					app.Button().ID("te-discard").Type("button").Class("secondary").
						Disabled(!e.d.Dirty).Text(t(l, "treeedit.discard")).OnClick(e.discard),
				),
				app.P().ID("te-save-hint").Class("muted").Text(t(l, saveHint)),
			),
			e.renderPreview(),
		),
	)
}

// renderFields draws the tree's own fields and their problems.
func (e *treeEdit) renderFields(problems []string) app.UI {
	l, tr := e.lang, &e.d.Tree
	return app.Div().ID("te-fields").Class("te-fields").Body(
		field(t(l, "treeedit.id"), app.Input().ID("te-id").Type("text").Value(tr.ID).MaxLength(64).
			Disabled(e.id != "").Attr("autocapitalize", "off").
			OnInput(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.edit(ctx, func(tr *tree.Tree) { tr.ID = v })
			})),
		field(t(l, "treeedit.tree_title"), app.Input().ID("te-title").Type("text").Value(tr.Title).
			OnInput(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.edit(ctx, func(tr *tree.Tree) {
					// A new tree's ID follows its title until typed.
					if e.id == "" && (tr.ID == "" || tr.ID == slugify(tr.Title)) {
						tr.ID = slugify(v)
					}
					tr.Title = v
				})
			})),
		field(t(l, "treeedit.summary"), app.Textarea().ID("te-summary").Rows(2).Attr("value", tr.Summary).
			OnInput(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.edit(ctx, func(tr *tree.Tree) { tr.Summary = v })
			})),
		app.Div().Class("te-row").Body(
			field(t(l, "treeedit.lang"), app.Select().ID("te-lang").
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.edit(ctx, func(tr *tree.Tree) { tr.Lang = v })
				}).Body(app.Range(shared.Languages).Slice(func(i int) app.UI {
				lg := shared.Languages[i]
				return app.Option().Value(lg).Selected(lg == tr.Lang).Text(lg)
			}))),
			field(t(l, "treeedit.category"), app.Select().ID("te-category").
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.edit(ctx, func(tr *tree.Tree) { tr.Category = v })
				}).Body(e.client.eachCategory(func(c string) app.UI {
				return app.Option().Value(c).Selected(c == tr.Category).Text(e.client.categoryName(l, c))
			}))),
			field(t(l, "treeedit.start"), app.Select().ID("te-start").
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.edit(ctx, func(tr *tree.Tree) { tr.Start = v })
				}).Body(e.nodeOptions(tr.Start))),
		),
		field(t(l, "treeedit.translation_of"), app.Input().ID("te-translation-of").Type("text").Value(tr.TranslationOf).
			MaxLength(64).Attr("autocapitalize", "off").
			OnInput(func(ctx app.Context, _ app.Event) {
				v := strings.TrimSpace(inputValue(ctx))
				e.edit(ctx, func(tr *tree.Tree) { tr.TranslationOf = v })
			})),
		problemList("te-tree-problems", problems),
	)
}

// field is a labelled form control.
func field(label string, control app.UI) app.UI {
	return app.Label().Class("field").Body(app.Span().Text(label), control)
}

// problemList lists problems; it is always there, empty when all is well.
func problemList(id string, problems []string) app.UI {
	return app.Ul().ID(id).Class("te-problems error").Body(
		app.Range(problems).Slice(func(i int) app.UI { return app.Li().Text(problems[i]) }),
	)
}

// renderNode draws the node at position i of the outline.
func (e *treeEdit) renderNode(i int, byNode map[string][]string) app.UI {
	l, tr := e.lang, &e.d.Tree
	n := tr.Nodes[i]
	depth := depths(tr)[i]
	indent := max(depth, 0)
	problems := byNode[n.ID]
	cls := "te-node"
	if depth < 0 {
		cls += " unreached"
	}
	if len(problems) > 0 {
		cls += " has-problems"
	}
	kinds := []string{tree.KindQuestion, tree.KindStep, tree.KindSolution, tree.KindEscalate}
	return app.Li().Class(cls).DataSet("node", n.ID).DataSet("depth", depth).DataSet("kind", n.Kind).
		Style("margin-left", fmt.Sprintf("%.1frem", 1.5*float64(min(indent, 8)))).Body(
		app.Div().Class("te-node-head").Body(
			app.If(n.ID == tr.Start && n.ID != "", func() app.UI {
				return app.Span().Class("badge te-start").Text(t(l, "treeedit.start_badge"))
			}),
			app.Select().Class("te-kind").Title(t(l, "treeedit.kind")).Aria("label", t(l, "treeedit.kind")).
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.editNode(ctx, i, func(n *tree.Node) { setKind(n, v) })
				}).Body(app.Range(kinds).Slice(func(k int) app.UI {
				return app.Option().Value(kinds[k]).Selected(kinds[k] == n.Kind).Text(t(l, "treeedit.kind_"+kinds[k]))
			})),
			app.Input().Class("te-node-id").Type("text").Value(n.ID).MaxLength(64).Title(t(l, "treeedit.node_id")).Aria("label", t(l, "treeedit.node_id")).
				Attr("autocapitalize", "off").
				OnInput(func(ctx app.Context, _ app.Event) {
					v := strings.TrimSpace(inputValue(ctx))
					if e.node(i) != nil {
						e.edit(ctx, func(tr *tree.Tree) { renameNode(tr, i, v) })
					}
				}),
			app.Button().Class("small secondary te-up").Type("button").Title(t(l, "treeedit.up")).Text("↑").Disabled(i == 0).
				OnClick(func(ctx app.Context, _ app.Event) { e.moveNode(ctx, i, -1) }),
			app.Button().Class("small secondary te-down").Type("button").Title(t(l, "treeedit.down")).Text("↓").
				Disabled(i == len(tr.Nodes)-1).
				OnClick(func(ctx app.Context, _ app.Event) { e.moveNode(ctx, i, 1) }),
			app.Button().Class("small secondary te-remove").Type("button").Title(t(l, "treeedit.remove_node")).Text("✕").
				OnClick(func(ctx app.Context, _ app.Event) { e.removeNode(ctx, i) }),
		),
		app.Textarea().Class("te-text").Rows(2).Attr("placeholder", t(l, "treeedit.text_"+n.Kind)).Attr("value", n.Text).
			OnInput(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.editNode(ctx, i, func(n *tree.Node) { n.Text = v })
			}),
		e.renderKindFields(i),
		problemList("", problems),
	)
}

// renderKindFields draws the fields of the node at i that its kind has.
func (e *treeEdit) renderKindFields(i int) app.UI {
	l, n := e.lang, e.d.Tree.Nodes[i]
	nextPicker := func() app.UI {
		return field(t(l, "treeedit.next"), app.Select().Class("te-next").
			OnChange(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.editNode(ctx, i, func(n *tree.Node) { n.Next = v })
			}).Body(e.nodeOptions(n.Next)))
	}
	switch n.Kind {
	case tree.KindQuestion:
		return app.Div().Class("te-answers").Body(
			app.Ol().Body(app.Range(n.Answers).Slice(func(j int) app.UI { return e.renderAnswer(i, j) })),
			app.Button().Class("small secondary te-add-answer").Type("button").Text("+ "+t(l, "treeedit.add_answer")).
				Disabled(len(n.Answers) >= tree.MaxAnswers).
				OnClick(func(ctx app.Context, _ app.Event) {
					e.editNode(ctx, i, func(n *tree.Node) {
						id := uniqueID("answer", func(id string) bool {
							return slices.ContainsFunc(n.Answers, func(c tree.Choice) bool { return c.ID == id })
						})
						n.Answers = append(n.Answers, tree.Choice{ID: id})
					})
				}),
		)
	case tree.KindStep:
		return app.Div().Class("te-kind-fields").Body(nextPicker())
	case tree.KindSolution:
		var arts []shared.Article
		for _, a := range e.articles {
			if a.Lang == e.d.Tree.Lang {
				arts = append(arts, a)
			}
		}
		known := slices.ContainsFunc(arts, func(a shared.Article) bool { return a.ID == n.Article })
		return app.Div().Class("te-kind-fields").Body(
			field(t(l, "treeedit.article"), app.Select().Class("te-article").
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.editNode(ctx, i, func(n *tree.Node) { n.Article = v })
				}).Body(
				app.Option().Value("").Selected(n.Article == "").Text(t(l, "treeedit.choose_article")),
				app.Range(arts).Slice(func(k int) app.UI {
					return app.Option().Value(arts[k].ID).Selected(arts[k].ID == n.Article).Text(arts[k].Title)
				}),
				app.If(n.Article != "" && !known, func() app.UI {
					return app.Option().Value(n.Article).Selected(true).Text(t(l, "treeedit.missing_article", n.Article))
				}),
			)),
			nextPicker(),
		)
	case tree.KindEscalate:
		return app.Div().Class("te-kind-fields te-row").Body(
			field(t(l, "treeedit.priority"), app.Select().Class("te-priority").
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.editNode(ctx, i, func(n *tree.Node) { n.Priority = v })
				}).Body(
				app.Option().Value("").Selected(n.Priority == "").Text("–"),
				app.Range(tree.Priorities).Slice(func(k int) app.UI {
					p := tree.Priorities[k]
					return app.Option().Value(p).Selected(p == n.Priority).Text(p)
				}),
			)),
			field(t(l, "treeedit.ticket_category"), app.Select().Class("te-esc-category").
				OnChange(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.editNode(ctx, i, func(n *tree.Node) { n.Category = v })
				}).Body(
				app.Option().Value("").Selected(n.Category == "").Text(t(l, "treeedit.same_category")),
				e.client.eachCategory(func(c string) app.UI {
					return app.Option().Value(c).Selected(c == n.Category).Text(e.client.categoryName(l, c))
				}),
			)),
			field(t(l, "treeedit.ticket_title"), app.Input().Class("te-esc-title").Type("text").Value(n.Title).
				Attr("placeholder", e.d.Tree.Title).
				OnInput(func(ctx app.Context, _ app.Event) {
					v := inputValue(ctx)
					e.editNode(ctx, i, func(n *tree.Node) { n.Title = v })
				})),
		)
	}
	return app.Div().Class("te-kind-fields")
}

// renderAnswer draws answer j of the question at i.
func (e *treeEdit) renderAnswer(i, j int) app.UI {
	l, n := e.lang, e.d.Tree.Nodes[i]
	c := n.Answers[j]
	cond := conditionValue(c.When)
	return app.Li().Class("te-answer").DataSet("answer", c.ID).Body(
		app.Input().Class("te-answer-text").Type("text").Value(c.Text).Attr("placeholder", t(l, "treeedit.answer_text")).
			OnInput(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.editAnswer(ctx, i, j, func(c *tree.Choice) { c.Text = v })
			}),
		app.Input().Class("te-answer-id").Type("text").Value(c.ID).MaxLength(64).Title(t(l, "treeedit.answer_id")).Aria("label", t(l, "treeedit.answer_id")).
			Attr("autocapitalize", "off").
			OnInput(func(ctx app.Context, _ app.Event) {
				v := strings.TrimSpace(inputValue(ctx))
				e.editAnswer(ctx, i, j, func(c *tree.Choice) { c.ID = v })
			}),
		app.Span().Class("muted").Text("→"),
		app.Select().Class("te-answer-next").Title(t(l, "treeedit.next")).Aria("label", t(l, "treeedit.next")).
			OnChange(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.editAnswer(ctx, i, j, func(c *tree.Choice) { c.Next = v })
			}).Body(e.nodeOptions(c.Next)),
		app.Select().Class("te-when").Title(t(l, "treeedit.when")).Aria("label", t(l, "treeedit.when")).
			OnChange(func(ctx app.Context, _ app.Event) {
				v := inputValue(ctx)
				e.editAnswer(ctx, i, j, func(c *tree.Choice) { c.When = parseCondition(v) })
			}).Body(app.Range(conditionChoices).Slice(func(k int) app.UI {
			v := conditionChoices[k]
			return app.Option().Value(v).Selected(v == cond).Text(t(l, "treeedit.when_"+strings.ReplaceAll(or(v, "always"), "=", "_")))
		})),
		app.Button().Class("small secondary te-answer-up").Type("button").Title(t(l, "treeedit.up")).Text("↑").Disabled(j == 0).
			OnClick(func(ctx app.Context, _ app.Event) { e.moveAnswer(ctx, i, j, -1) }),
		app.Button().Class("small secondary te-answer-down").Type("button").Title(t(l, "treeedit.down")).Text("↓").
			Disabled(j == len(n.Answers)-1).
			OnClick(func(ctx app.Context, _ app.Event) { e.moveAnswer(ctx, i, j, 1) }),
		app.Button().Class("small secondary te-answer-remove").Type("button").Title(t(l, "treeedit.remove_answer")).Text("✕").
			OnClick(func(ctx app.Context, _ app.Event) {
				e.editNode(ctx, i, func(n *tree.Node) {
					if j < len(n.Answers) {
						n.Answers = slices.Delete(n.Answers, j, j+1)
					}
				})
			}),
	)
}
