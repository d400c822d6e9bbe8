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

// Ticket actions: what someone may do to a ticket. Allowed decides.
const (
	ActionView           = "view"            // read the ticket and its public replies
	ActionCreate         = "create"          // file it
	ActionReply          = "reply"           // add a public reply the requester sees
	ActionNote           = "note"            // add an internal note, for support staff only
	ActionViewInternal   = "view_internal"   // read internal notes
	ActionChangeStatus   = "change_status"   // move it along the lifecycle (see CanTransition)
	ActionChangePriority = "change_priority" // set impact and urgency, hence priority
	ActionAssign         = "assign"          // give it to an agent or a group
	ActionEscalate       = "escalate"        // move it up a tier, with a reason (see ValidateEscalation)
	ActionReopen         = "reopen"          // resolved → open
	ActionRate           = "rate"            // the requester's satisfaction rating
)

// Actions lists every ticket action. The permission tests run every role
// against every action, so an action added here without rules fails them.
var Actions = []string{
	ActionView, ActionCreate, ActionReply, ActionNote, ActionViewInternal, ActionChangeStatus,
	ActionChangePriority, ActionAssign, ActionEscalate, ActionReopen, ActionRate,
}

// TicketFacts is what the permission and lifecycle rules need to know about
// a ticket. For ActionCreate it describes the ticket about to be filed.
type TicketFacts struct {
	RequesterID string // the user the ticket is for
	Site        string // the site of the kiosk that filed it, if one did
	Tier        int    // the tier working it, 1–3; 0 counts as tier 1
	Group       string // the group whose queue it is in; "" is the general queue
	AssigneeID  string // the agent working it, if any
	Status      string
	ResolvedAt  int64 // Unix milliseconds of the latest resolution, 0 if never resolved
}

func (t TicketFacts) tier() int {
	if t.Tier < Tier1 {
		return Tier1
	}
	return t.Tier
}

// Allowed returns nil if who may do action on ticket t, and otherwise an
// *Error that says why not:
//
//	                 requester  agent  admin  kiosk
//	view                own     sight   all     -
//	create              own      all    all    site
//	reply               own     scope   all     -
//	note                 -      scope   all     -
//	view_internal        -      sight   all     -
//	change_status       own     scope   all     -
//	change_priority      -      scope   all     -
//	assign               -      scope   all     -
//	escalate             -      scope   all     -
//	reopen              own     scope   all     -
//	rate                own      own    own     -
//
// "own" is a ticket whose RequesterID is who: a requester acts only on their
// own tickets, and an agent or admin who files a ticket for themselves has a
// requester's rights on it too. "scope" is an agent's queue: tickets assigned
// to them, and tickets at or below their tier in the general queue or in one
// of their groups. "sight" is what an agent reads, wider than what they
// may change: tickets assigned to them, and tickets in the general queue
// or one of their groups at any tier, so a tier-1 agent follows what tier 2
// does with a ticket they escalated, while an HR group's tickets never
// reach the network team (the server's pull sends an agent exactly these:
// server/sync.visibleTo asks Allowed). A kiosk only files tickets for visitors at its own site
// and never sees a ticket, not even one it filed, so no visitor data stays
// on the desk. Only the requester rates a ticket, so satisfaction scores say
// what requesters think.
//
// Beyond the table: a closed ticket can only be viewed and rated; a ticket
// can be rated only once resolved; reopen needs a resolved ticket; escalate
// needs a ticket below tier 3. Whether a status change is allowed, and the
// reopen window, is CanTransition's business.
//
// Returns EUNAUTHORIZED if who is nobody, EINVALID for an unknown action
// and EFORBIDDEN for a refusal.
func Allowed(who Identity, action string, t TicketFacts) error {
	if who.UserID == "" || who.Role == "" {
		return Errorf(EUNAUTHORIZED, "auth.required")
	}
	rule, ok := permissions[action]
	if !ok {
		return Errorf(EINVALID, "perm.unknown_action", action)
	}
	if err := rule.check(who, t); err != nil {
		return err
	}
	return stateAllows(action, t)
}

// access says who may do one action.
type access struct {
	requester bool // the ticket's requester, whatever their role (kiosks aside)
	staff     bool // an agent in scope, or an admin
	sight     bool // an agent who may see it (inSight), or an admin
	anyAgent  bool // any agent, in scope or not
	kiosk     bool // a kiosk at the ticket's site
}

// permissions is the table in Allowed's doc. Any agent may file a ticket,
// for anyone and in any queue (a phone call, a walk-in).
var permissions = map[string]access{
	ActionView:           {requester: true, sight: true},
	ActionCreate:         {requester: true, staff: true, anyAgent: true, kiosk: true},
	ActionReply:          {requester: true, staff: true},
	ActionNote:           {staff: true},
	ActionViewInternal:   {sight: true},
	ActionChangeStatus:   {requester: true, staff: true},
	ActionChangePriority: {staff: true},
	ActionAssign:         {staff: true},
	ActionEscalate:       {staff: true},
	ActionReopen:         {requester: true, staff: true},
	ActionRate:           {requester: true},
}

