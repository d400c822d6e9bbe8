package shared

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
