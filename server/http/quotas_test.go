package http_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"outpost/app/engine"
	appstore "outpost/app/store"
	"outpost/server/auth"
	serverhttp "outpost/server/http"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
	"outpost/shared/wire"
)

// refusedWith checks that m refuses with a quota key, in words in both
// languages, and a retry time in seconds between 1 and most, then that
// the socket closes.
func refusedWith(t *testing.T, ws *websocket.Conn, m wire.Msg, key string, most int, what string) {
	t.Helper()
	if m.T != wire.TError || m.Key != key || len(m.Args) != 1 {
		t.Fatalf("%s: %+v; want error %s with the seconds to wait", what, m, key)
	}
	secs, err := strconv.Atoi(m.Args[0])
	if err != nil || secs < 1 || secs > most {
		t.Errorf("%s: retry after %q seconds; want 1–%d", what, m.Args[0], most)
	}
	for _, lang := range []string{"en", "es"} {
		if msg := i18n.T(lang, key, secs); msg == key || !strings.Contains(msg, strconv.Itoa(secs)) {
			t.Errorf("%s: the %s message %q does not say when", what, lang, msg)
		}
	}
	if ce := closeOf(t, ws); ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("%s: close = %v; want policy violation", what, ce)
	}
}

// TestAccountWriteQuota: an account may apply so many new mutations in a
// while, from all its devices; past it the push stops with quota.account
// and a retry time, records nothing, and the mutation waits on the device.
// Another account is not held.
func TestAccountWriteQuota(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(s *serverhttp.Server) { s.AccountWrites = serverhttp.Rate{Burst: 2, Every: time.Minute} })
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "other@example.com", shared.RoleRequester, 0)
	token := signIn(t, s, "field@example.com")
	laptop, _ := dialAs(t, s, token, id(1))
	if m := push(t, laptop, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id(101), Title: "One", CreatedAt: 1}); m.T != wire.TAck || !m.Results[0].OK {
		t.Fatalf("first: %+v", m)
	}
	phone, _ := dialAs(t, s, signIn(t, s, "field@example.com"), id(2))
	if m := push(t, phone, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id(102), Title: "Two", CreatedAt: 1}); m.T != wire.TAck || !m.Results[0].OK {
		t.Fatalf("second, from another device: %+v", m)
	}
	m := push(t, laptop, 2, shared.OpTicketCreate, shared.TicketCreate{ID: id(103), Title: "Three", CreatedAt: 1})
	refusedWith(t, laptop, m, "quota.account", 60, "the account's third change")
	laptop, _ = dialAs(t, s, token, id(1))
	if ack, _ := pushRaw(t, laptop, wire.Mutation{Seq: 2, Name: shared.OpTicketCreate, Args: ticketArgs(id(103), "Three")}); ack.T == wire.TAck {
		t.Errorf("the resent third change was acknowledged: %+v", ack)
	}
	other, _ := dialAs(t, s, signIn(t, s, "other@example.com"), id(3))
	if m := push(t, other, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id(104), Title: "Elsewhere", CreatedAt: 1}); m.T != wire.TAck || !m.Results[0].OK {
		t.Errorf("another account: %+v", m)
	}
}

// TestPullQuota: pulls count per address for signed-out devices (per
// account signed in); past the quota a pull is refused with quota.pulls
// and a retry time. A signed-in user and another address are not held.
func TestPullQuota(t *testing.T) {
	t.Parallel()
	s := newServer(t, trustLoopback, func(s *serverhttp.Server) { s.Pulls = serverhttp.Rate{Burst: 3, Every: time.Minute} })
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	a, _ := dialFrom(t, s, "203.0.113.5", "", id(1))
	b, _ := dialFrom(t, s, "203.0.113.5", "", id(2))
	stillServed(t, a, "pull 1")
	stillServed(t, b, "pull 2, another device of the address")
	stillServed(t, a, "pull 3")
	send(t, b, wire.Msg{T: wire.TPull})
	refusedWith(t, b, recv(t, b), "quota.pulls", 60, "the address's fourth pull")
	other, _ := dialFrom(t, s, "203.0.113.6", "", id(3))
	stillServed(t, other, "another address")
	field, _ := dialFrom(t, s, "203.0.113.5", signIn(t, s, "field@example.com"), clientField)
	stillServed(t, field, "a signed-in user at the same address")
}

// TestNewSocketRate: an address (IPv6: its /64) may open so many
// websockets in a while, closed or not; one more is refused with
// quota.sockets and a retry time. The next /64 is not held.
func TestNewSocketRate(t *testing.T) {
	t.Parallel()
	s := newServer(t, trustLoopback, func(s *serverhttp.Server) { s.NewSockets = serverhttp.Rate{Burst: 3, Every: 10 * time.Second} })
	for i := range 3 {
		ws, m := dialFrom(t, s, "2001:db8:1:2::"+strconv.Itoa(i+1), "", id(i+1))
		if m.T != wire.TWelcome {
			t.Fatalf("socket %d: %+v", i+1, m)
		}
		ws.Close()
	}
	ws, m := dialFrom(t, s, "2001:db8:1:2::ff", "", id(9))
	refusedWith(t, ws, m, "quota.sockets", 10, "the /64's fourth socket")
	if _, m := dialFrom(t, s, "2001:db8:1:3::1", "", id(10)); m.T != wire.TWelcome {
		t.Errorf("a socket from the next /64: %+v; want welcome", m)
	}
}

// TestEngineWaitsOutAQuota: the app's engine, refused by a quota, says so
// in its status, keeps the change, waits as long as the server said
// rather than reconnecting at once, and then sends it. The server and the
// engine share a fake clock: the wait is the clock's, not the test's.
func TestEngineWaitsOutAQuota(t *testing.T) {
	t.Parallel()
	var fake *clock.Fake
	s := newServer(t, withFakeClock(&fake), func(s *serverhttp.Server) { s.AccountWrites = serverhttp.Rate{Burst: 1, Every: 2 * time.Second} })
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	token := signIn(t, s, "field@example.com")
	var dials atomic.Int32
	e := &engine.Engine{Store: appstore.NewMemory(), Dial: func(ctx context.Context) (engine.Conn, error) {
		dials.Add(1)
		h := http.Header{"Origin": {s.URL()}, "Cookie": {(&http.Cookie{Name: auth.CookieName, Value: token}).String()}}
		return engine.DialWSHeader(ctx, s.wsURL(), h)
	}, Clock: fake}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.Mutate(shared.OpTicketCreate, shared.TicketCreate{ID: id(1), Title: "One", CreatedAt: 1}, "")
	e.Mutate(shared.OpTicketCreate, shared.TicketCreate{ID: id(2), Title: "Two", CreatedAt: 1}, "")
	advanceUntil(t, fake, 100*time.Millisecond, "held by the quota", func() bool { return e.Status().Held != "" })
	st := e.Status()
	if st.Held != "quota.account" || st.HeldSecs < 1 || st.HeldSecs > 2 || st.Pending != 1 {
		t.Errorf("held status %+v; want quota.account, 1–2 s, one change waiting", st)
	}
	heldAt, dialed := fake.Now(), dials.Load()
	advanceUntil(t, fake, 100*time.Millisecond, "sent after the wait", func() bool { s := e.Status(); return s.Pending == 0 && s.Held == "" && s.Online })
	if waited := fake.Since(heldAt); waited < time.Second {
		t.Errorf("the engine came back after %v; want at least the second the server asked for", waited)
	}
	if n := dials.Load() - dialed; n != 1 {
		t.Errorf("the engine dialled %d times while held; want once, after the wait", n)
	}
}
