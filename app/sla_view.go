package app

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/sla"
	"outpost/shared/wire"
)

// The SLA on a device: due times computed offline from the synced
// calendar and policy (config records) with the same shared/sla code the
// server's clock runs, the requester's satisfaction rating, and the lines
// the clock writes into a ticket's history.

// slaConfig returns the calendar and policy on this device, or nil ones
// before they have been synced. The WebAssembly build embeds time/tzdata
// (app/wasm), so the calendar's zone loads offline.
func (c *Client) slaConfig() (*sla.Calendar, *sla.Policy, error) {
	calRec, ok, err := c.Store.Get(wire.TypeConfig, sla.ConfigCalendar)
	if err != nil || !ok {
		return nil, nil, err
	}
	polRec, ok, err := c.Store.Get(wire.TypeConfig, sla.ConfigPolicy)
	if err != nil || !ok {
		return nil, nil, err
	}
	var cal sla.Calendar
	var pol sla.Policy
	if err := json.Unmarshal(calRec.Data, &cal); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(polRec.Data, &pol); err != nil {
		return nil, nil, err
	}
	if err := cal.LoadZone(nil); err != nil {
		return nil, nil, err
	}
	return &cal, &pol, nil
}

// allEntries returns the replica's ticket history entries by ticket.
func (c *Client) allEntries() (map[string][]shared.Entry, error) {
	recs, err := c.Store.List(wire.TypeEntry)
	if err != nil {
		return nil, err
	}
	out := map[string][]shared.Entry{}
	for _, r := range recs {
		var e shared.Entry
		if json.Unmarshal(r.Data, &e) == nil {
			out[e.TicketID] = append(out[e.TicketID], e)
		}
	}
	return out, nil
}

// queueSLA returns the SLA timers at now of tickets ts, by ticket ID (none
// for a ticket whose priority the policy does not know, or before the
// configuration has been synced).
func (c *Client) queueSLA(ts []ticketView, now time.Time) (map[string]sla.Timers, error) {
	cal, pol, err := c.slaConfig()
	if err != nil || cal == nil {
		return nil, err
	}
	entries, err := c.allEntries()
	if err != nil {
		return nil, err
	}
	out := make(map[string]sla.Timers, len(ts))
	for i := range ts {
		if tm, err := pol.TicketTimers(cal, &ts[i].Ticket, entries[ts[i].ID], now); err == nil {
			out[ts[i].ID] = tm
		}
	}
	return out, nil
}

// dueRank orders a queue by SLA: breached first (longest overdue on top),
// then running timers by due time, then paused ones (waiting on the
// requester), then tickets the SLA has nothing to say about.
func dueRank(tk *ticketView, timers map[string]sla.Timers) (int, time.Time) {
	tm, ok := timers[tk.ID]
	if !ok || !activeStatus(tk.Status) {
		return 3, time.Time{}
	}
	next, _ := tm.Next()
	switch next.State {
	case sla.StateBreached:
		return 0, next.Due
	case sla.StateRunning:
		return 1, next.Due
	case sla.StatePaused:
		return 2, next.Due
	}
	return 3, time.Time{}
}

func activeStatus(s string) bool {
	return s == shared.StatusNew || s == shared.StatusOpen || s == shared.StatusPending
}

// dueCell is the queue's due column: "in 2 h", "breached 30 min ago",
// "paused", or a dash.
func dueCell(l string, tk *ticketView, timers map[string]sla.Timers, now time.Time) app.UI {
	td := app.Td().Class("due")
	tm, ok := timers[tk.ID]
	if !ok || !activeStatus(tk.Status) {
		return td.Text("—")
	}
	next, which := tm.Next()
	td = td.DataSet("timer", which).DataSet("state", next.State).Title(t(l, "slaview.timer."+which))
	switch {
	case next.State == sla.StateBreached:
		return td.Class("sla-breached").Text(t(l, "slaview.breached_ago", age(l, now.Sub(next.Due))))
	case next.State == sla.StatePaused:
		return td.Class("sla-paused").Text(t(l, "slaview.paused_short"))
	case next.Warned:
		return td.Class("sla-warned").Text(t(l, "slaview.due_in", age(l, next.Due.Sub(now))))
	}
	return td.Text(t(l, "slaview.due_in", age(l, next.Due.Sub(now))))
}

