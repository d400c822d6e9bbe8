package sync_test

import (
	"context"
	"testing"
	"time"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

// replica is what one device holds after pulling: records by type/ID.
type replica struct {
	a      outsync.Actor
	cursor uint64
	recs   map[string]bool
}

// sync pulls to the head, applying each page as the engine does: a
// removal drops the record.
func (r *replica) sync(t *testing.T, s *outsync.Service) {
	t.Helper()
	if r.recs == nil {
		r.recs = map[string]bool{}
	}
	for more := true; more; {
		page, err := s.PullAs(context.Background(), r.a, r.cursor, 3) // small pages: removals cross pages too
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			if c.Deleted {
				delete(r.recs, c.Type+"/"+c.ID)
			} else {
				r.recs[c.Type+"/"+c.ID] = true
			}
		}
		r.cursor, more = page.Cursor, page.More
	}
}

// has says which of the records keys r holds.
func (r *replica) has(keys ...string) (held, missing []string) {
	for _, k := range keys {
		if r.recs[k] {
			held = append(held, k)
		} else {
			missing = append(missing, k)
		}
	}
	return held, missing
}

// TestAgentPullsOnlyTheirGroups: an agent's device holds the tickets
// shared.Allowed lets them view, with their history, and no other: a
// ticket regrouped to HR leaves the network agent's replica (ticket, reply
// and note) and reaches the HR agent's with the history written before;
// moved back, it returns whole. Admins hold every ticket throughout.
func TestAgentPullsOnlyTheirGroups(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := openSLA(t, t.TempDir(), &now)
	defer s.close(t)
	network := outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000e1",
		User: &shared.Identity{UserID: "u-nina", Email: "nina@example.com", Role: shared.RoleAgent, Tier: 1, Groups: []string{"network"}}}
	hr := outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000e2",
		User: &shared.Identity{UserID: "u-hugo", Email: "hugo@example.com", Role: shared.RoleAgent, Tier: 1, Groups: []string{"hr"}}}
	devices := []*replica{{a: network}, {a: hr}, {a: slaAdmin}}
	syncAll := func() {
		for _, d := range devices {
			d.sync(t, s.Service)
		}
	}
	seq := map[string]uint64{}
	do := func(a outsync.Actor, name string, args any) wire.Result {
		seq[a.ClientID]++
		return push(t, s.Service, a, seq[a.ClientID], name, args)
	}
	at := now.UnixMilli()
	tk := slaID(1)
	mustOK(t, do(requester, shared.OpTicketCreate, shared.TicketCreate{ID: tk, Title: "VPN drops every hour", CreatedAt: at}))
	mustOK(t, do(slaAdmin, shared.OpTicketAssign, shared.TicketOp{ID: slaID(2), TicketID: tk, Group: "network", CreatedAt: at}))
	mustOK(t, do(network, shared.OpTicketReply, shared.TicketOp{ID: slaID(3), TicketID: tk, Body: "Which office are you in?", CreatedAt: at}))
	mustOK(t, do(network, shared.OpTicketNote, shared.TicketOp{ID: slaID(4), TicketID: tk, Body: "Looks like a payroll question, not VPN", CreatedAt: at}))
	whole := []string{"ticket/" + tk, "entry/" + slaID(2), "entry/" + slaID(3), "entry/" + slaID(4)}
	syncAll()
	for _, d := range devices {
		held, missing := d.has(whole...)
		if d.a.User.UserID == hr.User.UserID {
			if len(held) > 0 {
				t.Errorf("before the move the HR agent holds %v of a network ticket; want none", held)
			}
		} else if len(missing) > 0 {
			t.Errorf("before the move %s misses %v", d.a.User.Email, missing)
		}
	}

	// Regrouped to HR: out of the network agent's sight.
	mustOK(t, do(network, shared.OpTicketAssign, shared.TicketOp{ID: slaID(5), TicketID: tk, Group: "hr", CreatedAt: at}))
	whole = append(whole, "entry/"+slaID(5))
	syncAll()
	if held, _ := devices[0].has(whole...); len(held) > 0 {
		t.Errorf("after the move to HR the network agent still holds %v; want the ticket and its history gone", held)
	}
	for _, d := range devices[1:] {
		if _, missing := d.has(whole...); len(missing) > 0 {
			t.Errorf("after the move to HR %s misses %v (the history written before must follow)", d.a.User.Email, missing)
		}
	}
	if r := do(network, shared.OpTicketNote, shared.TicketOp{ID: slaID(6), TicketID: tk, Body: "one more thing", CreatedAt: at}); r.OK || r.Key != "perm.out_of_scope" {
		t.Errorf("network agent's note on an HR ticket = %+v; want perm.out_of_scope", r)
	}

	// Moved back: the network agent holds it whole again.
	mustOK(t, do(hr, shared.OpTicketAssign, shared.TicketOp{ID: slaID(7), TicketID: tk, Group: "network", CreatedAt: at}))
	whole = append(whole, "entry/"+slaID(7))
	syncAll()
	if _, missing := devices[0].has(whole...); len(missing) > 0 {
		t.Errorf("after the move back the network agent misses %v", missing)
	}
	if held, _ := devices[1].has(whole...); len(held) > 0 {
		t.Errorf("after the move back the HR agent still holds %v", held)
	}
	if _, missing := devices[2].has(whole...); len(missing) > 0 {
		t.Errorf("the admin misses %v", missing)
	}

	// The network agent's own ticket, worked by HR: they follow it as its
	// requester, without HR's internal notes.
	own := slaID(10)
	mustOK(t, do(network, shared.OpTicketCreate, shared.TicketCreate{ID: own, Title: "My payslip is wrong", CreatedAt: at}))
	mustOK(t, do(slaAdmin, shared.OpTicketAssign, shared.TicketOp{ID: slaID(11), TicketID: own, Group: "hr", CreatedAt: at}))
	mustOK(t, do(hr, shared.OpTicketReply, shared.TicketOp{ID: slaID(12), TicketID: own, Body: "We are on it", CreatedAt: at}))
	mustOK(t, do(hr, shared.OpTicketNote, shared.TicketOp{ID: slaID(13), TicketID: own, Body: "Overtime was not counted", CreatedAt: at}))
	syncAll()
	if _, missing := devices[0].has("ticket/"+own, "entry/"+slaID(11), "entry/"+slaID(12)); len(missing) > 0 {
		t.Errorf("the network agent misses %v of their own ticket", missing)
	}
	if held, _ := devices[0].has("entry/" + slaID(13)); len(held) > 0 {
		t.Errorf("the network agent holds HR's internal note on their own ticket")
	}
	if _, missing := devices[1].has("ticket/"+own, "entry/"+slaID(13)); len(missing) > 0 {
		t.Errorf("the HR agent misses %v", missing)
	}
}

