// Package kpi computes the support figures of a date range from a fixed
// event log: first-contact resolution, response and resolution times, SLA
// compliance, satisfaction, the backlog, self-service deflection and the
// searches that found nothing. It is pure: the same Input gives the same
// Report on the server and on a device, and a Report exports as tables.
//
// The definitions, for the range [From, To):
//
//   - A ticket is filed in the range if its SLA start (sla.Start, with
//     sla.DefaultGrace) is in it. Only events before To are seen.
//   - A ticket is resolved in the range if it is resolved or closed at To
//     and the moment it last became so is in the range.
//   - First-contact resolution: a ticket resolved in the range with at most
//     one public reply from support staff before that resolution, never
//     escalated and never reopened. The rate is over tickets resolved in
//     the range.
//   - First response time: for each ticket whose first staff reply is in
//     the range, the SLA clock time from its start to that reply; resolution
//     time: for each ticket resolved in the range, the clock time to that
//     resolution. Both leave out time spent pending (waiting on the
//     requester) and resolved, as the SLA clock does, and count the
//     calendar's business hours if Input has a calendar, wall time if not.
//     Median and p90 are nearest-rank: each is a time a ticket really had.
//   - SLA compliance, per target: met / (met + breached), where a target
//     counts in the range it was decided in: met when the response or
//     resolution came, breached when its due time passed. Targets still
//     running at To are not counted.
//   - CSAT: over tickets resolved in the range, the latest valid rating
//     (1–5) of each given before To. Average score, the share of 4 and 5
//     (satisfied), and the response rate (rated / resolved).
//   - Backlog at To: tickets filed before To that are new, open or pending
//     at To, by tier at To and by age (To − start): under 1 day, 1–3 days,
//     3–7 days, 7 days or more.
//   - Deflection: troubleshooting runs solved plus "this helped" answers
//     on articles reached from a search or a troubleshooter, in the range,
//     over those plus the tickets filed in the range.
//   - Top searches with no results: the counted queries last seen in the
//     range and first seen before To, most counted first (the counts are
//     the caller's, for whatever period they cover).
//
// Shares whose denominator is zero have a null percentage.
package kpi

import (
	"cmp"
	"math"
	"slices"
	"time"

	"outpost/shared"
	"outpost/shared/sla"
	"outpost/shared/tree"
)

// TopMisses is how many searches with no results a Report lists.
const TopMisses = 10

// Report holds the figures of one range, ready for a dashboard (JSON) and
// for CSV export (Tables).
type Report struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	BusinessTime bool      `json:"business_time"` // times count the calendar's business hours, not wall time

	Filed    int `json:"filed"`
	Resolved int `json:"resolved"`

	FirstContact  Share     `json:"first_contact_resolution"`
	FirstResponse Durations `json:"first_response_time"`
	Resolution    Durations `json:"resolution_time"`

	SLA        []Compliance `json:"sla,omitempty"` // P1–P4 then "all"; none without a policy
	CSAT       CSAT         `json:"csat"`
	Backlog    []Backlog    `json:"backlog"` // tiers 1–3 then the total (Tier 0)
	Deflection Deflection   `json:"deflection"`
	Misses     []Miss       `json:"top_misses"`
}

// Share is N out of Of, with the percentage rounded to one decimal (nil
// when Of is 0).
type Share struct {
	N   int      `json:"n"`
	Of  int      `json:"of"`
	Pct *float64 `json:"pct"`
}

func share(n, of int) Share {
	s := Share{N: n, Of: of}
	if of > 0 {
		p := math.Round(1000*float64(n)/float64(of)) / 10
		s.Pct = &p
	}
	return s
}

// Durations summarises a set of times, in whole seconds.
type Durations struct {
	Count   int   `json:"count"`
	MedianS int64 `json:"median_s"`
	P90S    int64 `json:"p90_s"`
}

func summarise(ds []time.Duration) Durations {
	slices.Sort(ds)
	return Durations{Count: len(ds), MedianS: seconds(percentile(ds, 50)), P90S: seconds(percentile(ds, 90))}
}

// percentile returns the nearest-rank p-th percentile of sorted ds, or 0.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	rank := (p*len(ds) + 99) / 100 // ⌈p·n/100⌉
	return ds[max(rank, 1)-1]
}

func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

// Compliance is the SLA compliance of one priority ("all" for every one).
type Compliance struct {
	Priority      string `json:"priority"`
	FirstResponse Share  `json:"first_response"` // met of met + breached
	Resolution    Share  `json:"resolution"`
}

// CSAT is the satisfaction of requesters whose tickets were resolved in
// the range.
type CSAT struct {
	Ratings   int      `json:"ratings"`
	Average   *float64 `json:"average"`   // two decimals; nil with no ratings
	Satisfied Share    `json:"satisfied"` // scores 4 and 5 of Ratings
	Response  Share    `json:"response"`  // rated of resolved
}

