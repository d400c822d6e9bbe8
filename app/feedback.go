package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// feedback is the "Did this solve your problem?" box under an article. An
// answer is a kb.feedback mutation, queued offline like any other; the
// device remembers it answered, so it does not ask again.
type feedback struct {
	state   string // "" asking, "no" asking what was missing, "sent"
	helpful bool
	comment string
	from    string // how the reader came: shared.FromSearch, FromTree …
	query   string // the search they came from
	err     string
}

func feedbackKey(articleID string) string { return "feedback/" + articleID }

// loadFeedback reads whether this device already answered for id.
func (a *articlePage) loadFeedback(ctx app.Context, id string) {
	var answer string
	ctx.LocalStorage().Get(feedbackKey(id), &answer)
	a.fb = feedback{from: a.fb.from, query: a.fb.query}
	if answer == "yes" || answer == "no" {
		a.fb.state, a.fb.helpful = "sent", answer == "yes"
	}
}

func (a *articlePage) sendFeedback(ctx app.Context, helpful bool) {
	client := a.client
	f := shared.Feedback{
		ID:        shared.NewID(client.Engine.Now()),
		ArticleID: a.article.ID,
		Helpful:   helpful,
		Comment:   strings.TrimSpace(a.fb.comment),
		From:      a.fb.from,
		Query:     a.fb.query,
		CreatedAt: client.Engine.Now().UnixMilli(),
	}
	if err := f.Validate(); err != nil {
		a.fb.err = errorText(a.lang, err)
		return
	}
	a.fb.err = ""
	ctx.Async(func() {
		err := client.Engine.Mutate(shared.OpKBFeedback, f, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.fb.err = storageErrText(a.lang, err)
				return
			}
			answer := "no"
			if helpful {
				answer = "yes"
			}
			ctx.LocalStorage().Set(feedbackKey(f.ArticleID), answer)
			a.fb.state, a.fb.helpful, a.fb.comment = "sent", helpful, ""
		})
	})
}

func (a *articlePage) renderFeedback() app.UI {
	if a.client.prerendering() {
		return nil // prerendered: answering needs the app
	}
	l, fb := a.lang, a.fb
	box := app.Section().ID("feedback").Class("feedback").DataSet("state", fb.state)
	switch fb.state {
	case "sent":
		msg := t(l, "feedback.thanks_no")
		if fb.helpful {
			msg = t(l, "feedback.thanks_yes")
		}
		return box.Body(
			app.P().Class("notice").Aria("live", "polite").Text(msg),
			app.If(a.status.Pending > 0, func() app.UI {
				return app.P().Class("muted").Text(t(l, "feedback.queued"))
			}),
			app.If(!fb.helpful, func() app.UI {
				return app.A().Class("button").Href("/ticket/new").Text(t(l, "feedback.file_ticket"))
			}),
		)
	case "no":
		return box.Body(
			app.Div().Class("form").Body(
				app.Label().For("feedback-comment").Text(t(l, "feedback.comment")),
				app.Textarea().ID("feedback-comment").Rows(3).MaxLength(shared.MaxFeedbackComment).
					Placeholder(t(l, "feedback.comment_ph")).Text(fb.comment).
					OnInput(func(ctx app.Context, e app.Event) { a.fb.comment = ctx.JSSrc().Get("value").String() }),
				app.If(fb.err != "", func() app.UI { return app.P().Class("error").Text(fb.err) }),
				app.Div().Class("actions").Body(
					app.Button().ID("feedback-send").Type("button").Text(t(l, "feedback.send")).
						OnClick(func(ctx app.Context, e app.Event) { a.sendFeedback(ctx, false) }),
				),
			),
		)
	}
	return box.Body(
		app.H2().Text(t(l, "feedback.question")),
		app.Div().Class("actions").Body(
			app.Button().ID("feedback-yes").Type("button").Text(t(l, "feedback.yes")).
				OnClick(func(ctx app.Context, e app.Event) { a.sendFeedback(ctx, true) }),
			app.Button().ID("feedback-no").Class("secondary").Type("button").Text(t(l, "feedback.no")).
				OnClick(func(ctx app.Context, e app.Event) { a.fb.state = "no" }),
		),
		app.If(fb.err != "", func() app.UI { return app.P().Class("error").Text(fb.err) }),
	)
}
