package http_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"testing"
	"time"

	"outpost/server/auth"
	"outpost/shared"
)

// browserAt is a cookie-keeping client that signs in to s as email from
// address from (s trusts loopback as a proxy) with a browser's User-Agent.
type browserAt struct {
	t      *testing.T
	s      *testServer
	c      *http.Client
	from   string
	origin string
}

const firefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"

func newBrowserAt(t *testing.T, s *testServer, from string) *browserAt {
	jar, _ := cookiejar.New(nil)
	return &browserAt{t: t, s: s, c: &http.Client{Jar: jar}, from: from, origin: s.URL()}
}

func (b *browserAt) post(path, body string) (*http.Response, map[string]any) {
	b.t.Helper()
	return post(b.t, b.c, b.s.URL()+path, body, "X-Forwarded-For", b.from, "Origin", b.origin, "User-Agent", firefoxLinux)
}

func (b *browserAt) signIn(email, password string) int {
	b.t.Helper()
	resp, _ := b.post("/api/login", `{"email":"`+email+`","password":"`+password+`"}`)
	return resp.StatusCode
}

func (b *browserAt) token() string {
	u, _ := url.Parse(b.s.URL())
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == auth.CookieName {
			return c.Value
		}
	}
	return ""
}

func apiKey(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	k, _ := e["key"].(string)
	return k
}

// TestChangePassword: the current password is required and a wrong one
// counts against the sign-in limits; the new one follows the rule for new
// accounts; a change signs out every other device (their sockets close
// within a second) and keeps this one; the old password no longer signs in.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	s := newServer(t, trustLoopback)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	const old, next = "correct horse battery", "a new and longer secret"
	laptop, phone := newBrowserAt(t, s, "198.51.100.1"), newBrowserAt(t, s, "198.51.100.2")
	for _, b := range []*browserAt{laptop, phone} {
		if code := b.signIn("field@example.com", old); code != 200 {
			t.Fatalf("sign in: %d", code)
		}
	}
	lws, _ := dialAs(t, s, laptop.token(), id(1))
	pws, _ := dialAs(t, s, phone.token(), id(2))

	for _, c := range []struct {
		name, body string
		status     int
		key        string
	}{
		{"wrong current password", `{"current":"not my password","new":"` + next + `"}`, 401, "auth.wrong_password"},
		{"short new password", `{"current":"` + old + `","new":"short"}`, 400, "auth.password_too_short"},
		{"same password", `{"current":"` + old + `","new":"` + old + `"}`, 400, "auth.same_password"},
		{"no JSON", `current=x`, 400, "account.bad_request"},
	} {
		if resp, out := laptop.post("/api/account/password", c.body); resp.StatusCode != c.status || apiKey(out) != c.key {
			t.Errorf("%s: %d %v; want %d %s", c.name, resp.StatusCode, out, c.status, c.key)
		}
	}
	laptop.origin = "https://evil.example"
	if resp, out := laptop.post("/api/account/password", `{"current":"`+old+`","new":"`+next+`"}`); resp.StatusCode != 403 || apiKey(out) != "auth.cross_origin" {
		t.Errorf("from another site: %d %v; want 403 auth.cross_origin", resp.StatusCode, out)
	}
	laptop.origin = s.URL()
	stillServed(t, pws, "the phone before the change")

	began := time.Now()
	if resp, out := laptop.post("/api/account/password", `{"current":"`+old+`","new":"`+next+`"}`); resp.StatusCode != 204 {
		t.Fatalf("change password: %d %v", resp.StatusCode, out)
	}
	endedBy(t, pws, "the phone's socket after the password changed")
	if d := time.Since(began); d > time.Second {
		t.Errorf("the phone's socket closed %v after the change; want within a second", d)
	}
	stillServed(t, lws, "the laptop that changed the password")
	if resp, _ := phone.post("/api/account/devices", ``); resp.StatusCode != 401 {
		t.Errorf("the phone's session after the change: %d; want 401", resp.StatusCode)
	}
	if code := newBrowserAt(t, s, "198.51.100.3").signIn("field@example.com", old); code != 401 {
		t.Errorf("the old password after the change: %d; want 401", code)
	}
	if code := newBrowserAt(t, s, "198.51.100.3").signIn("field@example.com", next); code != 200 {
		t.Errorf("the new password: %d; want 200", code)
	}

	// Guessing the current password on a stolen session counts as sign-in
	// attempts: the fifth wrong one from an address locks it, and then the
	// right password from there too. (The change itself cleared the
	// laptop's first wrong guess, as a sign-in does.)
	for i := 1; i <= 5; i++ {
		resp, out := laptop.post("/api/account/password", `{"current":"guess number `+strconv.Itoa(i)+`","new":"`+next+`!"}`)
		want, key := 401, "auth.wrong_password"
		if i == 5 {
			want, key = 429, "auth.rate_limited"
		}
		if resp.StatusCode != want || apiKey(out) != key {
			t.Errorf("wrong current password %d: %d %v; want %d %s", i, resp.StatusCode, out, want, key)
		}
		if i == 5 && resp.Header.Get("Retry-After") == "" {
			t.Error("the lockout has no Retry-After")
		}
	}
	if code := newBrowserAt(t, s, laptop.from).signIn("field@example.com", next); code != 429 {
		t.Errorf("the right password from the locked address: %d; want 429", code)
	}
}

