package shared

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"outpost/shared/i18n"
)

const (
	requesterID = "01900000-0000-7000-8000-000000000001"
	agentID     = "01900000-0000-7000-8000-000000000002"
	adminID     = "01900000-0000-7000-8000-000000000003"
	kioskID     = "01900000-0000-7000-8000-000000000004"
	otherID     = "01900000-0000-7000-8000-000000000005"
)

// identities has one user of every role: a tier-2 agent in the network
// group and a kiosk in the lobby.
var identities = map[string]Identity{
	RoleRequester: {UserID: requesterID, Email: "req@example.com", Role: RoleRequester},
	RoleAgent:     {UserID: agentID, Email: "agent@example.com", Role: RoleAgent, Tier: Tier2, Groups: []string{"network"}},
	RoleAdmin:     {UserID: adminID, Email: "admin@example.com", Role: RoleAdmin},
	RoleKiosk:     {UserID: kioskID, Email: "lobby@example.com", Role: RoleKiosk, Site: "lobby"},
}

// errKey returns err's catalog key, "" for nil, and fails the test if the
// key has no message or err is not an *Error.
func errKey(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *shared.Error", err)
	}
	if i18n.T("en", e.Key) == e.Key {
		t.Errorf("error key %q has no message in the catalog", e.Key)
	}
	return e.Key
}

const (
	ok           = ""
	notYours     = "perm.not_yours"
	staffOnly    = "perm.staff_only"
	outOfScope   = "perm.out_of_scope"
	reqOnly      = "perm.requester_only"
	topTier      = "perm.top_tier"
	kioskOnly    = "perm.kiosk_files_only"
	otherSite    = "perm.kiosk_other_site"
	permClosed   = "perm.closed"
	same         = "transition.same"
	toNew        = "transition.to_new"
	resolveFirst = "transition.resolve_first"
	notAllowed   = "transition.not_allowed"
	tStaffOnly   = "transition.staff_only"
)

