package e2e

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/store"
	"outpost/shared"
)

// axeCheck runs axe-core (pinned in package.json, installed by npm ci) on
// the page and fails on serious or critical violations.
func axeCheck(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	src, err := os.ReadFile("node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is missing (run npm ci in e2e/, or make node): %v", err)
	}
	if !eval[bool](t, ctx, `typeof window.axe === "object"`) {
		eval[any](t, ctx, string(src)+"\n;true")
	}
	out := eval[string](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))))`)
	if out != "[]" {
		shot(t, ctx, "axe-"+strings.ReplaceAll(what, " ", "-"))
		t.Errorf("axe-core on %s: serious or critical violations: %s", what, out)
	}
}

// checkIn checks a visitor in on a kiosk's welcome screen and returns the
// queue number it showed.
func checkIn(t *testing.T, ctx context.Context, name, email string, axe bool) string {
	t.Helper()
	waitJS(t, ctx, "welcome screen", `!!document.getElementById("kiosk-checkin")`, 20*time.Second)
	run(t, ctx, clickStill(t, "#kiosk-checkin"))
	waitJS(t, ctx, "check-in form", `!!document.getElementById("kiosk-name") && document.activeElement === document.getElementById("kiosk-name")`, 20*time.Second)
	run(t, ctx,
		typeInto("#kiosk-name", name),
		typeInto("#kiosk-email", email),
		clickStill(t, `label[for="reason-network"]`),
	)
	waitJS(t, ctx, "subcategories", `!!document.getElementById("sub-wifi")`, 20*time.Second)
	run(t, ctx, clickStill(t, `label[for="sub-wifi"]`))
	if axe {
		axeCheck(t, ctx, "kiosk check-in form")
	}
	run(t, ctx, clickStill(t, "#kiosk-submit"))
	waitJS(t, ctx, "queue number", `!!document.getElementById("kiosk-number")`, 20*time.Second)
	number := eval[string](t, ctx, `document.getElementById("kiosk-number").innerText`)
	if text := eval[string](t, ctx, `document.body.innerText`); strings.Contains(text, name) || strings.Contains(text, email) {
		t.Errorf("the confirmation shows the visitor's data: %s", text)
	}
	if axe {
		axeCheck(t, ctx, "kiosk confirmation")
	}
	// Keyboard: Enter on the focused "Done" button goes back.
	run(t, ctx, chromedp.Focus(chromedp.CSS("#kiosk-finish"), chromedp.NodeVisible), chromedp.KeyEvent("\r"))
	waitJS(t, ctx, "back to welcome", `!!document.getElementById("kiosk-checkin")`, 20*time.Second)
	return number
}

// deviceData returns every record of every object store of the "outpost"
// IndexedDB database and all of localStorage, as text.
func deviceData(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `new Promise((ok, fail) => {
		const req = indexedDB.open("outpost");
		req.onerror = () => fail(req.error);
		req.onsuccess = () => {
			const db = req.result, names = [...db.objectStoreNames], out = {};
			if (names.length === 0) { ok("{}"); return; }
			const tx = db.transaction(names, "readonly");
			for (const n of names) {
				const r = tx.objectStore(n).getAll();
				r.onsuccess = () => { out[n] = r.result; };
			}
			tx.oncomplete = () => {
				const ls = {};
				for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); ls[k] = localStorage.getItem(k); }
				ok(JSON.stringify({idb: out, localStorage: ls}, (k, v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? new TextDecoder().decode(v) : v));
			};
			tx.onerror = () => fail(tx.error);
		};
	})`)
}

// TestKiosk is issue 8's acceptance test with three browsers: an admin
// enrolls two kiosks at one site with one-time codes; both check visitors
// in while offline; once back online the desk sees one queue of five, in
// arrival order, with no number twice; the kiosks keep no name or e-mail
// address; the pages pass axe-core; the idle timer forgets a visitor's
// input; the desk calls the next visitor and resolves at the desk.
func TestKiosk(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addAccount(t, srv, "admin@example.com", "Ada Admin", shared.RoleAdmin, 0)
	desk, kioskA, kioskB := newBrowser(t), newBrowser(t), newBrowser(t)

	var codes []string
	must(t, "AdminIssuesCodes", func(t *testing.T) {
		signInUI(t, desk, base, "admin@example.com")
		run(t, desk, chromedp.Navigate(base+"/admin/kiosks"))
		waitJS(t, desk, "kiosk admin page", appReady+` && !!document.getElementById("kiosk-site")`, 30*time.Second)
		run(t, desk, typeInto("#kiosk-site", "lobby"))
		for i := 0; i < 2; i++ {
			run(t, desk, clickStill(t, "#kiosk-issue"))
			waitJS(t, desk, "a new code", `(() => { const c = document.getElementById("kiosk-code-value"); return !!c && !`+jsArray(codes)+`.includes(c.innerText); })()`, 20*time.Second)
			codes = append(codes, eval[string](t, desk, `document.getElementById("kiosk-code-value").innerText`))
		}
		shot(t, desk, "kiosk-admin-code")
	})

	must(t, "EnrollTwoKiosks", func(t *testing.T) {
		for i, k := range []context.Context{kioskA, kioskB} {
			run(t, k, chromedp.Navigate(base+"/kiosk?idle=600"))
			waitJS(t, k, "enrollment form", appReady+` && !!document.getElementById("kiosk-code")`, 30*time.Second)
			if i == 0 {
				// A wrong code says why.
				run(t, k, typeInto("#kiosk-code", "ZZZZ-ZZZZ"), clickStill(t, "#kiosk-enroll"))
				waitJS(t, k, "unknown code refused", `!!document.getElementById("kiosk-error") && document.getElementById("kiosk-error").innerText === `+say("en", "kiosk.code_unknown")+``, 20*time.Second)
				eval[any](t, k, `document.getElementById("kiosk-code").value = ""; true`)
			}
			run(t, k, typeInto("#kiosk-code", codes[i]), chromedp.KeyEvent("\r"))
			waitJS(t, k, "kiosk welcome", `!!document.getElementById("kiosk-checkin") && `+statusIs("online", 0), 30*time.Second)
			waitJS(t, k, "its letter", `localStorage.getItem("kiosk/letter") === `+jsString(`"`+string(rune('A'+i))+`"`), 20*time.Second)
			waitCached(t, k)
		}
		// A used code is refused.
		other := newBrowser(t)
		run(t, other, chromedp.Navigate(base+"/kiosk"))
		waitJS(t, other, "enrollment form", appReady+` && !!document.getElementById("kiosk-code")`, 30*time.Second)
		run(t, other, typeInto("#kiosk-code", codes[0]), clickStill(t, "#kiosk-enroll"))
		waitJS(t, other, "used code refused", `!!document.getElementById("kiosk-error") && document.getElementById("kiosk-error").innerText === `+say("en", "kiosk.code_used")+``, 20*time.Second)
		axeCheck(t, kioskA, "kiosk welcome")
		shot(t, kioskA, "kiosk-welcome")
	})

	type visitor struct{ name, email, kiosk string }
	visitors := []visitor{
		{"Alba Offline", "alba@example.com", "A"},
		{"Bruno Offline", "bruno@example.com", "B"},
		{"Carmen Offline", "carmen@example.com", "A"},
		{"Dario Offline", "dario@example.com", "B"},
		{"Elena Offline", "elena@example.com", "B"},
	}
	var numbers []string
	must(t, "CheckInOfflineOnBothKiosks", func(t *testing.T) {
		// The uplink goes down; the kiosks reload from their service worker
		// (an open websocket would only notice at its next heartbeat).
		for _, k := range []context.Context{kioskA, kioskB} {
			setOffline(t, k, true)
			run(t, k, chromedp.Navigate(base+"/kiosk"))
			waitJS(t, k, "offline", appReady+` && `+statusIs("offline", 0)+` && !!document.getElementById("kiosk-checkin")`, 30*time.Second)
		}
		for i, v := range visitors {
			k := kioskA
			if v.kiosk == "B" {
				k = kioskB
			}
			numbers = append(numbers, checkIn(t, k, v.name, v.email, i == 0))
			time.Sleep(30 * time.Millisecond) // distinct arrival times
		}
		if want := []string{"A-001", "B-001", "A-002", "B-002", "B-003"}; !slices.Equal(numbers, want) {
			t.Errorf("numbers issued offline = %v; want %v", numbers, want)
		}
		waitJS(t, kioskA, "A holds 2", statusIs("offline", 2), 20*time.Second)
		waitJS(t, kioskB, "B holds 3", statusIs("offline", 3), 20*time.Second)
		shot(t, kioskB, "kiosk-offline-queue")
	})

	must(t, "ReconnectAndTheDeskSeesOneQueue", func(t *testing.T) {
		setOffline(t, kioskA, false)
		setOffline(t, kioskB, false)
		waitJS(t, kioskA, "A sent", statusIs("online", 0), 45*time.Second)
		waitJS(t, kioskB, "B sent", statusIs("online", 0), 45*time.Second)
		run(t, desk, chromedp.Navigate(base+"/desk?site=lobby"))
		waitJS(t, desk, "five in the queue", appReady+` && document.querySelectorAll("#desk-queue tr.visit").length === 5`, 30*time.Second)
		got := eval[[]string](t, desk, `[...document.querySelectorAll("#desk-queue tr.visit")].map(r => r.dataset.number)`)
		if !slices.Equal(got, numbers) {
			t.Errorf("desk queue = %v; want arrival order %v", got, numbers)
		}
		names := eval[string](t, desk, `document.getElementById("desk-queue").innerText`)
		for _, v := range visitors {
			if !strings.Contains(names, v.name) || !strings.Contains(names, v.email) {
				t.Errorf("the desk does not show %s <%s>", v.name, v.email)
			}
		}
		shot(t, desk, "desk-queue")
	})

	must(t, "KiosksKeepNoVisitorData", func(t *testing.T) {
		for name, k := range map[string]context.Context{"A": kioskA, "B": kioskB} {
			// The kiosk has pulled its site's queue (numbers, no names) ...
			waitJS(t, k, "queue pulled", `document.getElementById("kiosk-queue-now") && document.getElementById("kiosk-queue-now").innerText.includes("5")`, 30*time.Second)
			data := deviceData(t, k)
			if !strings.Contains(data, "B-003") {
				t.Errorf("kiosk %s: the site's queue is not on the device", name)
			}
			// ... and no visitor's name or address, anywhere.
			for _, v := range visitors {
				for _, secret := range []string{v.name, v.email, strings.Fields(v.name)[0]} {
					if strings.Contains(data, secret) {
						t.Errorf("kiosk %s keeps %q: %s", name, secret, data)
					}
				}
			}
		}
		var stored int
		err := srv.Store.View(context.Background(), func(tx store.ReadTx) error {
			return tx.Each(shared.TypeVisitor, func(string, []byte) error { stored++; return nil })
		})
		if err != nil || stored != 5 {
			t.Errorf("the server holds %d visitors (%v); want 5", stored, err)
		}
	})

	must(t, "Board", func(t *testing.T) {
		run(t, kioskA, chromedp.Navigate(base+"/kiosk/board"))
		waitJS(t, kioskA, "board", appReady+` && document.querySelectorAll("#board-next li").length === 5`, 30*time.Second)
		axeCheck(t, kioskA, "queue board")
	})

	must(t, "DeskCallsNextAndResolves", func(t *testing.T) {
		run(t, desk, clickStill(t, "#desk-call-next"))
		waitJS(t, desk, "A-001 called", `document.querySelector("#desk-queue tr.visit[data-number='A-001']").dataset.status === "called"`, 20*time.Second)
		// The board shows it live, with the desk.
		waitJS(t, kioskA, "board shows the call", `[...document.querySelectorAll("#board-serving li")].some(li => li.dataset.number === "A-001" && li.innerText.includes("Desk 1"))`, 30*time.Second)
		shot(t, kioskA, "kiosk-board")
		run(t, desk, clickStill(t, `#desk-queue tr.visit[data-number='A-001'] button[data-action='visit.start']`))
		waitJS(t, desk, "session open", `!!document.getElementById("desk-session") && !!document.getElementById("desk-resolve")`, 20*time.Second)
		shot(t, desk, "desk-session")
		run(t, desk, clickStill(t, "#desk-resolve"))
		waitJS(t, desk, "resolved and sent", `!document.querySelector("#desk-queue tr.visit[data-number='A-001']") && `+statusIs("online", 0), 20*time.Second)
		var v shared.Visit
		for _, x := range recordsOf[shared.Visit](t, srv.Store, shared.TypeVisit) {
			if x.Number == "A-001" {
				v = x
			}
		}
		if v.Status != shared.VisitResolved || !v.FCR || v.Desk != "Desk 1" {
			t.Errorf("A-001 on the server = %+v; want resolved at Desk 1, first contact", v)
		}
		waitJS(t, kioskA, "board updated", `![...document.querySelectorAll("#board-serving li")].some(li => li.dataset.number === "A-001") && document.querySelectorAll("#board-next li").length === 4`, 30*time.Second)
	})

	must(t, "IdleResetForgetsTheVisitor", func(t *testing.T) {
		run(t, kioskB, chromedp.Navigate(base+"/kiosk?idle=3"))
		waitJS(t, kioskB, "welcome", appReady+` && !!document.getElementById("kiosk-checkin")`, 30*time.Second)
		eval[any](t, kioskB, `localStorage.setItem("run/no-internet", JSON.stringify({id: "x"})); true`)
		run(t, kioskB, clickStill(t, "#kiosk-checkin"))
		waitJS(t, kioskB, "form", `!!document.getElementById("kiosk-name")`, 20*time.Second)
		run(t, kioskB, typeInto("#kiosk-name", "Walked Away"), typeInto("#kiosk-email", "gone@example.com"))
		waitJS(t, kioskB, "back to welcome after idling", `!document.getElementById("kiosk-name") && !!document.getElementById("kiosk-checkin")`, 30*time.Second)
		if eval[bool](t, kioskB, `localStorage.getItem("run/no-internet") !== null`) {
			t.Error("the idle reset kept a troubleshooting run")
		}
		run(t, kioskB, clickStill(t, "#kiosk-checkin"))
		waitJS(t, kioskB, "form again", `!!document.getElementById("kiosk-name")`, 20*time.Second)
		if v := eval[string](t, kioskB, `document.getElementById("kiosk-name").value + "|" + document.getElementById("kiosk-email").value`); v != "|" {
			t.Errorf("after the idle reset the form holds %q", v)
		}
		if data := deviceData(t, kioskB); strings.Contains(data, "Walked Away") || strings.Contains(data, "gone@example.com") {
			t.Errorf("the kiosk keeps what the visitor typed: %s", data)
		}
		// A page of the knowledge base also goes back to the welcome screen.
		run(t, kioskB, chromedp.Navigate(base+"/troubleshoot?idle=3"))
		waitJS(t, kioskB, "back home from a guide list", `location.pathname === "/kiosk" && !!document.getElementById("kiosk-checkin")`, 20*time.Second)
	})
}

func jsArray(ss []string) string {
	b, _ := json.Marshal(ss)
	if ss == nil {
		return "[]"
	}
	return string(b)
}

// must runs a step of a scenario and stops the scenario if it fails: the
// next steps need its outcome.
func must(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}
