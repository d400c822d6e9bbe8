package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// treeInput sets a field's value as typing or picking would, firing the
// event go-app listens to ("input", or "change" for a select).
func treeInput(t *testing.T, ctx context.Context, sel, value, event string) {
	t.Helper()
	v, _ := json.Marshal(value)
	ok := eval[bool](t, ctx, `(() => { const el = document.querySelector(`+jsString(sel)+`);
		if (!el) return false;
		el.value = `+string(v)+`; el.dispatchEvent(new Event(`+jsString(event)+`, {bubbles: true})); return true; })()`)
	if !ok {
		t.Fatalf("no element %s", sel)
	}
}

// storedTreeAndRev reads a tree and its revision from the server's store.
func storedTreeAndRev(t *testing.T, s store.Store, id string) (*tree.Tree, tree.Revision) {
	t.Helper()
	var tr *tree.Tree
	var rev tree.Revision
	err := s.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeTree, id)
		if err != nil {
			return err
		}
		if tr, err = tree.Decode(data); err != nil {
			return err
		}
		if data, err = tx.Get(tree.TypeRevision, id); err != nil {
			return err
		}
		return json.Unmarshal(data, &rev)
	})
	if err != nil {
		t.Fatalf("read tree %s: %v", id, err)
	}
	return tr, rev
}