// TestAllowedEveryRoleAndAction decides every role × action on three
// resolved tickets: the asker's own (tier 3, identity group, annex site),
// someone else's in the agent's scope (tier 1, network group, lobby site),
// and someone else's out of it (tier 3, identity group, annex site).
func TestAllowedEveryRoleAndAction(t *testing.T) {
	type cell = [3]string // own, in scope, out of scope
	want := map[[2]string]cell{
		{RoleRequester, ActionView}:           {ok, notYours, notYours},
		{RoleRequester, ActionCreate}:         {ok, notYours, notYours},
		{RoleRequester, ActionReply}:          {ok, notYours, notYours},
		{RoleRequester, ActionNote}:           {staffOnly, staffOnly, staffOnly},
		{RoleRequester, ActionViewInternal}:   {staffOnly, staffOnly, staffOnly},
		{RoleRequester, ActionChangeStatus}:   {ok, notYours, notYours},
		{RoleRequester, ActionChangePriority}: {staffOnly, staffOnly, staffOnly},
		{RoleRequester, ActionAssign}:         {staffOnly, staffOnly, staffOnly},
		{RoleRequester, ActionEscalate}:       {staffOnly, staffOnly, staffOnly},
		{RoleRequester, ActionReopen}:         {ok, notYours, notYours},
		{RoleRequester, ActionRate}:           {ok, notYours, notYours},

		{RoleAgent, ActionView}:           {ok, ok, outOfScope},
		{RoleAgent, ActionCreate}:         {ok, ok, ok},
		{RoleAgent, ActionReply}:          {ok, ok, outOfScope},
		{RoleAgent, ActionNote}:           {outOfScope, ok, outOfScope},
		{RoleAgent, ActionViewInternal}:   {outOfScope, ok, outOfScope},
		{RoleAgent, ActionChangeStatus}:   {ok, ok, outOfScope},
		{RoleAgent, ActionChangePriority}: {outOfScope, ok, outOfScope},
		{RoleAgent, ActionAssign}:         {outOfScope, ok, outOfScope},
		{RoleAgent, ActionEscalate}:       {outOfScope, ok, outOfScope},
		{RoleAgent, ActionReopen}:         {ok, ok, outOfScope},
		{RoleAgent, ActionRate}:           {ok, reqOnly, reqOnly},

		{RoleAdmin, ActionView}:           {ok, ok, ok},
		{RoleAdmin, ActionCreate}:         {ok, ok, ok},
		{RoleAdmin, ActionReply}:          {ok, ok, ok},
		{RoleAdmin, ActionNote}:           {ok, ok, ok},
		{RoleAdmin, ActionViewInternal}:   {ok, ok, ok},
		{RoleAdmin, ActionChangeStatus}:   {ok, ok, ok},
		{RoleAdmin, ActionChangePriority}: {ok, ok, ok},
		{RoleAdmin, ActionAssign}:         {ok, ok, ok},
		{RoleAdmin, ActionEscalate}:       {topTier, ok, topTier},
		{RoleAdmin, ActionReopen}:         {ok, ok, ok},
		{RoleAdmin, ActionRate}:           {ok, reqOnly, reqOnly},

		{RoleKiosk, ActionView}:           {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionCreate}:         {otherSite, ok, otherSite},
		{RoleKiosk, ActionReply}:          {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionNote}:           {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionViewInternal}:   {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionChangeStatus}:   {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionChangePriority}: {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionAssign}:         {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionEscalate}:       {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionReopen}:         {kioskOnly, kioskOnly, kioskOnly},
		{RoleKiosk, ActionRate}:           {kioskOnly, kioskOnly, kioskOnly},
	}
	resolvedAt := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli()
	tickets := func(who Identity, status string) [3]TicketFacts {
		return [3]TicketFacts{
			{RequesterID: who.UserID, Tier: Tier3, Group: "identity", Site: "annex", Status: status, ResolvedAt: resolvedAt},
			{RequesterID: otherID, Tier: Tier1, Group: "network", Site: "lobby", Status: status, ResolvedAt: resolvedAt},
			{RequesterID: otherID, Tier: Tier3, Group: "identity", Site: "annex", Status: status, ResolvedAt: resolvedAt},
		}
	}
	seen := map[[2]string]bool{}
	for _, role := range Roles {
		who, found := identities[role]
		if !found {
			t.Fatalf("no test identity for role %q", role)
		}
		for _, action := range Actions {
			seen[[2]string{role, action}] = true
			w, decided := want[[2]string{role, action}]
			if !decided {
				t.Errorf("no rule decided for role %q × action %q: add it to the table", role, action)
				continue
			}
			for i, tk := range tickets(who, StatusResolved) {
				err := Allowed(who, action, tk)
				if got := errKey(t, err); got != w[i] {
					t.Errorf("Allowed(%s, %s, %s) = %q; want %q", role, action, column(i), got, w[i])
				}
				if err != nil && ErrorCode(err) != EFORBIDDEN {
					t.Errorf("Allowed(%s, %s, %s) code = %q; want %q", role, action, column(i), ErrorCode(err), EFORBIDDEN)
				}
			}
			// A closed ticket can only be viewed and rated. What was
			// refused for who asks stays refused for that reason; the
			// ticket being closed comes before its tier.
			for i, tk := range tickets(who, StatusClosed) {
				w := w[i]
				if (w == ok || w == topTier) && action != ActionView && action != ActionViewInternal && action != ActionRate && action != ActionCreate {
					w = permClosed
				}
				if got := errKey(t, Allowed(who, action, tk)); got != w {
					t.Errorf("Allowed(%s, %s, closed %s) = %q; want %q", role, action, column(i), got, w)
				}
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("table has a rule for %v, which is not a role × action", k)
		}
	}
}

func column(i int) string { return [...]string{"own", "in scope", "out of scope"}[i] }

func TestAllowedDependsOnState(t *testing.T) {
	req, agent := identities[RoleRequester], identities[RoleAgent]
	tests := []struct {
		name   string
		who    Identity
		action string
		t      TicketFacts
		want   string
	}{
		{"rate open", req, ActionRate, TicketFacts{RequesterID: requesterID, Status: StatusOpen}, "perm.rate_not_resolved"},
		{"rate closed", req, ActionRate, TicketFacts{RequesterID: requesterID, Status: StatusClosed}, ok},
		{"reopen open", req, ActionReopen, TicketFacts{RequesterID: requesterID, Status: StatusOpen}, "transition.reopen_not_resolved"},
		{"escalate tier 2", agent, ActionEscalate, TicketFacts{RequesterID: otherID, Tier: Tier2, Status: StatusOpen}, ok},
		{"escalate tier unset", agent, ActionEscalate, TicketFacts{RequesterID: otherID, Status: StatusOpen}, ok},
		{"tier 3 ticket assigned to a tier-2 agent", agent, ActionReply, TicketFacts{RequesterID: otherID, Tier: Tier3, AssigneeID: agentID, Status: StatusOpen}, ok},
		{"tier 3 ticket assigned to another agent", agent, ActionReply, TicketFacts{RequesterID: otherID, Tier: Tier3, AssigneeID: otherID, Status: StatusOpen}, outOfScope},
		{"tier 1 ticket of another group", agent, ActionView, TicketFacts{RequesterID: otherID, Tier: Tier1, Group: "identity", Status: StatusOpen}, outOfScope},
		{"tier 2 ticket in the general queue", agent, ActionView, TicketFacts{RequesterID: otherID, Tier: Tier2, Status: StatusOpen}, ok},
		{"kiosk without a site", Identity{UserID: kioskID, Role: RoleKiosk}, ActionCreate, TicketFacts{Status: StatusNew}, otherSite},
	}
	for _, tt := range tests {
		if got := errKey(t, Allowed(tt.who, tt.action, tt.t)); got != tt.want {
			t.Errorf("%s: Allowed(%s, %s) = %q; want %q", tt.name, tt.who.Role, tt.action, got, tt.want)
		}
	}
}

func TestAllowedRefusesNobodyAndUnknownActions(t *testing.T) {
	tk := TicketFacts{RequesterID: requesterID, Status: StatusOpen}
	if err := Allowed(Identity{}, ActionView, tk); ErrorCode(err) != EUNAUTHORIZED {
		t.Errorf("Allowed(nobody, view) = %v; want %s", err, EUNAUTHORIZED)
	}
	if err := Allowed(identities[RoleAdmin], "delete", tk); ErrorCode(err) != EINVALID || errKey(t, err) != "perm.unknown_action" {
		t.Errorf("Allowed(admin, delete) = %v; want %s perm.unknown_action", err, EINVALID)
	}
	if err := Allowed(Identity{UserID: otherID, Role: "boss"}, ActionView, tk); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("Allowed(role boss, view) = %v; want %s", err, EFORBIDDEN)
	}
}

