package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"outpost/app/engine"
	appstore "outpost/app/store"
	"outpost/server"
	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared/wire"
)

// TestDatabaseUnreachable: PostgreSQL stops under a running node and
// starts again. Meanwhile the node lives (/healthz), /readyz says in words
// that the database does not answer, a device goes on filing tickets
// offline, and the log says what happened once rather than at every
// retry; once the database is back, /readyz is ready again and the
// device's outbox drains, each ticket stored once.
func TestDatabaseUnreachable(t *testing.T) {
	pg := pgtest.Start(t)
	url := pg.CreateDB("outpost")
	clock := &opsClock{now: time.Now()}
	var logs lockedBuffer
	m := startMain(t, clock, &logs, func(m *server.Main) { m.StoreURL = url })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &device{st: appstore.NewMemory()}
	d.e = &engine.Engine{Store: d.st, Heartbeat: 500 * time.Millisecond, ReplyTimeout: 2 * time.Second,
		Dial: func(ctx context.Context) (engine.Conn, error) {
			u := m.HTTP.URL()
			return engine.DialWSHeader(ctx, strings.Replace(u, "http", "ws", 1)+"/ws", http.Header{"Origin": {u}})
		}}
	if err := d.e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, within time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(within); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waiting %v for %s; the device's status is %+v", within, what, d.e.Status())
			}
		}
	}
	probe := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(m.HTTP.URL() + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		var body struct {
			Status string
			Error  struct{ Message string }
		}
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Status + body.Error.Message
	}
	for i := range 3 {
		if err := d.file(i, clock); err != nil {
			t.Fatal(err)
		}
	}
	waitFor("the first tickets acknowledged", 20*time.Second, func() bool { s := d.e.Status(); return s.Online && s.Pending == 0 })

	mark := len(logs.String())
	pg.Stop("fast")
	down := time.Now()
	for i := 3; i < 6; i++ {
		if err := d.file(i, clock); err != nil {
			t.Fatalf("filing offline: %v", err)
		}
	}
	waitFor("the device to count its tickets as waiting", 10*time.Second, func() bool { return d.e.Status().Pending == 3 })
	time.Sleep(3 * time.Second)
	if code, _ := probe("/healthz"); code != 200 {
		t.Errorf("/healthz with the database down: %d; want 200 (the process lives)", code)
	}
	if code, msg := probe("/readyz"); code != 503 || msg != "The server is not ready: the database cannot be reached." {
		t.Errorf("/readyz with the database down: %d %q; want 503 saying the database cannot be reached", code, msg)
	}
	login, err := http.Post(m.HTTP.URL()+"/api/login", "application/json", strings.NewReader(`{"email":"pat@example.com","password":"not this one"}`))
	if err != nil {
		t.Fatal(err)
	}
	var answer struct{ Error struct{ Message string } }
	json.NewDecoder(login.Body).Decode(&answer)
	login.Body.Close()
	if login.StatusCode != 503 || answer.Error.Message != "The server is not ready: the database cannot be reached." {
		t.Errorf("a sign-in with the database down: %d %q; want 503 saying the database cannot be reached", login.StatusCode, answer.Error.Message)
	}
	during := logs.String()[mark:]
	t.Logf("%v with the database down; the log meanwhile:\n%s", time.Since(down).Round(time.Millisecond), during)
	said, loud := 0, 0
	for _, line := range strings.Split(during, "\n") {
		if strings.Contains(line, "PostgreSQL cannot be reached") {
			said++
		} else if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) && !strings.Contains(line, "lost the lead") {
			loud++
			t.Errorf("logged while the database was down: %s", line)
		}
	}
	if said != 1 {
		t.Errorf("the log said %d times that PostgreSQL cannot be reached; want once", said)
	}
	hellos := strings.Count(during, `"path":"/ws"`)
	t.Logf("the device opened %d sockets in %v with the database down", hellos, time.Since(down).Round(time.Millisecond))
	if hellos > 6 {
		t.Errorf("the device tried %d sockets in %v with the database down: it should wait longer and longer", hellos, time.Since(down).Round(time.Second))
	}

	pg.Restart()
	up := time.Now()
	waitFor("the outbox drained after the database came back", 30*time.Second, func() bool { s := d.e.Status(); return s.Online && s.Pending == 0 })
	t.Logf("outbox drained %v after the database came back", time.Since(up).Round(time.Millisecond))
	if code, msg := probe("/readyz"); code != 200 {
		t.Errorf("/readyz once the database is back: %d %q", code, msg)
	}
	n := 0
	m.Store.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(string, []byte) error { n++; return nil })
	})
	if n != 6 {
		t.Errorf("the database holds %d tickets; want the 6 filed, each once", n)
	}
	if after := logs.String()[mark+len(during):]; strings.Count(after, "PostgreSQL answers again") != 1 {
		t.Errorf("once the database was back, the log said %d times that it answers again; want once:\n%s", strings.Count(after, "PostgreSQL answers again"), after)
	}
}
