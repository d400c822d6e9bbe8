package app

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/store"
)

// ticketList shows the requester's tickets (pending ones marked) and their
// unsent drafts.
type ticketList struct {
	page
	tickets []ticketView
	drafts  []store.Draft
	loaded  bool
	queued  string // ID of the ticket just submitted, if we came from the form
	errMsg  string
	notify  string // notification permission: default (not asked), granted, denied
}

func (p *ticketList) OnPreRender(ctx app.Context) {
	p.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(p.lang, "tickets.title") + " · " + t(p.lang, "app.name"))
}

func (p *ticketList) OnMount(ctx app.Context) {
	p.queued = ctx.Page().URL().Query().Get("queued")
	p.notify = notificationsAllowed()
	p.mountPage(ctx, p.load)
}

func (p *ticketList) load(ctx app.Context) {
	ctx.Page().SetTitle(t(p.lang, "tickets.title") + " · " + t(p.lang, "app.name"))
	ctx.Async(func() {
		tickets, err := p.client.tickets()
		drafts, derr := p.client.Store.Drafts()
		if err == nil {
			err = derr
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.tickets, p.drafts, p.loaded, p.errMsg = tickets, drafts, true, ""
			if err != nil {
				p.errMsg = storageErrText(p.lang, err)
			}
		})
	})
}

func (p *ticketList) Render() app.UI {
	l := p.lang
	return p.frame(
		app.H1().Text(t(l, "tickets.title")),
		app.If(!p.client.prerendering() && p.client.me() != nil && p.notify == "default", func() app.UI {
			return app.P().Class("muted").Body(
				app.Text(t(l, "notify.offer")+" "),
				app.Button().ID("notify-me").Class("small secondary").Type("button").Text(t(l, "notify.enable")).
					OnClick(func(ctx app.Context, e app.Event) {
						askNotifications(func(answer string) { ctx.Dispatch(func(ctx app.Context) { p.notify = answer }) })
					}),
			)
		}),
		app.If(p.queued != "", func() app.UI {
			msg := t(l, "ticket.sent")
			for _, tk := range p.tickets {
				if tk.ID == p.queued && tk.Pending {
					msg = t(l, "ticket.queued")
				}
			}
			return app.P().ID("ticket-queued").Class("notice").Text(msg)
		}),
		app.If(p.errMsg != "", func() app.UI { return app.P().Class("error").Text(p.errMsg) }),
		app.If(len(p.drafts) > 0, func() app.UI {
			return app.Section().ID("drafts").Body(
				app.H2().Text(t(l, "tickets.drafts")),
				app.Ul().Class("tickets").Body(app.Range(p.drafts).Slice(func(i int) app.UI {
					d := p.drafts[i]
					title := d.Title
					if title == "" {
						title = t(l, "tickets.untitled")
					}
					return app.Li().Class("draft").Body(
						app.A().Href("/ticket/new?draft="+d.ID).Text(title),
						app.If(d.RejectKey != "", func() app.UI {
							return app.P().Class("error").Text(t(l, "tickets.rejected", t(l, d.RejectKey, anys(d.RejectArgs)...)))
						}),
					)
				})),
			)
		}),
		app.If(!p.loaded && !p.client.prerendering(), func() app.UI { return app.P().Class("muted").Text(t(l, "home.loading")) }),
		app.If(p.loaded && len(p.tickets) == 0, func() app.UI { return app.P().Class("empty").Text(t(l, "tickets.empty")) }),
		app.Ul().ID("ticket-list").Class("tickets").Body(app.Range(p.tickets).Slice(func(i int) app.UI {
			tk := p.tickets[i]
			state, label := "sent", statusLabel(l, p.client.readerRole(), tk.Status)
			if tk.Pending {
				state, label = "pending", t(l, "tickets.pending")
			}
			return app.Li().Class("ticket "+state).DataSet("id", tk.ID).DataSet("state", state).DataSet("status", tk.Status).Body(
				numberBadge(l, &tk),
				app.A().Href("/ticket/"+tk.ID).Body(app.Strong().Text(tk.Title)),
				app.If(p.client.hasNews(tk.ID), func() app.UI { return app.Span().Class("badge news").Text(t(l, "notify.new")) }),
				app.Span().Class("badge "+state).Text(label),
				app.Span().Class("muted").Text(t(l, "tickets.created", dateText(l, time.UnixMilli(tk.CreatedAt)))),
			)
		})),
	)
}
