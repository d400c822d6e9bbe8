package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/engine"
	"outpost/shared"
	"outpost/shared/i18n"
)

// page is embedded by every page component: it tracks the UI language and
// the sync status, and draws the header around the page's content.
type page struct {
	app.Compo
	client *Client // the replica, the engine and who is signed in (routes.go)
	lang   string
	status engine.Status
	update bool // a new app version is ready
	cancel func()
	reload func(app.Context)
}

// mountPage starts tracking language and status; reload is called (through
// ctx.Dispatch) whenever the replica changes or the language switches.
func (p *page) mountPage(ctx app.Context, reload func(app.Context)) {
	p.lang = p.client.pageLang(ctx)
	p.reload = reload
	p.client.watchKiosk(ctx) // kiosk_frame.go: the idle timer of a kiosk device
	if p.client.prerendering() {
		return
	}
	p.client.watchRefusals(ctx.LocalStorage()) // refusals.go
	p.status = p.client.Engine.Status()
	changes := p.status.Changes
	p.cancel = p.client.Engine.Subscribe(func() {
		ctx.Dispatch(func(ctx app.Context) {
			p.status = p.client.Engine.Status()
			if p.status.Changes != changes {
				changes = p.status.Changes
				reload(ctx)
				// The category tree may have changed with the replica: put
				// it in use (admin_categories.go), and draw the page again
				// if it did.
				ctx.Async(func() {
					if p.client.refreshCategories() {
						ctx.Dispatch(reload)
					}
				})
			}
		})
	})
	reload(ctx)
}

func (p *page) OnDismount() {
	if p.cancel != nil {
		p.cancel()
	}
}

func (p *page) OnAppUpdate(ctx app.Context) {
	// On a first visit there is no older version: go-app reports the
	// service worker's first activation as an update (clients.claim gives
	// the page a controller), which must not ask the user to reload.
	p.update = ctx.AppUpdateAvailable() && p.client.workerAtLoad
}

// prerenderLang picks the language of a prerendered page: ?lang= if given.
func prerenderLang(ctx app.Context) string {
	if l := ctx.Page().URL().Query().Get("lang"); l == "es" || l == "en" {
		return l
	}
	return i18n.Default
}

// uiLang is the UI language in the browser, once known ("" before).
func (c *Client) uiLang() string {
	if l := c.lang.Load(); l != nil {
		return *l
	}
	return ""
}

// setUILang records the UI language ("": not known, ask again).
func (c *Client) setUILang(l string) { c.lang.Store(&l) }

// pageLang returns the language the user chose, or the browser's.
func (c *Client) pageLang(ctx app.Context) string {
	if c.prerendering() {
		return prerenderLang(ctx)
	}
	if c.uiLang() != "" {
		return c.uiLang()
	}
	var l string
	ctx.LocalStorage().Get(langKey, &l)
	if l != "es" && l != "en" {
		nav := app.Window().Get("navigator")
		var prefs []string
		if langs := nav.Get("languages"); langs.Truthy() {
			for i := 0; i < langs.Length(); i++ {
				prefs = append(prefs, langs.Index(i).String())
			}
		}
		l = i18n.Match(prefs...)
	}
	c.setUILang(l)
	ctx.Page().SetLang(l)
	return l
}

// setLang switches the UI language, remembers it on this device, and
// redraws the page (only the routed page is mounted).
func (p *page) setLang(ctx app.Context, l string) {
	p.client.setUILang(l)
	ctx.LocalStorage().Set(langKey, l)
	ctx.Page().SetLang(l)
	p.lang = l
	if p.reload != nil {
		p.reload(ctx)
	}
}

// otherLang is the language the switch in the header offers.
func otherLang(l string) string {
	if l == "es" {
		return "en"
	}
	return "es"
}

// frame draws the header, the status bar and the page content.
func (p *page) frame(content ...app.UI) app.UI {
	me := p.client.me() // read once: another tab may sign out meanwhile
	if p.client.isKiosk() {
		return p.kioskFrame(content...) // kiosk_frame.go: no portal navigation on a kiosk
	}
	l := p.lang
	other := otherLang(l)
	return app.Div().Class("shell").Body(
		app.Header().Class("top").Body(
			app.A().Class("brand").Href("/").Body(
				app.Img().Src("/web/icon.svg").Alt("").Attr("role", "presentation").Width(28).Height(28), // go-app drops an empty alt
				app.Span().Text(t(l, "app.name")),
			),
			app.Nav().Body(
				app.A().Href("/").Text(t(l, "nav.home")),
				app.A().ID("nav-troubleshoot").Href("/troubleshoot").Text(t(l, "troubleshoot.nav")),
				app.A().ID("nav-tickets").Href("/tickets").Body(
					app.Text(t(l, "nav.tickets")),
					app.If(p.client.news.count.Load() > 0, func() app.UI {
						return app.Span().ID("unread").Class("count").Title(t(l, "notify.unread", p.client.news.count.Load())).Text(p.client.news.count.Load())
					}),
				),
				app.If(me != nil, func() app.UI {
					return app.A().ID("nav-account").Href("/signin").Title(me.Email).Text(or(me.Name, me.Email))
				}).ElseIf(!p.client.prerendering(), func() app.UI {
					return app.A().ID("nav-signin").Href("/signin").Text(t(l, "nav.signin"))
				}),
				app.A().Class("button small").Href("/ticket/new").Text(t(l, "nav.new_ticket")),
				// go-app keeps a handler across renders unless its scope
				// changes: decide the language at click time, not render time.
				app.Button().Class("lang").Title(t(l, "nav.language")).Text(other).
					OnClick(func(ctx app.Context, e app.Event) { p.setLang(ctx, otherLang(p.lang)) }),
			),
		),
		app.If(p.client.isStaff(), func() app.UI { return staffNav(l, me) }),
		p.statusBar(),
		app.Main().Body(content...),
		app.Footer().Class("foot").Body(
			app.A().Href("/device").Text(t(l, "nav.device")),
			app.If(me != nil, func() app.UI { return app.A().ID("nav-account-page").Href("/account").Text(t(l, "account.nav")) }), // account.go
		),
	)
}

