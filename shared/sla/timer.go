package sla

import (
	"cmp"
	"slices"
	"time"

	"outpost/shared"
)

// Kind says which promise a timer measures.
type Kind int

// Kinds of timers.
const (
	FirstResponse Kind = iota // stops at the first public reply from support staff
	Resolution                // stops when the ticket is resolved, runs again if it is reopened
)

// Event is a status change: from At on, the ticket is in Status.
type Event struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
}

// States of a timer.
const (
	StateRunning  = "running"  // the clock runs (it may be outside business hours just now)
	StatePaused   = "paused"   // waiting on the requester, or resolved before a first response
	StateMet      = "met"      // done before the target was reached
	StateBreached = "breached" // the target was reached before it was done, or done exactly then
)

// Timer is one SLA timer at a given moment.
type Timer struct {
	State     string        `json:"state"`
	Target    time.Duration `json:"target"`
	Elapsed   time.Duration `json:"elapsed"`   // clock time counted so far
	Remaining time.Duration `json:"remaining"` // Target − Elapsed: zero or negative once breached
	// Due is when the target is or was reached: for a running or paused
	// timer, if the clock runs from now on without another pause; for a
	// breached one, the instant it was reached; for a met one, when it
	// would have been reached had the clock run on from DoneAt.
	Due    time.Time `json:"due"`
	Warned bool      `json:"warned"`           // Elapsed ≥ the warning threshold (so every breached timer is warned)
	DoneAt time.Time `json:"done_at,omitzero"` // when the response came or the ticket was resolved
}

// Breached reports whether the target was reached: Elapsed ≥ Target.
func (t Timer) Breached() bool { return t.Elapsed >= t.Target }

// Track returns the timer of one promise (kind, target) at now, for a
// ticket whose clock starts at start and whose status changed as events
// say. responded is the first response (FirstResponse only; zero if none
// yet). warn is the warning threshold as a share of target (outside
// (0, 1) it is DefaultWarn).
//
// The rules:
//
//   - The ticket starts in shared.StatusNew at start. Events at or before
//     start set the status the clock starts in; events after now are
//     ignored, so a replayed log gives the same answer for the same now.
//     Events need not be sorted (equal times keep their order).
//   - The clock runs in new, open and any status it does not know; it
//     pauses in pending (waiting on the requester) and resumes on any
//     other status. It counts the calendar's business hours only.
//   - Resolved and closed stop the Resolution timer: it is done at the
//     moment the ticket was resolved, and runs on from where it stopped
//     if the ticket is reopened (the time it was resolved does not count,
//     the time before it still does). They pause the FirstResponse timer,
//     which is done only by a response; a response before start counts as
//     given at start.
//   - Breach at the boundary: a timer is breached once Elapsed ≥ Target,
//     so a response exactly at Due is late. A target is a deadline to be
//     beaten, and "0 remaining" must not read as "on time".
func Track(cal *Calendar, kind Kind, target time.Duration, warn float64, start time.Time, events []Event, responded, now time.Time) Timer {
	if warn <= 0 || warn >= 1 {
		warn = DefaultWarn
	}
	tm := Timer{Target: target}
	var breachAt, doneAt time.Time
	var status string
	tm.Elapsed, breachAt, doneAt, status = measure(cal, kind, target, start, events, responded, now)
	tm.Remaining = target - tm.Elapsed
	tm.Warned = tm.Elapsed >= time.Duration(float64(target)*warn)
	tm.DoneAt = doneAt
	switch {
	case tm.Breached():
		tm.State, tm.Due = StateBreached, breachAt
		if breachAt.IsZero() { // a zero target: breached from the start
			tm.Due = start
		}
	case !doneAt.IsZero():
		tm.State, tm.Due = StateMet, cal.Add(doneAt, tm.Remaining)
	case runs(status):
		tm.State, tm.Due = StateRunning, cal.Add(now, tm.Remaining)
	default:
		tm.State, tm.Due = StatePaused, cal.Add(now, tm.Remaining)
	}
	return tm
}

// Elapsed returns the clock time of a timer of kind at now, and when it
// was done (zero if it is not): Track without a target, for reports.
func Elapsed(cal *Calendar, kind Kind, start time.Time, events []Event, responded, now time.Time) (time.Duration, time.Time) {
	elapsed, _, doneAt, _ := measure(cal, kind, -1, start, events, responded, now)
	return elapsed, doneAt
}