// TestCanTransitionEveryStatusPair decides every status × status move for
// every role: the requester on their own ticket, an agent and an admin on
// a ticket in the agent's scope, a kiosk on a ticket of its site. Resolved
// tickets were resolved a day ago, inside the reopen window.
func TestCanTransitionEveryStatusPair(t *testing.T) {
	type cell = [4]string // requester, agent, admin, kiosk
	roles := [4]string{RoleRequester, RoleAgent, RoleAdmin, RoleKiosk}
	const (
		N, O, P, R, C = StatusNew, StatusOpen, StatusPending, StatusResolved, StatusClosed
		k             = kioskOnly
	)
	want := map[[2]string]cell{
		{N, N}: {same, same, same, k},
		{N, O}: {tStaffOnly, ok, ok, k},
		{N, P}: {tStaffOnly, ok, ok, k},
		{N, R}: {ok, ok, ok, k},
		{N, C}: {resolveFirst, resolveFirst, resolveFirst, k},

		{O, N}: {toNew, toNew, toNew, k},
		{O, O}: {same, same, same, k},
		{O, P}: {tStaffOnly, ok, ok, k},
		{O, R}: {ok, ok, ok, k},
		{O, C}: {resolveFirst, resolveFirst, resolveFirst, k},

		{P, N}: {toNew, toNew, toNew, k},
		{P, O}: {ok, ok, ok, k},
		{P, P}: {same, same, same, k},
		{P, R}: {ok, ok, ok, k},
		{P, C}: {resolveFirst, resolveFirst, resolveFirst, k},

		{R, N}: {toNew, toNew, toNew, k},
		{R, O}: {ok, ok, ok, k},
		{R, P}: {notAllowed, notAllowed, notAllowed, k},
		{R, R}: {same, same, same, k},
		{R, C}: {ok, ok, ok, k},

		{C, N}: {permClosed, permClosed, permClosed, k},
		{C, O}: {permClosed, permClosed, permClosed, k},
		{C, P}: {permClosed, permClosed, permClosed, k},
		{C, R}: {permClosed, permClosed, permClosed, k},
		{C, C}: {permClosed, permClosed, permClosed, k},
	}
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	seen := map[[2]string]bool{}
	for _, from := range TicketStatuses {
		for _, to := range TicketStatuses {
			seen[[2]string{from, to}] = true
			w, decided := want[[2]string{from, to}]
			if !decided {
				t.Errorf("no rule decided for %s → %s: add it to the table", from, to)
				continue
			}
			tk := TicketFacts{RequesterID: requesterID, Tier: Tier1, Group: "network", Site: "lobby", Status: from,
				ResolvedAt: now.Add(-24 * time.Hour).UnixMilli()}
			for i, role := range roles {
				err := CanTransition(identities[role], tk, to, now, DefaultReopenWindow)
				if got := errKey(t, err); got != w[i] {
					t.Errorf("CanTransition(%s, %s → %s) = %q; want %q", role, from, to, got, w[i])
				}
				wantCode := map[string]string{ok: "", same: ECONFLICT}[w[i]]
				if w[i] != ok && w[i] != same {
					wantCode = EFORBIDDEN
				}
				if ErrorCode(err) != wantCode {
					t.Errorf("CanTransition(%s, %s → %s) code = %q; want %q", role, from, to, ErrorCode(err), wantCode)
				}
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("table has a rule for %v, which is not a status pair", k)
		}
	}
	if len(roles) != len(Roles) {
		t.Errorf("the transition table has %d role columns; Roles has %d", len(roles), len(Roles))
	}
}

func TestCanTransitionReopenWindow(t *testing.T) {
	resolved := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tk := TicketFacts{RequesterID: requesterID, Tier: Tier1, Status: StatusResolved, ResolvedAt: resolved.UnixMilli()}
	tests := []struct {
		name   string
		who    string
		now    time.Time
		window time.Duration
		want   string
	}{
		{"requester on the last moment", RoleRequester, resolved.Add(DefaultReopenWindow), 0, ok},
		{"requester a millisecond late", RoleRequester, resolved.Add(DefaultReopenWindow + time.Millisecond), 0, "transition.reopen_window"},
		{"requester within a custom window", RoleRequester, resolved.Add(47 * time.Hour), 48 * time.Hour, ok},
		{"requester after a custom window", RoleRequester, resolved.Add(49 * time.Hour), 48 * time.Hour, "transition.reopen_window"},
		{"agent long after", RoleAgent, resolved.Add(30 * 24 * time.Hour), 0, ok},
		{"admin long after", RoleAdmin, resolved.Add(30 * 24 * time.Hour), 0, ok},
	}
	for _, tt := range tests {
		err := CanTransition(identities[tt.who], tk, StatusOpen, tt.now, tt.window)
		if got := errKey(t, err); got != tt.want {
			t.Errorf("%s: CanTransition = %v; want %q", tt.name, err, tt.want)
		}
		if tt.want != ok && ErrorCode(err) != ECONFLICT {
			t.Errorf("%s: code = %q; want %q", tt.name, ErrorCode(err), ECONFLICT)
		}
	}
	err := CanTransition(identities[RoleRequester], tk, StatusOpen, resolved.Add(8*24*time.Hour), 0)
	if msg := i18n.T("en", "transition.reopen_window", err.(*Error).Args...); msg != "This ticket can no longer be reopened: the 7-day reopen period after it was resolved has passed. Please file a new ticket and mention this one." {
		t.Errorf("reopen window message = %q", msg)
	}
}

func TestCanTransitionWhoAndWhat(t *testing.T) {
	agent := identities[RoleAgent]
	tests := []struct {
		name string
		who  Identity
		t    TicketFacts
		to   string
		want string
		code string
	}{
		{"requester on another's ticket", identities[RoleRequester], TicketFacts{RequesterID: otherID, Status: StatusOpen}, StatusResolved, notYours, EFORBIDDEN},
		{"agent out of scope", agent, TicketFacts{RequesterID: otherID, Tier: Tier3, Status: StatusOpen}, StatusPending, outOfScope, EFORBIDDEN},
		{"agent assigned above their tier", agent, TicketFacts{RequesterID: otherID, Tier: Tier3, AssigneeID: agentID, Status: StatusOpen}, StatusPending, ok, ""},
		{"agent on their own ticket, out of scope, as staff", agent, TicketFacts{RequesterID: agentID, Tier: Tier3, Status: StatusNew}, StatusOpen, tStaffOnly, EFORBIDDEN},
		{"agent on their own ticket, out of scope, as requester", agent, TicketFacts{RequesterID: agentID, Tier: Tier3, Status: StatusOpen}, StatusResolved, ok, ""},
		{"unknown target", agent, TicketFacts{RequesterID: otherID, Status: StatusOpen}, "done", "transition.unknown_status", EINVALID},
		{"unknown origin", agent, TicketFacts{RequesterID: otherID, Status: "limbo"}, StatusOpen, "transition.unknown_status", EINVALID},
	}
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		err := CanTransition(tt.who, tt.t, tt.to, now, 0)
		if got := errKey(t, err); got != tt.want || ErrorCode(err) != tt.code {
			t.Errorf("%s: CanTransition = %v; want %q %q", tt.name, err, tt.code, tt.want)
		}
	}
}

