package app

import (
	"strings"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/tree"
)

// troubleshootRun runs one guide. The run is the list of answers; every
// answer, Back and Start over is saved on the device at once, so a reload,
// a crash or a dead battery resumes at the same question with the same
// transcript.
type troubleshootRun struct {
	page
	treeID      string
	tr          *tree.Tree
	translation string // the same guide in the UI language, if this is not
	articles    map[string]shared.Article
	loaded      bool
	run         savedRun // run.Tree == treeID once resumed
	notice      string   // a message for the user, already translated
	solved      int      // runs solved on this device
	busy        bool     // making the ticket draft
	err         string
}

func treeIDOf(ctx app.Context) string {
	return strings.TrimPrefix(ctx.Page().URL().Path, "/troubleshoot/")
}

func (r *troubleshootRun) OnPreRender(ctx app.Context) {
	r.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(r.lang, "troubleshoot.title") + " · " + t(r.lang, "app.name"))
}

func (r *troubleshootRun) OnMount(ctx app.Context) {
	r.treeID = treeIDOf(ctx)
	r.mountPage(ctx, r.load)
	r.client.flushEvents(ctx.LocalStorage())
}

func (r *troubleshootRun) OnNav(ctx app.Context) {
	if r.client.prerendering() || r.lang == "" || treeIDOf(ctx) == r.treeID {
		return
	}
	r.treeID, r.tr, r.loaded, r.run, r.notice, r.err = treeIDOf(ctx), nil, false, savedRun{}, "", ""
	r.load(ctx)
}

// load reads the guide and the articles it links to from the replica. It
// runs again whenever the replica changes, and then keeps the run going:
// if the guide was updated meanwhile, the answers that still fit are kept.
func (r *troubleshootRun) load(ctx app.Context) {
	id, lang := r.treeID, r.lang
	ctx.Async(func() {
		all, err := r.client.trees("")
		var found *tree.Tree
		translation := ""
		for _, tr := range all {
			if tr.ID == id {
				found = tr
			}
		}
		articles := map[string]shared.Article{}
		if found != nil {
			group := found.TranslationOf
			if group == "" {
				group = found.ID
			}
			for _, tr := range all {
				if tr.ID != found.ID && tr.Lang == lang && found.Lang != lang && (tr.TranslationOf == group || tr.ID == group) {
					translation = tr.ID
				}
			}
			for _, n := range found.Nodes {
				if n.Kind == tree.KindSolution {
					if a, ok := r.client.articleOf(n.Article); ok {
						articles[n.Article] = a
					}
				}
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			if id != r.treeID {
				return // the user moved on to another guide
			}
			if err != nil {
				r.err = storageErrText(r.lang, err)
			}
			// Until the first sync has brought the guide, keep waiting
			// rather than saying it does not exist.
			r.loaded = found != nil || r.client.Engine.Status().Synced
			r.tr, r.translation, r.articles = found, translation, articles
			if found == nil {
				return
			}
			ctx.Page().SetTitle(found.Title + " · " + t(r.lang, "app.name"))
			if r.run.Tree != id {
				r.resume(ctx)
			} else {
				r.refit(ctx)
			}
		})
	})
}

// resume picks up the run saved on this device, or starts a new one.
func (r *troubleshootRun) resume(ctx app.Context) {
	now := r.client.Engine.Now()
	r.solved = 0
	ctx.LocalStorage().Get(solvedKey, &r.solved)
	saved, ok, stale := r.client.loadRun(ctx.LocalStorage(), r.tr.ID, now)
	switch {
	case stale:
		r.run, r.notice = newRun(r.tr, now), t(r.lang, "troubleshoot.stale")
	case !ok:
		r.run, r.notice = newRun(r.tr, now), ""
	default:
		r.run = saved
		if len(saved.Answers) > 0 && saved.Outcome == "" {
			r.notice = t(r.lang, "troubleshoot.resumed")
		}
		r.refit(ctx)
	}
}

// refit keeps the part of the run that fits the guide as it is now, and
// says so if that is not all of it.
func (r *troubleshootRun) refit(ctx app.Context) {
	st, kept, err := replay(r.tr, r.facts(), r.run.Answers)
	if err == nil {
		return
	}
	r.run.Answers = r.run.Answers[:kept]
	if st.Node != nil {
		r.run.Node = st.Node.ID
	}
	r.notice = t(r.lang, "troubleshoot.kept_part", kept)
	r.save(ctx)
}

func (r *troubleshootRun) facts() tree.Facts {
	return tree.Facts{Online: r.status.Online, Lang: r.lang}
}

// state is where the run stands, for the facts of now.
func (r *troubleshootRun) state() tree.State {
	st, _, _ := replay(r.tr, r.facts(), r.run.Answers)
	return st
}

