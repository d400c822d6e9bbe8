package shared

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The ticket lifecycle. StatusNew is in ticket.go.
//
//	new ──► open ◄──► pending (waiting on the requester)
//	  │      │           │
//	  └──────┴─────┬─────┘
//	               ▼
//	           resolved ──► closed (final)
//	               │
//	               └──► open (reopened; by the requester only within the reopen window)
const (
	StatusOpen     = "open"
	StatusPending  = "pending" // waiting on the requester; the SLA clock pauses
	StatusResolved = "resolved"
	StatusClosed   = "closed"
)

// TicketStatuses lists every ticket status in lifecycle order. The transition
// tests run every status against every other, so a status added here
// without rules fails them.
var TicketStatuses = []string{StatusNew, StatusOpen, StatusPending, StatusResolved, StatusClosed}

// ValidTicketStatus reports whether s is one of TicketStatuses.
func ValidTicketStatus(s string) bool {
	for _, st := range TicketStatuses {
		if st == s {
			return true
		}
	}
	return false
}

// DefaultReopenWindow is how long after resolution a requester may reopen
// their ticket. After it the ticket is due to close (AutoCloseDue).
const DefaultReopenWindow = 7 * 24 * time.Hour

// moves says, for each status change, who may make it: support staff (an
// agent in scope, or an admin) and the ticket's requester. A change that is
// not listed is allowed to nobody. The requester may settle their own
// ticket (resolve it, confirm a resolution by closing it), answer a request
// for information (pending → open) and reopen it within the window.
var moves = map[[2]string]struct{ staff, requester bool }{
	{StatusNew, StatusOpen}:         {staff: true},
	{StatusNew, StatusPending}:      {staff: true},
	{StatusNew, StatusResolved}:     {staff: true, requester: true},
	{StatusOpen, StatusPending}:     {staff: true},
	{StatusOpen, StatusResolved}:    {staff: true, requester: true},
	{StatusPending, StatusOpen}:     {staff: true, requester: true},
	{StatusPending, StatusResolved}: {staff: true, requester: true},
	{StatusResolved, StatusOpen}:    {staff: true, requester: true},
	{StatusResolved, StatusClosed}:  {staff: true, requester: true},
}

// CanTransition returns nil if who may move ticket t to status to at time
// now, and otherwise an *Error that says why not. Moving a resolved ticket
// back to open is a reopen (ActionReopen); every other move is
// ActionChangeStatus, so Allowed's rules apply first. A requester may
// reopen only within reopenWindow of t.ResolvedAt (0 means
// DefaultReopenWindow); staff may reopen any resolved ticket. Closed is
// final: nobody reopens a closed ticket, they file a new one.
//
// Returns EINVALID for an unknown status, EFORBIDDEN for a move that is
// not allowed to who, and ECONFLICT when the ticket's state rules the move
// out (already there, closed, the reopen window has passed).
func CanTransition(who Identity, t TicketFacts, to string, now time.Time, reopenWindow time.Duration) error {
	if !ValidTicketStatus(t.Status) {
		return Errorf(EINVALID, "transition.unknown_status", t.Status)
	}
	if !ValidTicketStatus(to) {
		return Errorf(EINVALID, "transition.unknown_status", to)
	}
	action := ActionChangeStatus
	if t.Status == StatusResolved && to == StatusOpen {
		action = ActionReopen
	}
	if err := Allowed(who, action, t); err != nil {
		return err // a closed ticket is refused here: it can only be viewed and rated
	}
	if t.Status == to {
		return Errorf(ECONFLICT, "transition.same")
	}
	m := moves[[2]string{t.Status, to}]
	staff := who.Role == RoleAdmin || who.Role == RoleAgent && inScope(who, t)
	switch {
	case to == StatusNew:
		return Errorf(EFORBIDDEN, "transition.to_new")
	case to == StatusClosed && !m.staff && !m.requester:
		return Errorf(EFORBIDDEN, "transition.resolve_first")
	case !m.staff && !m.requester:
		return Errorf(EFORBIDDEN, "transition.not_allowed")
	case staff && m.staff:
		return nil
	case !m.requester || t.RequesterID != who.UserID:
		return Errorf(EFORBIDDEN, "transition.staff_only")
	case action == ActionReopen:
		if reopenWindow <= 0 {
			reopenWindow = DefaultReopenWindow
		}
		if now.UnixMilli() > t.ResolvedAt+reopenWindow.Milliseconds() {
			return Errorf(ECONFLICT, "transition.reopen_window", days(reopenWindow))
		}
	}
	return nil
}

// days returns d in whole days, rounded up, for messages.
func days(d time.Duration) int64 {
	const day = 24 * time.Hour
	return int64((d + day - 1) / day)
}

// AutoCloseDue reports whether ticket t is resolved and its reopen window
// (0 means DefaultReopenWindow) has passed at now, so the server should
// close it.
func AutoCloseDue(t TicketFacts, now time.Time, reopenWindow time.Duration) bool {
	if reopenWindow <= 0 {
		reopenWindow = DefaultReopenWindow
	}
	return t.Status == StatusResolved && now.UnixMilli() > t.ResolvedAt+reopenWindow.Milliseconds()
}

// Escalation limits.
const MaxEscalationReason = 2000

// ValidateEscalation returns an EINVALID *Error if moving ticket t up to
// tier to with reason is not a proper escalation: the tier must be above
// the ticket's and at most MaxTier, and the reason must say why in at most
// MaxEscalationReason characters. Allowed(who, ActionEscalate, t) decides
// who may escalate.
func ValidateEscalation(t TicketFacts, to int, reason string) error {
	switch {
	case to <= t.tier() || to > MaxTier:
		return Errorf(EINVALID, "transition.tier_up_only", t.tier(), MaxTier)
	case strings.TrimSpace(reason) == "":
		return Errorf(EINVALID, "transition.reason_required")
	case utf8.RuneCountInString(reason) > MaxEscalationReason:
		return Errorf(EINVALID, "transition.reason_too_long", MaxEscalationReason)
	}
	return nil
}