// renderSLA is the ticket page's SLA panel (ticket.go calls it).
func (p *ticketPage) renderSLA() app.UI {
	entries := make([]shared.Entry, len(p.entries))
	for i, e := range p.entries {
		entries[i] = e.Entry
	}
	return &slaPanel{Lang: p.lang, Ticket: p.ticket.Ticket, Entries: entries, client: p.client}
}

// slaPanel shows a ticket's SLA: to its requester, when to expect a first
// response and a resolution, computed offline ("paused while we wait for
// your answer" when it is pending), and once it is resolved a one-tap
// rating; to support staff, both timers with warned and breached badges.
// The page passes the ticket and its history (pending changes included);
// the panel reads the configuration and the ratings itself.
type slaPanel struct {
	app.Compo
	Lang    string
	Ticket  shared.Ticket
	Entries []shared.Entry

	client  *Client
	cal     *sla.Calendar
	pol     *sla.Policy
	rated   *shared.Rating // this resolution's rating, sent or waiting in the outbox
	pending bool           // rated is still in the outbox
	comment string
	errMsg  string
	now     time.Time
	cancel  func()
	stop    chan struct{} // ends the minute ticker
}

func (s *slaPanel) OnMount(ctx app.Context) {
	if s.client.prerendering() {
		return
	}
	changes := s.client.Engine.Status().Changes
	s.cancel = s.client.Engine.Subscribe(func() {
		ctx.Dispatch(func(ctx app.Context) {
			if st := s.client.Engine.Status(); st.Changes != changes {
				changes = st.Changes
				s.load(ctx)
			}
		})
	})
	s.load(ctx)
	// Relative times ("in 2 h") and running timers move on: redraw each minute.
	stop := make(chan struct{})
	s.stop = stop
	ctx.Async(func() {
		tick, minute := s.client.clk().NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-minute:
				ctx.Dispatch(func(ctx app.Context) { s.now = s.client.clk().Now() })
			}
		}
	})
}

func (s *slaPanel) OnDismount() {
	if s.cancel != nil {
		s.cancel()
	}
	if s.stop != nil {
		close(s.stop)
		s.stop = nil
	}
}

// OnUpdate runs when the page passes another ticket or history.
func (s *slaPanel) OnUpdate(ctx app.Context) { s.load(ctx) }

func (s *slaPanel) load(ctx app.Context) {
	if s.client.prerendering() {
		return
	}
	tk := s.Ticket
	ctx.Async(func() {
		cal, pol, err := s.client.slaConfig()
		rated, pending, rerr := s.client.ratingOf(tk)
		ctx.Dispatch(func(ctx app.Context) {
			s.cal, s.pol, s.rated, s.pending, s.now = cal, pol, rated, pending, s.client.clk().Now()
			s.errMsg = ""
			if err == nil {
				err = rerr
			}
			if err != nil {
				s.errMsg = storageErrText(s.Lang, err)
			}
		})
	})
}

// ratingOf returns the requester's rating of tk's latest resolution: one
// waiting in the outbox (pending), or one the server stored for it.
func (c *Client) ratingOf(tk shared.Ticket) (*shared.Rating, bool, error) {
	out, err := c.Store.Outbox()
	if err != nil {
		return nil, false, err
	}
	for _, m := range out {
		var r shared.Rating
		if m.Name == shared.OpTicketRate && json.Unmarshal(m.Args, &r) == nil && r.TicketID == tk.ID {
			return &r, true, nil
		}
	}
	recs, err := c.Store.List(wire.TypeRating)
	if err != nil {
		return nil, false, err
	}
	for _, rec := range recs {
		var r shared.RatingRecord
		if json.Unmarshal(rec.Data, &r) == nil && r.TicketID == tk.ID && r.ResolvedAt == tk.ResolvedAt {
			return &r.Rating, false, nil
		}
	}
	return nil, false, nil
}