func TestAutoCloseDue(t *testing.T) {
	resolved := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status string
		after  time.Duration
		window time.Duration
		want   bool
	}{
		{StatusResolved, DefaultReopenWindow, 0, false},
		{StatusResolved, DefaultReopenWindow + time.Second, 0, true},
		{StatusResolved, 2 * time.Hour, time.Hour, true},
		{StatusOpen, 30 * 24 * time.Hour, 0, false},
		{StatusClosed, 30 * 24 * time.Hour, 0, false},
	}
	for _, tt := range tests {
		tk := TicketFacts{Status: tt.status, ResolvedAt: resolved.UnixMilli()}
		if got := AutoCloseDue(tk, resolved.Add(tt.after), tt.window); got != tt.want {
			t.Errorf("AutoCloseDue(%s, +%v, window %v) = %v; want %v", tt.status, tt.after, tt.window, got, tt.want)
		}
	}
}

func TestValidateEscalation(t *testing.T) {
	long := make([]rune, MaxEscalationReason+1)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		from, to int
		reason   string
		want     string
	}{
		{Tier1, Tier2, "needs a technician on site", ok},
		{0, Tier3, "server-side bug", ok},
		{Tier2, Tier3, string(long[1:]), ok},
		{Tier2, Tier2, "same tier", "transition.tier_up_only"},
		{Tier2, Tier1, "down", "transition.tier_up_only"},
		{Tier3, 4, "no tier 4", "transition.tier_up_only"},
		{Tier1, Tier2, "  \n", "transition.reason_required"},
		{Tier1, Tier2, string(long), "transition.reason_too_long"},
	}
	for _, tt := range tests {
		err := ValidateEscalation(TicketFacts{Tier: tt.from}, tt.to, tt.reason)
		if got := errKey(t, err); got != tt.want || (err != nil && ErrorCode(err) != EINVALID) {
			t.Errorf("ValidateEscalation(tier %d → %d, %.20q) = %v; want %q", tt.from, tt.to, tt.reason, err, tt.want)
		}
	}
}

