package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"outpost/app/engine"
	appstore "outpost/app/store"
	serverhttp "outpost/server/http"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// signIn returns the session cookie of a new session for email.
func signIn(t *testing.T, s *testServer, email string) string {
	t.Helper()
	token, _, err := s.Auth.Login(context.Background(), email, "correct horse battery", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// dialAs opens a websocket carrying session token ("" for none) and says
// hello as client; it returns the connection and the welcome.
func dialAs(t *testing.T, s *testServer, token, client string) (*websocket.Conn, wire.Msg) {
	t.Helper()
	return dialHello(t, s, token, wire.Msg{Protocol: wire.Version, ClientID: client, DeviceKey: keyOf(client)})
}

func push(t *testing.T, ws *websocket.Conn, seq uint64, name string, args any) wire.Msg {
	t.Helper()
	b, _ := json.Marshal(args)
	send(t, ws, wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: seq, Name: name, Args: b}}})
	return recv(t, ws)
}

// pullRecords pulls every page and returns the records by type and ID.
func pullRecords(t *testing.T, ws *websocket.Conn) map[string]map[string]json.RawMessage {
	t.Helper()
	out := map[string]map[string]json.RawMessage{}
	var cursor uint64
	for {
		send(t, ws, wire.Msg{T: wire.TPull, Cursor: cursor})
		m := recv(t, ws)
		if m.T != wire.TChanges {
			t.Fatalf("pull answered %+v", m)
		}
		for _, c := range m.Changes {
			if out[c.Type] == nil {
				out[c.Type] = map[string]json.RawMessage{}
			}
			if c.Deleted {
				delete(out[c.Type], c.ID)
			} else {
				out[c.Type][c.ID] = c.Data
			}
		}
		cursor = m.Cursor
		if !m.More {
			return out
		}
	}
}

const (
	clientField = "01936f6e-7a1b-7c3d-8e4f-000000000101"
	clientAgent = "01936f6e-7a1b-7c3d-8e4f-000000000102"
	clientOther = "01936f6e-7a1b-7c3d-8e4f-000000000103"
	clientAnon  = "01936f6e-7a1b-7c3d-8e4f-000000000104"
)

// id returns the n-th test UUID.
func id(n int) string { return fmt.Sprintf("01936f6e-7a1b-7c3d-8e4f-%012d", n) }

