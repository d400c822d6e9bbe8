package app

import (
	"testing"
	"time"

	"outpost/shared"
	"outpost/shared/clock"
)

// TestReopenWindowOnTheClientsClock: the ticket page offers a requester
// "reopen" while the reopen window runs on the client's clock, and not
// once it has passed, whatever the wall clock says.
func TestReopenWindowOnTheClientsClock(t *testing.T) {
	t.Parallel()
	resolved := time.Now().AddDate(-3, 0, 0) // the wall clock is years past the window
	fc := clock.NewFake(resolved.Add(time.Hour))
	p := &ticketPage{}
	p.client = &Client{Clock: fc}
	p.client.setMe(&shared.Identity{UserID: "u1", Role: shared.RoleRequester})
	p.ticket = ticketView{Ticket: shared.Ticket{ID: "t1", RequesterID: "u1", Status: shared.StatusResolved, ResolvedAt: resolved.UnixMilli()}}
	if !p.canMove(shared.StatusOpen) {
		t.Fatal("an hour after resolution the requester may not reopen; want the reopen offered")
	}
	fc.Set(resolved.Add(shared.DefaultReopenWindow + time.Minute))
	if p.canMove(shared.StatusOpen) {
		t.Errorf("%v after resolution the requester may still reopen; want the window closed", shared.DefaultReopenWindow+time.Minute)
	}
}
