package app

import (
	"net/url"
	"testing"

	"outpost/shared"
)

func TestQueueFilter(t *testing.T) {
	tickets := []ticketView{
		{Ticket: shared.Ticket{ID: "a", Status: shared.StatusNew, Tier: 1, Group: "network", Priority: "P1", Category: "network"}},
		{Ticket: shared.Ticket{ID: "b", Status: shared.StatusOpen, Tier: 2, Priority: "P3", Category: "email"}},
		{Ticket: shared.Ticket{ID: "c", Status: shared.StatusResolved, Tier: 1, Group: "field", Priority: "P2"}},
		{Ticket: shared.Ticket{ID: "d", Status: shared.StatusPending, Priority: "P4", AssigneeID: "me"}},
	}
	c := &Client{}
	c.setMe(&shared.Identity{UserID: "me", Role: shared.RoleAgent, Tier: 1})
	for _, tt := range []struct {
		query string
		want  string
	}{
		{"", "a d"},                         // active, my tier (1; no tier counts as 1)
		{"tier=", "a b d"},                  // every tier
		{"tier=&status=", "a b c d"},        // everything
		{"tier=&group=network", "a"},        // one group
		{"tier=&group=-", "b d"},            // the general queue
		{"tier=&status=&group=field", "c"},  // resolved ones in a group
		{"tier=&priority=P3", "b"},          // by priority
		{"tier=&category=email", "b"},       // by category
		{"tier=&mine=1", "d"},               // assigned to me
		{"tier=2&status=open&group=-", "b"}, // all together
		{"status=resolved", "c"},            // status alone, my tier
	} {
		q, _ := url.ParseQuery(tt.query)
		var f queueFilter
		f.read(q, c.me())
		got := ""
		for i := range tickets {
			if f.match(&tickets[i]) {
				if got != "" {
					got += " "
				}
				got += tickets[i].ID
			}
		}
		if got != tt.want {
			t.Errorf("?%s: %q; want %q", tt.query, got, tt.want)
		}
		// The filter survives the URL round trip.
		var again queueFilter
		again.read(f.values(), c.me())
		if again != f {
			t.Errorf("?%s: %+v after the URL round trip; want %+v", tt.query, again, f)
		}
	}
}
