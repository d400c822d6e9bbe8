package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"outpost/server"
	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// opsClock is a server clock a test moves forward: the time of day it
// tells moves by hand, while the sockets' timers keep the wall clock's pace
// (these tests talk to a real server over real sockets).
type opsClock struct {
	clock.Real
	mu  sync.Mutex
	now time.Time
}

func (c *opsClock) Now() time.Time                  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *opsClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *opsClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}
func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

var cheapHash = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const password = "correct horse battery"

// startMain runs `outpost serve` in-process on loopback with a data
// directory of its own, logging everything (debug included) as JSON to log.
func startMain(t *testing.T, clock *opsClock, log io.Writer, configure ...func(*server.Main)) *server.Main {
	t.Helper()
	m := server.NewMain()
	m.Addr, m.DataDir = "127.0.0.1:0", t.TempDir()
	m.Log = slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m.Clock = clock
	m.AnonQuota = map[string]int{} // many signed-out devices on one loopback address
	for _, c := range configure {
		c(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	m.Auth.Hash = cheapHash
	return m
}

func addAccount(t *testing.T, m *server.Main, email, role string) auth.User {
	t.Helper()
	u, err := m.Auth.AddUser(context.Background(), auth.NewUser{Email: email, Name: "Pat Example", Role: role, Tier: map[string]int{shared.RoleAgent: 1}[role], Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// browser is a cookie-keeping HTTP client.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func postJSON(t *testing.T, c *http.Client, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func login(t *testing.T, m *server.Main, c *http.Client, email, pw string) int {
	t.Helper()
	status, _ := postJSON(t, c, m.HTTP.URL()+"/api/login", `{"email":"`+email+`","password":"`+pw+`"}`)
	return status
}

// sessionCookie returns c's session token for m.
func sessionCookie(t *testing.T, m *server.Main, c *http.Client) string {
	t.Helper()
	req, _ := http.NewRequest("GET", m.HTTP.URL(), nil)
	for _, ck := range c.Jar.Cookies(req.URL) {
		if ck.Name == auth.CookieName {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// socket is a device's sync websocket.
type socket struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialSocket(t *testing.T, m *server.Main, token, clientID string) *socket {
	t.Helper()
	h := http.Header{"Origin": {m.HTTP.URL()}}
	if token != "" {
		h.Set("Cookie", (&http.Cookie{Name: auth.CookieName, Value: token}).String())
	}
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(m.HTTP.URL(), "http", "ws", 1)+"/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s := &socket{t: t, ws: ws}
	if w := s.roundTrip(wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: clientID, DeviceKey: server.DeviceKeyOf(clientID)}); w.T != wire.TWelcome {
		t.Fatalf("hello answered %+v", w)
	}
	return s
}

func (s *socket) roundTrip(m wire.Msg) wire.Msg {
	s.t.Helper()
	b, err := wire.Encode(m)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		s.t.Fatal(err)
	}
	for {
		s.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := s.ws.ReadMessage()
		if err != nil {
			s.t.Fatal(err)
		}
		got, err := wire.Decode(data)
		if err != nil {
			s.t.Fatal(err)
		}
		if got.T != wire.TPoke {
			return got
		}
	}
}

// push sends one mutation and returns its result.
func (s *socket) push(seq uint64, name string, args any) wire.Result {
	s.t.Helper()
	b, _ := json.Marshal(args)
	ack := s.roundTrip(wire.Msg{T: wire.TPush, Mutations: []wire.Mutation{{Seq: seq, Name: name, Args: b}}})
	if ack.T != wire.TAck || len(ack.Results) != 1 {
		s.t.Fatalf("push answered %+v", ack)
	}
	return ack.Results[0]
}

// pullAll pulls every page from cursor 0 and returns the number of pages.
func (s *socket) pullAll() int {
	s.t.Helper()
	var cursor uint64
	for pages := 1; ; pages++ {
		page := s.roundTrip(wire.Msg{T: wire.TPull, Cursor: cursor})
		if page.T != wire.TChanges {
			s.t.Fatalf("pull answered %+v", page)
		}
		if cursor = page.Cursor; !page.More {
			return pages
		}
	}
}

// scrape gets url with c and parses the Prometheus text format.
func scrape(t *testing.T, c *http.Client, url string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil
	}
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return resp.StatusCode, fams
}

// value returns the value of the metric of family name whose labels
// include labels (name=value pairs): a counter's or gauge's value, a
// histogram's sample count. Missing: -1.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

func ticket(n int, created time.Time) shared.TicketCreate {
	return shared.TicketCreate{
		ID:    "01936f6e-7a1b-7c3d-8e4f-" + strings.Repeat("0", 9) + string(rune('0'+n/100)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10)),
		Title: "Printer on floor 2 jams", Impact: "high", Urgency: "high", CreatedAt: created.UnixMilli(),
	}
}

// A scripted session over real websockets moves the counters as expected,
// and /metrics is for admins only on the main address, open on
// -metrics-addr.
func TestMetrics(t *testing.T) {
	clock := &opsClock{now: time.Now()}
	m := startMain(t, clock, io.Discard, func(m *server.Main) { m.MetricsAddr = "127.0.0.1:0" })
	addAccount(t, m, "admin@example.com", shared.RoleAdmin)
	addAccount(t, m, "field@example.com", shared.RoleRequester)
	addAccount(t, m, "victim@example.com", shared.RoleRequester)
	admin, field, stranger := browser(t), browser(t), browser(t)

	if got := login(t, m, field, "field@example.com", "not the password"); got != 401 {
		t.Fatalf("wrong password: %d", got)
	}
	for c, email := range map[*http.Client]string{admin: "admin@example.com", field: "field@example.com"} {
		if got := login(t, m, c, email, password); got != 200 {
			t.Fatalf("sign in %s: %d", email, got)
		}
	}

	ws := dialSocket(t, m, sessionCookie(t, m, field), "01936f6e-7a1b-7c3d-8e4f-000000000901")
	dialSocket(t, m, "", "01936f6e-7a1b-7c3d-8e4f-000000000902") // a signed-out device
	if r := ws.push(1, shared.OpTicketCreate, ticket(1, clock.Now())); !r.OK {
		t.Fatalf("ticket refused: %+v", r)
	}
	bad := ticket(2, clock.Now())
	bad.Title = ""
	if r := ws.push(2, shared.OpTicketCreate, bad); r.OK {
		t.Fatal("a ticket without a title was accepted")
	}
	if r := ws.push(1, shared.OpTicketCreate, ticket(1, clock.Now())); !r.OK { // a resend: its ack was lost
		t.Fatalf("resend: %+v", r)
	}
	if r := ws.push(3, "no.such.mutation", map[string]string{}); r.OK {
		t.Fatal("an unknown mutation was accepted")
	}
	pages := ws.pullAll()

	// The ticket's first response is due within hours: three days on, it is breached.
	clock.Add(72 * time.Hour)
	if _, err := m.Sync.CheckSLA(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The fifth failure for an address locks it out, and it stays so.
	for i := 0; i < 5; i++ {
		login(t, m, stranger, "victim@example.com", "guess "+string(rune('a'+i)))
	}
	if got := login(t, m, stranger, "victim@example.com", password); got != 429 {
		t.Fatalf("sign-in while locked out: %d; want 429", got)
	}

	if code, _ := scrape(t, field, m.HTTP.URL()+"/metrics"); code != 403 {
		t.Errorf("a requester's /metrics: %d; want 403", code)
	}
	if code, _ := scrape(t, stranger, m.HTTP.URL()+"/metrics"); code != 401 {
		t.Errorf("signed-out /metrics: %d; want 401", code)
	}
	code, fams := scrape(t, admin, m.HTTP.URL()+"/metrics")
	if code != 200 {
		t.Fatalf("an admin's /metrics: %d", code)
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"outpost_mutations_total", []string{"name", "ticket.create", "result", "applied"}, 1},
		{"outpost_mutations_total", []string{"name", "ticket.create", "result", "rejected"}, 1},
		{"outpost_mutations_total", []string{"name", "ticket.create", "result", "duplicate"}, 1},
		{"outpost_mutations_total", []string{"name", "unknown", "result", "rejected"}, 1},
		{"outpost_mutation_apply_seconds", nil, 3},
		{"outpost_pushes_total", nil, 4},
		{"outpost_push_ack_seconds", nil, 4},
		{"outpost_pull_pages_total", nil, float64(pages)},
		{"outpost_websockets_open", []string{"role", "requester"}, 1},
		{"outpost_websockets_open", []string{"role", "anonymous"}, 1},
		{"outpost_websockets_open", []string{"role", "admin"}, 0},
		{"outpost_sla_marks_total", []string{"timer", "first_response", "mark", "breached"}, 1},
		{"outpost_logins_total", []string{"result", "ok"}, 2},
		{"outpost_logins_total", []string{"result", "failed"}, 5},
		{"outpost_logins_total", []string{"result", "locked_out"}, 2},
		{"outpost_http_requests_total", []string{"route", "GET /metrics", "code", "4xx"}, 2},
	} {
		if got := value(fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, c := range []struct {
		name string
		min  float64
	}{
		{"outpost_pull_changes_total", 24}, // the demo knowledge base at least
		{"outpost_pull_bytes_total", 10_000},
		{"outpost_store_commit_batch_size", 3},
		{"go_goroutines", 1},
		{"process_resident_memory_bytes", 1},
	} {
		if got := value(fams, c.name); got < c.min {
			t.Errorf("%s = %v; want at least %v", c.name, got, c.min)
		}
	}
	if value(fams, "outpost_store_bytes") < 0 {
		t.Error("no outpost_store_bytes")
	}

	// The separate listener needs no session: it is for a scraper.
	if code, fams := scrape(t, http.DefaultClient, m.HTTP.MetricsURL()); code != 200 || value(fams, "outpost_pushes_total") != 4 {
		t.Errorf("-metrics-addr: %d, pushes %v", code, value(fams, "outpost_pushes_total"))
	}
}

// A session with passwords, session cookies, a kiosk visitor's name and
// e-mail address leaves none of them in the log, which still says who did
// what: one line per request and per socket session, with request IDs.
func TestLogsKeepSecrets(t *testing.T) {
	clock := &opsClock{now: time.Now()}
	var log lockedBuffer
	m := startMain(t, clock, &log)
	const (
		adminEmail, adminPass = "ines.admin@example.com", "admin-Pa55-quartz-lantern"
		userEmail, userPass   = "pat.requester@example.com", "user-Pa55-violet-harbour"
		wrongPass             = "wrong-Pa55-cobalt-meadow"
		strangerEmail         = "nobody.here@example.com"
		visitorName           = "Quintana Obregón"
		visitorEmail          = "quintana.visitor@example.org"
	)
	for email, pw := range map[string]string{adminEmail: adminPass, userEmail: userPass} {
		role := shared.RoleRequester
		if email == adminEmail {
			role = shared.RoleAdmin
		}
		if _, err := m.Auth.AddUser(context.Background(), auth.NewUser{Email: email, Name: "Pat Example", Role: role, Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	admin, user, stranger := browser(t), browser(t), browser(t)
	login(t, m, user, userEmail, wrongPass)
	login(t, m, stranger, strangerEmail, wrongPass)
	if login(t, m, user, userEmail, userPass) != 200 || login(t, m, admin, adminEmail, adminPass) != 200 {
		t.Fatal("sign-in failed")
	}
	resp, err := user.Get(m.HTTP.URL() + "/api/search?q=" + strings.ReplaceAll(visitorName, " ", "+"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqID := resp.Header.Get("X-Request-ID")
	if reqID == "" {
		t.Error("no X-Request-ID on a response")
	}

	status, code := postJSON(t, admin, m.HTTP.URL()+"/api/kiosk/codes", `{"site":"lobby"}`)
	if status != 200 {
		t.Fatalf("kiosk code: %d %v", status, code)
	}
	kiosk := browser(t)
	if status, body := postJSON(t, kiosk, m.HTTP.URL()+"/api/kiosk/enroll", `{"code":"`+code["code"].(string)+`"}`); status != 200 {
		t.Fatalf("enroll: %d %v", status, body)
	}
	tokens := []string{sessionCookie(t, m, admin), sessionCookie(t, m, user), sessionCookie(t, m, kiosk), code["code"].(string)}

	userWS := dialSocket(t, m, tokens[1], "01936f6e-7a1b-7c3d-8e4f-000000000911")
	if r := userWS.push(1, shared.OpTicketCreate, ticket(11, clock.Now())); !r.OK {
		t.Fatalf("ticket: %+v", r)
	}
	kioskWS := dialSocket(t, m, tokens[2], "01936f6e-7a1b-7c3d-8e4f-000000000912")
	checkin := shared.KioskCheckin{ID: "01936f6e-7a1b-7c3d-8e4f-000000000913", Site: "lobby", Number: "A-001", Name: visitorName, Email: visitorEmail, Reason: "network", CreatedAt: clock.Now().UnixMilli()}
	if r := kioskWS.push(1, shared.OpKioskCheckin, checkin); !r.OK {
		t.Fatalf("check-in: %+v", r)
	}
	// A refusal whose arguments quote what was typed.
	checkin.ID, checkin.Number = "01936f6e-7a1b-7c3d-8e4f-000000000914", visitorEmail
	if r := kioskWS.push(2, shared.OpKioskCheckin, checkin); r.OK {
		t.Fatal("a check-in with a bad number was accepted")
	}
	userWS.ws.Close()
	kioskWS.ws.Close()
	for deadline := time.Now().Add(10 * time.Second); strings.Count(log.String(), `"msg":"socket session"`) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("no socket session lines:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	out := log.String()
	secrets := append([]string{adminPass, userPass, wrongPass, adminEmail, userEmail, strangerEmail, visitorName, visitorEmail, "Quintana", "Pat Example"}, tokens...)
	for _, s := range secrets {
		if strings.Contains(strings.ToLower(out), strings.ToLower(s)) {
			t.Errorf("the log holds %q", s)
		}
	}
	// And it still says who did what.
	var sawLogin, sawSearch, sawSession bool
	var kioskUpgrade any
	var upgrades []any // request IDs of the kiosk's websocket upgrades
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("a log line is not JSON: %s", line)
		}
		switch {
		case l["msg"] == "http request" && l["path"] == "/api/login" && l["status"] == 200.0 && l["user"] != nil && l["request_id"] != "":
			sawLogin = true
		case l["msg"] == "http request" && l["path"] == "/api/search" && l["request_id"] == reqID:
			sawSearch = true
		case l["msg"] == "socket session" && l["role"] == shared.RoleKiosk && l["mutations"] == 2.0 && l["request_id"] != nil && l["duration_ms"] != nil:
			sawSession = true
			kioskUpgrade = l["request_id"]
		case l["msg"] == "http request" && l["path"] == "/ws" && l["status"] == 101.0 && l["role"] == shared.RoleKiosk:
			upgrades = append(upgrades, l["request_id"])
		}
	}
	if len(upgrades) != 1 || upgrades[0] != kioskUpgrade {
		t.Errorf("the kiosk's upgrade was logged with request IDs %v; its session with %v", upgrades, kioskUpgrade)
	}
	if !sawLogin || !sawSearch || !sawSession {
		t.Errorf("lines missing: sign-in %v, search with its request ID %v, kiosk socket session %v; log:\n%s", sawLogin, sawSearch, sawSession, out)
	}
}
