package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/shared"
)

// signInWith signs the browser in through the sign-in page with pw.
func signInWith(t *testing.T, ctx context.Context, base, email, pw string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(base+"/signin"))
	waitJS(t, ctx, "sign-in form", appReady+` && !!document.getElementById("signin-email")`, 30*time.Second)
	// Enter in the password field, as most people send a sign-in form: on
	// a first visit the page redraws while it syncs, and a key press does
	// not depend on where the button is drawn at that moment.
	run(t, ctx,
		typeInto("#signin-email", email),
		typeInto("#signin-password", pw),
		chromedp.KeyEvent(kb.Enter),
	)
	waitJS(t, ctx, "signed in as "+email, `!!document.getElementById("nav-account") && document.getElementById("nav-account").title === `+jsString(email), 20*time.Second)
}

// textOf is a JavaScript expression: the text of the element with id, "" if none.
func textOf(id string) string {
	return `((document.getElementById(` + jsString(id) + `) || {}).textContent || "")`
}

// TestAccountPage: a user opens "Your account" from the menu, sees where
// they are signed in, mistypes the current password (told so in words),
// changes it, and the phone signed in elsewhere is asked to sign in again
// at once while this browser stays signed in; signed in again on the
// phone, "Sign out other devices" signs it out again.
func TestAccountPage(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	addAccount(t, srv, "field@example.com", "Fatima Field", shared.RoleRequester, 0)
	const newPassword = "purple staple orbit"

	laptop, phone := newBrowser(t), newBrowser(t)
	signInUI(t, phone, base, "field@example.com")
	waitJS(t, phone, "phone synced", statusIs("online", 0), 30*time.Second)
	signInUI(t, laptop, base, "field@example.com")
	waitJS(t, laptop, "laptop synced", statusIs("online", 0), 30*time.Second)

	run(t, laptop, clickStill(t, "#nav-account-page"))
	waitJS(t, laptop, "two devices listed", `document.querySelectorAll("#account-devices li").length === 2 && document.querySelectorAll('#account-devices li[data-current="true"]').length === 1`, 20*time.Second)

	run(t, laptop,
		typeInto("#account-current", "not my password"),
		typeInto("#account-new", newPassword),
		typeInto("#account-confirm", newPassword),
		clickStill(t, "#account-change"),
	)
	waitJS(t, laptop, "wrong current password said in words", textOf("account-password-error")+` === `+say("en", "auth.wrong_password"), 20*time.Second)
	if v := eval[string](t, laptop, `document.getElementById("account-current").value`); v != "" {
		t.Errorf("the wrong current password stays in its field: %q", v)
	}
	run(t, laptop,
		typeInto("#account-current", password),
		clickStill(t, "#account-change"),
	)
	waitJS(t, laptop, "password changed", textOf("account-password-ok")+` === `+say("en", "account.changed"), 20*time.Second)
	waitJS(t, phone, "the phone asked to sign in again", `!!document.getElementById("signin-needed")`, 30*time.Second)
	waitJS(t, laptop, "only this device listed", `document.querySelectorAll("#account-devices li").length === 1 && !!document.getElementById("account-no-others")`, 20*time.Second)
	if disabled := eval[bool](t, laptop, `document.getElementById("account-signout-others").disabled`); !disabled {
		t.Error("Sign out other devices is enabled with no other device")
	}
	if eval[bool](t, laptop, `!!document.getElementById("signin-needed")`) {
		t.Error("the laptop that changed the password was signed out")
	}

	// The phone signs in with the new password; the laptop signs it out.
	signInWith(t, phone, base, "field@example.com", newPassword)
	waitJS(t, phone, "phone synced again", statusIs("online", 0), 30*time.Second)
	run(t, laptop, chromedp.Reload())
	waitJS(t, laptop, "the phone listed again", `document.querySelectorAll("#account-devices li").length === 2 && !document.getElementById("account-signout-others").disabled`, 30*time.Second)
	run(t, laptop, clickStill(t, "#account-signout-others"))
	waitJS(t, laptop, "others signed out", textOf("account-devices-ok")+` === `+say("en", "account.signed_out_others"), 20*time.Second)
	shot(t, laptop, "account-page")
	waitJS(t, phone, "the phone asked to sign in again", `!!document.getElementById("signin-needed")`, 30*time.Second)
	waitJS(t, laptop, "laptop still synced", statusIs("online", 0), 30*time.Second)
}