// Backlog counts open tickets of one tier by age.
type Backlog struct {
	Tier      int `json:"tier"` // 0 in the total row
	UpTo1Day  int `json:"age_0_1d"`
	UpTo3Days int `json:"age_1_3d"`
	UpTo7Days int `json:"age_3_7d"`
	Older     int `json:"age_7d_plus"`
	Total     int `json:"total"`
}

func (b *Backlog) add(age time.Duration) {
	const day = 24 * time.Hour
	switch {
	case age < day:
		b.UpTo1Day++
	case age < 3*day:
		b.UpTo3Days++
	case age < 7*day:
		b.UpTo7Days++
	default:
		b.Older++
	}
	b.Total++
}

// Deflection counts self-service successes against tickets filed.
type Deflection struct {
	TreesSolved     int `json:"trees_solved"`
	ArticlesHelpful int `json:"articles_helpful"` // from a search, a troubleshooter or the ticket form
	// FromTicketForm is how many of ArticlesHelpful were suggested on the
	// new-ticket form while the requester typed (shared.FromTicket).
	FromTicketForm int `json:"from_ticket_form"`
	// Helpful counts every "this helped" answer, however the reader came
	// to the article: the knowledge-base report's helpful votes over the
	// same time. Only ArticlesHelpful deflects a ticket.
	Helpful int   `json:"helpful"`
	Filed   int   `json:"filed"`
	Rate    Share `json:"rate"` // deflected of deflected + filed
}

// Miss is a search that found nothing, and how often it was made.
type Miss struct {
	Query string `json:"query"`
	Lang  string `json:"lang"`
	Count int    `json:"count"`
}