// TestTreeEdit is the authoring loop of guided troubleshooting: an agent,
// offline, writes a small guide in the outline editor, sees the problem of
// a step with no way to a ticket beside that step, fixes it with an
// escalation, runs the preview, reloads without losing a word and saves a
// draft. Online, the draft reaches the server and the agent publishes it;
// a signed-out browser then runs the new guide offline.
func TestTreeEdit(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base, outer := srv.HTTP.URL(), t
	addAccount(t, srv, "guides@example.com", "Gil Guides", shared.RoleAgent, 1)

	agent := signedInForOffline(t, base, "guides@example.com")
	srv.Close()
	setOffline(t, agent, true)

	node := func(id string) string { return `li.te-node[data-node="` + id + `"]` }
	problemsOf := func(id string) string {
		return `[...document.querySelectorAll(` + jsString(node(id)+" .te-problems li") + `)].map(li => li.textContent).join(" | ")`
	}
	state := func(key string) string { return `document.getElementById("te-state").dataset.` + key }

	t.Run("WriteOffline", func(t *testing.T) {
		run(t, agent, chromedp.Navigate(base+"/troubleshoot/new"))
		waitJS(t, agent, "the editor, offline", appReady+` && !!document.getElementById("te-title") && `+statusIs("offline", 0), 30*time.Second)
		treeInput(t, agent, "#te-title", "Scanner jams", "input")
		waitJS(t, agent, "the ID follows the title", `document.getElementById("te-id").value === "scanner-jams"`, 20*time.Second)
		treeInput(t, agent, "#te-category", "devices", "change")
		treeInput(t, agent, node("start")+" textarea.te-text", "Is paper stuck in the scanner?", "input")
		treeInput(t, agent, node("start")+" li.te-answer:nth-child(1) .te-answer-text", "Yes, a sheet is stuck", "input")
		treeInput(t, agent, node("start")+" li.te-answer:nth-child(2) .te-answer-text", "No, it is empty", "input")

		run(t, agent, clickStill(t, "#te-add-step"))
		waitJS(t, agent, "a step", `!!document.querySelector(`+jsString(node("step-1"))+`)`, 20*time.Second)
		treeInput(t, agent, node("step-1")+" textarea.te-text", "Open the cover and pull the sheet out gently.", "input")
		treeInput(t, agent, node("start")+" li.te-answer:nth-child(1) .te-answer-next", "step-1", "change")
		treeInput(t, agent, node("start")+" li.te-answer:nth-child(2) .te-answer-next", "step-1", "change")

		// The step leads nowhere: no way to a ticket. The problem is shown
		// beside the step, and nothing else is wrong.
		waitJS(t, agent, "the step's problem beside it", problemsOf("step-1")+` === 'Node "step-1" needs a next node for when it did not help.' && `+
			state("problems")+` === "1" && `+problemsOf("start")+` === ""`, 20*time.Second)
		if depth := eval[string](t, agent, `document.querySelector(`+jsString(node("step-1"))+`).dataset.depth`); depth != "1" {
			t.Errorf("step depth = %s; want 1 (indented under the start)", depth)
		}
		shot(t, agent, "tree-edit-problem")

		run(t, agent, clickStill(t, "#te-add-escalate"))
		waitJS(t, agent, "an escalation", `!!document.querySelector(`+jsString(node("escalate-1"))+`)`, 20*time.Second)
		treeInput(t, agent, node("escalate-1")+" textarea.te-text", "Tell us the scanner's model.", "input")
		treeInput(t, agent, node("step-1")+" select.te-next", "escalate-1", "change")
		waitJS(t, agent, "no problems left", state("problems")+` === "0" && `+problemsOf("step-1")+` === "" && 
			document.querySelector(`+jsString(node("escalate-1"))+`).dataset.depth === "2"`, 20*time.Second)
	})

	preview := func(t *testing.T, what, node, outcome string, answers int) {
		t.Helper()
		waitJS(t, agent, what, `(() => { const p = document.getElementById("te-preview");
			return !!p && p.dataset.node === `+jsString(node)+` && (p.dataset.outcome || "") === `+jsString(outcome)+` && p.dataset.answers === "`+strconv.Itoa(answers)+`"; })()`, 20*time.Second)
	}
	choose := func(t *testing.T, choice string) {
		t.Helper()
		run(t, agent, clickStill(t, `#te-preview-answers button[data-choice="`+choice+`"]`))
	}

	t.Run("Preview", func(t *testing.T) {
		preview(t, "the preview at the start", "start", "", 0)
		choose(t, "yes")
		preview(t, "the preview at the step", "step-1", "", 1)
		choose(t, "no")
		preview(t, "the preview escalated", "escalate-1", "escalated", 2)
		waitJS(t, agent, "the ticket prefill", `document.getElementById("te-preview-escalated").textContent.includes("Tell us the scanner's model.") &&
			document.getElementById("te-preview-escalated").textContent.includes("P3")`, 20*time.Second)
		shot(t, agent, "tree-edit-preview")
		run(t, agent, clickStill(t, "#te-preview-restart"))
		preview(t, "the preview back at the start", "start", "", 0)
	})

	t.Run("ReloadKeepsTheEdit", func(t *testing.T) {
		run(t, agent, chromedp.Reload())
		waitJS(t, agent, "the edit restored", appReady+` && !!document.getElementById("te-title") &&
			document.getElementById("te-title").value === "Scanner jams" &&
			!!document.querySelector(`+jsString(node("escalate-1"))+`) &&
			document.querySelector(`+jsString(node("step-1")+" textarea.te-text")+`).value === "Open the cover and pull the sheet out gently." &&
			`+state("problems")+` === "0"`, 30*time.Second)
	})

	t.Run("SaveDraftOffline", func(t *testing.T) {
		run(t, agent, clickStill(t, "#te-save"))
		waitJS(t, agent, "the draft queued", statusIs("offline", 1)+` && location.pathname === "/troubleshoot/edit/scanner-jams"`, 20*time.Second)
	})

	t.Run("PublishOnline", func(t *testing.T) {
		srv = startServer(outer, addr, dir) // outlives this subtest
		setOffline(t, agent, false)
		waitJS(t, agent, "the draft sent", statusIs("online", 0)+` && `+state("revision")+` === "1" && `+state("status")+` === "draft"`, 45*time.Second)
		tr, rev := storedTreeAndRev(t, srv.Store, "scanner-jams")
		if tr.Status != tree.StatusDraft || rev.Revision != 1 || rev.UpdatedBy != "Gil Guides" || len(tr.Nodes) != 3 || tr.Category != "devices" {
			t.Fatalf("server has %+v at %+v; want the 3-node draft at revision 1 by Gil Guides", tr, rev)
		}
		run(t, agent, clickStill(t, "#te-publish"))
		waitJS(t, agent, "published", statusIs("online", 0)+` && `+state("revision")+` === "2" && `+state("status")+` === "published"`, 30*time.Second)
		if tr, rev := storedTreeAndRev(t, srv.Store, "scanner-jams"); tr.Status != tree.StatusPublished || rev.Revision != 2 {
			t.Fatalf("server has status %q at revision %d; want published at 2", tr.Status, rev.Revision)
		}
		// Saving a draft now would hide it from users: the button says so.
		waitJS(t, agent, "the save button warns", `document.getElementById("te-save").innerText.includes("hides it") && document.getElementById("te-save-hint").innerText.includes("is published")`, 20*time.Second)
		shot(t, agent, "tree-edit-published")
	})

	t.Run("ReaderRunsItOffline", func(t *testing.T) {
		reader := newBrowser(outer)
		run(t, reader, chromedp.Navigate(base+"/troubleshoot"))
		waitJS(t, reader, "the new guide listed", statusIs("online", 0)+` && !!document.querySelector('#tree-list a[data-id="scanner-jams"]')`, 30*time.Second)
		waitCached(t, reader)
		srv.Close()
		setOffline(t, reader, true)
		run(t, reader, chromedp.Navigate(base+"/troubleshoot/scanner-jams"))
		at := func(what, node, outcome string) {
			t.Helper()
			waitJS(t, reader, what, appReady+` && (() => { const r = document.getElementById("run");
				return !!r && r.dataset.node === `+jsString(node)+` && (r.dataset.outcome || "") === `+jsString(outcome)+`; })()`, 30*time.Second)
		}
		at("the guide offline", "start", "")
		if q := eval[string](t, reader, `document.getElementById("run-question").textContent`); q != "Is paper stuck in the scanner?" {
			t.Errorf("question = %q", q)
		}
		run(t, reader, clickStill(t, `#run-answers button[data-choice="yes"]`))
		at("the step", "step-1", "")
		run(t, reader, clickStill(t, `#run-answers button[data-choice="yes"]`))
		at("solved", "step-1", "solved")
		shot(t, reader, "tree-edit-reader-solved")
	})
}
