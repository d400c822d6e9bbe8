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
	"outpost/shared/wire"
)

// storedCategories reads the category tree the server stored.
func storedCategories(t *testing.T, s store.Store) shared.CategoryTree {
	t.Helper()
	var tree shared.CategoryTree
	err := s.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeConfig, shared.ConfigCategories)
		if err != nil {
			return err
		}
		return json.Unmarshal(data, &tree)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestCategories is issue 7's category admin screen with two browsers: an
// admin adds a category (with a subcategory) on /admin/categories, and a
// requester's open ticket form offers it once synced, shown by its slug
// (no translation yet); the ticket filed in it reaches the server. The
// admin is then warned when removing the category the ticket uses.
func TestCategories(t *testing.T) {
	t.Cleanup(func() { _ = shared.SetCategories(shared.Categories) }) // the server runs in this process
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addAccount(t, srv, "ada@example.com", "Ada Admin", shared.RoleAdmin, 0)
	addAccount(t, srv, "rita@example.com", "Rita Requester", shared.RoleRequester, 0)
	if got := storedCategories(t, srv.Store); len(got) != len(shared.Categories) {
		t.Fatalf("seeded tree = %v", got)
	}

	admin, rita := newBrowser(t), newBrowser(t)
	signInUI(t, rita, base, "rita@example.com")
	waitJS(t, rita, "synced", statusIs("online", 0), 30*time.Second)
	run(t, rita, chromedp.Navigate(base+"/ticket/new"))
	waitJS(t, rita, "ticket form", appReady+` && !!document.getElementById("ticket-category")`, 30*time.Second)

	t.Run("AdminAddsACategory", func(t *testing.T) {
		signInUI(t, admin, base, "ada@example.com")
		waitJS(t, admin, "synced", statusIs("online", 0), 30*time.Second)
		waitJS(t, admin, "the staff nav link", `!!document.getElementById("nav-categories")`, 30*time.Second)
		run(t, admin, chromedp.Navigate(base+"/admin/categories"))
		waitJS(t, admin, "the tree", appReady+` && document.querySelectorAll("#cat-list > li.cat-row").length === 4 && !!document.getElementById("cat-network")`, 30*time.Second)

		run(t, admin, typeInto("#cat-new", "Not A Slug!"), chromedp.Click(chromedp.CSS("#cat-add"), chromedp.NodeVisible))
		waitJS(t, admin, "the slug refused inline", `!!document.getElementById("cat-add-error") && document.getElementById("cat-add-error").innerText.includes("not a valid slug")`, 10*time.Second)

		run(t, admin, typeInto("#cat-new", "facilities"), chromedp.Click(chromedp.CSS("#cat-add"), chromedp.NodeVisible))
		waitJS(t, admin, "the new category", `!!document.getElementById("cat-facilities") && document.querySelector("#cat-facilities .cat-name").innerText === "facilities" && !document.getElementById("cat-add-error")`, 10*time.Second)
		run(t, admin, typeInto("#cat-newsub-facilities", "heating"), chromedp.Click(chromedp.CSS("#cat-addsub-facilities"), chromedp.NodeVisible))
		waitJS(t, admin, "the new subcategory", `!!document.getElementById("sub-facilities-heating")`, 10*time.Second)
		// Move it to the top: the order is the order lists show.
		// (One click at a time, as a person does: a click lands where the
		// button was drawn.)
		pos := `[...document.querySelectorAll("#cat-list > li.cat-row")].findIndex(li => li.id === "cat-facilities")`
		for want := 3; want >= 0; want-- {
			run(t, admin, chromedp.Click(chromedp.CSS("#cat-facilities .cat-up"), chromedp.NodeVisible))
			waitJS(t, admin, "moved up", pos+` === `+strconv.Itoa(want), 10*time.Second)
		}
		shot(t, admin, "categories-admin")
		run(t, admin, chromedp.Click(chromedp.CSS("#cat-save"), chromedp.NodeVisible))
		waitJS(t, admin, "saved and sent", `!!document.getElementById("cat-saved") && `+statusIs("online", 0), 20*time.Second)
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := storedCategories(t, srv.Store)
			if len(got) == 5 && got[0].Slug == "facilities" && got.HasSubcategory("facilities", "heating") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stored tree = %v; want facilities first, with heating", got)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("RequesterFilesInIt", func(t *testing.T) {
		waitJS(t, rita, "the new category offered", `[...document.querySelectorAll("#ticket-category option")].some(o => o.value === "facilities" && o.innerText === "facilities")`, 30*time.Second)
		run(t, rita,
			typeInto("#ticket-title", "Radiator in room 12 is cold"),
			typeInto("#ticket-description", "Since Monday."),
		)
		setInput(t, rita, "#ticket-category", "facilities", "change")
		waitJS(t, rita, "its subcategory offered", `[...document.querySelectorAll("#ticket-subcategory option")].some(o => o.value === "heating")`, 10*time.Second)
		setInput(t, rita, "#ticket-subcategory", "heating", "change")
		shot(t, rita, "categories-ticket-form")
		run(t, rita, chromedp.Click(chromedp.CSS("#ticket-submit"), chromedp.NodeVisible))
		waitJS(t, rita, "ticket sent", statusIs("online", 0)+` && location.pathname === "/tickets"`, 20*time.Second)
		var found *shared.Ticket
		for _, tk := range ticketsOf(t, srv.Store) {
			if tk.Title == "Radiator in room 12 is cold" {
				found = &tk
			}
		}
		if found == nil || found.Category != "facilities" || found.Subcategory != "heating" {
			t.Fatalf("server ticket = %+v; want facilities/heating", found)
		}
	})

	t.Run("RemovingACategoryInUseWarns", func(t *testing.T) {
		waitJS(t, admin, "the ticket synced", `!!document.querySelector("#cat-facilities .cat-head .muted")`, 30*time.Second)
		run(t, admin, chromedp.Click(chromedp.CSS("#cat-facilities .cat-remove"), chromedp.NodeVisible))
		waitJS(t, admin, "the warning", `!document.getElementById("cat-facilities") && !!document.getElementById("cat-warnings") && document.getElementById("cat-warnings").innerText.includes("facilities is still used by 1 ")`, 10*time.Second)
		shot(t, admin, "categories-remove-warning")
	})
}