// save writes the run to local storage: synchronous, so it is on disk
// before the next screen is drawn.
func (r *troubleshootRun) save(ctx app.Context) {
	r.run.UpdatedAt = r.client.Engine.Now().UnixMilli()
	if err := ctx.LocalStorage().Set(runKey(r.run.Tree), r.run); err != nil {
		r.err = storageErrText(r.lang, err)
	}
}

// answer records choice at node. The node is part of the button's event
// scope, so a click always answers the question it was drawn for.
func (r *troubleshootRun) answer(ctx app.Context, node, choice string) {
	if r.client.prerendering() || r.tr == nil {
		return
	}
	st := r.state()
	if st.Outcome != "" || st.Node == nil || st.Node.ID != node {
		return
	}
	now := r.client.Engine.Now()
	var evs []tree.RunEvent
	if !r.run.Started {
		r.run.Started = true
		evs = append(evs, runEvent(r.run, r.tr.Start, tree.EventStarted, now))
	}
	r.run.Answers = append(r.run.Answers, tree.Answer{Node: node, Choice: choice})
	st, _, err := replay(r.tr, r.facts(), r.run.Answers)
	if err != nil { // cannot happen for an answer on screen; keep the run sane
		r.run.Answers = r.run.Answers[:len(r.run.Answers)-1]
		r.err = errorText(r.lang, err)
		return
	}
	r.run.Node = st.Node.ID
	if st.Outcome != "" && r.run.Outcome == "" {
		r.run.Outcome = st.Outcome
		kind := tree.EventSolved
		if st.Outcome == tree.Escalated {
			kind = tree.EventEscalated
		} else {
			r.solved++
			ctx.LocalStorage().Set(solvedKey, r.solved)
		}
		evs = append(evs, runEvent(r.run, st.Node.ID, kind, now))
	}
	r.notice, r.err = "", ""
	r.save(ctx)
	r.client.addEvents(ctx.LocalStorage(), evs...)
}

// back undoes the last answer. A run that had ended stays counted as it
// first ended.
func (r *troubleshootRun) back(ctx app.Context, e app.Event) {
	if r.client.prerendering() || r.tr == nil || len(r.run.Answers) == 0 {
		return
	}
	r.run.Answers = r.run.Answers[:len(r.run.Answers)-1]
	if st := r.state(); st.Node != nil {
		r.run.Node = st.Node.ID
	}
	r.notice, r.err = "", ""
	r.save(ctx)
}

// startOver drops the run; an unfinished one counts as abandoned.
func (r *troubleshootRun) startOver(ctx app.Context, e app.Event) {
	if r.client.prerendering() || r.tr == nil {
		return
	}
	now := r.client.Engine.Now()
	if r.run.Started && r.run.Outcome == "" {
		r.client.addEvents(ctx.LocalStorage(), runEvent(r.run, r.state().Node.ID, tree.EventAbandoned, now))
	}
	ctx.LocalStorage().Del(runKey(r.tr.ID))
	r.run, r.notice, r.err = newRun(r.tr, now), "", ""
}

// openDraft turns the escalation into a ticket draft in the replica, the
// transcript as its description, and opens it in the ticket form. Pressed
// again, it opens the same draft while it is still a draft.
func (r *troubleshootRun) openDraft(ctx app.Context, e app.Event) {
	if r.client.prerendering() || r.tr == nil || r.busy {
		return
	}
	st := r.state()
	if st.Outcome != tree.Escalated || st.Ticket == nil {
		return
	}
	tk := *st.Ticket
	desc := tk.Description
	// The suggested priority becomes the impact and urgency it comes from
	// (the requester can still change them); the line tells tier 2 where
	// it came from.
	impact, urgency := levelsFor(tk.Priority)
	if line := "\n" + t(r.tr.Lang, "troubleshoot.priority_line", tk.Priority) + "\n"; utf8.RuneCountInString(desc+line) <= shared.MaxTicketDescription {
		desc += line
	}
	r.busy = true
	existing := r.run.DraftID
	now := r.client.Engine.Now()
	ctx.Async(func() {
		id := ""
		if existing != "" {
			if drafts, err := r.client.Store.Drafts(); err == nil {
				for _, d := range drafts {
					if d.ID == existing {
						id = existing
					}
				}
			}
		}
		var err error
		if id == "" {
			id = shared.NewID(now)
			err = r.client.Store.PutDraft(store.Draft{
				ID: id, Title: tk.Title, Category: tk.Category, Description: desc, UpdatedAt: now.UnixMilli(),
				Impact: impact, Urgency: urgency,
			})
		}
		ctx.Dispatch(func(ctx app.Context) {
			r.busy = false
			if err != nil {
				r.err = storageErrText(r.lang, err)
				return
			}
			r.run.DraftID = id
			r.save(ctx)
			ctx.Navigate("/ticket/new?draft=" + id)
		})
	})
}

