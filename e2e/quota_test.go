package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/shared"
)

// How Chromium's quota is made to bite, for real, in a test
// (Storage.overrideQuotaForOrigin; Chromium 156):
//
//   - The override belongs to the DevTools session of the page: it must be
//     sent to the page target (the browser target answers "Internal
//     error"), and lasts as long as that session, across reloads. The
//     origin is scheme://host:port.
//   - navigator.storage.estimate() never shows it: Chromium tells pages a
//     static quota (usage + 10 GiB), so that the quota cannot identify a
//     device. Storage.getUsageAndQuota shows the override.
//   - IndexedDB does not ask the quota manager on every commit: it keeps the
//     space left at its last question and hands it out, shrinking to
//     nothing over 30 s (BucketContext::CheckCanUseDiskSpace,
//     kBucketSpaceCacheTimeLimit). With the default quota that is some
//     100 GB, so a quota lowered after the page first wrote lets every
//     write through (a 64 MiB one too) for up to 30 s: that is why an
//     override seemed to have no effect. A commit asking for more than the
//     allowance makes IndexedDB ask again.
//
// So: a moderate quota is set before the app first opens IndexedDB (the
// allowance can never exceed it); to run out of room the quota is lowered
// to 1 MiB below the usage (the service worker's cache makes most of it; the
// margin is more than IndexedDB's own files could shrink by), and one write
// of more than the first quota, from the page, makes IndexedDB ask again and
// learn that nothing is left. From then on every write that adds bytes fails
// with the browser's own QuotaExceededError until the quota is raised.
const quotaTestQuota = 64 << 20