func TestAccountsTicketsRepliesAndNotes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	field := addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "other@example.com", shared.RoleRequester, 0)
	agent := addUser(t, s, "agent@example.com", shared.RoleAgent, 1)

	fieldWS, welcome := dialAs(t, s, signIn(t, s, "field@example.com"), clientField)
	if welcome.T != wire.TWelcome || welcome.Identity == nil || welcome.Identity.UserID != field.ID || welcome.Auth != "" {
		t.Fatalf("welcome = %+v; want field's identity", welcome)
	}
	ticketID := id(1)
	if m := push(t, fieldWS, 1, shared.OpTicketCreate, shared.TicketCreate{ID: ticketID, Title: "Laptop will not boot", Impact: "high", Urgency: "high", CreatedAt: 1}); m.T != wire.TAck || !m.Results[0].OK {
		t.Fatalf("file ticket: %+v", m)
	}

	agentWS, _ := dialAs(t, s, signIn(t, s, "agent@example.com"), clientAgent)
	seen := pullRecords(t, agentWS)
	var tk shared.Ticket
	json.Unmarshal(seen[wire.TypeTicket][ticketID], &tk)
	if tk.RequesterID != field.ID || tk.RequesterEmail != "field@example.com" || tk.Priority != "P1" {
		t.Fatalf("agent sees ticket %+v; want field's, P1", tk)
	}
	if len(seen[wire.TypeUser]) != 3 {
		t.Errorf("agent sees %d users; want all 3 (to assign tickets)", len(seen[wire.TypeUser]))
	}
	reply, note := id(2), id(3)
	if m := push(t, agentWS, 1, shared.OpTicketReply, shared.TicketOp{ID: reply, TicketID: ticketID, Body: "Hold the power button for 15 s."}); !m.Results[0].OK {
		t.Fatalf("reply: %+v", m)
	}
	if m := push(t, agentWS, 2, shared.OpTicketNote, shared.TicketOp{ID: note, TicketID: ticketID, Body: "Probably the BIOS battery. Order one."}); !m.Results[0].OK {
		t.Fatalf("note: %+v", m)
	}

	mine := pullRecords(t, fieldWS)
	json.Unmarshal(mine[wire.TypeTicket][ticketID], &tk)
	if tk.Status != shared.StatusOpen || tk.FirstResponseAt == 0 {
		t.Errorf("after the agent's reply the ticket is %s, first response %d; want open, set", tk.Status, tk.FirstResponseAt)
	}
	if _, ok := mine[wire.TypeEntry][reply]; !ok {
		t.Errorf("the requester does not get the public reply")
	}
	if _, ok := mine[wire.TypeEntry][note]; ok {
		t.Errorf("the requester got the internal note")
	}
	if len(mine[wire.TypeUser]) != 1 {
		t.Errorf("the requester sees %d users; want only themselves", len(mine[wire.TypeUser]))
	}
	// Requester may not write internal notes, nor touch another's ticket.
	if m := push(t, fieldWS, 2, shared.OpTicketNote, shared.TicketOp{ID: id(4), TicketID: ticketID, Body: "sneaky"}); m.Results[0].OK || m.Results[0].Code != shared.EFORBIDDEN {
		t.Errorf("requester's internal note: %+v; want forbidden", m.Results)
	}
	otherWS, _ := dialAs(t, s, signIn(t, s, "other@example.com"), clientOther)
	if got := pullRecords(t, otherWS)[wire.TypeTicket]; len(got) != 0 {
		t.Errorf("another requester sees tickets %v", got)
	}
	for _, forged := range []shared.TicketOp{
		{ID: id(5), TicketID: ticketID, Body: "me too"}, // not theirs: looks missing
		{ID: id(6), TicketID: id(99), Body: "anyone?"},  // no such ticket
	} {
		if m := push(t, otherWS, uint64(forged.ID[len(forged.ID)-1]-'0'), shared.OpTicketReply, forged); m.Results[0].Key != "ticket.not_found" {
			t.Errorf("reply to %s by a stranger: %+v; want ticket.not_found", forged.TicketID, m.Results)
		}
	}
	// Agent resolves; the requester reopens; an unknown status is refused.
	if m := push(t, agentWS, 3, shared.OpTicketStatus, shared.TicketOp{ID: id(7), TicketID: ticketID, To: shared.StatusResolved}); !m.Results[0].OK {
		t.Fatalf("resolve: %+v", m)
	}
	if m := push(t, fieldWS, 3, shared.OpTicketStatus, shared.TicketOp{ID: id(8), TicketID: ticketID, To: shared.StatusOpen}); !m.Results[0].OK {
		t.Fatalf("reopen: %+v", m)
	}
	if m := push(t, agentWS, 4, shared.OpTicketStatus, shared.TicketOp{ID: id(9), TicketID: ticketID, To: "done"}); m.Results[0].Key != "transition.unknown_status" {
		t.Errorf("unknown status: %+v", m.Results)
	}
	// Escalation is internal; assignment names the agent.
	if m := push(t, agentWS, 5, shared.OpTicketAssign, shared.TicketOp{ID: id(10), TicketID: ticketID, AssigneeID: agent.ID}); !m.Results[0].OK {
		t.Fatalf("assign: %+v", m)
	}
	if m := push(t, agentWS, 6, shared.OpTicketEscalate, shared.TicketOp{ID: id(11), TicketID: ticketID, Tier: 2, Body: "Needs a board repair"}); !m.Results[0].OK {
		t.Fatalf("escalate: %+v", m)
	}
	mine = pullRecords(t, fieldWS)
	json.Unmarshal(mine[wire.TypeTicket][ticketID], &tk)
	if tk.Tier != 2 || tk.AssigneeID != "" || tk.Status != shared.StatusOpen {
		t.Errorf("after escalation: %+v; want tier 2, unassigned, open", tk)
	}
	if _, ok := mine[wire.TypeEntry][id(11)]; ok {
		t.Errorf("the requester got the escalation reason")
	}
}

func TestSignedOutAndForeignSessions(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "other@example.com", shared.RoleRequester, 0)

	// A device files a ticket signed out, then signs in: the ticket is claimed.
	anon, welcome := dialAs(t, s, "", clientAnon)
	if welcome.Identity != nil || welcome.Auth != "" {
		t.Fatalf("signed-out welcome = %+v", welcome)
	}
	if m := push(t, anon, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id(20), Title: "Filed offline", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("anonymous ticket: %+v", m)
	}
	// Signed out, ticket changes wait for a sign-in: no answer, the connection ends.
	m := push(t, anon, 2, shared.OpTicketReply, shared.TicketOp{ID: id(21), TicketID: id(20), Body: "more detail"})
	if m.T != wire.TError || m.Code != shared.EUNAUTHORIZED {
		t.Fatalf("signed-out reply answered %+v; want error unauthorized", m)
	}
	token := signIn(t, s, "field@example.com")
	signed, _ := dialAs(t, s, token, clientAnon)
	var tk shared.Ticket
	json.Unmarshal(pullRecords(t, signed)[wire.TypeTicket][id(20)], &tk)
	if tk.RequesterEmail != "field@example.com" {
		t.Errorf("after sign-in the device's ticket is %+v; want it claimed by field", tk)
	}
	// The reply that waited goes through now, once.
	if m := push(t, signed, 2, shared.OpTicketReply, shared.TicketOp{ID: id(21), TicketID: id(20), Body: "more detail"}); !m.Results[0].OK {
		t.Fatalf("reply after sign-in: %+v", m)
	}

	// Another account cannot use this device's client ID, nor can a signed-out connection.
	for _, tok := range []string{signIn(t, s, "other@example.com"), ""} {
		ws, m := dialAs(t, s, tok, clientAnon)
		if m.T != wire.TError || m.Key != "client.bound_elsewhere" {
			t.Errorf("foreign session on a bound client: %+v; want client.bound_elsewhere", m)
		}
		if ce := closeOf(t, ws); ce.Code != websocket.ClosePolicyViolation {
			t.Errorf("close = %v", ce)
		}
	}

	// A session that ended: welcome says so, and the device does nothing more.
	s.Auth.Logout(context.Background(), token)
	_, welcome = dialAs(t, s, token, clientAnon)
	if welcome.T != wire.TWelcome || welcome.Identity != nil || welcome.Auth != "auth.invalid_session" {
		t.Errorf("welcome with a dead session = %+v; want auth.invalid_session", welcome)
	}
}