// TestViewEpochFollowsWhatDecidesTheView: an agent moved to other groups
// (or given another role) is welcomed with another epoch, so the device
// drops its replica and pulls what it sees now; the order of the groups
// does not matter, and requesters and signed-out devices keep the store's.
func TestViewEpochFollowsWhatDecidesTheView(t *testing.T) {
	t.Parallel()
	agent := func(groups ...string) *shared.Identity {
		return &shared.Identity{UserID: "u-nina", Role: shared.RoleAgent, Tier: 1, Groups: groups}
	}
	const e = "0a1b2c3d4e5f6a7b"
	if got := outsync.ViewEpoch(e, nil); got != e {
		t.Errorf("ViewEpoch(signed out) = %q; want the store's %q", got, e)
	}
	if got := outsync.ViewEpoch(e, requester.User); got != e {
		t.Errorf("ViewEpoch(requester) = %q; want the store's %q", got, e)
	}
	net, hr := outsync.ViewEpoch(e, agent("network", "hr")), outsync.ViewEpoch(e, agent("hr", "network"))
	if net != hr {
		t.Errorf("ViewEpoch differs with the order of the groups: %q, %q", net, hr)
	}
	for name, other := range map[string]*shared.Identity{
		"fewer groups": agent("network"),
		"as admin":     {UserID: "u-nina", Role: shared.RoleAdmin},
		"as requester": {UserID: "u-nina", Role: shared.RoleRequester},
	} {
		if got := outsync.ViewEpoch(e, other); got == net {
			t.Errorf("ViewEpoch(%s) = %q, the same as before; want another", name, got)
		}
	}
}

// TestRegroupedClaimedTicketKeepsItsHistory: a ticket filed signed out,
// answered, then claimed when its device signed in, moves to HR with the
// answer written before the claim (it stays indexed under the device).
func TestRegroupedClaimedTicketKeepsItsHistory(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := openSLA(t, t.TempDir(), &now)
	defer s.close(t)
	device := outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000f1"}
	hugo := &replica{a: outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000e2",
		User: &shared.Identity{UserID: "u-hugo", Email: "hugo@example.com", Role: shared.RoleAgent, Tier: 1, Groups: []string{"hr"}}}}
	at := now.UnixMilli()
	tk := slaID(1)
	mustOK(t, push(t, s.Service, device, 1, shared.OpTicketCreate, shared.TicketCreate{ID: tk, Title: "Locked out of payroll", CreatedAt: at}))
	mustOK(t, push(t, s.Service, slaAdmin, 1, shared.OpTicketReply, shared.TicketOp{ID: slaID(2), TicketID: tk, Body: "Which browser?", CreatedAt: at}))
	err := s.db.Update(context.Background(), func(tx store.Tx) error {
		return outsync.Claim(tx, device.ClientID, *requester.User)
	})
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, push(t, s.Service, slaAdmin, 2, shared.OpTicketAssign, shared.TicketOp{ID: slaID(3), TicketID: tk, Group: "network", CreatedAt: at}))
	hugo.sync(t, s.Service) // synced while it was the network team's
	if held, _ := hugo.has("ticket/"+tk, "entry/"+slaID(2)); len(held) > 0 {
		t.Errorf("the HR agent holds %v of a network ticket", held)
	}
	mustOK(t, push(t, s.Service, slaAdmin, 3, shared.OpTicketAssign, shared.TicketOp{ID: slaID(4), TicketID: tk, Group: "hr", CreatedAt: at}))
	hugo.sync(t, s.Service)
	if _, missing := hugo.has("ticket/"+tk, "entry/"+slaID(2), "entry/"+slaID(3), "entry/"+slaID(4)); len(missing) > 0 {
		t.Errorf("the HR agent misses %v", missing)
	}
}