func TestPriorityMatrix(t *testing.T) {
	levels := []string{LevelHigh, LevelMedium, LevelLow}
	// Rows are impact, columns urgency, as in the table in lifecycle.go.
	want := [3][3]string{
		{PriorityP1, PriorityP2, PriorityP3},
		{PriorityP2, PriorityP3, PriorityP4},
		{PriorityP3, PriorityP4, PriorityP4},
	}
	for i, impact := range levels {
		for j, urgency := range levels {
			got, err := Priority(impact, urgency)
			if got != want[i][j] || err != nil {
				t.Errorf("Priority(%q, %q) = %q, %v; want %q", impact, urgency, got, err, want[i][j])
			}
		}
	}
	for _, p := range Priorities {
		errKey(t, Errorf(EINVALID, "ticket.priority."+p))
	}
	for _, bad := range [][2]string{{"urgent", LevelLow}, {LevelLow, ""}, {"High", LevelHigh}} {
		if _, err := Priority(bad[0], bad[1]); ErrorCode(err) != EINVALID || errKey(t, err) == "" {
			t.Errorf("Priority(%q, %q) error = %v; want %s", bad[0], bad[1], err, EINVALID)
		}
	}
}

// TestLabels checks that every role and status has a display name.
func TestLabels(t *testing.T) {
	for _, r := range Roles {
		errKey(t, Errorf(EINVALID, "role."+r))
	}
	for _, s := range TicketStatuses {
		errKey(t, Errorf(EINVALID, "ticket.status."+s))
	}
	for _, l := range []string{LevelHigh, LevelMedium, LevelLow} {
		errKey(t, Errorf(EINVALID, "ticket.priority."+l))
	}
}

