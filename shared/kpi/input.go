package kpi

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"outpost/shared"
	"outpost/shared/sla"
)

// Input is the event log the figures are computed from. Everything is in
// server time; the range is [From, To), and the backlog is taken at To.
type Input struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`

	// Calendar, if set (and loaded: see sla.Calendar.LoadZone), makes
	// response and resolution times count business hours; otherwise they
	// count wall time. Policy, if set, adds SLA compliance; without a
	// calendar its targets count all hours.
	Calendar *sla.Calendar `json:"calendar,omitempty"`
	Policy   *sla.Policy   `json:"policy,omitempty"`

	Tickets  []Ticket                 `json:"tickets"`
	Ratings  []Rating                 `json:"ratings,omitempty"`
	Runs     []Run                    `json:"runs,omitempty"`
	Feedback []Feedback               `json:"feedback,omitempty"`
	Misses   []shared.SearchMissStats `json:"misses,omitempty"`
}

// Ticket is what the figures need to know about one ticket: build it from
// the records with FromRecords.
type Ticket struct {
	ID          string       `json:"id"`
	Priority    string       `json:"priority"`
	Tier        int          `json:"tier,omitempty"` // when filed; 0 counts as tier 1
	Created     time.Time    `json:"created"`        // on the filing device
	Received    time.Time    `json:"received"`       // when the server first saw it
	Status      []sla.Event  `json:"status,omitempty"`
	Replies     []time.Time  `json:"replies,omitempty"` // public replies from support staff
	Escalations []Escalation `json:"escalations,omitempty"`
}

// Escalation is a move up to Tier at At.
type Escalation struct {
	At   time.Time `json:"at"`
	Tier int       `json:"tier"`
}

// FromRecords returns the facts of ticket t with history entries (any
// order). Status changes include those the server makes on replies (see
// sla.Events).
func FromRecords(t *shared.Ticket, entries []shared.Entry) Ticket {
	out := Ticket{
		ID: t.ID, Priority: t.Priority, Tier: t.Tier,
		Created: time.UnixMilli(t.CreatedAt), Received: time.UnixMilli(t.ReceivedAt),
		Status: sla.Events(t, entries),
	}
	if t.ReceivedAt == 0 {
		out.Received = time.Time{}
	}
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b shared.Entry) int { return cmp.Compare(a.At, b.At) })
	for _, e := range es {
		switch {
		case e.Kind == shared.EntryReply && !e.Internal && e.AuthorStaff && e.AuthorID != t.RequesterID:
			out.Replies = append(out.Replies, time.UnixMilli(e.At))
		case e.Kind == shared.EntryEscalate:
			to, _ := strconv.Atoi(e.To)
			if len(out.Escalations) == 0 {
				if from, err := strconv.Atoi(e.From); err == nil {
					out.Tier = from // the tier it was filed at, not where it is now
				}
			}
			out.Escalations = append(out.Escalations, Escalation{At: time.UnixMilli(e.At), Tier: to})
		}
	}
	return out
}

// Rating is a requester's satisfaction score for a ticket, 1 (very
// unhappy) to 5 (very happy). Other scores are left out.
type Rating struct {
	TicketID string    `json:"ticket_id"`
	Score    int       `json:"score"`
	At       time.Time `json:"at"`
}

// Run is a troubleshooting run that ended: Outcome is a shared/tree event
// kind ("solved", "escalated", "abandoned").
type Run struct {
	Tree    string    `json:"tree"`
	Outcome string    `json:"outcome"`
	At      time.Time `json:"at"`
}

// Feedback is an answer to "Did this solve your problem?" on an article
// (shared.Feedback, at server time).
type Feedback struct {
	ArticleID string    `json:"article_id"`
	Helpful   bool      `json:"helpful"`
	From      string    `json:"from,omitempty"` // shared.FromSearch, FromTree, FromBrowse or ""
	At        time.Time `json:"at"`
}
