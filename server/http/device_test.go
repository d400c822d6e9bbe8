package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/wire"
)

// dialHello opens a websocket with cookie (none if "") and more header
// pairs, says hello with the given protocol and device key, and returns
// the connection and the answer.
func dialHello(t *testing.T, s *testServer, cookie string, m wire.Msg, header ...string) (*websocket.Conn, wire.Msg) {
	t.Helper()
	h := http.Header{"Origin": {s.URL()}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	if cookie != "" {
		h.Set("Cookie", (&http.Cookie{Name: auth.CookieName, Value: cookie}).String())
	}
	ws, _, err := websocket.DefaultDialer.Dial(s.wsURL(), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	m.T = wire.THello
	send(t, ws, m)
	return ws, recv(t, ws)
}

// pushRaw sends one mutation and returns what the server answers, or the
// close frame it sends instead.
func pushRaw(t *testing.T, ws *websocket.Conn, mu wire.Mutation) (wire.Msg, *websocket.CloseError) {
	t.Helper()
	b, _ := wire.Encode(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{mu}})
	if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return wire.Msg{}, &websocket.CloseError{Text: err.Error()}
	}
	for {
		_, data, err := ws.ReadMessage()
		if ce, ok := err.(*websocket.CloseError); ok {
			return wire.Msg{}, ce
		}
		if err != nil {
			return wire.Msg{}, &websocket.CloseError{Text: err.Error()}
		}
		m, err := wire.Decode(data)
		if err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		if m.T == wire.TAck {
			return m, nil
		}
		if m.T == wire.TError {
			continue // the close frame follows
		}
	}
}

// TestHijackedClientIDLosesNothing replays the attack of issue 15: a
// stranger who learnt field@'s client ID opens a socket with a bogus
// cookie and pushes a mutation at sequence 2^53−1. Nothing of it may stick:
// field@'s next ticket is applied.
func TestHijackedClientIDLosesNothing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	fieldWS, welcome := dialAs(t, s, signIn(t, s, "field@example.com"), clientField)
	if welcome.Auth != "" || welcome.Identity == nil {
		t.Fatalf("field's welcome = %+v", welcome)
	}
	first, second := id(1), id(2)
	if m := push(t, fieldWS, 1, shared.OpTicketCreate, shared.TicketCreate{ID: first, Title: "Printer jams", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("first ticket: %+v", m)
	}

	jump := wire.Mutation{Seq: 1<<53 - 1, Name: "no.such", Args: json.RawMessage(`{}`)}
	attempts := []struct {
		name string
		m    wire.Msg
		want string // the error key hello gets, "" for a welcome that says the session was refused
	}{
		{"the issue's protocol 4 hello", wire.Msg{Protocol: 4, ClientID: clientField}, "wire.update_required"},
		{"a made-up device key", wire.Msg{Protocol: wire.Version, ClientID: clientField, DeviceKey: strings.Repeat("A", 43)}, "client.bad_key"},
		{"no device key", wire.Msg{Protocol: wire.Version, ClientID: clientField}, "wire.bad_device_key"},
	}
	for _, a := range attempts {
		ws, answer := dialHello(t, s, "bogus", a.m)
		if answer.T != wire.TError || answer.Key != a.want {
			t.Errorf("%s: hello answered %+v; want error %s", a.name, answer, a.want)
		}
		if ack, _ := pushRaw(t, ws, jump); ack.T == wire.TAck {
			t.Errorf("%s: the jump was acknowledged: %+v", a.name, ack)
		}
	}
	// Even with the device's real key, a refused session may not push or pull.
	ws, answer := dialHello(t, s, "bogus", wire.Msg{Protocol: wire.Version, ClientID: clientField, DeviceKey: keyOf(clientField)})
	if answer.T != wire.TWelcome || answer.Auth != "auth.invalid_session" {
		t.Fatalf("refused session with the right key: welcome = %+v; want auth.invalid_session", answer)
	}
	if ack, ce := pushRaw(t, ws, jump); ack.T == wire.TAck || ce == nil || ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("a refused session pushed: ack %+v, close %v; want a policy close", ack, ce)
	}
	ws, _ = dialHello(t, s, "bogus", wire.Msg{Protocol: wire.Version, ClientID: clientField, DeviceKey: keyOf(clientField)})
	send(t, ws, wire.Msg{T: wire.TPull})
	if m := recv(t, ws); m.T != wire.TError || m.Code != shared.EUNAUTHORIZED {
		t.Errorf("a refused session pulled: %+v; want error unauthorized", m)
	}

	if m := push(t, fieldWS, 2, shared.OpTicketCreate, shared.TicketCreate{ID: second, Title: "Scanner too", CreatedAt: 2}); !m.Results[0].OK {
		t.Fatalf("second ticket: %+v", m)
	}
	seen := pullRecords(t, fieldWS)
	for _, tk := range []string{first, second} {
		if _, ok := seen[wire.TypeTicket][tk]; !ok {
			t.Errorf("field's ticket %s is lost", tk)
		}
	}
}

