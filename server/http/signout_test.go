package http_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/gorilla/websocket"

	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/wire"
)

// endedBy waits for the server to end ws on its own, the client sending
// nothing: an error saying the session is over, then a close frame.
func endedBy(t *testing.T, ws *websocket.Conn, what string) {
	t.Helper()
	if m := recv(t, ws); m.T != wire.TError || m.Code != shared.EUNAUTHORIZED || m.Key != "auth.invalid_session" {
		t.Errorf("%s: the socket got %+v; want error auth.invalid_session", what, m)
	}
	if ce := closeOf(t, ws); ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("%s: close = %v; want policy violation", what, ce)
	}
}

// stillServed checks that ws still answers a pull.
func stillServed(t *testing.T, ws *websocket.Conn, what string) {
	t.Helper()
	send(t, ws, wire.Msg{T: wire.TPull})
	if m := recv(t, ws); m.T != wire.TChanges {
		t.Errorf("%s: pull answered %+v; want changes", what, m)
	}
}

// TestSessionsEndEverywhere: signing out closes that session's open
// websockets at once, and only its; disabling an account closes all of
// its; revoking a kiosk closes the kiosk's.
func TestSessionsEndEverywhere(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "admin@example.com", shared.RoleAdmin, 0)
	laptop := signIn(t, s, "field@example.com")
	phone := signIn(t, s, "field@example.com")
	tab1, _ := dialAs(t, s, laptop, id(1))
	tab2, _ := dialAs(t, s, laptop, id(2))
	ph, _ := dialAs(t, s, phone, id(3))
	stillServed(t, tab1, "laptop before sign-out")

	// Sign out on the laptop, as the app does.
	req, _ := http.NewRequest("POST", s.URL()+"/api/logout", nil)
	req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: laptop})
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out: %v %v", resp, err)
	}
	endedBy(t, tab1, "laptop socket 1 after sign-out")
	endedBy(t, tab2, "laptop socket 2 after sign-out")
	stillServed(t, ph, "the phone's own session")

	if _, err := s.Auth.SetDisabled(context.Background(), "field@example.com", true); err != nil {
		t.Fatal(err)
	}
	endedBy(t, ph, "the phone after the account was disabled")

	// A kiosk, enrolled and connected, then revoked by an admin.
	admin := kioskJar(t)
	if resp, _ := post(t, admin, s.URL()+"/api/login", `{"email":"admin@example.com","password":"correct horse battery"}`); resp.StatusCode != 200 {
		t.Fatalf("admin sign-in: %d", resp.StatusCode)
	}
	_, code := post(t, admin, s.URL()+"/api/kiosk/codes", `{"site":"lobby"}`)
	dev := kioskJar(t)
	resp, body := post(t, dev, s.URL()+"/api/kiosk/enroll", `{"code":"`+code["code"].(string)+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("enroll: %d %v", resp.StatusCode, body)
	}
	u, _ := url.Parse(s.URL())
	var token string
	for _, c := range dev.Jar.Cookies(u) {
		if c.Name == auth.CookieName {
			token = c.Value
		}
	}
	kiosk, welcome := dialAs(t, s, token, id(4))
	if welcome.Identity == nil || welcome.Identity.Role != shared.RoleKiosk {
		t.Fatalf("kiosk welcome = %+v", welcome)
	}
	stillServed(t, kiosk, "the kiosk before revocation")
	kioskID := body["kiosk"].(map[string]any)["id"].(string)
	if resp, body := post(t, admin, s.URL()+"/api/kiosk/revoke", `{"kiosk_id":"`+kioskID+`"}`); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %v", resp.StatusCode, body)
	}
	endedBy(t, kiosk, "the kiosk after revocation")
}
