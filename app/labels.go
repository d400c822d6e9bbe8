package app

import (
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// Words for the reader (issue 16, item 9): a requester reads about herself
// as "you" and sees how her ticket is doing, not how the desk works it;
// support staff read about "the requester" and see everything.

// readerRole is the role of who reads this device's pages: "" (nobody
// signed in) reads as a requester.
func (c *Client) readerRole() string {
	if c.me() == nil {
		return shared.RoleRequester
	}
	return c.me().Role
}

// statusLabel is a ticket status in the words of the role that reads it:
// a requester's ticket is "Received", "In progress" or "Waiting for your
// reply"; an agent's is "New", "Open" or "Waiting on the requester".
func statusLabel(l, role, status string) string {
	if shared.IsStaffRole(role) {
		return t(l, "ticket.status."+status)
	}
	return t(l, "ticket.rstatus."+status)
}

// entryShown says whether role sees a line of a ticket's history. A
// requester sees the conversation, status changes and ratings; how the
// desk triages (priority, assignment, tiers, SLA marks, notes) is for
// support staff.
func entryShown(role string, e shared.Entry) bool {
	if shared.IsStaffRole(role) {
		return true
	}
	if e.Internal {
		return false
	}
	switch e.Kind {
	case shared.EntryReply, shared.EntryStatus, shared.EntryRating:
		return true
	}
	return false
}

// shownEntries keeps the lines of a history that role sees.
func shownEntries(role string, es []entryView) []entryView {
	out := es[:0:0]
	for _, e := range es {
		if entryShown(role, e.Entry) {
			out = append(out, e)
		}
	}
	return out
}

// statusBadge is a ticket's status as a badge, worded for the reader.
func statusBadge(l, role, status string) app.HTMLSpan {
	return app.Span().Class("badge status-" + status).Text(statusLabel(l, role, status))
}

// queueText says how many people wait at a desk and how long a newcomer
// would wait ("People waiting: 3. About 12 min."), with lead before the
// wait; with nobody waiting it says nobodyKey ("Nobody is waiting: check
// in and you are next."), or nothing if that is "", rather than "People
// waiting: 0. You are next." (the desk's staff are not next).
func queueText(l, nobodyKey string, waiting int, times []time.Duration, lead ...string) string {
	if waiting <= 0 {
		if nobodyKey == "" {
			return ""
		}
		return t(l, nobodyKey)
	}
	return strings.Join(append(append([]string{t(l, "kiosk.queue_now", waiting)}, lead...), waitText(l, waiting, times)), " ")
}
