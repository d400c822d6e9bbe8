package app

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/sla"
)

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
	issued struct { // server/http/kiosk.go's kioskCodeResponse
		Code      string `json:"code"`
		Site      string `json:"site"`
		ExpiresAt int64  `json:"expires_at"` // Unix ms
	}
	cal    *sla.Calendar // for naming the expiry in the site's zone
	notice string
	names  shared.Names // the site's display names as typed (issue 16)
	named  string       // the site whose stored names fill the name fields
}

func (a *adminKiosks) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(a.lang, "kiosk.admin_title") + " · " + t(a.lang, "app.name"))
}

func (a *adminKiosks) OnMount(ctx app.Context) { a.mountPage(ctx, a.load) }

func (a *adminKiosks) load(ctx app.Context) {
	ctx.Page().SetTitle(t(a.lang, "kiosk.admin_title") + " · " + t(a.lang, "app.name"))
	ctx.Async(func() {
		ks, err := a.client.kioskDevices()
		cal, _, _ := a.client.slaConfig()
		ctx.Dispatch(func(ctx app.Context) {
			a.kiosks, a.loaded, a.cal = ks, true, cal
			if err != nil {
				a.errMsg = storageErrText(a.lang, err)
			}
		})
	})
}

func (c *Client) isAdmin() bool { return c.me() != nil && c.me().Role == shared.RoleAdmin }

