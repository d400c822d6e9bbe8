package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server"
	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/i18n"
)

// adminAPI signs the admin in over HTTP and returns a client that posts
// JSON as them.
func adminAPI(t *testing.T, base, email string) func(path, body string) map[string]any {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path, body string) map[string]any {
		t.Helper()
		resp, err := c.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	post("/api/login", `{"email":`+jsString(email)+`,"password":`+jsString(password)+`}`)
	return post
}

// visitNumbered returns the server's visit with number n.
func visitNumbered(t *testing.T, m *server.Main, n string) shared.Visit {
	t.Helper()
	for _, v := range recordsOf[shared.Visit](t, m.Store, shared.TypeVisit) {
		if v.Number == n {
			return v
		}
	}
	t.Fatalf("no visit %s on the server", n)
	return shared.Visit{}
}

// TestDeskRefusalShown is issue 16's second item at the concierge desk. A
// desk that was offline calls a visitor whom another desk has meanwhile
// taken: when its call reaches the server and is refused, the desk says so
// in words at the foot of the window, naming the visitor's number. Then
// the admin revokes the kiosk: the kiosk says it can no longer check
// visitors in, and offers no check-in, instead of handing out numbers that
// would never reach the desk.
func TestDeskRefusalShown(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addUser(t, srv, auth.NewUser{Email: "ada@example.com", Name: "Ada Admin", Role: shared.RoleAdmin})
	addUser(t, srv, auth.NewUser{Email: "dora@example.com", Name: "Dora Desk", Role: shared.RoleAgent, Tier: 1})
	other := addUser(t, srv, auth.NewUser{Email: "olga@example.com", Name: "Olga Agent", Role: shared.RoleAgent, Tier: 1})
	admin := adminAPI(t, base, "ada@example.com")

	kiosk := newBrowser(t)
	code := admin("/api/kiosk/codes", `{"site":"lobby"}`)["code"].(string)
	run(t, kiosk, chromedp.Navigate(base+"/kiosk?idle=600"))
	waitJS(t, kiosk, "enrollment form", appReady+` && !!document.getElementById("kiosk-code")`, 30*time.Second)
	run(t, kiosk, typeInto("#kiosk-code", code), chromedp.KeyEvent("\r"))
	waitJS(t, kiosk, "kiosk welcome", `!!document.getElementById("kiosk-checkin") && `+statusIs("online", 0), 30*time.Second)
	number := checkIn(t, kiosk, "Vera Visitor", "vera@example.com", false)
	waitJS(t, kiosk, "check-in sent", statusIs("online", 0), 20*time.Second)

	dora := newOnLink(t, "desk", addr)
	desk := dora.ctx
	dora.signIn(t, "dora@example.com")
	row := `#desk-queue tr.visit[data-number='` + number + `']`
	t.Run("RefusedByTheServer", func(t *testing.T) {
		run(t, desk, chromedp.Navigate(dora.base+"/desk?site=lobby"))
		waitJS(t, desk, "the visitor waiting", appReady+` && !!document.querySelector("`+row+`") && document.querySelector("`+row+`").dataset.status === "waiting"`, 30*time.Second)
		dora.cut(t)

		// Meanwhile another desk calls the visitor and starts serving them.
		v := visitNumbered(t, srv, number)
		pushAs(t, srv, other, "0190c3a1-0000-7000-8000-00000000d0a2", 1,
			op{shared.OpVisitCall, shared.VisitOp{ID: v.ID, Desk: "Desk 2", CreatedAt: time.Now().UnixMilli()}},
			op{shared.OpVisitStart, shared.VisitOp{ID: v.ID, Desk: "Desk 2", CreatedAt: time.Now().UnixMilli()}})

		run(t, desk, clickStill(t, row+` button[data-action='visit.call']`))
		waitJS(t, desk, "call queued", statusIs("offline", 1), 20*time.Second)
		if eval[bool](t, desk, `!!document.getElementById("desk-refused")`) {
			t.Fatalf("refused before the server saw it: %s", eval[string](t, desk, `document.getElementById("desk-refused").innerText`))
		}
		dora.restore(t)
		waitJS(t, desk, "the server's refusal in words, in view", statusIs("online", 0)+` && (() => { const e = document.getElementById("desk-refused"); if (!e) return false;
			const r = e.getBoundingClientRect();
			return e.innerText.includes(`+say("en", "desk.refused", number, i18n.T("en", "desk.visit_moved", i18n.T("en", "desk.status.serving")))+`) && r.top >= 0 && r.bottom <= innerHeight && r.height > 0; })()`, 60*time.Second)
		waitJS(t, desk, "the queue shows what won", `document.querySelector("`+row+`").dataset.status === "serving" && document.querySelector("`+row+`").innerText.includes("Desk 2")`, 20*time.Second)
		shot(t, desk, "desk-refusal")
		if got := visitNumbered(t, srv, number); got.Status != shared.VisitServing || got.Desk != "Desk 2" {
			t.Errorf("server visit = %s at %q; want serving at Desk 2", got.Status, got.Desk)
		}
		run(t, desk, clickStill(t, "#desk-refused-close"))
		waitJS(t, desk, "dismissed", `!document.getElementById("desk-refused")`, 20*time.Second)
	})

	t.Run("RevokedKiosk", func(t *testing.T) {
		ks := recordsOf[shared.KioskDevice](t, srv.Store, shared.TypeKiosk)
		if len(ks) != 1 {
			t.Fatalf("kiosks on the server: %+v", ks)
		}
		admin("/api/kiosk/revoke", `{"kiosk_id":`+jsString(ks[0].ID)+`}`)
		// A revoked kiosk learns it when its session is next refused (at
		// once where sockets close on revocation; a reload makes sure).
		run(t, kiosk, chromedp.Navigate(base+"/kiosk?idle=600"))
		waitJS(t, kiosk, "the kiosk says it cannot check in", `(() => { const e = document.getElementById("kiosk-blocked");
			return !!e && e.innerText.includes(`+say("en", "kiosk.cannot_checkin", i18n.T("en", "kiosk.revoked"))+`) &&
				document.getElementById("kiosk-checkin").disabled; })()`, 30*time.Second)
		shot(t, kiosk, "kiosk-revoked")
		// Spanish too.
		run(t, kiosk, clickStill(t, "#kiosk-lang"))
		waitJS(t, kiosk, "in Spanish", `document.getElementById("kiosk-blocked").innerText.includes(`+sayUpTo("es", "kiosk.cannot_checkin")+`)`, 20*time.Second)
	})
}