// rate queues the requester's rating; it goes out when the device is
// online, and the panel thanks them at once.
func (s *slaPanel) rate(ctx app.Context, score int) {
	client := s.client
	r := shared.Rating{TicketID: s.Ticket.ID, Score: score, Comment: strings.TrimSpace(s.comment)}
	ctx.Async(func() {
		now := client.Engine.Now()
		r.ID, r.CreatedAt = shared.NewID(now), now.UnixMilli()
		err := r.Validate()
		if err == nil {
			err = client.Engine.Mutate(shared.OpTicketRate, r, "")
		}
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				s.errMsg = errorText(s.Lang, err)
				return
			}
			s.comment, s.errMsg = "", ""
			s.load(ctx)
		})
	})
}

func (s *slaPanel) Render() app.UI {
	l, tk := s.Lang, s.Ticket
	sec := app.Section().ID("sla").Class("sla").DataSet("status", tk.Status)
	if s.client.prerendering() {
		return sec
	}
	staff := s.client.isStaff()
	mine := s.client.me() != nil && tk.RequesterID == s.client.me().UserID
	var lines []app.UI
	if s.errMsg != "" {
		lines = append(lines, app.P().ID("sla-error").Class("error").Attr("role", "alert").Text(s.errMsg))
	}
	if (tk.Status == shared.StatusResolved || tk.Status == shared.StatusClosed) && mine && !staff {
		return sec.Body(append(lines, s.renderRating())...)
	}
	if s.cal == nil || s.pol == nil || !activeStatus(tk.Status) && !staff {
		return sec.Body(lines...)
	}
	now := s.now
	if now.IsZero() {
		now = s.client.clk().Now()
	}
	timers, err := s.pol.TicketTimers(s.cal, &tk, s.Entries, now)
	if err != nil {
		return sec.Body(lines...)
	}
	if staff {
		lines = append(lines,
			app.H2().Text(t(l, "slaview.title")),
			s.renderTimer("sla-first-response", sla.TimerFirstResponse, timers.FirstResponse, now),
			s.renderTimer("sla-resolution", sla.TimerResolution, timers.Resolution, now),
		)
		return sec.Class("card").Body(lines...)
	}
	fr, res := timers.FirstResponse, timers.Resolution
	switch {
	case tk.Status == shared.StatusPending:
		lines = append(lines, app.P().ID("sla-paused").Text(t(l, "slaview.paused")))
	case fr.DoneAt.IsZero() && fr.State == sla.StateBreached:
		lines = append(lines, app.P().ID("sla-response").Text(t(l, "slaview.response_late")))
	case fr.DoneAt.IsZero():
		lines = append(lines, app.P().ID("sla-response").Text(t(l, "sla.expect_response", sla.FormatDue(l, fr.Due, now, s.cal))))
	default:
		lines = append(lines, app.P().ID("sla-answered").Text(t(l, "slaview.answered")))
		if res.State == sla.StateBreached {
			lines = append(lines, app.P().ID("sla-resolution").Text(t(l, "slaview.resolution_late")))
		} else {
			lines = append(lines, app.P().ID("sla-resolution").Text(t(l, "sla.expect_resolution", sla.FormatDue(l, res.Due, now, s.cal))))
		}
	}
	return sec.Class("notice").Body(lines...)
}

