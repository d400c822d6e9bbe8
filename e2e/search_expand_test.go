package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestWordExpansions: on /kb/synonyms an admin types "radios" (a word no
// article uses) into "What does a word expand to?" and sees the related
// words the device's synced table adds to it, with their weights; the
// search finds the Wi-Fi pages through them. The admin blocks each with
// its button; after sync the server rebuilds the table without them, the
// view no longer lists them, and "radios" no longer finds the Wi-Fi pages.
func TestWordExpansions(t *testing.T) {
	srv, base, admin := adminOnServer(t)

	wifiFound := `[...document.querySelectorAll("#search-results li a")].some(a => a.dataset.id === "wifi-connect" || a.dataset.id === "wifi-slow")`
	search := func() bool {
		t.Helper()
		run(t, admin, chromedp.Navigate(base+"/?q=radios"))
		waitJS(t, admin, "searching from the URL", appReady+` && `+statusIs("online", 0)+` && !!document.getElementById("search-results")`, 30*time.Second)
		return eval[bool](t, admin, wifiFound)
	}
	open := func() {
		t.Helper()
		run(t, admin, chromedp.Navigate(base+"/kb/synonyms"))
		waitJS(t, admin, "the expansion field", appReady+` && !!document.getElementById("expand-word") && !!document.getElementById("blocks-en")`, 30*time.Second)
		run(t, admin, typeInto("#expand-word", "radios"))
	}

	// The server builds the table a moment after it starts; the view
	// shows it once it reached the device.
	open()
	waitJS(t, admin, "radios expands to wireless and airplane", `!!document.getElementById("expand-block-radio-wireless") && !!document.getElementById("expand-block-radio-airplan")`, 45*time.Second)
	text := eval[string](t, admin, `document.getElementById("expand-results").innerText`)
	for _, want := range []string{"radio", "in no page as typed", "Related word wireless, weight 0.35", "Related word airplan, weight 0.35"} {
		if !strings.Contains(text, want) {
			t.Errorf("expansions of radios read %q; want %q in them", text, want)
		}
	}
	shot(t, admin, "expand-radios")
	if !search() {
		t.Fatal("radios did not find the Wi-Fi pages through its related words")
	}

	// Block both, with their buttons.
	open()
	waitJS(t, admin, "the expansions again", `!!document.getElementById("expand-block-radio-wireless")`, 10*time.Second)
	for _, term := range []string{"wireless", "airplan"} {
		run(t, admin, clickStill(t, "#expand-block-radio-"+term))
		waitJS(t, admin, "blocked "+term, `document.getElementById("expand-block-radio-`+term+`").textContent === "Unblock" && document.getElementById("expand-block-radio-`+term+`").closest("li").innerText.includes("Blocked")`, 10*time.Second)
	}
	waitJS(t, admin, "saved and sent", `!!document.getElementById("blocks-saved") && `+statusIs("online", 0), 30*time.Second)
	if got := eval[string](t, admin, `document.getElementById("blocks-en").value`); got != "radios > wireless\nradios > airplan\n" {
		t.Errorf("blocked pairs text %q; want both pairs, one a line", got)
	}
	if stored, err := storedBlocks(srv.Store); err != nil || !slices.Equal(stored["en"].Related, [][2]string{{"radios", "wireless"}, {"radios", "airplan"}}) {
		t.Fatalf("stored blocks = %+v, %v; want radios > wireless and radios > airplan", stored, err)
	}

	// The server rebuilds the table without them; the device pulls it.
	waitJS(t, admin, "the blocked words leave the view", `!document.getElementById("expand-block-radio-wireless") && !document.getElementById("expand-block-radio-airplan") && document.getElementById("expand-results").innerText.includes("radio")`, 45*time.Second)
	if search() {
		t.Error("radios still finds the Wi-Fi pages after both related words were blocked")
	}
}

// storedBlocks reads the search blocks a server stores.
func storedBlocks(s store.Store) (shared.SearchBlocks, error) {
	var stored shared.SearchBlocks
	err := s.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeConfig, shared.ConfigSearchBlocks)
		if err != nil {
			return err
		}
		return json.Unmarshal(data, &stored)
	})
	return stored, err
}