// measure runs the clock as Track's doc says, and returns the time
// counted, when it reached target (zero if it did not, or target < 0),
// when the timer was done (zero if it is not) and the status at now.
func measure(cal *Calendar, kind Kind, target time.Duration, start time.Time, events []Event, responded, now time.Time) (elapsed time.Duration, breachAt, doneAt time.Time, status string) {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b Event) int { return a.At.Compare(b.At) })

	limit := now
	if kind == FirstResponse && !responded.IsZero() && !responded.After(now) {
		doneAt = later(responded, start)
		limit = doneAt
	}

	status = shared.StatusNew
	from := start
	run := func(to time.Time) {
		if !runs(status) || !to.After(from) {
			return
		}
		d := cal.Between(from, to)
		if target >= 0 && breachAt.IsZero() && elapsed+d >= target {
			breachAt = cal.Add(from, target-elapsed)
		}
		elapsed += d
	}
	for _, e := range evs {
		if e.At.After(limit) {
			break
		}
		if e.At.After(from) {
			run(e.At)
			from = e.At
		}
		if kind == Resolution && stops(e.Status) && !stops(status) {
			doneAt = later(e.At, start)
		}
		status = e.Status
	}
	run(limit)
	if kind == Resolution && !stops(status) {
		doneAt = time.Time{} // reopened
	}
	return elapsed, breachAt, doneAt, status
}

// runs reports whether the clock runs in status.
func runs(status string) bool {
	return status != shared.StatusPending && !stops(status)
}

// stops reports whether status settles the ticket.
func stops(status string) bool {
	return status == shared.StatusResolved || status == shared.StatusClosed
}

// Events returns the status changes of ticket t from its history entries
// (any order), at server time. Besides the status entries it includes the
// changes the server makes on a reply without a status entry of their
// own: a public reply from staff other than the requester opens a new
// ticket, and any other public reply reopens a pending one (the requester
// answered, so the clock runs again).
func Events(t *shared.Ticket, entries []shared.Entry) []Event {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b shared.Entry) int { return cmp.Compare(a.At, b.At) })
	var out []Event
	status := shared.StatusNew
	move := func(at int64, to string) {
		if to != status {
			out = append(out, Event{At: time.UnixMilli(at), Status: to})
			status = to
		}
	}
	for _, e := range es {
		switch {
		case e.Kind == shared.EntryStatus:
			move(e.At, e.To)
		case e.Kind != shared.EntryReply || e.Internal:
		case e.AuthorStaff && e.AuthorID != t.RequesterID:
			if status == shared.StatusNew {
				move(e.At, shared.StatusOpen)
			}
		case status == shared.StatusPending:
			move(e.At, shared.StatusOpen)
		}
	}
	return out
}

// Responded returns when support staff first replied in public to ticket
// t, from its entries, or the zero time. The server keeps the same instant
// in t.FirstResponseAt.
func Responded(t *shared.Ticket, entries []shared.Entry) time.Time {
	var first int64
	for _, e := range entries {
		if e.Kind == shared.EntryReply && !e.Internal && e.AuthorStaff && e.AuthorID != t.RequesterID && (first == 0 || e.At < first) {
			first = e.At
		}
	}
	if first == 0 {
		return time.Time{}
	}
	return time.UnixMilli(first)
}

// Marks on a ticket's history: the server writes one entry of kind
// EntryKind (internal) when a timer crosses its warning threshold and one
// when it is breached, each once per ticket and timer. From names the
// timer (TimerFirstResponse, TimerResolution), To what happened (StateWarned
// or StateBreached) and Body the due time (RFC 3339), so each device words
// it in its reader's language.
const (
	EntryKind          = "sla"
	TimerFirstResponse = "first_response"
	TimerResolution    = "resolution"
	StateWarned        = "warned"
)

// MarkID returns the ID of the history entry that marks a timer of ticket
// (TimerFirstResponse or TimerResolution) as warned or breached. It is
// derived, not random, so the mark is written once however often the
// clock is evaluated and whoever evaluates it; it is not a UUID, so no
// device can take it first with a mutation of its own.
func MarkID(ticket, timer, what string) string {
	return "sla-" + ticket + "-" + timer + "-" + what
}

// Next returns the timer a ticket's due time is about now: the first
// response while there is none, the resolution after.
func (t Timers) Next() (Timer, string) {
	if t.FirstResponse.DoneAt.IsZero() {
		return t.FirstResponse, TimerFirstResponse
	}
	return t.Resolution, TimerResolution
}

// TicketTimers returns ticket t's timers at now from its history entries
// (any order): the clock starts at Start of its stored times (a ticket not
// yet received counts from now), runs over Events and stops at Responded.
// The server decides warnings and breaches with it, and every device shows
// the same due times with it.
func (p *Policy) TicketTimers(cal *Calendar, t *shared.Ticket, entries []shared.Entry, now time.Time) (Timers, error) {
	var created, received time.Time
	if t.CreatedAt > 0 {
		created = time.UnixMilli(t.CreatedAt)
	}
	if t.ReceivedAt > 0 {
		received = time.UnixMilli(t.ReceivedAt)
	}
	start := Start(created, received, now, DefaultGrace)
	return p.Timers(cal, t.Priority, start, Events(t, entries), Responded(t, entries), now)
}
