package sync_test

import (
	"testing"
	"time"

	"outpost/shared"
)

// TestRefusalSaysWhy: an agent who escalated a ticket out of their tier is
// told why they may no longer resolve it (they see every ticket, so "not
// found" would be a lie), while a requester poking at someone else's ticket
// still learns nothing of it.
func TestRefusalSaysWhy(t *testing.T) {
	now := time.Now()
	s := openSLA(t, t.TempDir(), &now)
	defer s.close(t)
	id := slaID(1)
	mustOK(t, push(t, s.Service, requester, 1, "ticket.create", shared.TicketCreate{ID: id, Title: "Laptop will not boot", CreatedAt: now.UnixMilli()}))
	mustOK(t, push(t, s.Service, agentAna, 1, shared.OpEscalate, shared.TicketOp{ID: slaID(2), TicketID: id, Tier: 2, Body: "Needs a technician", CreatedAt: now.UnixMilli()}))

	for _, tc := range []struct {
		name    string
		r       func() (code, key string)
		code    string
		wantKey string
	}{
		{"tier-1 agent resolves a tier-2 ticket", func() (string, string) {
			r := push(t, s.Service, agentAna, 2, shared.OpStatus, shared.TicketOp{ID: slaID(3), TicketID: id, To: shared.StatusResolved, CreatedAt: now.UnixMilli()})
			return r.Code, r.Key
		}, shared.EFORBIDDEN, "perm.out_of_scope"},
		{"another requester replies", func() (string, string) {
			r := push(t, s.Service, slaOther, 1, shared.OpReply, shared.TicketOp{ID: slaID(4), TicketID: id, Body: "me too", CreatedAt: now.UnixMilli()})
			return r.Code, r.Key
		}, shared.ENOTFOUND, "ticket.not_found"},
	} {
		if code, key := tc.r(); code != tc.code || key != tc.wantKey {
			t.Errorf("%s: refused with %s %s; want %s %s", tc.name, code, key, tc.code, tc.wantKey)
		}
	}
}