func ExamplePriority() {
	p, _ := Priority(LevelMedium, LevelHigh)
	fmt.Println(p)
	// Output: P2
}

// TestAgentSight checks what an agent reads against what they change: a
// tier-2 network agent reads every network and general-queue ticket, a
// tier-3 one too (and its internal notes), and whatever is assigned to
// them, but no other group's ticket.
func TestAgentSight(t *testing.T) {
	agent := identities[RoleAgent] // tier 2, network
	tests := []struct {
		name       string
		ticket     TicketFacts
		view, note string // errKey of ActionView (= ActionViewInternal) and ActionNote
	}{
		{"their group, their tier", TicketFacts{RequesterID: otherID, Tier: Tier2, Group: "network"}, ok, ok},
		{"their group, above their tier", TicketFacts{RequesterID: otherID, Tier: Tier3, Group: "network"}, ok, outOfScope},
		{"general queue, above their tier", TicketFacts{RequesterID: otherID, Tier: Tier3}, ok, outOfScope},
		{"another group", TicketFacts{RequesterID: otherID, Tier: Tier1, Group: "hr"}, outOfScope, outOfScope},
		{"another group, assigned to them", TicketFacts{RequesterID: otherID, Tier: Tier3, Group: "hr", AssigneeID: agentID}, ok, ok},
	}
	for _, tc := range tests {
		tc.ticket.Status = StatusOpen
		for action, want := range map[string]string{ActionView: tc.view, ActionViewInternal: tc.view, ActionNote: tc.note} {
			if got := errKey(t, Allowed(agent, action, tc.ticket)); got != want {
				t.Errorf("%s: Allowed(agent, %s) = %q; want %q", tc.name, action, got, want)
			}
		}
		if got := errKey(t, Allowed(identities[RoleAdmin], ActionView, tc.ticket)); got != ok {
			t.Errorf("%s: Allowed(admin, view) = %q; want ok", tc.name, got)
		}
	}
}
