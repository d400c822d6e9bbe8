package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/server"
	"outpost/server/auth"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// pick chooses the option of the select sel whose label is label, as a
// person does with the keyboard: the select gets the focus and the arrow
// keys move the choice one option at a time, each press a real change
// event the app handles.
func pick(t *testing.T, ctx context.Context, sel, label string) {
	t.Helper()
	idx := `[...document.querySelector(` + jsString(sel) + `).options].findIndex(o => o.text.trim() === ` + jsString(label) + `)`
	waitJS(t, ctx, "option "+label+" in "+sel, `!!document.querySelector(`+jsString(sel)+`) && `+idx+` >= 0`, 30*time.Second)
	run(t, ctx, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible))
	for range 40 {
		want := eval[int](t, ctx, idx)
		cur := eval[int](t, ctx, `document.querySelector(`+jsString(sel)+`).selectedIndex`)
		if cur == want {
			// Look again once the change is sent and the page has redrawn
			// from it: a redraw from an older state may have moved it back.
			waitJS(t, ctx, "sent", `document.getElementById("sync-status").dataset.pending === "0"`, 20*time.Second)
			waitQuiet(t, ctx, "the page redrawn from the change", 300*time.Millisecond)
			if eval[int](t, ctx, `document.querySelector(`+jsString(sel)+`).selectedIndex`) == want {
				return
			}
			run(t, ctx, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible))
			continue
		}
		key := kb.ArrowDown
		if cur > want {
			key = kb.ArrowUp
		}
		run(t, ctx, chromedp.KeyEvent(key))
		waitJS(t, ctx, "the choice moved in "+sel, `document.querySelector(`+jsString(sel)+`).selectedIndex !== `+jsonInt(cur), 20*time.Second)
	}
	t.Fatalf("could not pick %q in %s", label, sel)
}

func jsonInt(i int) string { b, _ := json.Marshal(i); return string(b) }

