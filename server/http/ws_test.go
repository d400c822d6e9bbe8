package http_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"outpost/app/engine"
	"outpost/app/store"
	"outpost/server/badger"
	serverhttp "outpost/server/http"
	"outpost/server/seed"
	sstore "outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

type testServer struct {
	*serverhttp.Server
	db *badger.DB
}

// newServer runs a real server on loopback over an in-memory Badger with
// the demo articles; opts adjust it before it opens.
func newServer(t testing.TB, opts ...func(*serverhttp.Server)) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := badger.Open("", log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.IfEmpty(context.Background(), db, 1); err != nil {
		t.Fatal(err)
	}
	s := &serverhttp.Server{
		Addr: "127.0.0.1:0",
		Web:  fstest.MapFS{"app.css": {Data: []byte("body{}")}},
		Sync: &outsync.Service{Store: db, Log: log},
		Log:  log,
		// Tests push freely from one address; the quota tests set theirs.
		AnonQuota: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()); db.Close() })
	return &testServer{Server: s, db: db}
}

func (s *testServer) wsURL() string { return strings.Replace(s.URL(), "http", "ws", 1) + "/ws" }

func (s *testServer) dial(t *testing.T) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(s.wsURL(), map[string][]string{"Origin": {s.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

const clientA = "01936f6e-7a1b-7c3d-8e4f-0123456789ab"

func send(t *testing.T, ws *websocket.Conn, m wire.Msg) {
	t.Helper()
	b, _ := wire.Encode(m)
	if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, ws *websocket.Conn) wire.Msg {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		m, err := wire.Decode(b)
		if err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if m.T != wire.TPoke {
			return m
		}
	}
}

// keyOf is the device key a test device holds for client: any well-formed
// secret works, as long as the device keeps presenting the same one.
func keyOf(client string) string {
	sum := sha256.Sum256([]byte("device key of " + client))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func hello(t *testing.T, ws *websocket.Conn, client string) {
	t.Helper()
	send(t, ws, wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: client, DeviceKey: keyOf(client)})
	if m := recv(t, ws); m.T != wire.TWelcome {
		t.Fatalf("hello answered with %+v; want welcome", m)
	}
}

// closeOf reads until the server closes and returns the close frame.
func closeOf(t *testing.T, ws *websocket.Conn) *websocket.CloseError {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if ce, ok := err.(*websocket.CloseError); ok {
			return ce
		}
		if err != nil {
			t.Fatalf("read: %v; want a close frame", err)
		}
	}
}

func ticketArgs(id, title string) json.RawMessage {
	b, _ := json.Marshal(shared.TicketCreate{ID: id, Title: title, Description: "d", CreatedAt: 1})
	return b
}

func TestBadFramesCloseOnlyThatConnection(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	bystander := s.dial(t)
	hello(t, bystander, clientA)

	tests := []struct {
		name      string
		frame     []byte
		wantKey   string
		wantClose int
	}{
		{"oversized", []byte(`{"t":"pull","key":"` + strings.Repeat("x", wire.MaxFrame) + `"}`), "wire.too_large", websocket.CloseMessageTooBig},
		{"malformed", []byte(`{"t":"push","mutations":[`), "wire.malformed", websocket.CloseInvalidFramePayloadData},
		{"unknown type", []byte(`{"t":"drop_tables"}`), "wire.unknown_type", websocket.CloseInvalidFramePayloadData},
		{"bad sequence", []byte(`{"t":"push","mutations":[{"seq":2,"name":"a","args":{}},{"seq":1,"name":"a","args":{}}]}`), "wire.bad_seq", websocket.CloseInvalidFramePayloadData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := s.dial(t)
			hello(t, ws, "01936f6e-7a1b-7c3d-8e4f-00000000000"+string(rune('0'+len(tt.name)%10)))
			if err := ws.WriteMessage(websocket.TextMessage, tt.frame); err != nil {
				t.Fatal(err)
			}
			m := recv(t, ws)
			if m.T != wire.TError || m.Key != tt.wantKey || m.Code != shared.EINVALID {
				t.Errorf("answer = %+v; want error %s", m, tt.wantKey)
			}
			if ce := closeOf(t, ws); ce.Code != tt.wantClose || !strings.Contains(ce.Text, tt.wantKey) {
				t.Errorf("close = %d %q; want %d with %q", ce.Code, ce.Text, tt.wantClose, tt.wantKey)
			}
		})
	}
	// The other connection is still served.
	send(t, bystander, wire.Msg{T: wire.TPull})
	if m := recv(t, bystander); m.T != wire.TChanges || len(m.Changes) == 0 {
		t.Fatalf("bystander pull = %+v; want changes", m)
	}
}

