package app

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// signinPage signs the device in, or says who it is signed in as and signs
// it out. Signing in needs the network; everything after works offline.
type signinPage struct {
	page
	email, password string
	busy            bool
	errMsg          string
	pending         int
}

func (s *signinPage) OnPreRender(ctx app.Context) {
	s.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(s.lang, "signin.title") + " · " + t(s.lang, "app.name"))
}

func (s *signinPage) OnMount(ctx app.Context) { s.mountPage(ctx, s.load) }

func (s *signinPage) load(ctx app.Context) {
	ctx.Page().SetTitle(t(s.lang, "signin.title") + " · " + t(s.lang, "app.name"))
	s.pending = s.status.Pending
}

// next is where to go after signing in: ?next= if it is a local path.
func (c *Client) next(ctx app.Context) string {
	n := ctx.Page().URL().Query().Get("next")
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") {
		if c.isStaff() {
			return "/agent"
		}
		return "/tickets"
	}
	return n
}

func (s *signinPage) submit(ctx app.Context, e app.Event) {
	if s.busy || s.client.prerendering() || s.client.Post == nil {
		return
	}
	if strings.TrimSpace(s.email) == "" || s.password == "" {
		s.errMsg = t(s.lang, "auth.bad_request")
		return
	}
	body, _ := json.Marshal(map[string]string{"email": s.email, "password": s.password})
	lang := s.lang
	s.busy, s.errMsg = true, ""
	ctx.Async(func() {
		status, resp, err := s.client.Post("/api/login", body, lang)
		var out struct{ Identity shared.Identity }
		ok := err == nil && status == 200 && json.Unmarshal(resp, &out) == nil && out.Identity.UserID != ""
		var switchErr error
		if ok {
			switchErr = s.client.signedIn(out.Identity)
		}
		ctx.Dispatch(func(ctx app.Context) {
			s.busy = false
			switch {
			case !ok:
				s.errMsg = errorFrom(lang, status, resp, err)
			case switchErr != nil:
				s.errMsg = errorText(lang, switchErr)
			default:
				s.password = ""
				ctx.LocalStorage().Set(identityKey, out.Identity)
				s.client.setMe(&out.Identity)
				ctx.Navigate(s.client.next(ctx))
			}
		})
	})
}

func (s *signinPage) signOut(ctx app.Context, e app.Event) {
	if s.client.prerendering() || s.client.Post == nil || s.busy {
		return
	}
	lang := s.lang
	s.busy, s.errMsg = true, ""
	ctx.Async(func() {
		status, resp, err := s.client.Post("/api/logout", nil, lang)
		ok := err == nil && status == 204
		var outErr error
		if ok {
			outErr = s.client.signedOut()
		}
		ctx.Dispatch(func(ctx app.Context) {
			s.busy = false
			switch {
			case !ok:
				s.errMsg = errorFrom(lang, status, resp, err)
			case outErr != nil:
				s.errMsg = errorText(lang, outErr)
			default:
				ctx.LocalStorage().Del(identityKey)
				s.client.setMe(nil)
				ctx.Navigate("/")
			}
		})
	})
}

func (s *signinPage) Render() app.UI {
	me := s.client.me() // read once: another tab may sign out meanwhile
	l := s.lang
	if me != nil && s.status.SignIn == "" {
		return s.frame(
			app.H1().Text(t(l, "signin.signed_in_title")),
			app.P().ID("signed-in-as").Text(t(l, "signin.signed_in_as", me.Name, me.Email, t(l, "role."+me.Role))),
			app.P().Body(app.A().ID("signin-account").Href("/account").Text(t(l, "account.devices_title"))), // password and devices: account.go
			app.If(s.status.Pending > 0, func() app.UI {
				return app.P().Class("error").Text(t(l, "signin.pending_signout", s.status.Pending))
			}),
			app.If(s.errMsg != "", func() app.UI { return app.P().ID("signin-error").Class("error").Attr("role", "alert").Text(s.errMsg) }),
			app.Button().ID("signout").Type("button").Disabled(s.busy || s.status.Pending > 0).Text(t(l, "signin.signout")).OnClick(s.signOut),
		)
	}
	return s.frame(
		app.H1().Text(t(l, "signin.title")),
		app.If(s.status.SignIn != "" && me != nil, func() app.UI {
			return app.P().Class("notice").Text(t(l, s.status.SignIn) + " " + t(l, "signin.again", me.Email))
		}).Else(func() app.UI {
			return app.P().Class("muted").Text(t(l, "signin.intro"))
		}),
		app.Form().ID("signin-form").Class("form").Attr("onsubmit", noNativeSubmit).OnSubmit(s.submit).Body(
			app.Label().For("signin-email").Text(t(l, "signin.email")),
			app.Input().ID("signin-email").Type("email").Name("email").AutoComplete(true).Attr("autocomplete", "username").
				Required(true).
				OnInput(func(ctx app.Context, e app.Event) { s.email = ctx.JSSrc().Get("value").String() }),
			app.Label().For("signin-password").Text(t(l, "signin.password")),
			app.Input().ID("signin-password").Type("password").Name("password").Attr("autocomplete", "current-password").
				Required(true).
				OnInput(func(ctx app.Context, e app.Event) { s.password = ctx.JSSrc().Get("value").String() }),
			app.If(s.errMsg != "", func() app.UI {
				return app.P().ID("signin-error").Class("error").Attr("role", "alert").Text(s.errMsg)
			}),
			app.If(!s.status.Online && !s.client.prerendering(), func() app.UI {
				return app.P().Class("muted").Text(t(l, "signin.needs_network"))
			}),
			app.Div().Class("actions").Body(
				app.Button().ID("signin-submit").Type("submit").Disabled(s.busy).Text(t(l, "signin.submit")),
			),
		),
	)
}
