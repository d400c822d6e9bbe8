package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"outpost/server/auth"
	"outpost/shared"
)

var cheapHash = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// addUser makes an account on s with cheap hashing.
func addUser(t testing.TB, s *testServer, email, role string, tier int) auth.User {
	t.Helper()
	s.Auth.Hash = cheapHash
	u, err := s.Auth.AddUser(context.Background(), auth.NewUser{Email: email, Name: strings.Split(email, "@")[0], Role: role, Tier: tier, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func post(t *testing.T, c *http.Client, url, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func TestLoginMeLogout(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	u := addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	if resp, err := c.Get(s.URL() + "/api/me"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("GET /api/me signed out = %v, %v; want 401", resp.StatusCode, err)
	}
	resp, out := post(t, c, s.URL()+"/api/login", `{"email":"Field@Example.com ","password":"wrong password!"}`)
	if resp.StatusCode != 401 || out["error"].(map[string]any)["key"] != "auth.bad_credentials" {
		t.Fatalf("wrong password: %d %v", resp.StatusCode, out)
	}
	resp, out = post(t, c, s.URL()+"/api/login", `{"email":"Field@Example.com ","password":"correct horse battery"}`)
	if resp.StatusCode != 200 || out["identity"].(map[string]any)["user_id"] != u.ID {
		t.Fatalf("login: %d %v", resp.StatusCode, out)
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == auth.CookieName {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax", cookie)
	}
	me, err := c.Get(s.URL() + "/api/me")
	if err != nil || me.StatusCode != 200 {
		t.Fatalf("GET /api/me signed in = %v, %v", me.StatusCode, err)
	}
	me.Body.Close()

	resp, _ = post(t, c, s.URL()+"/api/logout", ``)
	if resp.StatusCode != 204 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	// The old token is void even if someone kept it.
	req, _ := http.NewRequest("GET", s.URL()+"/api/me", nil)
	req.AddCookie(cookie)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Fatalf("GET /api/me with a signed-out token = %d; want 401", resp.StatusCode)
	}
}

func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	c := &http.Client{}
	for _, tc := range []struct {
		name, body string
		header     []string
		status     int
		key        string
	}{
		{"not JSON", `email=x`, nil, 400, "auth.bad_request"},
		{"too big", `{"email":"` + strings.Repeat("a", 5000) + `"}`, nil, 400, "auth.bad_request"},
		{"bad address", `{"email":"nobody","password":"x"}`, nil, 400, "auth.bad_email"},
		{"other site", `{"email":"field@example.com","password":"correct horse battery"}`, []string{"Origin", "https://evil.example"}, 403, "auth.cross_origin"},
	} {
		resp, out := post(t, c, s.URL()+"/api/login", tc.body, tc.header...)
		e, _ := out["error"].(map[string]any)
		if resp.StatusCode != tc.status || e == nil || e["key"] != tc.key || e["message"] == "" {
			t.Errorf("%s: %d %v; want %d %s", tc.name, resp.StatusCode, out, tc.status, tc.key)
		}
	}
	// Five wrong passwords lock the address out, with a clear answer.
	var resp *http.Response
	var out map[string]any
	for range 6 {
		resp, out = post(t, c, s.URL()+"/api/login", `{"email":"field@example.com","password":"guess guess guess"}`)
	}
	if resp.StatusCode != 429 || out["error"].(map[string]any)["key"] != "auth.rate_limited" {
		t.Fatalf("after 6 failures: %d %v; want 429 auth.rate_limited", resp.StatusCode, out)
	}
}