// post calls the kiosk API and hands the answer to done on the UI goroutine.
func (a *adminKiosks) post(ctx app.Context, path string, req any, done func(app.Context, []byte)) {
	if a.client.prerendering() || a.client.Post == nil || a.busy {
		return
	}
	body, _ := json.Marshal(req)
	lang := a.lang
	a.busy, a.errMsg, a.notice = true, "", ""
	ctx.Async(func() {
		status, resp, err := a.client.Post(path, body, lang)
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
	if msg := a.namesProblem(); msg != "" {
		a.errMsg = msg
		return
	}
	if err := a.saveNames(site); err != nil {
		a.errMsg = errorText(a.lang, err)
		return
	}
	a.post(ctx, "/api/kiosk/codes", map[string]string{"site": site}, func(ctx app.Context, resp []byte) {
		json.Unmarshal(resp, &a.issued)
	})
}

// siteTyped notes the site typed and, for a site that has names, shows
// them in the name fields, to be kept or changed.
func (a *adminKiosks) siteTyped(site string) {
	a.site = site
	s, ok := a.client.siteNames().Find(strings.TrimSpace(site))
	if !ok || a.named == s.Slug {
		return
	}
	a.named = s.Slug
	a.names = s.Names.Clone()
	for _, l := range shared.Languages {
		setField("kiosk-site-name-"+l, a.names[l])
	}
}

// typedNames returns the names typed, trimmed, without blank ones.
func (a *adminKiosks) typedNames() shared.Names {
	out := shared.Names{}
	for _, l := range shared.Languages {
		if v := strings.TrimSpace(a.names[l]); v != "" {
			out[l] = v
		}
	}
	return out
}

// namesProblem says what is wrong with the names typed, or "". Names are
// optional (a site without any shows its slug title-cased, "Madrid HQ"),
// but one typed asks for the other: people read them on the board and at
// the desk in both languages.
func (a *adminKiosks) namesProblem() string {
	names := a.typedNames()
	if len(names) == 0 {
		return ""
	}
	for _, l := range shared.Languages {
		if names[l] == "" {
			return t(a.lang, "sites.name_required", t(a.lang, "names.lang."+l))
		}
	}
	if err := names.Validate(strings.TrimSpace(a.site)); err != nil {
		return errorText(a.lang, err)
	}
	return ""
}

// saveNames queues the site's names in the config record if they changed:
// config.save works offline, unlike issuing the code.
func (a *adminKiosks) saveNames(site string) error {
	client := a.client
	names, list := a.typedNames(), client.siteNames()
	if len(names) == 0 {
		return nil
	}
	if s, ok := list.Find(site); ok && len(s.Names) == len(names) && s.Names.Own("en") == names.Own("en") && s.Names.Own("es") == names.Own("es") {
		return nil
	}
	next := list.With(site, names)
	if err := next.Validate(); err != nil {
		return err
	}
	if err := client.Engine.Mutate(shared.OpConfigSave, shared.SiteSave{ID: shared.ConfigSites, Sites: next}, ""); err != nil {
		return err
	}
	client.siteList.list.Store(&next) // shown at once; the synced record replaces it
	return nil
}

// siteProblem says what is wrong with the site typed so far, or "".
func (a *adminKiosks) siteProblem() string {
	if site := strings.TrimSpace(a.site); site != "" && !shared.ValidSlug(site) {
		return t(a.lang, "role.bad_site", site)
	}
	return ""
}

// expiry names when the issued code stops working: in the calendar's zone,
// named, as due times are ("Tue 14:03 CET"), or in UTC before the device
// has the calendar.
func (a *adminKiosks) expiry() string {
	at := time.UnixMilli(a.issued.ExpiresAt)
	if a.cal == nil {
		return at.UTC().Format("2006-01-02 15:04 MST")
	}
	return sla.FormatDue(a.lang, at, a.client.clk().Now(), a.cal)
}

func (a *adminKiosks) revoke(id string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		a.post(ctx, "/api/kiosk/revoke", map[string]string{"kiosk_id": id}, func(ctx app.Context, resp []byte) {
			a.notice = t(a.lang, "kiosk.revoked_done")
			a.client.Engine.Kick()
		})
	}
}

func (a *adminKiosks) Render() app.UI {
	l := a.lang
	if !a.client.prerendering() && !a.client.isAdmin() {
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
				Attr("list", "kiosk-sites").Attr("autocapitalize", "off").Aria("describedby", "kiosk-site-hint kiosk-site-problem").
				Aria("invalid", a.siteProblem() != "").
				OnInput(func(ctx app.Context, e app.Event) { a.siteTyped(ctx.JSSrc().Get("value").String()) }),
			// What the field wants, said before anything is typed, and what
			// is wrong with what is typed, as it is typed.
			app.P().ID("kiosk-site-hint").Class("muted").Text(t(l, "kiosk.site_hint")),
			app.Div().ID("kiosk-site-problem").Aria("live", "polite").Body(
				app.If(a.siteProblem() != "", func() app.UI {
					fix := slugify(a.site)
					return app.P().Class("error").Body(
						app.Text(a.siteProblem()+" "),
						app.If(shared.ValidSlug(fix), func() app.UI {
							return app.Button().ID("kiosk-site-fix").Type("button").Class("small secondary").
								Text(t(l, "kiosk.site_use", fix)).
								OnClick(func(ctx app.Context, e app.Event) {
									typed := strings.TrimSpace(a.site)
									a.site = slugify(a.site)
									setField("kiosk-site", a.site)
									if a.names == nil {
										a.names = shared.Names{}
									}
									for _, lang := range shared.Languages {
										if a.names[lang] == "" && utf8.RuneCountInString(typed) <= shared.MaxDisplayName {
											// "Madrid HQ" was a name: keep it as
											// one, in both languages until changed.
											a.names[lang] = typed
											setField("kiosk-site-name-"+lang, typed)
										}
									}
								})
						}),
					)
				}),
			),
			app.Range(shared.Languages).Slice(func(i int) app.UI {
				lang := shared.Languages[i]
				id := "kiosk-site-name-" + lang
				return app.Div().Class("field").Body(
					app.Label().For(id).Text(t(l, "sites.name_in", t(l, "names.lang."+lang))),
					app.Input().ID(id).Type("text").MaxLength(shared.MaxDisplayName).Value(a.names[lang]).
						Placeholder(shared.HumanSlug(strings.TrimSpace(a.site))).
						OnInput(func(ctx app.Context, e app.Event) {
							if a.names == nil {
								a.names = shared.Names{}
							}
							a.names[lang] = ctx.JSSrc().Get("value").String()
						}, app.EventScope(lang)),
				)
			}),
			app.DataList().ID("kiosk-sites").Body(app.Range(a.kiosks).Slice(func(i int) app.UI {
				return app.Option().Value(a.kiosks[i].Site)
			})),
			app.Div().Class("actions").Body(
				app.Button().ID("kiosk-issue").Type("submit").Disabled(a.busy || a.siteProblem() != "").Text(t(l, "kiosk.issue")),
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
				app.P().Text(t(l, "kiosk.code_for", a.client.siteName(l, a.issued.Site)+" ("+a.issued.Site+")")),
				app.P().ID("kiosk-code-value").Class("kiosk-number").Text(a.issued.Code),
				app.P().ID("kiosk-code-expires").Class("muted").DataSet("expires", a.issued.ExpiresAt).
					Text(t(l, "kiosk.code_expires", a.expiry())),
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
						app.Td().Body(app.Text(a.client.siteName(l, k.Site)+" "), app.Code().Class("muted").Text(k.Site)),
						app.Td().Body(app.Strong().Text(k.Letter)),
						app.Td().Text(time.UnixMilli(k.EnrolledAt).Format("2006-01-02 15:04")),
						app.Td().Text(state),
						app.Td().Body(app.If(k.RevokedAt == 0, func() app.UI {
							return app.Button().Type("button").Class("small secondary revoke").Disabled(a.busy).
								Aria("label", t(l, "kiosk.revoke_label", k.Letter, a.client.siteName(l, k.Site))).Text(t(l, "kiosk.revoke")).
								OnClick(a.revoke(k.ID), app.EventScope(k.ID))
						})),
					)
				})),
			)
		}),
	)
}
