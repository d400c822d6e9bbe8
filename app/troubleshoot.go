package app

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// Guided troubleshooting: /troubleshoot lists the published trees in the
// UI language, /troubleshoot/<id> runs one (troubleshoot_run.go). Trees
// come with the replica, so both work offline. A run is saved in local
// storage after every answer; its analytics events wait in local storage
// until they are in the outbox.

// staleRun is how long an unfinished run may wait untouched before it
// counts as abandoned and starts over.
const staleRun = 24 * time.Hour

// savedRun is a run as this device keeps it, under runKey(tree ID).
type savedRun struct {
	ID        string        `json:"id"` // UUIDv7
	Tree      string        `json:"tree"`
	Answers   []tree.Answer `json:"answers"`
	Node      string        `json:"node"`       // the node on screen, for an abandon event
	StartedAt int64         `json:"started_at"` // Unix ms: when the run was opened
	UpdatedAt int64         `json:"updated_at"` // Unix ms: the last answer, back or start
	Started   bool          `json:"started"`    // its "started" event is queued
	// Outcome is how the run first ended (tree.Solved, tree.Escalated),
	// once its event is queued. Going back afterwards does not count the
	// run a second time.
	Outcome string `json:"outcome,omitempty"`
	DraftID string `json:"draft_id,omitempty"` // the ticket draft it opened
}

func runKey(treeID string) string { return "run/" + treeID }

// solvedKey counts the runs this device finished solved.
const solvedKey = "troubleshoot/solved"

// newRun returns a fresh, unsaved run of t.
func newRun(t *tree.Tree, now time.Time) savedRun {
	return savedRun{ID: shared.NewID(now), Tree: t.ID, Node: t.Start, StartedAt: now.UnixMilli(), UpdatedAt: now.UnixMilli()}
}

// loadRun returns the run of treeID saved on this device, if any. A run
// left unfinished for more than staleRun is dropped and counted as
// abandoned (stale reports it); a finished one that old is just dropped.
func (c *Client) loadRun(ls app.BrowserStorage, treeID string, now time.Time) (r savedRun, ok, stale bool) {
	if ls.Get(runKey(treeID), &r) != nil || r.Tree != treeID || !shared.ValidUUID(r.ID) {
		return savedRun{}, false, false
	}
	if now.Sub(time.UnixMilli(r.UpdatedAt)) <= staleRun {
		return r, true, false
	}
	ls.Del(runKey(treeID))
	if r.Started && r.Outcome == "" {
		c.addEvents(ls, runEvent(r, r.Node, tree.EventAbandoned, now))
		return savedRun{}, false, true
	}
	return savedRun{}, false, false
}

// runEvent returns an event of run r at node.
func runEvent(r savedRun, node, kind string, now time.Time) tree.RunEvent {
	return tree.RunEvent{
		ID:        shared.NewID(now),
		Event:     tree.Event{Tree: r.Tree, Node: node, Kind: kind},
		CreatedAt: now.UnixMilli(),
	}
}

// eventsKey holds the run events not yet in the outbox. An event goes
// there first, synchronously, so a crash cannot lose it; flushEvents then
// moves it into the outbox. A crash between the two queues it twice, and
// the server counts its ID once.
const eventsKey = "troubleshoot/events"

// runEvents guards the events on their way to the outbox.
type runEvents struct {
	mu    sync.Mutex // guards the list under eventsKey
	flush sync.Mutex // one flush at a time, so an event is queued once
}

// addEvents saves events for the outbox and starts moving them there.
func (c *Client) addEvents(ls app.BrowserStorage, evs ...tree.RunEvent) {
	var keep []tree.RunEvent
	for _, e := range evs {
		if e.Validate() == nil {
			keep = append(keep, e)
		}
	}
	if len(keep) == 0 {
		return
	}
	c.events.mu.Lock()
	var list []tree.RunEvent
	ls.Get(eventsKey, &list)
	ls.Set(eventsKey, append(list, keep...))
	c.events.mu.Unlock()
	c.flushEvents(ls)
}

// flushEvents moves saved run events into the outbox, in the background.
// It runs on its own goroutine, not the component's, so events still
// reach the outbox when the page is left at once.
func (c *Client) flushEvents(ls app.BrowserStorage) {
	client := c
	if c.prerendering() {
		return
	}
	go func() {
		c.events.flush.Lock()
		defer c.events.flush.Unlock()
		for {
			c.events.mu.Lock()
			var list []tree.RunEvent
			ls.Get(eventsKey, &list)
			c.events.mu.Unlock()
			if len(list) == 0 {
				return
			}
			queued := map[string]bool{}
			for _, e := range list {
				if client.Engine.Mutate(shared.OpTreeEvent, e, "") != nil {
					break // the store said why, in the status bar; retry later
				}
				queued[e.ID] = true
			}
			c.events.mu.Lock()
			var now, rest []tree.RunEvent
			ls.Get(eventsKey, &now)
			for _, e := range now {
				if !queued[e.ID] {
					rest = append(rest, e)
				}
			}
			if len(rest) == 0 {
				ls.Del(eventsKey)
			} else {
				ls.Set(eventsKey, rest)
			}
			c.events.mu.Unlock()
			if len(queued) == 0 || len(rest) == 0 {
				return
			}
		}
	}()
}

