package http_test

import (
	"context"
	"testing"

	"github.com/gorilla/websocket"

	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestAgentScopeOverWebsocket: over real websockets, a ticket in the HR
// group reaches the HR agent's and the admin's devices and not the network
// agent's, whose device drops it (with its history) when it moves from
// the network group to HR; the agents' welcomes carry an epoch of their
// own, the requester's the database's.
func TestAgentScopeOverWebsocket(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "admin@example.com", shared.RoleAdmin, 0)
	for _, a := range []struct{ email, group string }{{"nina@example.com", "network"}, {"hugo@example.com", "hr"}} {
		if _, err := s.Auth.AddUser(context.Background(), auth.NewUser{Email: a.email, Role: shared.RoleAgent, Tier: 1, Groups: []string{a.group}, Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
	}
	fieldWS, fieldWelcome := dialAs(t, s, signIn(t, s, "field@example.com"), clientField)
	ninaWS, ninaWelcome := dialAs(t, s, signIn(t, s, "nina@example.com"), clientAgent)
	hugoWS, _ := dialAs(t, s, signIn(t, s, "hugo@example.com"), clientOther)
	adminWS, _ := dialAs(t, s, signIn(t, s, "admin@example.com"), clientAnon)
	if fieldWelcome.Epoch != s.Sync.Store.Epoch() || ninaWelcome.Epoch == s.Sync.Store.Epoch() {
		t.Errorf("welcome epochs: requester %q, agent %q; want the database's %q, and one of the agent's own", fieldWelcome.Epoch, ninaWelcome.Epoch, s.Sync.Store.Epoch())
	}

	tk := id(1)
	if m := push(t, fieldWS, 1, shared.OpTicketCreate, shared.TicketCreate{ID: tk, Title: "VPN drops every hour", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("file: %+v", m)
	}
	if m := push(t, adminWS, 1, shared.OpTicketAssign, shared.TicketOp{ID: id(2), TicketID: tk, Group: "network", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("assign to network: %+v", m)
	}
	if m := push(t, ninaWS, 1, shared.OpTicketNote, shared.TicketOp{ID: id(3), TicketID: tk, Body: "Not VPN: payroll", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("network note: %+v", m)
	}
	nina, cursor := pullSince(t, ninaWS, 0)
	if !holds(nina, "ticket/"+tk) || !holds(nina, "entry/"+id(3)) {
		t.Fatalf("the network agent lacks the network ticket or its note")
	}
	if got := pullRecords(t, hugoWS)[wire.TypeTicket][tk]; got != nil {
		t.Errorf("the HR agent got the network ticket")
	}

	if m := push(t, adminWS, 2, shared.OpTicketAssign, shared.TicketOp{ID: id(4), TicketID: tk, Group: "hr", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("assign to HR: %+v", m)
	}
	hugo := pullRecords(t, hugoWS)
	if hugo[wire.TypeTicket][tk] == nil || hugo[wire.TypeEntry][id(3)] == nil {
		t.Errorf("the HR agent lacks the ticket moved to HR or the note written before: %v", hugo)
	}
	if admin := pullRecords(t, adminWS); admin[wire.TypeTicket][tk] == nil {
		t.Errorf("the admin lacks the ticket")
	}
	// The network agent's device, pulling on from where it was, is told
	// to drop the ticket and its note.
	later, _ := pullSince(t, ninaWS, cursor)
	removed := map[string]bool{}
	for _, c := range later {
		if c.Deleted {
			removed[c.Type+"/"+c.ID] = true
		} else if c.Type == wire.TypeTicket && c.ID == tk || c.Type == wire.TypeEntry && c.ID == id(3) {
			t.Errorf("the network agent was sent %s/%s after it moved to HR", c.Type, c.ID)
		}
	}
	for _, k := range []string{"ticket/" + tk, "entry/" + id(3)} {
		if !removed[k] {
			t.Errorf("the network agent was not told to drop %s (removed: %v)", k, removed)
		}
	}
}

// pullSince pulls every page after cursor and returns the changes, in
// order, and the cursor to pull from next.
func pullSince(t *testing.T, ws *websocket.Conn, cursor uint64) ([]wire.Change, uint64) {
	t.Helper()
	var out []wire.Change
	for {
		send(t, ws, wire.Msg{T: wire.TPull, Cursor: cursor})
		m := recv(t, ws)
		if m.T != wire.TChanges {
			t.Fatalf("pull answered %+v", m)
		}
		out, cursor = append(out, m.Changes...), m.Cursor
		if !m.More {
			return out, cursor
		}
	}
}

// holds says whether changes leave the record key ("type/id") live.
func holds(changes []wire.Change, key string) bool {
	live := false
	for _, c := range changes {
		if c.Type+"/"+c.ID == key {
			live = !c.Deleted
		}
	}
	return live
}