func TestHelloRules(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ws := s.dial(t)
	send(t, ws, wire.Msg{T: wire.TPull})
	if m := recv(t, ws); m.Key != "wire.hello_first" {
		t.Errorf("pull before hello answered %+v; want wire.hello_first", m)
	}
	noVersion := s.dial(t)
	send(t, noVersion, wire.Msg{T: wire.THello, ClientID: clientA})
	if m := recv(t, noVersion); m.Key != "wire.bad_protocol" {
		t.Errorf("hello without protocol answered %+v; want wire.bad_protocol", m)
	}
}

func TestOriginChecked(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	_, resp, err := websocket.DefaultDialer.Dial(s.wsURL(), map[string][]string{"Origin": {"https://evil.example.com"}})
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("cross-origin upgrade: err %v, response %v; want 403", err, resp)
	}
}

func TestPushIsIdempotentAndValidated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ws := s.dial(t)
	hello(t, ws, clientA)
	id1, id2 := shared.NewID(time.Now()), shared.NewID(time.Now())
	push := wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{
		{Seq: 1, Name: shared.OpTicketCreate, Args: ticketArgs(id1, "VPN drops")},
		{Seq: 2, Name: shared.OpTicketCreate, Args: ticketArgs(id2, "   ")},
		{Seq: 3, Name: "ticket.teleport", Args: json.RawMessage(`{}`)},
		{Seq: 4, Name: shared.OpTicketCreate, Args: json.RawMessage(`"not an object"`)},
	}}
	send(t, ws, push)
	ack := recv(t, ws)
	want := []string{"ok", "ticket.title_required", "mutation.unknown", "mutation.bad_args"}
	if len(ack.Results) != len(want) {
		t.Fatalf("ack = %+v; want %d results", ack, len(want))
	}
	for i, r := range ack.Results {
		got := r.Key
		if r.OK {
			got = "ok"
		}
		if got != want[i] || r.Seq != uint64(i+1) {
			t.Errorf("result %d = %+v; want seq %d %s", i, r, i+1, want[i])
		}
	}
	// The same push again (a lost ack): every result again, nothing applied twice.
	send(t, ws, push)
	if again := recv(t, ws); len(again.Results) != 4 || !again.Results[0].OK {
		t.Errorf("resent push ack = %+v", again)
	}
	// Another client reusing the ticket ID is refused.
	other := s.dial(t)
	hello(t, other, "01936f6e-7a1b-7c3d-8e4f-0000000000ff")
	send(t, other, wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: 1, Name: shared.OpTicketCreate, Args: ticketArgs(id1, "hijack")}}})
	if r := recv(t, other).Results[0]; r.OK || r.Code != shared.ECONFLICT {
		t.Errorf("reused ticket ID answered %+v; want ECONFLICT", r)
	}
	titles := ticketTitles(t, s)
	if len(titles) != 1 || titles[0] != "VPN drops" {
		t.Fatalf("tickets in store = %q; want just [VPN drops]", titles)
	}
	// Pulls show a client its own tickets only.
	send(t, other, wire.Msg{T: wire.TPull})
	for _, c := range recv(t, other).Changes {
		if c.Type == wire.TypeTicket {
			t.Errorf("other client pulled ticket %s it did not file", c.ID)
		}
	}
}

// TestEnginesConverge runs the client engine natively against the server:
// two devices file tickets, each sees its own, both get every article.
func TestEnginesConverge(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	newEngine := func() (*engine.Engine, *store.Memory) {
		st := store.NewMemory()
		e := &engine.Engine{Store: st, Dial: func(ctx context.Context) (engine.Conn, error) {
			return engine.DialWS(ctx, s.wsURL(), s.URL())
		}}
		if err := e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return e, st
	}
	a, sa := newEngine()
	b, sb := newEngine()
	for i, e := range []*engine.Engine{a, a, b} {
		tc := shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "ticket " + string(rune('A'+i)), CreatedAt: 1}
		if err := e.Mutate(shared.OpTicketCreate, tc, ""); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both engines synced with nothing pending", func() bool {
		sa, sb := a.Status(), b.Status()
		return sa.Online && sb.Online && sa.Pending == 0 && sb.Pending == 0 && sa.Synced && sb.Synced
	})
	waitFor(t, "each replica holds its own tickets", func() bool {
		ta, _ := sa.List(wire.TypeTicket)
		tb, _ := sb.List(wire.TypeTicket)
		return len(ta) == 2 && len(tb) == 1
	})
	arts, _ := sa.List(wire.TypeArticle)
	artsB, _ := sb.List(wire.TypeArticle)
	if len(arts) == 0 || len(arts) != len(artsB) {
		t.Errorf("articles: %d and %d; want the same, non-zero", len(arts), len(artsB))
	}
}