// renderTimer is one timer for staff: its state, when it is due, and a
// badge once it is warned or breached.
func (s *slaPanel) renderTimer(id, which string, tm sla.Timer, now time.Time) app.UI {
	l := s.Lang
	var when string
	switch tm.State {
	case sla.StateBreached:
		when = t(l, "slaview.breached_at", sla.FormatDue(l, tm.Due, now, s.cal))
		if tm.DoneAt.IsZero() {
			when += " · " + t(l, "slaview.breached_ago", age(l, now.Sub(tm.Due)))
		}
	case sla.StateMet:
		when = t(l, "slaview.met_at", sla.FormatDue(l, tm.DoneAt, now, s.cal))
	case sla.StatePaused:
		when = t(l, "slaview.left", age(l, tm.Remaining))
	default:
		when = t(l, "slaview.due_at", sla.FormatDue(l, tm.Due, now, s.cal)) + " · " + t(l, "slaview.due_in", age(l, tm.Due.Sub(now)))
	}
	return app.P().ID(id).Class("sla-timer").DataSet("state", tm.State).DataSet("warned", tm.Warned).Body(
		app.Strong().Text(t(l, "slaview.timer."+which)+": "),
		app.Span().Class("badge sla-"+tm.State).Text(t(l, "sla.state."+tm.State)),
		app.If(tm.Warned && tm.State != sla.StateBreached && tm.State != sla.StateMet, func() app.UI {
			return app.Span().Class("badge sla-warned").Text(t(l, "sla.warned"))
		}),
		app.Span().Class("muted").Text(" "+when),
	)
}

// renderRating asks the requester of a resolved ticket how it went: one
// tap on a score sends it (queued when offline), with the comment typed
// before, if any; afterwards it thanks them.
func (s *slaPanel) renderRating() app.UI {
	l := s.Lang
	if s.rated != nil {
		return app.Div().ID("rating-thanks").Class("notice").DataSet("pending", s.pending).Body(
			app.P().Text(t(l, "slaview.thanks", s.rated.Score)),
			app.If(s.rated.Comment != "", func() app.UI { return app.P().Class("muted").Text("“" + s.rated.Comment + "”") }),
			app.If(s.pending, func() app.UI { return app.Span().Class("badge pending").Text(t(l, "tickets.pending")) }),
		)
	}
	scores := []int{1, 2, 3, 4, 5}
	return app.Div().ID("rating").Class("card rating").Body(
		app.H2().Text(t(l, "slaview.rate_title")),
		app.Label().For("rating-comment").Text(t(l, "slaview.rate_comment")),
		app.Textarea().ID("rating-comment").Rows(2).MaxLength(shared.MaxRatingComment).Text(s.comment).
			OnInput(func(ctx app.Context, e app.Event) { s.comment = ctx.JSSrc().Get("value").String() }),
		app.P().Class("muted").Text(t(l, "slaview.rate_hint")),
		app.Div().Class("rating-scores").Attr("role", "group").Aria("label", t(l, "slaview.rate_title")).Body(
			app.Range(scores).Slice(func(i int) app.UI {
				n := scores[i]
				return app.Button().ID("rate-"+strconv.Itoa(n)).Class("score").Type("button").
					Title(t(l, "slaview.score."+strconv.Itoa(n))).Aria("label", t(l, "slaview.score."+strconv.Itoa(n))).
					Text(strconv.Itoa(n)).
					OnClick(func(ctx app.Context, e app.Event) { s.rate(ctx, n) }, app.EventScope(n))
			}),
		),
	)
}

// renderSLAEntry words the history lines of the SLA clock and of ratings
// (ticket.go's renderEntry calls it for kinds it does not know).
func renderSLAEntry(l string, e entryView) app.UI {
	switch e.Kind {
	case sla.EntryKind:
		due := e.Body
		if at, err := time.Parse(time.RFC3339, e.Body); err == nil {
			due = when(at.UnixMilli())
		}
		return app.P().Class("change sla-" + e.To).Text(t(l, "slaview.entry."+e.To, t(l, "slaview.timer."+e.From), due))
	case shared.EntryRating:
		return app.Div().Body(
			app.P().Class("change").Text(t(l, "slaview.entry.rating", e.To)),
			app.If(e.Body != "", func() app.UI { return app.P().Class("body").Text(e.Body) }),
		)
	}
	return app.P().Class("change").Text(e.Kind)
}
