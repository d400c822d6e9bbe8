package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

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

// renderPreviewNode draws the screen the preview is at.
func (e *treeEdit) renderPreviewNode(st tree.State, err error) app.UI {
	l, n := e.lang, st.Node
	if n == nil {
		msg := t(l, "tree.eval_start_missing", e.d.Tree.Start)
		if err != nil {
			msg = errorText(l, err)
		}
		return app.P().Class("muted").Text(msg)
	}
	switch st.Outcome {
	case tree.Solved:
		return app.Div().ID("te-preview-solved").Body(
			app.P().Body(app.Strong().Text(t(l, "troubleshoot.solved_title"))),
			app.P().Class("muted").Text(t(l, "treeedit.preview_solved", n.ID)),
		)
	case tree.Escalated:
		tk := st.Ticket
		return app.Div().ID("te-preview-escalated").Body(
			app.P().Body(app.Strong().Text(t(l, "troubleshoot.escalated_title"))),
			app.Dl().Class("te-ticket").Body(
				app.Dt().Text(t(l, "treeedit.ticket_title")), app.Dd().Text(tk.Title),
				app.Dt().Text(t(l, "treeedit.ticket_category")), app.Dd().Text(categoryName(l, tk.Category)),
				app.Dt().Text(t(l, "treeedit.priority")), app.Dd().Text(tk.Priority),
				app.Dt().Text(t(l, "troubleshoot.add_hint")), app.Dd().Text(tk.Hint),
			),
		)
	}
	question := n.Text
	var intro app.UI
	switch n.Kind {
	case tree.KindStep:
		intro = app.P().Class("lead").Text(n.Text)
		question = t(l, "troubleshoot.did_it_fix")
	case tree.KindSolution:
		title := n.Article
		for _, a := range e.articles {
			if a.ID == n.Article {
				title = a.Title
			}
		}
		intro = app.Div().Body(app.P().Text(n.Text), app.P().Class("muted").Text("→ "+title))
		question = t(l, "troubleshoot.did_it_fix")
	}
	return app.Div().Body(
		intro,
		app.H3().ID("te-preview-question").Text(question),
		app.Div().ID("te-preview-answers").Role("group").Body(
			app.Range(st.Answers).Slice(func(i int) app.UI {
				c, node := st.Answers[i], n.ID
				// The scope names node and answer, so a button reused for
				// another answer gets this handler, not a stale one.
				return app.Button().Type("button").Class("answer").DataSet("choice", c.ID).
					Styles(answerStyle).Text(or(c.Text, c.ID)).
					OnClick(func(ctx app.Context, _ app.Event) { e.previewAnswer(node, c.ID) }, app.EventScope(node+"/"+c.ID))
			}),
		),
	)
}