// statusBar always says online, offline or syncing, and how many changes
// wait to be sent. Tests read its data attributes.
func (p *page) statusBar() app.UI {
	l, s := p.lang, p.status
	state, label := "offline", t(l, "status.offline")
	switch {
	case p.client.prerendering():
		state, label = "loading", t(l, "status.loading")
	case s.Online && s.Syncing:
		state, label = "syncing", t(l, "status.syncing")
	case s.Online:
		state, label = "online", t(l, "status.online")
	case !s.Synced && s.SignIn == "" && !s.UpdateRequired && browserOnline():
		// A first visit: the app is still reaching the server for the
		// first time. "Offline" would be untrue (the page just came over
		// the network), unless the browser itself says it is offline.
		state, label = "connecting", t(l, "status.connecting")
	}
	return app.Div().ID("sync-status").Class("status "+state).
		DataSet("state", state).DataSet("pending", s.Pending).DataSet("synced", s.Synced).
		Body(
			app.Span().Class("dot"),
			app.Span().Class("label").Text(label),
			app.If(s.Pending > 0, func() app.UI {
				return app.Span().Class("pending").Text(t(l, "status.pending", s.Pending))
			}),
			app.If(s.SyncTotal > 0, func() app.UI {
				return app.Span().ID("sync-progress").Class("note").Body(
					app.Progress().Max(s.SyncTotal).Value(s.SyncDone),
					app.Text(" "+t(l, "status.progress", s.SyncDone, s.SyncTotal)),
				)
			}).ElseIf(!p.client.prerendering() && !s.Synced && s.Online, func() app.UI {
				return app.Span().Class("note").Text(t(l, "status.first_sync"))
			}),
			app.If(s.SignIn != "", func() app.UI {
				return app.Span().ID("signin-needed").Class("error").Body(
					app.Text(t(l, s.SignIn)+" "),
					app.A().Href("/signin").Text(t(l, "nav.signin_again")),
				)
			}),
			app.If(s.Held != "", func() app.UI { // a server quota: the device waits as told (engine)
				return app.Span().ID("quota-held").Class("error").Text(t(l, s.Held, s.HeldSecs))
			}),
			app.If(s.StoreFull, func() app.UI {
				return app.Span().ID("storage-error").Class("error").Text(t(l, "status.storage_full"))
			}).ElseIf(s.StoreErr != "", func() app.UI {
				return app.Span().ID("storage-error").Class("error").Text(t(l, "status.storage_err", s.StoreErr))
			}),
			app.If(p.update, func() app.UI {
				return app.Span().ID("update").Class("update").DataSet("state", "ready").Body(
					app.Text(t(l, "status.update")+" "),
					app.Button().Class("small").Text(t(l, "status.reload")).
						OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
				)
			}).ElseIf(s.UpdateRequired, func() app.UI {
				// The server no longer speaks this version: the service
				// worker is fetching the new one (app.TryUpdate); go-app
				// calls OnAppUpdate when it is ready. Reload is offered in
				// case that never comes (no service worker).
				return app.Span().ID("update").Class("update").DataSet("state", "required").Body(
					app.Text(t(l, "wire.update_required")+" "),
					app.Button().Class("small").Text(t(l, "status.reload")).
						OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
				)
			}),
		)
}

// staffNav is the second row of links that agents and admins work from.
func staffNav(l string, me *shared.Identity) app.UI {
	admin := me != nil && me.Role == shared.RoleAdmin
	return app.Nav().ID("staff-nav").Class("staff").Aria("label", t(l, "nav.staff")).Body(
		app.A().ID("nav-agent").Href("/agent").Text(t(l, "nav.agent")),
		app.A().ID("nav-dashboard").Href("/agent/dashboard").Text(t(l, "dash.nav")),
		app.A().ID("nav-desk").Href("/desk").Text(t(l, "desk.nav")),
		app.A().ID("nav-kb-report").Href("/kb/report").Text(t(l, "kbedit.nav_report")),
		app.A().ID("nav-kb-new").Href("/kb/new").Text(t(l, "nav.kb_new")),
		app.A().ID("nav-tree-stats").Href("/troubleshoot/stats").Text(t(l, "nav.tree_stats")),
		app.If(admin, func() app.UI { return app.A().ID("nav-sla").Href("/admin/sla").Text(t(l, "nav.sla_admin")) }),
		app.If(admin, func() app.UI {
			return app.A().ID("nav-categories").Href("/admin/categories").Text(t(l, "catadmin.nav"))
		}),
		app.If(admin, func() app.UI { return app.A().ID("nav-kiosks").Href("/admin/kiosks").Text(t(l, "kiosk.admin_nav")) }),
	)
}
