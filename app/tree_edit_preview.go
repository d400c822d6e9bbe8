package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
)

// The editor's preview: the tree being edited, run with tree.Eval as the
// runner runs it (replay, the same answer buttons), but nothing is saved
// and no run event is counted. Editing the tree keeps the answers that
// still fit it.

func (e *treeEdit) previewFacts() tree.Facts {
	return tree.Facts{Online: !e.previewOffline, Lang: e.d.Tree.Lang}
}

// previewAnswer records choice at node, if that is where the preview is.
func (e *treeEdit) previewAnswer(node, choice string) {
	st, _, err := replay(&e.d.Tree, e.previewFacts(), e.preview)
	if err != nil || st.Outcome != "" || st.Node == nil || st.Node.ID != node {
		return
	}
	e.preview = append(e.preview, tree.Answer{Node: node, Choice: choice})
}

func (e *treeEdit) renderPreview() app.UI {
	l := e.lang
	st, _, err := replay(&e.d.Tree, e.previewFacts(), e.preview)
	node := ""
	if st.Node != nil {
		node = st.Node.ID
	}
	return app.Section().ID("te-preview").Class("tree-edit-preview").
		DataSet("node", node).DataSet("outcome", st.Outcome).DataSet("answers", len(e.preview)).Body(
		app.H2().Text(t(l, "treeedit.preview")),
		app.Label().Class("check").Body(
			app.Input().ID("te-preview-offline").Type("checkbox").Checked(e.previewOffline).
				OnChange(func(ctx app.Context, _ app.Event) {
					e.previewOffline = ctx.JSSrc().Get("checked").Bool()
					e.check()
				}),
			app.Text(" "+t(l, "treeedit.preview_offline")),
		),
		app.Div().ID("te-preview-run").Lang(e.d.Tree.Lang).Body(e.renderPreviewNode(st, err)),
		app.Div().Class("actions").Body(
			app.Button().ID("te-preview-back").Class("secondary small").Type("button").Disabled(len(e.preview) == 0).
				Text("← "+t(l, "troubleshoot.back")).
				OnClick(func(ctx app.Context, _ app.Event) {
					if len(e.preview) > 0 {
						e.preview = e.preview[:len(e.preview)-1]
					}
				}),
			app.Button().ID("te-preview-restart").Class("secondary small").Type("button").Disabled(len(e.preview) == 0).
				Text(t(l, "troubleshoot.start_over")).
				OnClick(func(ctx app.Context, _ app.Event) { e.preview = nil }),
		),
	)
}

// renderPreviewNode draws the screen the preview is at, as the run draws
// it (troubleshoot_node.go); only the end differs: the ticket an
// escalation would prefill, in place of the button that opens it.
func (e *treeEdit) renderPreviewNode(st tree.State, err error) app.UI {
	return nodeScreen{
		lang: e.lang, id: "te-preview", nested: true, start: e.d.Tree.Start, err: err,
		article: e.article,
		answer:  func(_ app.Context, node, choice string) { e.previewAnswer(node, choice) },
		outcome: e.renderPreviewOutcome,
	}.render(st)
}

// article finds an article of the replica by ID, for a solution.
func (e *treeEdit) article(id string) (shared.Article, bool) {
	for _, a := range e.articles {
		if a.ID == id {
			return a, true
		}
	}
	return shared.Article{}, false
}

func (e *treeEdit) renderPreviewOutcome(st tree.State) app.UI {
	l, n := e.lang, st.Node
	if st.Outcome == tree.Solved {
		return app.Div().ID("te-preview-solved").Body(
			app.P().Body(app.Strong().Text(t(l, "troubleshoot.solved_title"))),
			app.P().Class("muted").Text(t(l, "treeedit.preview_solved", n.ID)),
		)
	}
	tk := st.Ticket
	return app.Div().ID("te-preview-escalated").Body(
		app.P().Body(app.Strong().Text(t(l, "troubleshoot.escalated_title"))),
		app.Dl().Class("te-ticket").Body(
			app.Dt().Text(t(l, "treeedit.ticket_title")), app.Dd().Text(tk.Title),
			app.Dt().Text(t(l, "treeedit.ticket_category")), app.Dd().Text(e.client.categoryName(l, tk.Category)),
			app.Dt().Text(t(l, "treeedit.priority")), app.Dd().Text(tk.Priority),
			app.Dt().Text(t(l, "troubleshoot.add_hint")), app.Dd().Text(tk.Hint),
		),
	)
}
