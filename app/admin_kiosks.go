package app

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

func init() {
	featureRoutes = append(featureRoutes, func() {
		app.Route("/admin/kiosks", app.NewZeroComponentFactory(&adminKiosks{}))
	})
}

// adminKiosks lists the enrolled kiosks, issues one-time enrollment codes
// for a site (valid a day) and revokes kiosks. Issuing and revoking need
// the network; the list is the replica's.
type adminKiosks struct {
	page
	kiosks []shared.KioskDevice
	loaded bool
	site   string
	busy   bool
	errMsg string
	issued struct {
		Code, Site string
		ExpiresAt  int64
	}
	notice string
}

func (a *adminKiosks) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(a.lang, "kiosk.admin_title") + " · " + t(a.lang, "app.name"))
}

func (a *adminKiosks) OnMount(ctx app.Context) { a.mountPage(ctx, a.load) }

func (a *adminKiosks) load(ctx app.Context) {
	ctx.Page().SetTitle(t(a.lang, "kiosk.admin_title") + " · " + t(a.lang, "app.name"))
	ctx.Async(func() {
		ks, err := client.kioskDevices()
		ctx.Dispatch(func(ctx app.Context) {
			a.kiosks, a.loaded = ks, true
			if err != nil {
				a.errMsg = storageErrText(a.lang, err)
			}
		})
	})
}

func isAdmin() bool { return me != nil && me.Role == shared.RoleAdmin }

// post calls the kiosk API and hands the answer to done on the UI goroutine.
func (a *adminKiosks) post(ctx app.Context, path string, req any, done func(app.Context, []byte)) {
	if client == nil || client.Post == nil || a.busy {
		return
	}
	body, _ := json.Marshal(req)
	lang := a.lang
	a.busy, a.errMsg, a.notice = true, "", ""
	ctx.Async(func() {
		status, resp, err := client.Post(path, body, lang)
		ctx.Dispatch(func(ctx app.Context) {
			a.busy = false
			if err != nil || status != 200 {
				a.errMsg = errorFrom(lang, status, resp, err)
				return
			}
			done(ctx, resp)
		})
	})
}

func (a *adminKiosks) issue(ctx app.Context, e app.Event) {
	site := strings.TrimSpace(a.site)
	if !shared.ValidSlug(site) {
		a.errMsg = t(a.lang, "role.bad_site", site)
		return
	}
	a.post(ctx, "/api/kiosk/codes", map[string]string{"site": site}, func(ctx app.Context, resp []byte) {
		json.Unmarshal(resp, &a.issued)
	})
}

func (a *adminKiosks) revoke(id string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		a.post(ctx, "/api/kiosk/revoke", map[string]string{"kiosk_id": id}, func(ctx app.Context, resp []byte) {
			a.notice = t(a.lang, "kiosk.revoked_done")
			client.Engine.Kick()
		})
	}
}

func (a *adminKiosks) Render() app.UI {
	l := a.lang
	if client != nil && !isAdmin() {
		return a.frame(
			app.H1().Text(t(l, "kiosk.admin_title")),
			app.P().Class("notice").Text(t(l, "kiosk.admin_only")),
			app.A().Class("button").Href("/signin?next=/admin/kiosks").Text(t(l, "nav.signin")),
		)
	}
	return a.frame(
		app.H1().Text(t(l, "kiosk.admin_title")),
		app.P().Class("muted").Text(t(l, "kiosk.admin_intro")),
		app.Form().ID("kiosk-issue-form").Class("form").Attr("onsubmit", noNativeSubmit).OnSubmit(a.issue).Body(
			app.Label().For("kiosk-site").Text(t(l, "kiosk.site")),
			app.Input().ID("kiosk-site").Type("text").Required(true).Attr("pattern", "[a-z0-9-]{1,64}").
				Attr("list", "kiosk-sites").
				OnInput(func(ctx app.Context, e app.Event) { a.site = ctx.JSSrc().Get("value").String() }),
			app.DataList().ID("kiosk-sites").Body(app.Range(a.kiosks).Slice(func(i int) app.UI {
				return app.Option().Value(a.kiosks[i].Site)
			})),
			app.Div().Class("actions").Body(
				app.Button().ID("kiosk-issue").Type("submit").Disabled(a.busy).Text(t(l, "kiosk.issue")),
			),
		),
		app.If(a.errMsg != "", func() app.UI {
			return app.P().ID("kiosk-admin-error").Class("error").Attr("role", "alert").Text(a.errMsg)
		}),
		app.If(a.notice != "", func() app.UI {
			return app.P().ID("kiosk-admin-notice").Class("notice").Aria("live", "polite").Text(a.notice)
		}),
		app.If(a.issued.Code != "", func() app.UI {
			return app.Div().ID("kiosk-issued").Class("card").Aria("live", "polite").Body(
				app.P().Text(t(l, "kiosk.code_for", a.issued.Site)),
				app.P().ID("kiosk-code-value").Class("kiosk-number").Text(a.issued.Code),
				app.P().Class("muted").Text(t(l, "kiosk.code_expires", time.UnixMilli(a.issued.ExpiresAt).Format("2006-01-02 15:04"))),
			)
		}),
		app.H2().Text(t(l, "kiosk.enrolled")),
		app.If(a.loaded && len(a.kiosks) == 0, func() app.UI {
			return app.P().Class("empty").Text(t(l, "kiosk.none"))
		}),
		app.If(len(a.kiosks) > 0, func() app.UI {
			return app.Table().ID("kiosk-list").Class("queue").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text(t(l, "kiosk.site")), app.Th().Scope("col").Text(t(l, "kiosk.letter")),
					app.Th().Scope("col").Text(t(l, "kiosk.enrolled_at")), app.Th().Scope("col").Text(t(l, "agent.status")),
					app.Th().Scope("col").Text(t(l, "desk.actions")),
				)),
				app.TBody().Body(app.Range(a.kiosks).Slice(func(i int) app.UI {
					k := a.kiosks[i]
					state := t(l, "kiosk.active")
					if k.RevokedAt != 0 {
						state = t(l, "kiosk.revoked_state")
					}
					return app.Tr().DataSet("id", k.ID).DataSet("letter", k.Letter).DataSet("revoked", k.RevokedAt != 0).Body(
						app.Td().Text(k.Site),
						app.Td().Body(app.Strong().Text(k.Letter)),
						app.Td().Text(time.UnixMilli(k.EnrolledAt).Format("2006-01-02 15:04")),
						app.Td().Text(state),
						app.Td().Body(app.If(k.RevokedAt == 0, func() app.UI {
							return app.Button().Type("button").Class("small secondary revoke").Disabled(a.busy).
								Aria("label", t(l, "kiosk.revoke_label", k.Letter, k.Site)).Text(t(l, "kiosk.revoke")).
								OnClick(a.revoke(k.ID), app.EventScope(k.ID))
						})),
					)
				})),
			)
		}),
	)
}