// TestSignOutOtherDevices: the account lists where it is signed in, with
// this device marked; "sign out other devices" ends the others' sessions
// and closes their sockets, and keeps this one.
func TestSignOutOtherDevices(t *testing.T) {
	t.Parallel()
	s := newServer(t, trustLoopback)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "agent@example.com", shared.RoleAgent, 1)
	laptop, phone, tablet := newBrowserAt(t, s, "198.51.100.1"), newBrowserAt(t, s, "198.51.100.2"), newBrowserAt(t, s, "198.51.100.3")
	for _, b := range []*browserAt{laptop, phone, tablet} {
		if code := b.signIn("field@example.com", "correct horse battery"); code != 200 {
			t.Fatalf("sign in: %d", code)
		}
	}
	agent := newBrowserAt(t, s, "198.51.100.1")
	agent.signIn("agent@example.com", "correct horse battery")
	lws, _ := dialAs(t, s, laptop.token(), id(1))
	pws, _ := dialAs(t, s, phone.token(), id(2))
	tws, _ := dialAs(t, s, tablet.token(), id(3))
	aws, _ := dialAs(t, s, agent.token(), id(4))
	if resp, _ := tablet.post("/api/logout", ``); resp.StatusCode != 204 {
		t.Fatalf("tablet sign-out: %d", resp.StatusCode)
	}
	endedBy(t, tws, "the tablet after signing out")

	resp, out := laptop.post("/api/account/devices", ``)
	devices, _ := out["devices"].([]any)
	if resp.StatusCode != 200 || len(devices) != 2 {
		t.Fatalf("devices: %d %v; want the laptop and the phone", resp.StatusCode, out)
	}
	first := devices[0].(map[string]any)
	if first["current"] != true || first["label"] != "Firefox · Linux" || devices[1].(map[string]any)["current"] != false {
		t.Errorf("devices = %v; want the laptop first, current, labelled Firefox · Linux", devices)
	}

	if resp, out := laptop.post("/api/account/signout-others", ``); resp.StatusCode != 204 {
		t.Fatalf("sign out other devices: %d %v", resp.StatusCode, out)
	}
	endedBy(t, pws, "the phone after sign out other devices")
	stillServed(t, lws, "the laptop that signed the others out")
	stillServed(t, aws, "another account's socket")
	if _, out := laptop.post("/api/account/devices", ``); len(out["devices"].([]any)) != 1 {
		t.Errorf("devices after signing the others out: %v; want this one", out)
	}
	if resp, out := phone.post("/api/account/signout-others", ``); resp.StatusCode != 401 || apiKey(out) != "auth.invalid_session" {
		t.Errorf("the phone's old session: %d %v; want 401 auth.invalid_session", resp.StatusCode, out)
	}
	if resp, out := newBrowserAt(t, s, "198.51.100.9").post("/api/account/signout-others", ``); resp.StatusCode != 401 || apiKey(out) != "auth.required" {
		t.Errorf("signed out: %d %v; want 401 auth.required", resp.StatusCode, out)
	}
}
