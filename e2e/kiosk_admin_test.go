package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"outpost/shared/i18n"
	"outpost/shared/sla"
)

// TestKioskCodeExpiry is issue 16's third item: the site field says what
// it wants before and while it is typed (and offers the slug of what was
// typed), and the code it issues says until when it is valid: a time in
// the future, not 1970.
func TestKioskCodeExpiry(t *testing.T) {
	_, base, admin := adminOnServer(t)
	run(t, admin, chromedp.Navigate(base+"/admin/kiosks"))
	waitJS(t, admin, "kiosk admin page", appReady+` && !!document.getElementById("kiosk-site")`, 30*time.Second)
	if hint := eval[string](t, admin, `document.getElementById("kiosk-site-hint").innerText`); hint == "" {
		t.Errorf("no hint beside the site field before typing")
	}

	run(t, admin, typeInto("#kiosk-site", "Madrid HQ"))
	waitJS(t, admin, "the problem said while typing", `document.getElementById("kiosk-site-problem").innerText.includes("lower-case letters, digits and hyphens") &&
		document.getElementById("kiosk-issue").disabled && document.getElementById("kiosk-site").getAttribute("aria-invalid") === "true"`, 20*time.Second)
	shot(t, admin, "kiosk-site-typing")
	run(t, admin, clickStill(t, "#kiosk-site-fix"))
	waitJS(t, admin, "the slug taken", `document.getElementById("kiosk-site").value === "madrid-hq" && document.getElementById("kiosk-site-problem").innerText === "" && !document.getElementById("kiosk-issue").disabled`, 20*time.Second)

	before := time.Now()
	run(t, admin, clickStill(t, "#kiosk-issue"))
	waitJS(t, admin, "a code and its expiry", `!!document.getElementById("kiosk-code-expires")`, 20*time.Second)
	shot(t, admin, "kiosk-code-expiry")
	exp, err := strconv.ParseInt(eval[string](t, admin, `document.getElementById("kiosk-code-expires").dataset.expires`), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if at := time.UnixMilli(exp); !at.After(before.Add(23*time.Hour)) || at.After(time.Now().Add(25*time.Hour)) {
		t.Errorf("code expires at %v; want about a day from %v", at, before)
	}
	// Named in the site calendar's zone, as due times are: "Tue 14:03 CET".
	loc, err := time.LoadLocation(sla.DefaultZone)
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(exp).In(loc)
	days := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	want := i18n.T("en", "sla.weekday."+days[at.Weekday()]) + " " + at.Format("15:04")
	if text := eval[string](t, admin, `document.getElementById("kiosk-code-expires").innerText`); !strings.Contains(text, want) || strings.Contains(text, "1970") {
		t.Errorf("expiry reads %q; want it to name %q", text, want)
	}
	if in := eval[string](t, admin, `document.getElementById("kiosk-issued").innerText`); !strings.Contains(in, "madrid-hq") {
		t.Errorf("issued card = %q; want the site madrid-hq", in)
	}
}
