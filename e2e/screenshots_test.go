package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server"
	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// viewports are the two sizes a reviewer looks at: a laptop and a phone.
var viewports = []struct {
	name string
	w, h int64
}{{"wide", 1280, 800}, {"phone", 390, 844}}

// TestScreenshots is issue 16's screenshot pass and its axe-core check: a
// requester, an agent and an admin each open every page they use; each
// page is saved as a full-page PNG at 1280×800 and at 390×844 in
// e2e/screenshots/ (<role>-<page>-<viewport>.png), and axe-core must find
// no serious or critical violation on it. An unknown address answers 404
// with the app's page and a link home.
func TestScreenshots(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	rita := addUser(t, srv, auth.NewUser{Email: "field@example.com", Name: "Fatima Field", Role: shared.RoleRequester})
	tomas := addUser(t, srv, auth.NewUser{Email: "agent1@example.com", Name: "Tomás Tier-One", Role: shared.RoleAgent, Tier: 1, Groups: []string{"service-desk"}})
	addUser(t, srv, auth.NewUser{Email: "admin@example.com", Name: "Ada Admin", Role: shared.RoleAdmin})

	// A conversation with every kind of line a requester could be shown:
	// a reply, an internal note, a priority change, an assignment, and
	// the ticket waiting on her.
	const ritaDevice, tomasDevice = "0190c3a1-0000-7000-8000-00000000e001", "0190c3a1-0000-7000-8000-00000000e002"
	ticket := fileTicketAs(t, srv, rita, ritaDevice, 1, "VPN drops every ten minutes")
	fileTicketAs(t, srv, rita, ritaDevice, 2, "Printer on floor 2 jams")
	agentOps(t, srv, tomas, tomasDevice, ticket,
		op{shared.OpTicketAssign, shared.TicketOp{AssigneeID: tomas.ID}},
		op{shared.OpTicketPriority, shared.TicketOp{Impact: shared.LevelHigh, Urgency: shared.LevelHigh}},
		op{shared.OpTicketNote, shared.TicketOp{Body: "Same model as last week's RMA."}},
		op{shared.OpTicketReply, shared.TicketOp{Body: "Which Wi-Fi network are you on when it drops?"}},
		op{shared.OpTicketStatus, shared.TicketOp{To: shared.StatusPending}},
	)
	var article, guide string
	for _, a := range recordsOf[shared.Article](t, srv.Store, wire.TypeArticle) {
		if a.Lang == "en" && a.IsPublished() && a.Visibility == shared.Public && article == "" {
			article = a.ID
		}
	}
	for _, tr := range recordsOf[tree.Tree](t, srv.Store, wire.TypeTree) {
		if guide == "" {
			guide = tr.ID
		}
	}
	if article == "" || guide == "" {
		t.Fatalf("demo data: article %q, guide %q", article, guide)
	}

	t.Run("NotFound", func(t *testing.T) {
		resp, err := http.Get(base + "/no/such/page")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 64<<10)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
			strings.Contains(b.String(), "404 page not found") {
			t.Errorf("GET /no/such/page = %d %s %.80q; want 404 with the app's HTML page", resp.StatusCode, resp.Header.Get("Content-Type"), b.String())
		}
	})

	roles := []struct {
		role, email string
		pages       []string
	}{
		{"requester", "field@example.com", []string{"/", "/article/" + article, "/troubleshoot", "/troubleshoot/" + guide,
			"/ticket/new", "/tickets", "/ticket/" + ticket, "/device", "/signin", "/no/such/page"}},
		{"agent", "agent1@example.com", []string{"/agent", "/ticket/" + ticket, "/agent/dashboard", "/desk", "/kb/report",
			"/kb/new", "/kb/edit/" + article, "/troubleshoot/stats"}},
		{"admin", "admin@example.com", []string{"/admin/sla", "/admin/categories", "/admin/kiosks", "/kb/synonyms",
			"/troubleshoot/new", "/troubleshoot/edit/" + guide, "/kiosk/board", "/kiosk"}},
	}
	os.MkdirAll("screenshots", 0o755)
	for _, r := range roles {
		t.Run(r.role, func(t *testing.T) {
			ctx := newBrowser(t)
			signInUI(t, ctx, base, r.email)
			waitJS(t, ctx, "synced", appReady+" && "+synced, 30*time.Second)
			for _, path := range r.pages {
				openInApp(t, ctx, path)
				if path == "/ticket/"+ticket {
					readerWords(t, ctx, r.role)
				}
				name := r.role + "-" + pageName(path, article, guide, ticket)
				for _, v := range viewports {
					run(t, ctx, chromedp.EmulateViewport(v.w, v.h))
					time.Sleep(150 * time.Millisecond) // a layout pass
					b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatalf("screenshot %s: %v", path, err)
					}
					os.WriteFile(filepath.Join("screenshots", name+"-"+v.name+".png"), b, 0o644)
				}
				axeCheck(t, ctx, r.role+" "+path) // at the phone's size: what hides there must still be named
				run(t, ctx, chromedp.EmulateViewport(viewports[0].w, viewports[0].h))
			}
		})
	}
}