func (a access) check(who Identity, t TicketFacts) error {
	own := t.RequesterID == who.UserID
	switch who.Role {
	case RoleKiosk:
		switch {
		case !a.kiosk:
			return Errorf(EFORBIDDEN, "perm.kiosk_files_only")
		case who.Site == "" || t.Site != who.Site:
			return Errorf(EFORBIDDEN, "perm.kiosk_other_site")
		}
		return nil
	case RoleRequester:
		switch {
		case a.requester && own:
			return nil
		case a.requester:
			return Errorf(EFORBIDDEN, "perm.not_yours")
		}
		return Errorf(EFORBIDDEN, "perm.staff_only")
	case RoleAgent:
		switch {
		case a.requester && own, a.anyAgent, a.staff && inScope(who, t), a.sight && inSight(who, t):
			return nil
		case a.staff, a.sight:
			return Errorf(EFORBIDDEN, "perm.out_of_scope")
		}
	case RoleAdmin:
		if a.staff || a.sight || a.requester && own {
			return nil
		}
	default:
		return Errorf(EFORBIDDEN, "role.unknown", who.Role)
	}
	return Errorf(EFORBIDDEN, "perm.requester_only")
}

// inScope reports whether ticket t is in agent who's queue: assigned to
// them, or at or below their tier and in the general queue or one of
// their groups.
func inScope(who Identity, t TicketFacts) bool {
	if t.AssigneeID != "" && t.AssigneeID == who.UserID {
		return true
	}
	return t.tier() <= who.Tier && (t.Group == "" || who.InGroup(t.Group))
}

// inSight reports whether agent who may read ticket t: assigned to them,
// or in the general queue or one of their groups, whatever its tier.
func inSight(who Identity, t TicketFacts) bool {
	if t.AssigneeID != "" && t.AssigneeID == who.UserID {
		return true
	}
	return t.Group == "" || who.InGroup(t.Group)
}

// stateAllows applies the rules that depend on where the ticket is, not on
// who asks.
func stateAllows(action string, t TicketFacts) error {
	switch {
	case action == ActionCreate:
		return nil
	case t.Status == StatusClosed && action != ActionView && action != ActionViewInternal && action != ActionRate:
		return Errorf(EFORBIDDEN, "perm.closed")
	case action == ActionRate && t.Status != StatusResolved && t.Status != StatusClosed:
		return Errorf(EFORBIDDEN, "perm.rate_not_resolved")
	case action == ActionReopen && t.Status != StatusResolved:
		return Errorf(EFORBIDDEN, "transition.reopen_not_resolved")
	case action == ActionEscalate && t.tier() >= MaxTier:
		return Errorf(EFORBIDDEN, "perm.top_tier")
	}
	return nil
}

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

// Impact and urgency levels, the two inputs of a ticket's priority.
const (
	LevelHigh   = "high"
	LevelMedium = "medium"
	LevelLow    = "low"
)

// Priorities, P1 most urgent (the same values shared/tree suggests).
// Display names are the catalog keys "ticket.priority.<p>".
const (
	PriorityP1 = "P1" // critical: work stops for many, now
	PriorityP2 = "P2" // high
	PriorityP3 = "P3" // medium
	PriorityP4 = "P4" // low: can be planned
)

// Priorities lists the priorities, most urgent first.
var Priorities = []string{PriorityP1, PriorityP2, PriorityP3, PriorityP4}

// priorityMatrix is the ITIL impact × urgency matrix. ITIL's usual 3×3
// matrix has five levels (critical, high, medium, low, planning); Outpost
// has four, so low and planning share P4:
//
//	                  urgency high   medium   low
//	impact high             P1         P2      P3
//	impact medium           P2         P3      P4
//	impact low              P3         P4      P4
var priorityMatrix = map[[2]string]string{
	{LevelHigh, LevelHigh}: PriorityP1, {LevelHigh, LevelMedium}: PriorityP2, {LevelHigh, LevelLow}: PriorityP3,
	{LevelMedium, LevelHigh}: PriorityP2, {LevelMedium, LevelMedium}: PriorityP3, {LevelMedium, LevelLow}: PriorityP4,
	{LevelLow, LevelHigh}: PriorityP3, {LevelLow, LevelMedium}: PriorityP4, {LevelLow, LevelLow}: PriorityP4,
}

// Priority returns the priority of a ticket with the given impact (how many
// people or how much of the business it affects) and urgency (how soon it
// hurts), each LevelHigh, LevelMedium or LevelLow, from the matrix above.
// Returns EINVALID for any other level.
func Priority(impact, urgency string) (string, error) {
	if !validLevel(impact) {
		return "", Errorf(EINVALID, "ticket.priority.bad_impact", impact)
	}
	if !validLevel(urgency) {
		return "", Errorf(EINVALID, "ticket.priority.bad_urgency", urgency)
	}
	return priorityMatrix[[2]string{impact, urgency}], nil
}

func validLevel(l string) bool { return l == LevelHigh || l == LevelMedium || l == LevelLow }