// trees returns the replica's published trees, in lang if lang is not "",
// by category then title. Records that do not decode are skipped.
func (c *Client) trees(lang string) ([]*tree.Tree, error) {
	recs, err := c.Store.List(wire.TypeTree)
	if err != nil {
		return nil, err
	}
	var out []*tree.Tree
	for _, r := range recs {
		t, err := tree.Decode(r.Data)
		if err == nil && t.Status == tree.StatusPublished && (lang == "" || t.Lang == lang) {
			out = append(out, t)
		}
	}
	rank := map[string]int{}
	for i, cat := range c.categories() {
		rank[cat.Slug] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return rank[out[i].Category] < rank[out[j].Category]
		}
		return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title)
	})
	return out, nil
}

// replay evaluates a saved run's answers with the facts of now. An answer
// given under other facts (an answer shown only online, and the device is
// offline now) still counts: it was right when it was given. The answers
// on screen are the ones visible now. kept is how many answers still fit;
// err is Eval's error if not all of them do.
func replay(t *tree.Tree, facts tree.Facts, answers []tree.Answer) (st tree.State, kept int, err error) {
	st, err = tree.Eval(t, facts, answers)
	if key, _ := shared.ErrorKey(err); err != nil && key == "tree.eval_hidden_answer" {
		other := facts
		other.Online = !facts.Online
		if alt, altErr := tree.Eval(t, other, answers); altErr == nil {
			st, err = alt, nil
			if st.Outcome == "" && st.Node.Kind == tree.KindQuestion {
				st.Answers = nil
				for _, c := range st.Node.Answers {
					if c.When == nil || c.When.Holds(facts) {
						st.Answers = append(st.Answers, c)
					}
				}
			}
		}
	}
	if err != nil {
		return st, len(st.Transcript), err
	}
	return st, len(answers), nil
}

// answerStyle makes answers big enough to hit with a thumb. (The styles
// belong in web/app.css; they are here while that file is being edited.)
var answerStyle = map[string]string{
	"display": "block", "width": "100%", "min-height": "56px", "margin": "0 0 12px",
	"padding": "14px 18px", "text-align": "left", "font-size": "1.05rem",
}

// troubleshootList lists the guides in the UI language.
type troubleshootList struct {
	page
	trees  []*tree.Tree
	runs   map[string]savedRun // unfinished runs on this device, by tree
	loaded bool
	err    string
}

func (l *troubleshootList) OnPreRender(ctx app.Context) {
	l.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(l.lang, "troubleshoot.title") + " · " + t(l.lang, "app.name"))
}

func (l *troubleshootList) OnMount(ctx app.Context) {
	l.mountPage(ctx, l.load)
	l.client.flushEvents(ctx.LocalStorage())
}

func (l *troubleshootList) load(ctx app.Context) {
	lang := l.lang
	ctx.Page().SetTitle(t(lang, "troubleshoot.title") + " · " + t(lang, "app.name"))
	ctx.Async(func() {
		trees, err := l.client.trees(lang)
		ctx.Dispatch(func(ctx app.Context) {
			l.trees, l.loaded, l.err = trees, true, ""
			if err != nil {
				l.err = err.Error()
			}
			l.runs = map[string]savedRun{}
			now := l.client.Engine.Now()
			for _, tr := range trees {
				if r, ok, _ := l.client.loadRun(ctx.LocalStorage(), tr.ID, now); ok && r.Outcome == "" && len(r.Answers) > 0 {
					l.runs[tr.ID] = r
				}
			}
		})
	})
}

func (l *troubleshootList) Render() app.UI {
	lang := l.lang
	var body app.UI
	switch {
	case l.err != "":
		body = app.P().Class("error").Text(t(lang, "status.storage_err", l.err))
	case !l.loaded:
		body = app.P().Class("muted").Text(t(lang, "troubleshoot.loading"))
	case len(l.trees) == 0:
		body = app.P().Class("empty").Text(t(lang, "troubleshoot.empty"))
	default:
		body = app.Ul().ID("tree-list").Class("articles").Body(
			app.Range(l.trees).Slice(func(i int) app.UI {
				tr := l.trees[i]
				r, running := l.runs[tr.ID]
				return app.Li().Body(
					app.A().Href("/troubleshoot/"+tr.ID).DataSet("id", tr.ID).Body(
						app.Strong().Text(tr.Title),
						app.Span().Class("summary").Text(tr.Summary),
						app.Span().Class("where").Text(l.client.categoryName(lang, tr.Category)),
						app.If(running, func() app.UI {
							return app.Span().Class("note").Text(" · " + t(lang, "troubleshoot.resume", len(r.Answers)))
						}),
					),
					app.If(l.client.isStaff(), func() app.UI {
						return app.A().Class("edit small").Href("/troubleshoot/edit/" + tr.ID).Text(t(lang, "treeedit.edit"))
					}),
				)
			}),
		)
	}
	return l.frame(
		app.Section().Class("hero").Body(
			app.H1().Text(t(lang, "troubleshoot.title")),
			app.P().Text(t(lang, "troubleshoot.intro")),
			app.If(l.client.isStaff(), func() app.UI {
				return app.P().Body(
					app.A().ID("new-guide").Class("button").Href("/troubleshoot/new").Text(t(lang, "treeedit.new")),
					app.Text(" "),
					app.A().ID("guide-stats").Href("/troubleshoot/stats").Text(t(lang, "treeedit.stats_title")),
				)
			}),
		),
		body,
	)
}

// articleOf reads an article of the replica, if it is there.
func (c *Client) articleOf(id string) (shared.Article, bool) {
	rec, ok, err := c.Store.Get(wire.TypeArticle, id)
	if !ok || err != nil {
		return shared.Article{}, false
	}
	var a shared.Article
	return a, json.Unmarshal(rec.Data, &a) == nil
}
