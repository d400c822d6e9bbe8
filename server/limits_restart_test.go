package server_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"outpost/server"
	"outpost/server/postgres/pgtest"
	"outpost/shared"
)

// TestSignInLimitSurvivesRestart: five wrong passwords lock an account and
// address pair; the server restarts on the same data and the pair is
// still locked (429 with Retry-After), while the right password from
// another address still signs in. On Badger and on PostgreSQL.
func TestSignInLimitSurvivesRestart(t *testing.T) {
	t.Run("badger", func(t *testing.T) {
		dir := t.TempDir()
		testLimitSurvivesRestart(t, func(m *server.Main) { m.DataDir = dir })
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DB(t)
		testLimitSurvivesRestart(t, func(m *server.Main) { m.StoreURL, m.DataDir = dsn, "" })
	})
}

func testLimitSurvivesRestart(t *testing.T, where func(*server.Main)) {
	clock := &opsClock{now: time.Now()}
	configure := func(m *server.Main) {
		where(m)
		m.TrustedProxies = "127.0.0.0/8"
	}
	m := startMain(t, clock, io.Discard, configure)
	addAccount(t, m, "ana@example.com", shared.RoleRequester)
	const attacker, office = "198.51.100.7", "203.0.113.9"
	signIn := func(m *server.Main, from, pw string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", m.HTTP.URL()+"/api/login", strings.NewReader(`{"email":"ana@example.com","password":"`+pw+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 4 {
		if resp := signIn(m, attacker, "wrong password!"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d; want 401", i+1, resp.StatusCode)
		}
	}
	if resp := signIn(m, attacker, "wrong password!"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fifth wrong password: %d; want 429", resp.StatusCode)
	}
	m.Close()

	clock.Add(time.Minute)
	m = startMain(t, clock, io.Discard, configure)
	for _, pw := range []string{"wrong password!", password} {
		resp := signIn(m, attacker, pw)
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusTooManyRequests || secs < 13*60 || secs > 14*60 {
			t.Errorf("after the restart, %q from the locked address: %d, Retry-After %q; want 429 and about 14 minutes", pw, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if resp := signIn(m, office, password); resp.StatusCode != http.StatusOK {
		t.Errorf("the right password from another address after the restart: %d; want 200", resp.StatusCode)
	}
	clock.Add(15 * time.Minute)
	if resp := signIn(m, attacker, password); resp.StatusCode != http.StatusOK {
		t.Errorf("the right password once the lockout is over: %d; want 200", resp.StatusCode)
	}
}
