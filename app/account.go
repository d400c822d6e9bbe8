package app

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// minPassword is the server's rule for a password (auth.MinPassword),
// said beside the field so nobody learns it from a refusal.
const minPassword = 10

// accountDevice is one signed-in session as /api/account/devices lists it.
type accountDevice struct {
	ID        string `json:"id"`
	Current   bool   `json:"current"`
	Label     string `json:"label"`
	CreatedAt int64  `json:"created_at"`
	LastSeen  int64  `json:"last_seen"`
}

// accountPage lets a signed-in user change their password and sign out
// their other devices, and lists where they are signed in. Every action
// needs the network; the server checks the current password with the
// sign-in limits and closes the other devices' connections.
type accountPage struct {
	page
	mount                  app.Context // the page's context: results outlive the button that asked
	current, next, confirm string
	busy                   bool
	pwErr, pwOK            string
	devices                []accountDevice
	loaded                 bool
	devErr, devOK          string
}

func (a *accountPage) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(a.lang, "account.title") + " · " + t(a.lang, "app.name"))
}

func (a *accountPage) OnMount(ctx app.Context) {
	a.mount = ctx
	a.mountPage(ctx, func(ctx app.Context) {
		ctx.Page().SetTitle(t(a.lang, "account.title") + " · " + t(a.lang, "app.name"))
	})
	a.loadDevices()
}

// call posts body to an account endpoint and hands the answer, or the
// error in words, to done on the page's context.
func (a *accountPage) call(path string, body []byte, done func(ctx app.Context, resp []byte, errMsg string)) {
	if a.client.prerendering() || a.client.Post == nil {
		return
	}
	lang, ctx := a.lang, a.mount
	ctx.Async(func() {
		status, resp, err := a.client.Post(path, body, lang)
		errMsg := ""
		if err != nil || status/100 != 2 {
			errMsg = errorFrom(lang, status, resp, err)
		}
		ctx.Dispatch(func(ctx app.Context) { done(ctx, resp, errMsg) })
	})
}

func (a *accountPage) loadDevices() {
	if a.client.me() == nil {
		return
	}
	a.call("/api/account/devices", nil, func(ctx app.Context, resp []byte, errMsg string) {
		var out struct{ Devices []accountDevice }
		if errMsg == "" && json.Unmarshal(resp, &out) == nil {
			a.devices = out.Devices
		}
		a.loaded, a.devErr = true, errMsg
	})
}

func (a *accountPage) changePassword(ctx app.Context, e app.Event) {
	if a.busy {
		return
	}
	a.pwOK = ""
	switch {
	case a.current == "" || a.next == "":
		a.pwErr = t(a.lang, "account.empty")
		return
	case a.next != a.confirm:
		a.pwErr = t(a.lang, "account.mismatch")
		return
	}
	body, _ := json.Marshal(map[string]string{"current": a.current, "new": a.next})
	a.busy, a.pwErr = true, ""
	a.call("/api/account/password", body, func(ctx app.Context, _ []byte, errMsg string) {
		a.busy, a.pwErr = false, errMsg
		if errMsg != "" {
			// A wrong current password is typed again: clear it, keep the new one.
			a.current = ""
			clearField("account-current")
			return
		}
		a.current, a.next, a.confirm = "", "", ""
		for _, id := range []string{"account-current", "account-new", "account-confirm"} {
			clearField(id)
		}
		a.pwOK, a.devOK = t(a.lang, "account.changed"), ""
		a.loadDevices()
	})
}

func (a *accountPage) signOutOthers(ctx app.Context, e app.Event) {
	if a.busy {
		return
	}
	a.busy, a.devErr, a.devOK = true, "", ""
	a.call("/api/account/signout-others", nil, func(ctx app.Context, _ []byte, errMsg string) {
		a.busy, a.devErr = false, errMsg
		if errMsg == "" {
			a.devOK = t(a.lang, "account.signed_out_others")
			a.loadDevices()
		}
	})
}

func (a *accountPage) others() int {
	n := 0
	for _, d := range a.devices {
		if !d.Current {
			n++
		}
	}
	return n
}