// ticketTitles returns the titles of every ticket in the server's store.
func ticketTitles(t *testing.T, s *testServer) []string {
	t.Helper()
	var titles []string
	err := s.db.View(context.Background(), func(tx sstore.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(id string, data []byte) error {
			var tk shared.Ticket
			if err := json.Unmarshal(data, &tk); err != nil {
				return err
			}
			titles = append(titles, tk.Title)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return titles
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEngineResetsOnNewDatabase replaces the server's database under a
// connected client, as a restore from backup does: the client drops its
// replica (whose cursor means nothing now), refetches everything, and still
// delivers the ticket it filed while the server was down.
func TestEngineResetsOnNewDatabase(t *testing.T) {
	t.Parallel()
	old := newServer(t)
	addr := strings.TrimPrefix(old.URL(), "http://")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := store.NewMemory()
	e := &engine.Engine{Store: st, Dial: func(ctx context.Context) (engine.Conn, error) {
		return engine.DialWS(ctx, "ws://"+addr+"/ws", "http://"+addr)
	}}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	file := func(title string) {
		tc := shared.TicketCreate{ID: shared.NewID(time.Now()), Title: title, CreatedAt: 1}
		if err := e.Mutate(shared.OpTicketCreate, tc, ""); err != nil {
			t.Fatal(err)
		}
	}
	titles := func() []string {
		recs, _ := st.List(wire.TypeTicket)
		var out []string
		for _, r := range recs {
			var tk shared.Ticket
			json.Unmarshal(r.Data, &tk)
			out = append(out, tk.Title)
		}
		return out
	}
	file("before the restore")
	waitFor(t, "first ticket synced", func() bool { return len(titles()) == 1 && e.Status().Pending == 0 })
	oldEpoch, _ := st.Epoch()

	old.Close(context.Background())
	waitFor(t, "client offline", func() bool { return !e.Status().Online })
	file("while the server was down")
	fresh := newServer(t, func(s *serverhttp.Server) { s.Addr = addr })
	e.Kick()

	waitFor(t, "resynced with the new database", func() bool {
		got := titles()
		return e.Status().Online && e.Status().Pending == 0 && len(got) == 1 && got[0] == "while the server was down"
	})
	if epoch, _ := st.Epoch(); epoch != fresh.db.Epoch() || epoch == oldEpoch {
		t.Errorf("replica epoch = %q; want the new database's %q", epoch, fresh.db.Epoch())
	}
	arts, _ := st.List(wire.TypeArticle)
	if len(arts) < 20 {
		t.Errorf("replica has %d articles after the reset; want all of them again", len(arts))
	}
}

// TestIdleConnectionCostsOneGoroutine: once welcomed, a connection is one
// parked reader; pokes and pings need no goroutine of their own, which is
// what keeps a thousand idle devices cheap (make bench measures the bytes).
func TestIdleConnectionCostsOneGoroutine(t *testing.T) {
	s := newServer(t)
	settled := func() int {
		n := runtime.NumGoroutine()
		for range 50 {
			time.Sleep(20 * time.Millisecond)
			m := runtime.NumGoroutine()
			if m == n {
				return n
			}
			n = m
		}
		return n
	}
	before := settled()
	const conns = 40
	for i := range conns {
		hello(t, s.dial(t), fmt.Sprintf("01936f6e-7a1b-7c3d-8e4f-0000000001%02d", i))
	}
	if extra := settled() - before; extra > conns+2 {
		t.Errorf("%d idle connections added %d goroutines; want one each", conns, extra)
	}
}

// TestPokesCoalesce: a burst of changes pokes a device at once, then once
// more for everything that happened since, not once per change.
func TestPokesCoalesce(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ws := s.dial(t)
	hello(t, ws, clientA)
	send(t, ws, wire.Msg{T: wire.TPull}) // answered once the connection watches
	if m := recv(t, ws); m.T != wire.TChanges {
		t.Fatalf("pull answered with %+v", m)
	}
	for range 10 {
		s.Sync.Changed()
	}
	pokes := 0
	ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			break // the deadline: no more pokes
		}
		if m, _ := wire.Decode(b); m.T == wire.TPoke {
			pokes++
		}
	}
	if pokes != 2 {
		t.Errorf("10 changes in a burst gave %d pokes; want 2 (one now, one for the rest)", pokes)
	}
}

// TestNoPokeForOwnPush: a client pulls after every ack (protocol 4 on),
// so the server does not poke it about its own push.
func TestNoPokeForOwnPush(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const client = "01936f6e-7a1b-7c3d-8e4f-000000000a04"
	ws := s.dial(t)
	hello(t, ws, client)
	send(t, ws, wire.Msg{T: wire.TPull}) // answered once the connection watches
	recv(t, ws)
	send(t, ws, wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: 1, Name: shared.OpTicketCreate, Args: ticketArgs(shared.NewID(time.Now()), "Own push")}}})
	pokes, acks := 0, 0
	ws.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			break // the deadline
		}
		switch m, _ := wire.Decode(b); m.T {
		case wire.TPoke:
			pokes++
		case wire.TAck:
			acks++
		}
	}
	if acks != 1 || pokes != 0 {
		t.Errorf("%d acks and %d pokes for its own push; want 1 and 0", acks, pokes)
	}
}