// TestEngineWaitsForSignIn runs the client engine against a session that
// ends while a change is queued: the change waits in the outbox, the
// replica is kept, and after signing in again the change arrives once.
// Signing out makes the device a new client with a signed-out view.
func TestEngineWaitsForSignIn(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	field := addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	var mu sync.Mutex
	token := signIn(t, s, "field@example.com")
	cookie := func() string { mu.Lock(); defer mu.Unlock(); return token }
	st := appstore.NewMemory()
	e := engineWithCookie(s, st, cookie)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func(engine.Status) bool) { t.Helper(); waitStatus(t, e, what, ok) }
	ticketID := id(30)
	e.Mutate(shared.OpTicketCreate, shared.TicketCreate{ID: ticketID, Title: "Monitor flickers", CreatedAt: 1}, "")
	waitFor("signed in and synced", func(s engine.Status) bool {
		return s.Identity != nil && s.Identity.UserID == field.ID && s.Pending == 0 && s.Synced
	})
	if _, ok, _ := st.Get(wire.TypeTicket, ticketID); !ok {
		t.Fatal("the filed ticket is not in the replica")
	}

	// The session ends (expired, or signed out on another device).
	s.Auth.Logout(context.Background(), token)
	reply := shared.TicketOp{ID: id(31), TicketID: ticketID, Body: "It started after the update.", CreatedAt: 2}
	e.Mutate(shared.OpTicketReply, reply, "")
	waitFor("asked to sign in", func(s engine.Status) bool { return s.SignIn != "" && s.Pending == 1 })
	if _, ok, _ := st.Get(wire.TypeTicket, ticketID); !ok {
		t.Fatal("the replica was dropped when the session ended")
	}

	mu.Lock()
	token = signIn(t, s, "field@example.com")
	mu.Unlock()
	e.Reconnect()
	waitFor("reply sent after signing in again", func(s engine.Status) bool { return s.SignIn == "" && s.Pending == 0 })
	n := 0
	s.db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeEntry, func(string, []byte) error { n++; return nil })
	})
	if n != 1 {
		t.Fatalf("server has %d history entries; want the one reply", n)
	}

	// Sign out: a new client, a signed-out view without the ticket.
	old := e.ClientID()
	mu.Lock()
	token = ""
	mu.Unlock()
	if err := e.SwitchClient(); err != nil {
		t.Fatal(err)
	}
	waitFor("signed-out view", func(s engine.Status) bool { return s.Identity == nil && s.Synced && s.Online })
	if e.ClientID() == old {
		t.Error("SwitchClient kept the client ID")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok, _ := st.Get(wire.TypeTicket, ticketID); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the signed-out device still holds the user's ticket")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEngineStopsWhenOutdated: a server that no longer speaks the app's
// protocol says update_required; the engine says so and stops dialling.
func TestEngineStopsWhenOutdated(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(s *serverhttp.Server) { s.MinProtocol = wire.Version + 1 })
	dials := 0
	var mu sync.Mutex
	e := &engine.Engine{Store: appstore.NewMemory(), Dial: func(ctx context.Context) (engine.Conn, error) {
		mu.Lock()
		dials++
		mu.Unlock()
		return engine.DialWSHeader(ctx, s.wsURL(), http.Header{"Origin": {s.URL()}})
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !e.Status().UpdateRequired {
		if time.Now().After(deadline) {
			t.Fatalf("status %+v; want UpdateRequired", e.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(700 * time.Millisecond) // longer than the first backoff
	mu.Lock()
	defer mu.Unlock()
	if dials != 1 {
		t.Errorf("the engine dialled %d times; want once, then stop", dials)
	}
}
