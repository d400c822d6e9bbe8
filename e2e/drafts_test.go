package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSeveralDrafts: starting a new ticket never overwrites an unsent
// draft; each survives a reload, and the form offers the others.
func TestSeveralDrafts(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)

	write := func(title string) {
		run(t, ctx, chromedp.Navigate(base+"/ticket/new"))
		waitJS(t, ctx, "a blank form", appReady+` && document.getElementById("ticket-title") && document.getElementById("ticket-title").value === ""`, 30*time.Second)
		run(t, ctx, typeInto("#ticket-title", title))
		waitJS(t, ctx, "draft saved", `!!document.getElementById("draft-saved") && location.search.startsWith("?draft=")`, 20*time.Second)
	}
	write("Printer on floor 2 jams")
	write("Laptop fan is loud")
	waitJS(t, ctx, "the other draft is offered", `[...document.querySelectorAll("#other-drafts a")].some(a => a.innerText === "Printer on floor 2 jams")`, 20*time.Second)

	run(t, ctx, chromedp.Reload())
	waitJS(t, ctx, "the draft being written comes back", appReady+` && document.getElementById("ticket-title") && document.getElementById("ticket-title").value === "Laptop fan is loud"`, 30*time.Second)

	run(t, ctx, clickStill(t, "#other-drafts a"))
	waitJS(t, ctx, "the other draft opens", `document.getElementById("ticket-title").value === "Printer on floor 2 jams"`, 20*time.Second)

	run(t, ctx, chromedp.Navigate(base+"/tickets"))
	waitJS(t, ctx, "both listed", appReady+` && document.querySelectorAll("#drafts li.draft").length === 2`, 30*time.Second)
	shot(t, ctx, "drafts")
}