// TestQuotaFullKeepsWordsAndData: when the device has no room left, typing
// and filing a ticket are refused with words that say so, what was typed
// stays in the form, nothing already stored (an unsent ticket, a draft, the
// synced articles) is lost, and once there is room the same submit goes
// through and reaches the server exactly once.
func TestQuotaFullKeepsWordsAndData(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)

	// Before the page first opens IndexedDB.
	setQuota(t, ctx, base, quotaTestQuota)
	run(t, ctx, chromedp.Navigate(base+"/"))
	waitJS(t, ctx, "online", statusIs("online", 0), 30*time.Second)
	waitJS(t, ctx, "first sync", synced+` && !document.querySelector("#sync-status .note") && document.querySelectorAll("#article-list ul.articles li").length >= 10`, 30*time.Second)
	waitCached(t, ctx)
	waitJS(t, ctx, "search index saved", idbHas("cache", "search/index"), 30*time.Second)
	if u := usage(t, ctx, base); u.Usage > quotaTestQuota/2 {
		t.Fatalf("the app already uses %.0f bytes of the test's %d-byte quota: raise quotaTestQuota", u.Usage, quotaTestQuota)
	}

	// Offline, so that what is filed waits in the outbox.
	srv.Close()
	setOffline(t, ctx, true)
	waitJS(t, ctx, "offline", statusIs("offline", 0), 30*time.Second)

	const (
		earlier   = "Earlier ticket waiting to be sent"
		kept      = "A draft kept for later"
		title     = "Shared drive is read-only"
		descStart = "Since this morning I cannot save to S:"
		descMore  = " (the error says access denied)"
	)
	newForm := func() {
		run(t, ctx, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, ctx, "a blank form", appReady+` && document.getElementById("ticket-title") && document.getElementById("ticket-title").value === ""`, 30*time.Second)
	}
	newForm()
	run(t, ctx,
		typeInto("#ticket-title", earlier),
		typeInto("#ticket-description", "Filed before the device filled up."),
		clickStill(t, "#ticket-submit"),
	)
	waitJS(t, ctx, "the earlier ticket is queued", `location.pathname === "/tickets" && `+statusIs("offline", 1), 30*time.Second)
	newForm()
	run(t, ctx, typeInto("#ticket-title", kept))
	waitJS(t, ctx, "draft saved", draftIs(kept, ""), 20*time.Second)
	newForm()
	run(t, ctx, typeInto("#ticket-title", title), typeInto("#ticket-description", descStart))
	waitJS(t, ctx, "draft saved", draftIs(title, descStart), 20*time.Second)
	before := readIDB(t, ctx)
	if len(before.Outbox) != 1 || len(before.Drafts) != 2 || before.Records < 10 {
		t.Fatalf("before the device fills up: %d outbox entries, %d drafts, %d records; want 1, 2, ≥10", len(before.Outbox), len(before.Drafts), before.Records)
	}

	// No room left.
	fillUp(t, ctx, base)

	// Typing: the draft cannot be saved, and the form says why.
	run(t, ctx, typeInto("#ticket-description", descMore))
	noRoom := `(el => !!el && /has no room left/.test(el.innerText))`
	waitJS(t, ctx, "the form says the device is full", noRoom+`(document.getElementById("ticket-error"))`, 20*time.Second)
	// Submitting: refused in words, in the form and in the status bar.
	run(t, ctx, clickStill(t, "#ticket-submit"))
	waitJS(t, ctx, "the status bar says the device is full", noRoom+`(document.getElementById("storage-error"))`, 20*time.Second)
	waitJS(t, ctx, "the form is usable again", `location.pathname === "/ticket/new" && !document.getElementById("ticket-submit").disabled`, 20*time.Second)
	if msg := eval[string](t, ctx, `document.getElementById("ticket-error").innerText`); !strings.Contains(msg, "has no room left") {
		t.Errorf("form message after the refused submit = %q; want one saying the device has no room", msg)
	}
	shot(t, ctx, "quota-full")
	if v := eval[string](t, ctx, `document.getElementById("ticket-title").value`); v != title {
		t.Errorf("title after the refused submit = %q; want %q", v, title)
	}
	if v := eval[string](t, ctx, `document.getElementById("ticket-description").value`); v != descStart+descMore {
		t.Errorf("description after the refused submit = %q; want %q", v, descStart+descMore)
	}
	waitJS(t, ctx, "still 1 pending", statusIs("offline", 1), 20*time.Second)

	// Nothing already stored is gone, and nothing half-written appeared.
	during := readIDB(t, ctx)
	if during.Records != before.Records {
		t.Errorf("records while full = %d; want %d", during.Records, before.Records)
	}
	if len(during.Outbox) != 1 || during.Outbox[0].Args.Title != earlier {
		t.Errorf("outbox while full = %+v; want only %q", during.Outbox, earlier)
	}
	titles := map[string]string{}
	for _, d := range during.Drafts {
		titles[d.Title] = d.Description
	}
	if len(during.Drafts) != 2 || titles[title] != descStart {
		t.Errorf("drafts while full = %+v; want %q and %q (as last saved: %q)", during.Drafts, kept, title, descStart)
	}
	if _, ok := titles[kept]; !ok {
		t.Errorf("draft %q lost while full", kept)
	}

	// A reload while the device is full loses no words either: the draft
	// IndexedDB had no room for waits in local storage.
	run(t, ctx, chromedp.Reload())
	waitJS(t, ctx, "the words after a reload while full", appReady+` && document.getElementById("ticket-title").value === `+jsString(title)+
		` && document.getElementById("ticket-description").value === `+jsString(descStart+descMore), 30*time.Second)
	run(t, ctx, typeInto("#ticket-description", " "), typeInto("#ticket-description", kb.Backspace))
	waitJS(t, ctx, "the form says the device is full again", noRoom+`(document.getElementById("ticket-error"))`, 20*time.Second)

	// Room again: the next keystroke saves the draft, and the message goes
	// (a space, then Backspace: the words are as they were).
	makeRoom(t, ctx, base)
	run(t, ctx, typeInto("#ticket-description", " "), typeInto("#ticket-description", kb.Backspace))
	waitJS(t, ctx, "the no-room message is gone once a save works", `!document.getElementById("ticket-error") && `+draftIs(title, descStart+descMore), 20*time.Second)
	// And the same submit goes through.
	run(t, ctx, clickStill(t, "#ticket-submit"))
	waitJS(t, ctx, "queued", `location.pathname === "/tickets" && `+statusIs("offline", 2), 30*time.Second)
	waitJS(t, ctx, "the storage error is gone", `!document.getElementById("storage-error")`, 20*time.Second)
	after := readIDB(t, ctx)
	if len(after.Outbox) != 2 || len(after.Drafts) != 1 || after.Drafts[0].Title != kept {
		t.Errorf("after the submit: outbox %+v, drafts %+v; want 2 entries and the draft %q", after.Outbox, after.Drafts, kept)
	}

	srv = startServer(t, addr, dir)
	setOffline(t, ctx, false)
	waitJS(t, ctx, "sent, 0 pending", statusIs("online", 0)+` && document.querySelectorAll("li.ticket[data-state=sent]").length === 2`, 45*time.Second)
	waitJS(t, ctx, "the kept draft is listed", `[...document.querySelectorAll("#drafts li.draft")].some(li => li.innerText.includes(`+jsString(kept)+`))`, 20*time.Second)
	tickets := ticketsOf(t, srv.Store)
	for _, want := range []string{earlier, title} {
		if n := countTitle(tickets, want); n != 1 {
			t.Errorf("server has %d tickets titled %q; want exactly 1", n, want)
		}
	}
	if len(tickets) != 2 {
		t.Errorf("server has %d tickets; want 2", len(tickets))
	}
	for _, tk := range tickets {
		if tk.Title == title && tk.Description != descStart+descMore {
			t.Errorf("description on the server = %q; want %q", tk.Description, descStart+descMore)
		}
	}
}

// setQuota overrides the storage quota of origin (scheme://host:port) for
// as long as the page's DevTools session lasts; 0 removes the override.
func setQuota(t testing.TB, ctx context.Context, origin string, bytes float64) {
	t.Helper()
	p := storage.OverrideQuotaForOriginParams{Origin: origin}
	if bytes > 0 {
		p.QuotaSize = &bytes
	}
	if _, err := chromedp.Call(ctx, storage.OverrideQuotaForOrigin, p); err != nil {
		t.Fatalf("override quota: %v", err)
	}
}