func (r *troubleshootRun) Render() app.UI {
	l := r.lang
	if !r.loaded || (r.tr != nil && r.run.Tree != r.tr.ID) {
		return r.frame(app.P().Class("muted").Text(t(l, "troubleshoot.loading")))
	}
	if r.tr == nil {
		return r.frame(
			app.H1().Text(t(l, "troubleshoot.not_found")),
			app.P().Text(t(l, "troubleshoot.not_found_p")),
			app.A().Href("/troubleshoot").Text("← "+t(l, "troubleshoot.all_guides")),
		)
	}
	tr, st := r.tr, r.state()
	node := ""
	if st.Node != nil {
		node = st.Node.ID
	}
	return r.frame(
		app.P().Class("crumbs").Body(
			app.A().Href("/troubleshoot").Text("← "+t(l, "troubleshoot.all_guides")),
			app.Span().Text(" · "+r.client.categoryName(l, tr.Category)),
		),
		app.H1().Lang(tr.Lang).Text(tr.Title),
		app.If(r.translation != "", func() app.UI {
			return app.P().Class("muted").Body(
				app.Text(t(l, "troubleshoot.other_lang")+" "),
				app.A().Href("/troubleshoot/"+r.translation).Text(t(l, "troubleshoot.title")+" ("+l+")"),
			)
		}),
		app.If(r.notice != "", func() app.UI {
			return app.P().ID("run-notice").Class("notice").Aria("live", "polite").Text(r.notice)
		}),
		app.If(r.err != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Text(r.err)
		}),
		app.Section().ID("run").Lang(tr.Lang).DataSet("node", node).DataSet("outcome", st.Outcome).
			DataSet("answers", len(r.run.Answers)).Body(r.renderNode(st)),
		app.Div().Class("actions").Styles(map[string]string{"display": "flex", "gap": "12px", "margin": "16px 0"}).Body(
			app.Button().ID("run-back").Class("secondary").Type("button").
				Disabled(len(r.run.Answers) == 0).Text("← "+t(l, "troubleshoot.back")).OnClick(r.back),
			app.Button().ID("run-restart").Class("secondary").Type("button").
				Disabled(len(r.run.Answers) == 0).Text(t(l, "troubleshoot.start_over")).OnClick(r.startOver),
		),
		r.renderTranscript(st),
	)
}

// renderNode draws the screen of the node the run is at (troubleshoot_node.go).
func (r *troubleshootRun) renderNode(st tree.State) app.UI {
	return nodeScreen{
		lang: r.lang, id: "run", start: r.tr.Start,
		article: func(id string) (shared.Article, bool) { a, ok := r.articles[id]; return a, ok },
		link:    true,
		answer:  r.answer,
		outcome: r.renderOutcome,
	}.render(st)
}

// renderOutcome is the end of a run: solved, with how many it solved, or
// escalated, with the way to a prefilled ticket.
func (r *troubleshootRun) renderOutcome(st tree.State) app.UI {
	l := r.lang
	if st.Outcome == tree.Solved {
		return app.Div().ID("run-solved").Body(
			app.H2().Text(t(l, "troubleshoot.solved_title")),
			app.P().Text(t(l, "troubleshoot.solved_p")),
			app.P().ID("solved-count").Class("muted").Text(t(l, "troubleshoot.solved_count", r.solved)),
		)
	}
	return app.Div().ID("run-escalated").Body(
		app.H2().Text(t(l, "troubleshoot.escalated_title")),
		app.P().Text(t(l, "troubleshoot.escalated_p")),
		app.P().Body(app.Strong().Text(t(l, "troubleshoot.add_hint")+" "), app.Text(st.Node.Text)),
		app.Button().ID("open-draft").Type("button").Styles(answerStyle).Disabled(r.busy).
			Text(t(l, "troubleshoot.open_draft")).OnClick(r.openDraft),
	)
}

// renderTranscript lists the answers so far.
func (r *troubleshootRun) renderTranscript(st tree.State) app.UI {
	if len(st.Transcript) == 0 {
		return nil
	}
	return app.Section().ID("transcript").Body(
		app.H2().Text(t(r.lang, "troubleshoot.transcript")),
		app.Ol().Lang(r.tr.Lang).Body(
			app.Range(st.Transcript).Slice(func(i int) app.UI {
				turn := st.Transcript[i]
				return app.Li().DataSet("node", turn.Node).Body(
					app.Span().Text(turn.Question),
					app.Br(),
					app.Strong().Text("→ "+turn.Answer),
				)
			}),
		),
	)
}

// levelsFor returns an impact and urgency whose priority (shared.Priority)
// is p, for a ticket a troubleshooter suggests a priority for.
func levelsFor(p string) (impact, urgency string) {
	switch p {
	case shared.PriorityP1:
		return shared.LevelHigh, shared.LevelHigh
	case shared.PriorityP2:
		return shared.LevelHigh, shared.LevelMedium
	case shared.PriorityP4:
		return shared.LevelLow, shared.LevelMedium
	}
	return shared.LevelMedium, shared.LevelMedium
}