// Compute returns the figures of in. Returns EINVALID if the range is
// empty or the calendar or policy is not valid (the calendar's zone must
// be loaded).
func Compute(in *Input) (*Report, error) {
	if !in.To.After(in.From) {
		return nil, shared.Errorf(shared.EINVALID, "kpi.bad_range")
	}
	r := &Report{From: in.From, To: in.To, BusinessTime: in.Calendar != nil}
	clockCal := &sla.Calendar{Zone: "UTC", AllHours: true, Location: time.UTC}
	if in.Calendar != nil {
		if err := in.Calendar.Validate(); err != nil {
			return nil, err
		}
		clockCal = in.Calendar
	}
	if in.Policy != nil {
		if err := in.Policy.Validate(); err != nil {
			return nil, err
		}
	}
	inRange := func(t time.Time) bool { return !t.Before(in.From) && t.Before(in.To) }

	lastRating := map[string]Rating{} // by ticket
	for _, rt := range in.Ratings {
		if rt.Score < 1 || rt.Score > 5 || !rt.At.Before(in.To) {
			continue
		}
		if old, ok := lastRating[rt.TicketID]; !ok || !rt.At.Before(old.At) {
			lastRating[rt.TicketID] = rt
		}
	}

	var frts, rts []time.Duration
	var met, decided [2]map[string]int // by timer kind, then priority
	for i := range met {
		met[i], decided[i] = map[string]int{}, map[string]int{}
	}
	backlog := map[int]*Backlog{}
	var fcr, rated, satisfied, scoreSum int

	for _, t := range in.Tickets {
		start := sla.Start(t.Created, t.Received, in.To, sla.DefaultGrace)
		if !start.Before(in.To) {
			continue
		}
		if inRange(start) {
			r.Filed++
		}
		events := before(t.Status, in.To, func(e sla.Event) time.Time { return e.At })
		replies := before(t.Replies, in.To, func(t time.Time) time.Time { return t })
		escalations := before(t.Escalations, in.To, func(e Escalation) time.Time { return e.At })
		var responded time.Time
		if len(replies) > 0 {
			responded = slices.MinFunc(replies, func(a, b time.Time) int { return a.Compare(b) })
		}

		if !responded.IsZero() && inRange(responded) {
			frt, _ := sla.Elapsed(clockCal, sla.FirstResponse, start, events, responded, in.To)
			frts = append(frts, frt)
		}
		rt, resolved := sla.Elapsed(clockCal, sla.Resolution, start, events, time.Time{}, in.To)
		if inRange(resolved) {
			r.Resolved++
			rts = append(rts, rt)
			if firstContact(events, replies, escalations, resolved) {
				fcr++
			}
			if rt, ok := lastRating[t.ID]; ok {
				rated++
				scoreSum += rt.Score
				if rt.Score >= 4 {
					satisfied++
				}
			}
		}
		if resolved.IsZero() {
			tier := t.Tier
			if len(escalations) > 0 {
				tier = escalations[len(escalations)-1].Tier
			}
			tier = min(max(tier, shared.Tier1), shared.MaxTier)
			if backlog[tier] == nil {
				backlog[tier] = &Backlog{Tier: tier}
			}
			backlog[tier].add(in.To.Sub(start))
		}
		if in.Policy != nil {
			timers, err := in.Policy.Timers(clockCal, t.Priority, start, events, responded, in.To)
			if err != nil {
				continue // a priority the policy does not know: nothing to comply with
			}
			for k, tm := range []sla.Timer{timers.FirstResponse, timers.Resolution} {
				switch {
				case tm.State == sla.StateMet && inRange(tm.DoneAt):
					met[k][t.Priority]++
					decided[k][t.Priority]++
				case tm.State == sla.StateBreached && inRange(tm.Due):
					decided[k][t.Priority]++
				}
			}
		}
	}

	r.FirstContact = share(fcr, r.Resolved)
	r.FirstResponse, r.Resolution = summarise(frts), summarise(rts)
	if in.Policy != nil {
		for _, p := range append(slices.Clone(shared.Priorities), "all") {
			c := Compliance{Priority: p}
			var n, of [2]int
			for k := range met {
				for pr := range decided[k] {
					if p == "all" || p == pr {
						n[k] += met[k][pr]
						of[k] += decided[k][pr]
					}
				}
			}
			c.FirstResponse, c.Resolution = share(n[0], of[0]), share(n[1], of[1])
			r.SLA = append(r.SLA, c)
		}
	}
	r.CSAT = CSAT{Ratings: rated, Satisfied: share(satisfied, rated), Response: share(rated, r.Resolved)}
	if rated > 0 {
		avg := math.Round(100*float64(scoreSum)/float64(rated)) / 100
		r.CSAT.Average = &avg
	}
	total := Backlog{}
	for tier := shared.Tier1; tier <= shared.MaxTier; tier++ {
		b := Backlog{Tier: tier}
		if backlog[tier] != nil {
			b = *backlog[tier]
		}
		r.Backlog = append(r.Backlog, b)
		total.UpTo1Day += b.UpTo1Day
		total.UpTo3Days += b.UpTo3Days
		total.UpTo7Days += b.UpTo7Days
		total.Older += b.Older
		total.Total += b.Total
	}
	r.Backlog = append(r.Backlog, total)

	d := &r.Deflection
	for _, run := range in.Runs {
		if run.Outcome == tree.EventSolved && inRange(run.At) {
			d.TreesSolved++
		}
	}
	for _, f := range in.Feedback {
		sf := shared.Feedback{Helpful: f.Helpful, From: f.From}
		if !inRange(f.At) {
			continue
		}
		if sf.Helpful {
			d.Helpful++
		}
		if sf.Deflects() {
			d.ArticlesHelpful++
			if f.From == shared.FromTicket {
				d.FromTicketForm++
			}
		}
	}
	d.Filed = r.Filed
	d.Rate = share(d.TreesSolved+d.ArticlesHelpful, d.TreesSolved+d.ArticlesHelpful+d.Filed)

	r.Misses = topMisses(in.Misses, in.From, in.To)
	return r, nil
}

// before returns the items of xs whose time is before to, sorted by time.
func before[T any](xs []T, to time.Time, at func(T) time.Time) []T {
	var out []T
	for _, x := range xs {
		if at(x).Before(to) {
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b T) int { return at(a).Compare(at(b)) })
	return out
}

// firstContact reports whether a ticket resolved at resolved was resolved
// at first contact: at most one staff reply before then, no escalation, no
// reopen (a move out of resolved or closed).
func firstContact(events []sla.Event, replies []time.Time, escalations []Escalation, resolved time.Time) bool {
	if len(escalations) > 0 {
		return false
	}
	n := 0
	for _, r := range replies {
		if !r.After(resolved) {
			n++
		}
	}
	if n > 1 {
		return false
	}
	settled := false
	for _, e := range events {
		s := e.Status == shared.StatusResolved || e.Status == shared.StatusClosed
		if settled && !s {
			return false
		}
		settled = s
	}
	return true
}

// topMisses returns the TopMisses most counted searches seen in [from, to).
func topMisses(stats []shared.SearchMissStats, from, to time.Time) []Miss {
	out := []Miss{}
	for _, s := range stats {
		if s.LastAt >= from.UnixMilli() && s.FirstAt < to.UnixMilli() && s.Count > 0 {
			out = append(out, Miss{Query: s.Query, Lang: s.Lang, Count: s.Count})
		}
	}
	slices.SortFunc(out, func(a, b Miss) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Query, b.Query), cmp.Compare(a.Lang, b.Lang))
	})
	return out[:min(len(out), TopMisses)]
}
