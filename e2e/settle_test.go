package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Clicks that land where a person would click.
//
// chromedp.Click finds the element, reads where it is drawn and presses
// the mouse there: if the page redraws in between (an acknowledgement
// arriving, a pull adding rows above, the status bar growing a note) the
// press lands on whatever is drawn there now, or nowhere. Every flaky
// e2e failure so far was of that kind. A person looks first: they click
// once the page has stopped moving and the button is there to be
// clicked. clickStill does the same.

// stillFor is how long the element must stay put, and the page make no
// change at all, before the click.
const stillFor = 150 * time.Millisecond

// settleAtMost bounds the wait for the device's sync to settle (nothing
// in flight): a device that cannot send (asked to sign in, held by a
// quota, storage full) never does, and a test may mean to click while a
// change is on its way. After that the click still waits for a still
// page, and the test log says so.
const settleAtMost = 10 * time.Second

// stillJS is a JavaScript expression that is "" until the element sel can
// be clicked as a person would: it is present and enabled, drawn with a
// size, not covered by anything else at its centre, and it stayed in the
// same place with no change anywhere in the document for stillFor. It is
// then "ok", or "moving" while the device's sync is mid-way (loading,
// connecting, syncing, or online with changes sent but not yet
// acknowledged): what comes back redraws the page.
func stillJS(sel string) string {
	return fmt.Sprintf(`(() => {
	const w = window, now = performance.now();
	`+watchChangesJS+`
	const el = document.querySelector(%[1]s);
	if (!el || el.disabled || el.getAttribute("aria-disabled") === "true") { w.__e2eStill = null; return ""; }
	if (el.scrollIntoViewIfNeeded) el.scrollIntoViewIfNeeded();
	const r = el.getBoundingClientRect();
	if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") { w.__e2eStill = null; return ""; }
	const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	if (!hit || !(hit === el || el.contains(hit))) { w.__e2eStill = null; return ""; }
	const key = [r.left, r.top, r.width, r.height].join(",");
	const prev = w.__e2eStill;
	if (!prev || prev.key !== key || prev.el !== el) { w.__e2eStill = {key: key, el: el, since: now}; return ""; }
	// (A page that never stops changing somewhere: 2 s with the element put.)
	if (now - prev.since < %[2]d || (now - w.__e2eQuiet.last < %[2]d && now - prev.since < 2000)) return "";
	return `+syncMovingJS+` ? "moving" : "ok";
})()`, jsString(sel), stillFor.Milliseconds())
}

// watchChangesJS (a statement, in a page script that has now) notes in
// window.__e2eQuiet.last when the document last changed, from the first
// time it runs in the page.
const watchChangesJS = `if (!window.__e2eQuiet) {
		window.__e2eQuiet = {last: now};
		new MutationObserver(() => { window.__e2eQuiet.last = performance.now(); })
			.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
	}`

// syncMovingJS is true while the device's sync is mid-way: loading,
// connecting, syncing, or online with changes not yet acknowledged (a
// device that cannot send, asked to sign in or full, is not moving).
const syncMovingJS = `(() => {
		const s = document.getElementById("sync-status");
		const blocked = !!document.getElementById("signin-needed") || !!document.getElementById("quota-held") || !!document.getElementById("storage-error");
		return !!s && !blocked && (["loading", "connecting", "syncing"].includes(s.dataset.state) || (s.dataset.state === "online" && s.dataset.pending !== "0"));
	})()`

// waitQuiet waits until the document has not changed for quiet and the
// device's sync is not mid-way (at most settleAtMost for that): what a
// person waits for before reading a page.
func waitQuiet(t testing.TB, ctx context.Context, what string, quiet time.Duration) {
	t.Helper()
	waitJS(t, ctx, what+" (still for "+quiet.String()+")", fmt.Sprintf(`(() => {
	const now = performance.now();
	if (!window.__e2eSince) window.__e2eSince = now;
	`+watchChangesJS+`
	if (now - window.__e2eQuiet.last < %d) return false;
	if (`+syncMovingJS+` && now - window.__e2eSince < %d) return false;
	window.__e2eSince = 0;
	return true;
})()`, quiet.Milliseconds(), settleAtMost.Milliseconds()), 30*time.Second)
}

// clickStill is a real mouse click on sel, once the page is still (see
// stillJS) and the device's sync has settled, or settleAtMost has passed
// (the test log says so). Use it wherever a person would click; clickJS
// only where a coordinate click cannot work.
func clickStill(t testing.TB, sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		start := time.Now()
		for {
			v, err := chromedp.Evaluate[string](stillJS(sel))(ctx, tg)
			if err == nil && v == "ok" {
				break
			}
			if err == nil && v == "moving" && time.Since(start) >= settleAtMost {
				t.Logf("clicking %s while the device's sync is still under way after %v", sel, settleAtMost)
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s never stood still to be clicked (last: %q, %v): %w", sel, v, err, ctx.Err())
			case <-time.After(25 * time.Millisecond):
			}
		}
		_, err := chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)(ctx, tg)
		return err
	})
}
