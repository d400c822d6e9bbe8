package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// kioskBoard is the wall display of a site's queue: who is called to which
// desk, who is next, and the wait for someone checking in now. It is a
// view of the replica, so it stays current as pokes bring changes, and
// keeps showing the last known queue offline. A kiosk shows its own site;
// staff pick one (?site=, or the desk's choice).
type kioskBoard struct {
	page
	site   string
	visits []visitView
	loaded bool
	err    string
}

func (b *kioskBoard) OnPreRender(ctx app.Context) {
	b.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(b.lang, "kiosk.board") + " · " + t(b.lang, "app.name"))
}

func (b *kioskBoard) OnMount(ctx app.Context) {
	b.site = b.client.boardSite(ctx)
	b.mountPage(ctx, b.load)
}

func (b *kioskBoard) load(ctx app.Context) {
	ctx.Page().SetTitle(t(b.lang, "kiosk.board") + " · " + t(b.lang, "app.name"))
	site := b.site
	if site == "" {
		b.loaded = true
		return
	}
	ctx.Async(func() {
		vs, err := b.client.siteVisits(site)
		ctx.Dispatch(func(ctx app.Context) {
			b.visits, b.loaded, b.err = vs, true, ""
			if err != nil {
				b.err = storageErrText(b.lang, err)
			}
		})
	})
}

func (b *kioskBoard) Render() app.UI {
	l := b.lang
	if !b.client.prerendering() && !b.client.isKiosk() && !b.client.isStaff() {
		return b.kioskFrame(
			app.H1().Text(t(l, "kiosk.board")),
			app.P().Class("kiosk-lead").Text(t(l, "kiosk.board_who")),
		)
	}
	if b.site == "" {
		return b.kioskFrame(
			app.H1().Text(t(l, "kiosk.board")),
			app.P().Class("kiosk-lead").Text(t(l, "kiosk.board_no_site")),
			app.A().Class("kiosk-button secondary").Href("/desk").Text(t(l, "desk.nav")),
		)
	}
	q := queueOf(b.visits)
	next := q.Waiting
	if len(next) > 8 {
		next = next[:8]
	}
	return b.kioskFrame(
		app.H1().Text(t(l, "kiosk.board_title", b.client.siteName(l, b.site))),
		app.If(b.err != "", func() app.UI { return app.P().Class("error").Text(b.err) }),
		app.Div().Class("board").Body(
			app.Section().ID("board-serving").Class("board-col").Aria("live", "polite").Body(
				app.H2().Text(t(l, "kiosk.now_serving")),
				app.If(len(q.Serving) == 0, func() app.UI {
					return app.P().Class("kiosk-lead").Text(t(l, "kiosk.nobody_called"))
				}).Else(func() app.UI {
					return app.Ul().Class("board-list").Body(app.Range(q.Serving).Slice(func(i int) app.UI {
						v := q.Serving[i]
						return app.Li().DataSet("number", v.Number).DataSet("status", v.Status).Body(
							app.Span().Class("board-number").Text(v.Number),
							app.Span().Class("board-desk").Text(t(l, "kiosk.to_desk", v.Desk)),
						)
					}))
				}),
			),
			app.Section().ID("board-next").Class("board-col").Body(
				app.H2().Text(t(l, "kiosk.next")),
				app.If(len(next) == 0, func() app.UI {
					return app.P().Class("kiosk-lead").Text(t(l, "kiosk.nobody_waiting"))
				}).Else(func() app.UI {
					return app.Ol().Class("board-list").Body(app.Range(next).Slice(func(i int) app.UI {
						v := next[i]
						return app.Li().DataSet("number", v.Number).Body(
							app.Span().Class("board-number").Text(v.Number),
							app.Span().Class("board-reason").Text(b.client.reasonText(l, v.Reason)),
						)
					}))
				}),
			),
		),
		app.P().ID("board-wait").Class("kiosk-lead board-wait").
			Text(queueText(l, "kiosk.checkin_next", len(q.Waiting), q.Times, t(l, "kiosk.wait_new"))),
	)
}
