package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/server/store"
	"outpost/shared"
)

// storedCategories reads the category tree the server stored.
func storedCategories(t *testing.T, s store.Store) shared.CategoryTree {
	t.Helper()
	var tree shared.CategoryTree
	if err := storedConfig(t, s, shared.ConfigCategories, &tree); err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestCategories is issue 7's category admin screen with two browsers: an
// admin adds a category (with a subcategory) on /admin/categories, named in
// English and Spanish (issue 16), and a requester's open ticket form offers
// it once synced, by its name; the ticket filed in it reaches the server.
// The names show on home (an empty state for the new, empty category),
// the form and a kiosk (with its site's names) in both languages. The
// admin is then warned when removing the category the ticket uses.
func TestCategories(t *testing.T) {
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

		// A name in one language only is refused, saying which is missing.
		run(t, admin, typeInto("#cat-new-en", "Facilities"), clickStill(t, "#cat-add"))
		waitJS(t, admin, "the Spanish name asked for", `!!document.getElementById("cat-add-error") && document.getElementById("cat-add-error").innerText.includes("name in Spanish")`, 20*time.Second)
		run(t, admin, typeInto("#cat-new-es", "Instalaciones"), typeInto("#cat-new", "Not A Slug!"), clickStill(t, "#cat-add"))
		waitJS(t, admin, "the slug refused inline", `!!document.getElementById("cat-add-error") && document.getElementById("cat-add-error").innerText.includes("not a valid slug")`, 20*time.Second)

		// Without a slug, it is made from the English name.
		run(t, admin, chromedp.Focus(chromedp.CSS("#cat-new"), chromedp.NodeVisible))
		for range "Not A Slug!" {
			run(t, admin, chromedp.KeyEvent(kb.Backspace))
		}
		run(t, admin, clickStill(t, "#cat-add"))
		waitJS(t, admin, "the new category", `!!document.getElementById("cat-facilities") && document.querySelector("#cat-facilities .cat-name").innerText === "Facilities" && document.getElementById("cat-name-facilities-es").value === "Instalaciones" && !document.getElementById("cat-add-error")`, 20*time.Second)
		run(t, admin, typeInto("#cat-newsub-facilities-en", "Heating"), typeInto("#cat-newsub-facilities-es", "Calefacción"),
			clickStill(t, "#cat-addsub-facilities"))
		waitJS(t, admin, "the new subcategory", `!!document.getElementById("sub-facilities-heating") && document.querySelector("#sub-facilities-heating .sub-name").innerText === "Heating"`, 20*time.Second)
		// Move it to the top: the order is the order lists show.
		// (One click at a time, as a person does: a click lands where the
		// button was drawn.)
		pos := `[...document.querySelectorAll("#cat-list > li.cat-row")].findIndex(li => li.id === "cat-facilities")`
		for want := 3; want >= 0; want-- {
			run(t, admin, clickStill(t, "#cat-facilities .cat-up"))
			waitJS(t, admin, "moved up", pos+` === `+strconv.Itoa(want), 20*time.Second)
		}
		shot(t, admin, "categories-admin")
		run(t, admin, clickStill(t, "#cat-save"))
		waitJS(t, admin, "saved and sent", `!!document.getElementById("cat-saved") && `+statusIs("online", 0), 20*time.Second)
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := storedCategories(t, srv.Store)
			if len(got) == 5 && got[0].Slug == "facilities" && got.HasSubcategory("facilities", "heating") &&
				got[0].Names.Own("es") == "Instalaciones" && got[0].Subcategories[0].Names.Own("es") == "Calefacción" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stored tree = %+v; want facilities first, with heating, both named", got)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("RequesterFilesInIt", func(t *testing.T) {
		waitJS(t, rita, "the new category offered by its name", `[...document.querySelectorAll("#ticket-category option")].some(o => o.value === "facilities" && o.innerText === "Facilities")`, 30*time.Second)
		run(t, rita,
			typeInto("#ticket-title", "Radiator in room 12 is cold"),
			typeInto("#ticket-description", "Since Monday."),
		)
		setInput(t, rita, "#ticket-category", "facilities", "change")
		waitJS(t, rita, "its subcategory offered", `[...document.querySelectorAll("#ticket-subcategory option")].some(o => o.value === "heating" && o.innerText === "Heating")`, 20*time.Second)
		setInput(t, rita, "#ticket-subcategory", "heating", "change")
		shot(t, rita, "categories-ticket-form")
		run(t, rita, clickStill(t, "#ticket-submit"))
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

	t.Run("NamesInBothLanguages", func(t *testing.T) {
		chip := `document.querySelector('.chips button[data-category="facilities"]')`
		for _, lang := range []struct{ code, cat, sub string }{{"en", "Facilities", "Heating"}, {"es", "Instalaciones", "Calefacción"}} {
			if eval[string](t, rita, `document.documentElement.lang`) != lang.code {
				run(t, rita, clickStill(t, "button.lang"))
				waitJS(t, rita, "language "+lang.code, `document.documentElement.lang === `+jsString(lang.code), 20*time.Second)
			}
			run(t, rita, chromedp.Navigate(base+"/"))
			waitJS(t, rita, "home chip "+lang.cat, appReady+` && !!`+chip+` && `+chip+`.innerText === `+jsString(lang.cat), 30*time.Second)
			// Nothing is filed in it yet: its page says so.
			run(t, rita, clickStill(t, `.chips button[data-category="facilities"]`))
			waitJS(t, rita, "the empty state", `!!document.getElementById("category-empty") && document.querySelector("#category-empty h2").innerText === `+jsString(lang.cat)+` && document.querySelector("#category-empty .empty").innerText.includes(`+jsString(lang.cat)+`)`, 20*time.Second)
			shot(t, rita, "categories-home-"+lang.code)
			run(t, rita, chromedp.Navigate(base+"/ticket/new"))
			waitJS(t, rita, "form option "+lang.cat, appReady+` && [...document.querySelectorAll("#ticket-category option")].some(o => o.value === "facilities" && o.innerText === `+jsString(lang.cat)+`)`, 30*time.Second)
		}
		run(t, rita, clickStill(t, "button.lang")) // back to English
		waitJS(t, rita, "English", `document.documentElement.lang === "en"`, 20*time.Second)
	})

	t.Run("NamesOnTheKiosk", func(t *testing.T) {
		// The admin enrolls a kiosk at a new site and names the site.
		run(t, admin, chromedp.Navigate(base+"/admin/kiosks"))
		waitJS(t, admin, "kiosk admin page", appReady+` && !!document.getElementById("kiosk-site")`, 30*time.Second)
		run(t, admin, typeInto("#kiosk-site", "madrid-hq"), typeInto("#kiosk-site-name-en", "Madrid HQ"), typeInto("#kiosk-site-name-es", "Sede de Madrid"),
			clickStill(t, "#kiosk-issue"))
		waitJS(t, admin, "a code", `!!document.getElementById("kiosk-code-value") && document.querySelector("#kiosk-issued p").innerText.includes("Madrid HQ")`, 20*time.Second)
		code := eval[string](t, admin, `document.getElementById("kiosk-code-value").innerText`)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var sites shared.SiteList
			_ = storedConfig(t, srv.Store, shared.ConfigSites, &sites)
			if sites.Name("es", "madrid-hq") == "Sede de Madrid" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stored sites = %+v; want madrid-hq named", sites)
			}
			time.Sleep(100 * time.Millisecond)
		}

		k := newBrowser(t)
		run(t, k, chromedp.Navigate(base+"/kiosk?idle=600"))
		waitJS(t, k, "enrollment form", appReady+` && !!document.getElementById("kiosk-code")`, 30*time.Second)
		run(t, k, typeInto("#kiosk-code", code), chromedp.KeyEvent("\r"))
		waitJS(t, k, "kiosk welcome", `!!document.getElementById("kiosk-checkin") && `+statusIs("online", 0), 30*time.Second)
		for _, lang := range []struct{ code, site, cat, sub string }{{"en", "Madrid HQ", "Facilities", "Heating"}, {"es", "Sede de Madrid", "Instalaciones", "Calefacción"}} {
			if eval[string](t, k, `document.documentElement.lang`) != lang.code {
				run(t, k, clickStill(t, "#kiosk-lang"))
				waitJS(t, k, "kiosk in "+lang.code, `document.documentElement.lang === `+jsString(lang.code), 20*time.Second)
			}
			waitJS(t, k, "the site's name", `!!document.querySelector(".kiosk-site") && document.querySelector(".kiosk-site").innerText.includes(`+jsString(lang.site)+`)`, 20*time.Second)
			run(t, k, clickStill(t, "#kiosk-checkin"))
			waitJS(t, k, "the category by name", `!!document.querySelector('label[for="reason-facilities"]') && document.querySelector('label[for="reason-facilities"]').innerText.includes(`+jsString(lang.cat)+`)`, 20*time.Second)
			run(t, k, clickStill(t, `label[for="reason-facilities"]`))
			waitJS(t, k, "the subcategory by name", `!!document.querySelector('label[for="sub-heating"]') && document.querySelector('label[for="sub-heating"]').innerText.includes(`+jsString(lang.sub)+`)`, 20*time.Second)
			shot(t, k, "categories-kiosk-"+lang.code)
			run(t, k, clickStill(t, "#kiosk-cancel"))
			waitJS(t, k, "welcome again", `!!document.getElementById("kiosk-checkin")`, 20*time.Second)
		}
		run(t, k, chromedp.Navigate(base+"/kiosk/board"))
		waitJS(t, k, "the board names the site", appReady+` && !!document.querySelector("h1") && document.querySelector("h1").innerText.includes("Sede de Madrid")`, 20*time.Second)
	})

	t.Run("RemovingACategoryInUseWarns", func(t *testing.T) {
		run(t, admin, chromedp.Navigate(base+"/admin/categories"))
		waitJS(t, admin, "the tree", appReady+` && !!document.getElementById("cat-facilities")`, 30*time.Second)
		waitJS(t, admin, "the ticket synced", `!!document.querySelector("#cat-facilities .cat-head .muted")`, 30*time.Second)
		run(t, admin, clickStill(t, "#cat-facilities .cat-remove"))
		waitJS(t, admin, "the warning", `!document.getElementById("cat-facilities") && !!document.getElementById("cat-warnings") && document.getElementById("cat-warnings").innerText.includes("Facilities is still used by 1 ")`, 20*time.Second)
		shot(t, admin, "categories-remove-warning")
	})
}