// openInApp goes to path the way a click on a link does: go-app routes it
// in the running app (a full load each time would start the WebAssembly
// again), then waits for the page to settle.
func openInApp(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { const a = document.createElement("a"); a.href = `+jsString(path)+`; a.hidden = true;
		document.body.appendChild(a); a.click(); a.remove(); return true; })()`)
	waitJS(t, ctx, "at "+path, `location.pathname === `+jsString(path)+` && `+appReady, 20*time.Second)
	waitQuiet(t, ctx, "the page drawn from the replica", 400*time.Millisecond)
}

// pageName turns a path into a file name part: "/ticket/<id>" is "ticket".
func pageName(path, article, guide, ticket string) string {
	r := strings.NewReplacer("/"+article, "", "/"+guide, "", "/"+ticket, "")
	p := strings.Trim(strings.ReplaceAll(r.Replace(path), "/", "_"), "_")
	if p == "" {
		return "home"
	}
	return p
}

// agentOps applies ticket operations on the server as agent u, as their
// device's push would, each op's name with its TicketOp.
func agentOps(t *testing.T, m *server.Main, u auth.User, clientID, ticket string, ops ...op) {
	t.Helper()
	for i := range ops {
		o := ops[i].args.(shared.TicketOp)
		o.ID, o.TicketID, o.CreatedAt = shared.NewID(time.Now()), ticket, time.Now().UnixMilli()+int64(i)
		ops[i].args = o
	}
	pushAs(t, m, u, clientID, 1, ops...)
}

// readerWords checks the ticket page's words for who reads it (issue 16,
// item 9): the requester is told the ticket waits for her reply and sees
// the conversation, not the desk's triage; the agent sees it all, worded
// for an agent.
func readerWords(t *testing.T, ctx context.Context, role string) {
	t.Helper()
	waitJS(t, ctx, "the history", `document.querySelectorAll("#history .entry").length > 0`, 20*time.Second)
	status := eval[string](t, ctx, `document.getElementById("ticket-status").innerText`)
	history := eval[string](t, ctx, `document.getElementById("history").innerText`)
	kinds := eval[string](t, ctx, `[...document.querySelectorAll("#history .entry")].map(e => e.dataset.kind).sort().join(" ")`)
	if role == "requester" {
		if status != "Waiting for your reply" || kinds != "reply status status" ||
			!strings.Contains(history, "Which Wi-Fi network") || !strings.Contains(history, "Status changed to Waiting for your reply.") {
			t.Errorf("the requester reads status %q and history [%s]:\n%s\nwant \"Waiting for your reply\", the reply and the status changes only", status, kinds, history)
		}
		for _, hidden := range []string{"Priority changed", "Assigned to", "RMA", "requester"} {
			if strings.Contains(history+status, hidden) {
				t.Errorf("the requester reads %q on her ticket:\n%s", hidden, history)
			}
		}
		return
	}
	if status != "Waiting on the requester" || !strings.Contains(kinds, "priority") || !strings.Contains(kinds, "note") || !strings.Contains(kinds, "assign") {
		t.Errorf("the %s reads status %q and history [%s]; want \"Waiting on the requester\" and every line", role, status, kinds)
	}
}