func usage(t testing.TB, ctx context.Context, origin string) storage.GetUsageAndQuotaResult {
	t.Helper()
	u, err := chromedp.Call(ctx, storage.GetUsageAndQuota, storage.GetUsageAndQuotaParams{Origin: origin})
	if err != nil {
		t.Fatalf("usage and quota: %v", err)
	}
	return u
}

// quotaProbe writes n random bytes to a database of its own and says how
// the commit ended: "ok", or the name of the error.
const quotaProbe = `(async (n) => {
	const db = await new Promise((res, rej) => {
		const r = indexedDB.open("quota-probe", 1);
		r.onupgradeneeded = () => r.result.createObjectStore("s");
		r.onsuccess = () => res(r.result);
		r.onerror = () => rej(r.error);
	});
	try {
		if (n === 0) return "opened";
		const a = new Uint8Array(n);
		for (let o = 0; o < n; o += 65536) crypto.getRandomValues(a.subarray(o, Math.min(n, o + 65536)));
		const tx = db.transaction("s", "readwrite");
		tx.objectStore("s").put(a, "x");
		return await new Promise(res => {
			tx.oncomplete = () => res("ok");
			tx.onabort = () => res(tx.error ? tx.error.name : "aborted");
		});
	} finally {
		db.close();
	}
})`

// fillUp leaves origin no room: the quota drops below what is used, and a
// write larger than any allowance IndexedDB may still hold makes it ask the
// quota manager again (see the top of this file).
func fillUp(t testing.TB, ctx context.Context, origin string) {
	t.Helper()
	eval[string](t, ctx, quotaProbe+"(0)") // create the probe's database while there is room
	u := usage(t, ctx, origin)
	setQuota(t, ctx, origin, max(u.Usage-(1<<20), 1))
	if got := eval[string](t, ctx, fmt.Sprintf("%s(%d)", quotaProbe, quotaTestQuota)); got != "QuotaExceededError" {
		t.Fatalf("a %d-byte write with the quota below the usage ended %q; want QuotaExceededError", quotaTestQuota, got)
	}
}

// makeRoom gives origin room again and drops the probe's database.
func makeRoom(t testing.TB, ctx context.Context, origin string) {
	t.Helper()
	setQuota(t, ctx, origin, quotaTestQuota)
	eval[bool](t, ctx, `new Promise((res, rej) => { const r = indexedDB.deleteDatabase("quota-probe"); r.onsuccess = () => res(true); r.onerror = () => rej(r.error); })`)
}

// idb is what the app's IndexedDB holds.
type idb struct {
	Records int `json:"records"`
	Outbox  []struct {
		Name string              `json:"name"`
		Args shared.TicketCreate `json:"args"`
	} `json:"outbox"`
	Drafts []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"drafts"`
}

// readIDB reads the app's database from the page, read-only.
func readIDB(t testing.TB, ctx context.Context) idb {
	t.Helper()
	s := eval[string](t, ctx, `(async () => {
		const db = await `+openIDB+`;
		try {
			const tx = db.transaction(["records", "outbox", "drafts"], "readonly");
			const all = s => new Promise((res, rej) => { const r = tx.objectStore(s).getAll(); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
			const [records, outbox, drafts] = await Promise.all([all("records"), all("outbox"), all("drafts")]);
			return JSON.stringify({records: records.length, outbox: outbox.map(v => JSON.parse(v)), drafts: drafts.map(v => JSON.parse(v))});
		} finally {
			db.close();
		}
	})()`)
	var out idb
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("decode IndexedDB contents: %v\n%s", err, s)
	}
	return out
}

// openIDB is JavaScript that opens the app's database (at its version).
const openIDB = `new Promise((res, rej) => { const r = indexedDB.open("outpost"); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); })`

// draftIs is a JavaScript expression: a draft titled title, with
// description desc, is saved on the device.
func draftIs(title, desc string) string {
	return `(async () => {
		const db = await ` + openIDB + `;
		try {
			const r = db.transaction("drafts", "readonly").objectStore("drafts").getAll();
			const all = await new Promise(res => { r.onsuccess = () => res(r.result); r.onerror = () => res([]); });
			return all.map(v => JSON.parse(v)).some(d => d.title === ` + jsString(title) + ` && d.description === ` + jsString(desc) + `);
		} finally {
			db.close();
		}
	})()`
}

// idbHas is a JavaScript expression: the app's store holds key.
func idbHas(store, key string) string {
	return fmt.Sprintf(`(async () => {
		const db = await %s;
		try {
			const r = db.transaction(%q, "readonly").objectStore(%q).count(%q);
			return await new Promise(res => { r.onsuccess = () => res(r.result > 0); r.onerror = () => res(false); });
		} finally {
			db.close();
		}
	})()`, openIDB, store, store, key)
}
