package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
)

// nodeScreen draws the screen a troubleshooting run is at: a question, a
// step to try or a solution to read, with its answer buttons. The run
// (troubleshoot_run.go) and the editor's preview (tree_edit_preview.go)
// both draw with it, so a guide previews exactly as it runs; only what
// follows a solved or escalated run differs (outcome).
type nodeScreen struct {
	lang   string
	id     string // the prefix of its element IDs: "run" or "te-preview"
	nested bool   // drawn under a heading of its own: the question is an h3
	start  string // the tree's start node, named when it is missing
	err    error  // why the answers could not be replayed, if so
	// article finds a solution's article; link makes it a link (not in
	// the preview, where following it would leave the editor).
	article func(id string) (shared.Article, bool)
	link    bool
	answer  func(ctx app.Context, node, choice string)
	outcome func(st tree.State) app.UI // the screen of a solved or escalated run
}

func (s nodeScreen) render(st tree.State) app.UI {
	l, n := s.lang, st.Node
	if n == nil {
		msg := t(l, "tree.eval_start_missing", s.start)
		if s.err != nil {
			msg = errorText(l, s.err)
		}
		return app.P().Class("error").Text(msg)
	}
	if st.Outcome == tree.Solved || st.Outcome == tree.Escalated {
		return s.outcome(st)
	}
	var intro app.UI
	question := n.Text
	switch n.Kind {
	case tree.KindStep:
		intro = app.Div().Body(
			app.P().Class("muted").Text(t(l, "troubleshoot.try_this")),
			app.P().Class("lead").Text(n.Text),
		)
		question = t(l, "troubleshoot.did_it_fix")
	case tree.KindSolution:
		intro = app.Div().Body(
			app.P().Class("muted").Text(t(l, "troubleshoot.read_this")),
			app.P().Text(n.Text),
			s.renderArticle(n.Article),
		)
		question = t(l, "troubleshoot.did_it_fix")
	}
	var heading app.UI = app.H2().ID(s.id + "-question").Text(question)
	if s.nested {
		heading = app.H3().ID(s.id + "-question").Text(question)
	}
	return app.Div().Body(
		intro,
		heading,
		app.Div().ID(s.id+"-answers").Role("group").Body(
			app.Range(st.Answers).Slice(func(i int) app.UI {
				c, node := st.Answers[i], n.ID
				// The scope names node and answer, so a button reused for
				// another answer gets this handler, not a stale one.
				return app.Button().Type("button").Class("answer").DataSet("choice", c.ID).
					Styles(answerStyle).Text(or(c.Text, c.ID)).
					OnClick(func(ctx app.Context, _ app.Event) { s.answer(ctx, node, c.ID) }, app.EventScope(node+"/"+c.ID))
			}),
		),
	)
}

// renderArticle shows the solution's article, or says it is not on this
// device yet.
func (s nodeScreen) renderArticle(id string) app.UI {
	a, ok := s.article(id)
	if !ok {
		return app.P().Class("muted").Text(t(s.lang, "troubleshoot.article_later", id))
	}
	card := []app.UI{
		app.Strong().Text(a.Title),
		app.Span().Class("summary").Text(a.Summary),
	}
	if !s.link {
		return app.Ul().Class("articles").Body(app.Li().Body(app.Div().ID(s.id+"-article").DataSet("id", a.ID).Body(card...)))
	}
	return app.Ul().Class("articles").Body(app.Li().Body(
		app.A().ID(s.id+"-article").Href("/article/"+a.ID+"?from="+shared.FromTree).DataSet("id", a.ID).Body(
			append(card, app.Span().Class("where").Text(t(s.lang, "troubleshoot.open_article")+" →"))...,
		),
	))
}
