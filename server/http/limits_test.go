package http_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	serverhttp "outpost/server/http"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// dialFrom opens a websocket as if from address from (the test is a
// trusted proxy), with session cookie ("" for none), and says hello as
// client; it returns the connection and the answer.
func dialFrom(t *testing.T, s *testServer, from, cookie, client string) (*websocket.Conn, wire.Msg) {
	t.Helper()
	return dialHello(t, s, cookie, wire.Msg{Protocol: wire.Version, ClientID: client, DeviceKey: keyOf(client)}, "X-Forwarded-For", from)
}

func trustLoopback(s *serverhttp.Server) {
	s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// withFakeClock gives the server a fake clock, returned through *f.
func withFakeClock(f **clock.Fake) func(*serverhttp.Server) {
	return func(s *serverhttp.Server) {
		*f = clock.NewFake(time.Now())
		s.Sync.Clock = *f
	}
}

// waitTimers waits until the fake clock has n timers armed (a socket's
// ping and read deadline), so that advancing it reaches them.
func waitTimers(t *testing.T, f *clock.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := f.BlockUntil(ctx, n); err != nil {
		t.Fatalf("%d timers armed; want %d: %v", f.Pending(), n, err)
	}
}

// TestHelloDeadline: a socket that never says hello is closed, saying why,
// once HelloTimeout has passed on the server's clock and not before.
func TestHelloDeadline(t *testing.T) {
	t.Parallel()
	var fake *clock.Fake
	s := newServer(t, withFakeClock(&fake), func(s *serverhttp.Server) { s.HelloTimeout = time.Minute })
	ws := s.dial(t)
	waitTimers(t, fake, 2) // the first ping and the hello deadline
	fake.Advance(time.Minute - time.Second)
	// A hello just in time is welcomed on a second socket; the first stays
	// silent.
	late := s.dial(t)
	waitTimers(t, fake, 4)
	fake.Advance(time.Second)
	if m := recv(t, ws); m.T != wire.TError || m.Key != "ws.hello_late" {
		t.Errorf("silent socket got %+v; want error ws.hello_late", m)
	}
	if ce := closeOf(t, ws); ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("close = %v; want policy violation", ce)
	}
	hello(t, late, id(1))
}

// TestSilentPeerClosed: a peer that stops answering pings is closed once
// pongWait (60 s) has passed on the server's clock since it last answered;
// until then it is served.
func TestSilentPeerClosed(t *testing.T) {
	t.Parallel()
	var fake *clock.Fake
	s := newServer(t, withFakeClock(&fake))
	ws := s.dial(t)
	ws.SetPingHandler(func(string) error { return nil }) // no pongs
	hello(t, ws, id(1))
	waitTimers(t, fake, 2) // the next ping and the read deadline
	fake.Advance(59 * time.Second)
	send(t, ws, wire.Msg{T: wire.TPull})
	if m := recv(t, ws); m.T != wire.TChanges {
		t.Fatalf("a pull 59 s after the last pong got %+v; want changes", m)
	}
	fake.Advance(time.Second)
	if ce := closeOf(t, ws); ce.Code != websocket.CloseNormalClosure {
		t.Errorf("close = %v; want a normal closure", ce)
	}
}