// storedArticleIf reads an article from the server's store, nil if it is
// not there (yet).
func storedArticleIf(t *testing.T, m *server.Main, id string) *shared.Article {
	t.Helper()
	var a *shared.Article
	err := m.Store.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeArticle, id)
		if err != nil {
			return nil
		}
		a = new(shared.Article)
		return json.Unmarshal(data, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// addStaff makes an agent account in groups (tests only: cheap hashing).
func addStaff(t *testing.T, m *server.Main, email, name string, tier int, groups ...string) {
	t.Helper()
	m.Auth.Hash = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	if _, err := m.Auth.AddUser(context.Background(), auth.NewUser{Email: email, Name: name, Role: shared.RoleAgent, Tier: tier, Groups: groups, Password: password}); err != nil {
		t.Fatal(err)
	}
}

// serverTicket waits until the server's copy of the ticket titled title
// satisfies ok, and returns it.
func serverTicket(t *testing.T, m *server.Main, title, what string, ok func(shared.Ticket) bool) shared.Ticket {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var last *shared.Ticket
		for _, tk := range ticketsOf(t, m.Store) {
			if tk.Title == title {
				last = &tk
				if ok(tk) {
					return tk
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server ticket %q: want %s; have %+v", title, what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBlankChoices is issue 16's first item, driven as people do: every
// select's blank choice ("All", "Not sure", "Unassigned", "General queue",
// "Choose a site", "(none)", the guide editor's "choose" and "always") is
// picked with the keyboard after another choice, and what the app does
// with it is the blank value, never the option's label.
func TestBlankChoices(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addAccount(t, srv, "rita@example.com", "Rita Requester", shared.RoleRequester, 0)
	addAccount(t, srv, "ada@example.com", "Ada Admin", shared.RoleAdmin, 0)
	addStaff(t, srv, "tomas@example.com", "Tomás Agent", 1, "network-team")

	const title = "Projector in room 4 shows no picture"
	rita := newBrowser(t)
	t.Run("TicketForm", func(t *testing.T) {
		signInUI(t, rita, base, "rita@example.com")
		waitJS(t, rita, "synced", statusIs("online", 0), 30*time.Second)
		run(t, rita, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, rita, "ticket form", appReady+` && !!document.getElementById("ticket-category")`, 30*time.Second)
		run(t, rita,
			typeInto("#ticket-title", title),
			typeInto("#ticket-description", "The cable is plugged in; the screen stays blue."),
		)
		pick(t, rita, "#ticket-category", "Network and VPN")
		waitJS(t, rita, "its subcategories", `!document.getElementById("subcategory-field").hidden`, 20*time.Second)
		pick(t, rita, "#ticket-subcategory", "Wi-Fi")
		pick(t, rita, "#ticket-subcategory", "Not sure")
		pick(t, rita, "#ticket-category", "Not sure")
		waitJS(t, rita, "no subcategories", `document.getElementById("subcategory-field").hidden`, 20*time.Second)
		run(t, rita, clickStill(t, "#ticket-submit"))
		waitJS(t, rita, "ticket sent, no refusal", `!document.getElementById("ticket-error") && `+statusIs("online", 0)+` && location.pathname === "/tickets"`, 20*time.Second)
		serverTicket(t, srv, title, "no category", func(tk shared.Ticket) bool { return tk.Category == "" && tk.Subcategory == "" })
	})

	agent := newBrowser(t)
	signInUI(t, agent, base, "tomas@example.com")
	waitJS(t, agent, "synced", statusIs("online", 0), 30*time.Second)
	tk := serverTicket(t, srv, title, "stored", func(shared.Ticket) bool { return true })

	t.Run("TicketPage", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/ticket/"+tk.ID))
		waitJS(t, agent, "agent actions", appReady+` && !!document.getElementById("assign-agent")`, 30*time.Second)
		pick(t, agent, "#assign-agent", "Tomás Agent · Tier 1")
		serverTicket(t, srv, title, "assigned to Tomás", func(x shared.Ticket) bool { return x.AssigneeID != "" })
		pick(t, agent, "#assign-agent", "Unassigned")
		serverTicket(t, srv, title, "unassigned", func(x shared.Ticket) bool { return x.AssigneeID == "" })
		pick(t, agent, "#assign-group", "network-team")
		serverTicket(t, srv, title, "in network-team", func(x shared.Ticket) bool { return x.Group == "network-team" })
		pick(t, agent, "#assign-group", "General queue")
		serverTicket(t, srv, title, "in the general queue", func(x shared.Ticket) bool { return x.Group == "" })
		waitJS(t, agent, "sent, nothing refused", statusIs("online", 0)+` && !document.querySelector("#ticket .error, #agent-actions .error")`, 20*time.Second)
	})

	t.Run("QueueFilters", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/agent"))
		row := `!!document.querySelector('#queue tr.row[data-id="` + tk.ID + `"]')`
		waitJS(t, agent, "the ticket in the queue", appReady+` && `+row, 30*time.Second)
		noLabels := `![...new URLSearchParams(location.search).values()].some(v => v === "All" || v.includes(" "))`
		for _, f := range []struct{ sel, other, blank, param string }{
			{"#f-tier", "Tier 2", "All", "tier"},
			{"#f-status", "Resolved", "All", "status"},
			{"#f-priority", "P1 – Critical", "All", "priority"},
			{"#f-category", "Network and VPN", "All", "category"},
			{"#f-group", "network-team", "All", "group"},
		} {
			pick(t, agent, f.sel, f.other)
			waitJS(t, agent, f.sel+" "+f.other+" hides the ticket", `!`+row+` && `+noLabels, 20*time.Second)
			pick(t, agent, f.sel, f.blank)
			waitJS(t, agent, f.sel+" back to "+f.blank+" shows it", row+` && `+noLabels+` && (new URLSearchParams(location.search).get(`+jsString(f.param)+`) || "") === ""`, 20*time.Second)
		}
		pick(t, agent, "#f-sort", "Priority, then age")
		waitJS(t, agent, "sorted by priority", `new URLSearchParams(location.search).get("sort") === "priority"`, 20*time.Second)
		pick(t, agent, "#f-sort", "SLA due time")
		waitJS(t, agent, "sorted by due time again", `!new URLSearchParams(location.search).has("sort") && `+row, 20*time.Second)
		// A reload keeps "All": the URL holds blanks, not labels.
		run(t, agent, chromedp.Reload())
		waitJS(t, agent, "the ticket after a reload", appReady+` && `+row, 30*time.Second)
	})

	t.Run("DeskSite", func(t *testing.T) {
		admin := newBrowser(t)
		signInUI(t, admin, base, "ada@example.com")
		run(t, admin, chromedp.Navigate(base+"/admin/kiosks"))
		waitJS(t, admin, "kiosk admin page", appReady+` && !!document.getElementById("kiosk-site")`, 30*time.Second)
		run(t, admin, typeInto("#kiosk-site", "lobby"), clickStill(t, "#kiosk-issue"))
		waitJS(t, admin, "a code", `!!document.getElementById("kiosk-code-value")`, 20*time.Second)
		code := eval[string](t, admin, `document.getElementById("kiosk-code-value").innerText`)
		resp, err := http.Post(base+"/api/kiosk/enroll", "application/json", strings.NewReader(`{"code":`+jsString(code)+`}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("enroll: %s", resp.Status)
		}
		run(t, agent, chromedp.Navigate(base+"/desk"))
		waitJS(t, agent, "the desk", appReady+` && !!document.getElementById("desk-site")`, 30*time.Second)
		pick(t, agent, "#desk-site", "Lobby") // an unnamed site shows its slug title-cased
		waitJS(t, agent, "the lobby's queue", `location.search === "?site=lobby" && localStorage.getItem("desk/site") === '"lobby"'`, 20*time.Second)
		pick(t, agent, "#desk-site", "Choose a site")
		waitJS(t, agent, "no site", `location.search === "?site=" && localStorage.getItem("desk/site") === '""'`, 20*time.Second)
		run(t, agent, chromedp.Reload())
		waitJS(t, agent, "still no site after a reload", appReady+` && document.getElementById("desk-site").selectedIndex === 0`, 30*time.Second)
	})

	t.Run("ArticleEditor", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/kb/new"))
		waitJS(t, agent, "the editor", appReady+` && !!document.getElementById("kb-body")`, 30*time.Second)
		run(t, agent,
			typeInto("#kb-title", "Projector shows a blue screen"),
			typeInto("#kb-summary", "Pick the right input."),
			typeInto("#kb-body", "Press the Input button until the laptop's picture shows."),
		)
		pick(t, agent, "#kb-category", "Devices and printers")
		pick(t, agent, "#kb-subcategory", "Printers")
		pick(t, agent, "#kb-subcategory", "(none)")
		run(t, agent, clickStill(t, "#kb-save"))
		waitJS(t, agent, "saved and sent", statusIs("online", 0)+` && location.pathname === "/kb/edit/projector-shows-a-blue-screen"`, 20*time.Second)
		deadline := time.Now().Add(10 * time.Second)
		for {
			a := storedArticleIf(t, srv, "projector-shows-a-blue-screen")
			if a != nil && a.Category == "devices" && a.Subcategory == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server article = %+v; want devices with no subcategory", a)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("GuideEditor", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/troubleshoot/new"))
		waitJS(t, agent, "the guide editor", appReady+` && !!document.getElementById("te-title")`, 30*time.Second)
		run(t, agent, typeInto("#te-title", "Projector blank"))
		run(t, agent, clickStill(t, "#te-add-step"))
		run(t, agent, clickStill(t, "#te-add-solution"))
		run(t, agent, clickStill(t, "#te-add-escalate"))
		node := func(id string) string { return `li.te-node[data-node="` + id + `"]` }
		waitJS(t, agent, "three new nodes", `!!document.querySelector(`+jsString(node("escalate-1"))+`)`, 20*time.Second)
		kept := func(expr string) string {
			return `(() => { const d = JSON.parse(localStorage.getItem("treeedit/new") || "null"); if (!d) return false; const tr = d.tree;
				const n = id => tr.nodes.find(x => x.id === id); return ` + expr + `; })()`
		}
		answer := node("start") + " li.te-answer:nth-child(1)"
		steps := []struct{ sel, other, blank, isOther, isBlank string }{
			{"#te-start", "step-1 ·", "— choose a node —", `tr.start === "step-1"`, `tr.start === ""`},
			{answer + " .te-answer-next", "step-1 ·", "— choose a node —", `n("start").answers[0].next === "step-1"`, `!n("start").answers[0].next`},
			{answer + " .te-when", "only online", "always", `!!n("start").answers[0].when`, `!n("start").answers[0].when`},
			{node("step-1") + " .te-next", "escalate-1 ·", "— choose a node —", `n("step-1").next === "escalate-1"`, `!n("step-1").next`},
			{node("escalate-1") + " .te-priority", "P2", "–", `n("escalate-1").priority === "P2"`, `!n("escalate-1").priority`},
			{node("escalate-1") + " .te-esc-category", "Network and VPN", "Same as the guide", `n("escalate-1").category === "network"`, `!n("escalate-1").category`},
		}
		// The article picker lists the device's articles in the guide's language.
		waitJS(t, agent, "articles to choose", `document.querySelector(`+jsString(node("solution-1")+" .te-article")+`).options.length > 1`, 20*time.Second)
		firstArticle := eval[string](t, agent, `document.querySelector(`+jsString(node("solution-1")+" .te-article")+`).options[1].text.trim()`)
		steps = append(steps, struct{ sel, other, blank, isOther, isBlank string }{
			node("solution-1") + " .te-article", firstArticle, "— choose an article —", `!!n("solution-1").article`, `!n("solution-1").article`,
		})
		for _, s := range steps {
			// The node labels carry their kind's name and text: match by prefix.
			label := eval[string](t, agent, `[...document.querySelector(`+jsString(s.sel)+`).options].map(o => o.text.trim()).find(x => x.startsWith(`+jsString(s.other)+`)) || ""`)
			pick(t, agent, s.sel, label)
			waitJS(t, agent, s.sel+" set to "+s.other, kept(s.isOther), 20*time.Second)
			pick(t, agent, s.sel, s.blank)
			waitJS(t, agent, s.sel+" back to "+s.blank, kept(s.isBlank), 20*time.Second)
		}
		if got := eval[string](t, agent, `localStorage.getItem("treeedit/new")`); strings.Contains(got, "choose") || strings.Contains(got, "Same as") || strings.Contains(got, `"–"`) {
			t.Errorf("a label was kept as a value: %s", got)
		}
	})
}