func (a *accountPage) Render() app.UI {
	me := a.client.me() // read once: another tab may sign out meanwhile
	l := a.lang
	if me == nil {
		return a.frame(
			app.H1().Text(t(l, "account.title")),
			app.P().ID("account-signed-out").Text(t(l, "account.signed_out")),
			app.A().Class("button").Href("/signin?next=/account").Text(t(l, "nav.signin")),
		)
	}
	field := func(id, label, autocomplete string, set func(string)) []app.UI {
		return []app.UI{
			app.Label().For(id).Text(label),
			app.Input().ID(id).Type("password").Attr("autocomplete", autocomplete).Required(true).
				OnInput(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("value").String()) }),
		}
	}
	form := []app.UI{}
	form = append(form, field("account-current", t(l, "account.current"), "current-password", func(v string) { a.current = v })...)
	form = append(form, field("account-new", t(l, "account.new"), "new-password", func(v string) { a.next = v })...)
	form = append(form, app.P().Class("muted").Text(t(l, "account.new_hint", minPassword)))
	form = append(form, field("account-confirm", t(l, "account.confirm"), "new-password", func(v string) { a.confirm = v })...)
	form = append(form,
		app.Div().Class("notices").Body(
			app.If(a.pwErr != "", func() app.UI {
				return app.P().ID("account-password-error").Class("error").Attr("role", "alert").Text(a.pwErr)
			}),
			app.If(a.pwOK != "", func() app.UI {
				return app.P().ID("account-password-ok").Class("notice").Aria("live", "polite").Text(a.pwOK)
			}),
		),
		app.Div().Class("actions").Body(
			app.Button().ID("account-change").Type("submit").Disabled(a.busy).Text(t(l, "account.change")),
		),
	)
	return a.frame(
		app.H1().Text(t(l, "account.title")),
		app.P().ID("account-who").Class("muted").Text(t(l, "account.intro", or(me.Name, me.Email), me.Email)),
		app.Div().Class("notices").Body(
			app.If(!a.status.Online && !a.client.prerendering(), func() app.UI {
				return app.P().ID("account-offline").Class("notice").Text(t(l, "account.needs_network"))
			}),
		),
		app.H2().Text(t(l, "account.password_title")),
		app.Form().ID("account-password").Class("form").Attr("onsubmit", noNativeSubmit).OnSubmit(a.changePassword).Body(form...),
		app.H2().Text(t(l, "account.devices_title")),
		app.P().Class("muted").Text(t(l, "account.devices_intro")),
		app.Div().ID("account-devices-box").Body(
			app.If(!a.loaded, func() app.UI { return app.P().Class("muted").Text(t(l, "account.loading")) }),
			app.Ul().ID("account-devices").Body(
				app.Range(a.devices).Slice(func(i int) app.UI {
					d := a.devices[i]
					return app.Li().Class("device").DataSet("current", d.Current).Body(
						app.Strong().Text(or(d.Label, t(l, "account.unknown_device"))),
						app.Text(" "),
						app.If(d.Current, func() app.UI { return app.Span().Class("badge").Text(t(l, "account.this_device")) }),
						app.Br(),
						app.Span().Class("muted").Text(t(l, "account.since", when(d.CreatedAt))+", "+t(l, "account.last_seen", when(d.LastSeen))),
					)
				}),
			),
			app.If(a.loaded && a.devErr == "" && a.others() == 0, func() app.UI {
				return app.P().ID("account-no-others").Class("muted").Text(t(l, "account.no_others"))
			}),
			app.If(a.devErr != "", func() app.UI {
				return app.P().ID("account-devices-error").Class("error").Attr("role", "alert").Text(a.devErr)
			}),
			app.If(a.devOK != "", func() app.UI {
				return app.P().ID("account-devices-ok").Class("notice").Aria("live", "polite").Text(a.devOK)
			}),
		),
		app.Div().Class("actions").Body(
			app.Button().ID("account-signout-others").Type("button").Disabled(a.busy || a.others() == 0).
				Text(t(l, "account.signout_others")).OnClick(a.signOutOthers),
		),
	)
}
