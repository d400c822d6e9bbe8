package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"outpost/shared"
)

func kioskJar(t *testing.T) *http.Client {
	j, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: j}
}

func kioskErrKey(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	k, _ := e["key"].(string)
	return k
}

// An admin issues codes; a device enrolls with one and is signed in as the
// site's next kiosk; a code works once; only admins issue codes and revoke;
// a revoked kiosk's session stops working.
func TestKioskEnrollmentAPI(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "admin@example.com", shared.RoleAdmin, 0)
	addUser(t, s, "agent@example.com", shared.RoleAgent, 1)
	admin, agent := kioskJar(t), kioskJar(t)
	for c, email := range map[*http.Client]string{admin: "admin@example.com", agent: "agent@example.com"} {
		if resp, _ := post(t, c, s.URL()+"/api/login", `{"email":"`+email+`","password":"correct horse battery"}`); resp.StatusCode != 200 {
			t.Fatalf("sign in %s: %d", email, resp.StatusCode)
		}
	}

	if resp, body := post(t, agent, s.URL()+"/api/kiosk/codes", `{"site":"lobby"}`); resp.StatusCode != 403 || kioskErrKey(body) != "kiosk.admin_only" {
		t.Errorf("an agent issuing a code: %d %v; want 403 kiosk.admin_only", resp.StatusCode, body)
	}
	if resp, body := post(t, kioskJar(t), s.URL()+"/api/kiosk/codes", `{"site":"lobby"}`); resp.StatusCode != 401 {
		t.Errorf("signed out issuing a code: %d %v; want 401", resp.StatusCode, body)
	}
	if resp, body := post(t, admin, s.URL()+"/api/kiosk/codes", `{"site":"Lobby Hall"}`); resp.StatusCode != 400 || kioskErrKey(body) != "role.bad_site" {
		t.Errorf("a bad site: %d %v", resp.StatusCode, body)
	}

	enroll := func(code string) (*http.Client, *http.Response, map[string]any) {
		dev := kioskJar(t)
		resp, body := post(t, dev, s.URL()+"/api/kiosk/enroll", `{"code":"`+code+`"}`)
		return dev, resp, body
	}
	codes := make([]string, 2)
	for i := range codes {
		resp, body := post(t, admin, s.URL()+"/api/kiosk/codes", `{"site":"lobby"}`)
		if resp.StatusCode != 200 {
			t.Fatalf("issue code: %d %v", resp.StatusCode, body)
		}
		codes[i] = body["code"].(string)
	}
	devA, resp, body := enroll(strings.ToLower(codes[0]))
	if resp.StatusCode != 200 {
		t.Fatalf("enroll: %d %v", resp.StatusCode, body)
	}
	var out struct {
		Identity shared.Identity
		Kiosk    shared.KioskDevice
	}
	b, _ := json.Marshal(body)
	json.Unmarshal(b, &out)
	if out.Identity.Role != shared.RoleKiosk || out.Identity.Site != "lobby" || out.Kiosk.Letter != "A" || out.Kiosk.ID != out.Identity.UserID {
		t.Errorf("enrolled as %+v", out)
	}
	// The device is signed in: its cookie says who it is.
	resp, me := getJSON(t, devA, s.URL()+"/api/me")
	if id, _ := me["identity"].(map[string]any); resp.StatusCode != 200 || id["role"] != shared.RoleKiosk {
		t.Errorf("/api/me of the kiosk: %d %v", resp.StatusCode, me)
	}
	if _, resp, body := enroll(codes[0]); resp.StatusCode != 409 || kioskErrKey(body) != "kiosk.code_used" {
		t.Errorf("a used code: %d %v; want 409 kiosk.code_used", resp.StatusCode, body)
	}
	if _, resp, body := enroll("ZZZZ-ZZZZ"); resp.StatusCode != 404 || kioskErrKey(body) != "kiosk.code_unknown" {
		t.Errorf("an unknown code: %d %v; want 404 kiosk.code_unknown", resp.StatusCode, body)
	}
	_, resp, body = enroll(codes[1])
	if k, _ := body["kiosk"].(map[string]any); resp.StatusCode != 200 || k["letter"] != "B" {
		t.Errorf("second kiosk at the site: %d %v; want letter B", resp.StatusCode, body)
	}
	// A kiosk cannot sign in with a password: it has none.
	if _, _, err := s.Auth.Login(t.Context(), out.Identity.Email, "", "127.0.0.1"); shared.ErrorCode(err) != shared.EUNAUTHORIZED {
		t.Errorf("password sign-in of a kiosk: %v", err)
	}

	if resp, body := post(t, agent, s.URL()+"/api/kiosk/revoke", `{"kiosk_id":"`+out.Kiosk.ID+`"}`); resp.StatusCode != 403 {
		t.Errorf("an agent revoking: %d %v", resp.StatusCode, body)
	}
	if resp, body := post(t, admin, s.URL()+"/api/kiosk/revoke", `{"kiosk_id":"`+out.Kiosk.ID+`"}`); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %v", resp.StatusCode, body)
	}
	if resp, body := getJSON(t, devA, s.URL()+"/api/me"); resp.StatusCode == 200 {
		t.Errorf("a revoked kiosk is still signed in: %v", body)
	}
}

func getJSON(t *testing.T, c *http.Client, url string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}