// TestSequenceCannotJump: even the device itself cannot take its sequence
// further than wire.MaxSeqGap in one step, and the refused push records
// nothing; the first push of a new client may start anywhere.
func TestSequenceCannotJump(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	token := signIn(t, s, "field@example.com")
	ws, _ := dialAs(t, s, token, clientField)
	const start = 5_000_000 // a device that made many changes as another client
	if m := push(t, ws, start, shared.OpTicketCreate, shared.TicketCreate{ID: id(1), Title: "First", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("first push at %d: %+v", start, m)
	}
	ack, ce := pushRaw(t, ws, wire.Mutation{Seq: start + wire.MaxSeqGap + 1, Name: shared.OpTicketCreate, Args: ticketArgs(id(2), "Jump")})
	if ack.T == wire.TAck || ce == nil || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "wire.seq_jump") {
		t.Fatalf("jump: ack %+v, close %v; want a policy close saying wire.seq_jump", ack, ce)
	}
	ws, _ = dialAs(t, s, token, clientField)
	if m := push(t, ws, start+wire.MaxSeqGap, shared.OpTicketCreate, shared.TicketCreate{ID: id(3), Title: "Within the gap", CreatedAt: 3}); !m.Results[0].OK {
		t.Fatalf("a push within the gap: %+v", m)
	}
	seen := pullRecords(t, ws)
	if _, ok := seen[wire.TypeTicket][id(2)]; ok {
		t.Errorf("the refused jump was applied")
	}
	if _, ok := seen[wire.TypeTicket][id(3)]; !ok {
		t.Errorf("the push within the gap was not applied")
	}
}

// TestNoOtherDevicesClientID: a requester's records name no device but the
// one pulling; staff see every device's ID.
func TestNoOtherDevicesClientID(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "agent@example.com", shared.RoleAgent, 1)
	token := signIn(t, s, "field@example.com")
	laptop, _ := dialAs(t, s, token, clientField)
	if m := push(t, laptop, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id(1), Title: "Filed on the laptop", CreatedAt: 1}); !m.Results[0].OK {
		t.Fatalf("file: %+v", m)
	}
	phone, _ := dialAs(t, s, token, clientOther)
	agent, _ := dialAs(t, s, signIn(t, s, "agent@example.com"), clientAgent)
	if m := push(t, agent, 1, shared.OpTicketReply, shared.TicketOp{ID: id(2), TicketID: id(1), Body: "On it."}); !m.Results[0].OK {
		t.Fatalf("reply: %+v", m)
	}
	for _, tc := range []struct {
		name string
		ws   *websocket.Conn
		may  []string // client IDs it may read
	}{
		{"the laptop", laptop, []string{clientField}},
		{"the phone", phone, nil},
		{"the agent", agent, []string{clientField, clientAgent}},
	} {
		seen := pullRecords(t, tc.ws)
		got := map[string]bool{}
		for _, typ := range []string{wire.TypeTicket, wire.TypeEntry} {
			for _, data := range seen[typ] {
				var r struct {
					ClientID string `json:"client_id"`
				}
				json.Unmarshal(data, &r)
				if r.ClientID != "" {
					got[r.ClientID] = true
				}
			}
		}
		for _, may := range tc.may {
			delete(got, may)
		}
		if len(got) > 0 {
			t.Errorf("%s pulls records naming devices %v", tc.name, got)
		}
		if len(seen[wire.TypeTicket]) != 1 {
			t.Errorf("%s sees %d tickets; want 1", tc.name, len(seen[wire.TypeTicket]))
		}
	}
}