// TestSocketCaps: an account and an address (IPv6: a /64) hold at most
// so many websockets; one more is refused in words, and closing one makes
// room.
func TestSocketCaps(t *testing.T) {
	t.Parallel()
	s := newServer(t, trustLoopback, func(s *serverhttp.Server) { s.SocketsPerAccount, s.SocketsPerAddress = 2, 3 })
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	token := signIn(t, s, "field@example.com")
	first, _ := dialFrom(t, s, "198.51.100.1", token, id(1))
	dialFrom(t, s, "198.51.100.2", token, id(2))
	if _, m := dialFrom(t, s, "198.51.100.3", token, id(3)); m.T != wire.TError || m.Key != "ws.too_many" {
		t.Errorf("third socket of one account: %+v; want error ws.too_many", m)
	}
	for i, want := range []string{"", "", "", "ws.too_many"} {
		from := "2001:db8:1:2::" + string(rune('a'+i))
		if _, m := dialFrom(t, s, from, "", id(10+i)); m.Key != want {
			t.Errorf("socket %d from one /64 (%s): %+v; want key %q", i+1, from, m, want)
		}
	}
	if _, m := dialFrom(t, s, "2001:db8:1:3::a", "", id(20)); m.T != wire.TWelcome {
		t.Errorf("a socket from the next /64: %+v; want welcome", m)
	}
	first.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, m := dialFrom(t, s, "198.51.100.4", token, id(4))
		if m.T == wire.TWelcome {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing a socket the account still gets %+v", m)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAnonQuota: a signed-out address may file so many tickets an hour;
// past it the push stops with a reason, records nothing, and the ticket
// waits on the device. Other addresses and signed-in users are not held.
func TestAnonQuota(t *testing.T) {
	t.Parallel()
	s := newServer(t, trustLoopback, func(s *serverhttp.Server) { s.AnonQuota = map[string]int{shared.OpTicketCreate: 2} })
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	const client = "01936f6e-7a1b-7c3d-8e4f-0000000000a1"
	ws, _ := dialFrom(t, s, "203.0.113.5", "", client)
	b, _ := wire.Encode(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{
		{Seq: 1, Name: shared.OpTicketCreate, Args: ticketArgs(id(1), "One")},
		{Seq: 2, Name: shared.OpTicketCreate, Args: ticketArgs(id(2), "Two")},
		{Seq: 3, Name: shared.OpTicketCreate, Args: ticketArgs(id(3), "Three")},
	}})
	ws.WriteMessage(websocket.TextMessage, b)
	if m := recv(t, ws); m.T != wire.TAck || len(m.Results) != 2 || !m.Results[0].OK || !m.Results[1].OK {
		t.Fatalf("push of three: %+v; want two acknowledged", m)
	}
	m := recv(t, ws)
	if m.T != wire.TError || m.Key != "quota.exceeded" || len(m.Args) != 1 {
		t.Fatalf("the third: %+v; want error quota.exceeded with the seconds to wait", m)
	}
	if ce := closeOf(t, ws); ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("close = %v; want policy violation", ce)
	}
	// Resent, it is refused again: it was not recorded as handled.
	ws, _ = dialFrom(t, s, "203.0.113.5", "", client)
	if ack, _ := pushRaw(t, ws, wire.Mutation{Seq: 3, Name: shared.OpTicketCreate, Args: ticketArgs(id(3), "Three")}); ack.T == wire.TAck {
		t.Errorf("the resent third ticket was acknowledged: %+v", ack)
	}
	// Another address files freely, and so does a signed-in user.
	other, _ := dialFrom(t, s, "203.0.113.6", "", "01936f6e-7a1b-7c3d-8e4f-0000000000a2")
	if m := push(t, other, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id(4), Title: "Elsewhere", CreatedAt: 1}); m.T != wire.TAck || !m.Results[0].OK {
		t.Errorf("another address: %+v", m)
	}
	field, _ := dialFrom(t, s, "203.0.113.5", signIn(t, s, "field@example.com"), clientField)
	for i := range 3 {
		if m := push(t, field, uint64(i+1), shared.OpTicketCreate, shared.TicketCreate{ID: id(10 + i), Title: "Signed in", CreatedAt: 1}); m.T != wire.TAck || !m.Results[0].OK {
			t.Errorf("signed-in ticket %d from the same address: %+v", i+1, m)
		}
	}
	seen := pullRecords(t, other)
	var tk struct{ Title string }
	json.Unmarshal(seen[wire.TypeTicket][id(4)], &tk)
	if !strings.Contains(tk.Title, "Elsewhere") {
		t.Errorf("the other address's ticket is missing: %v", seen[wire.TypeTicket])
	}
}
