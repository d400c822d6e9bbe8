package app

import (
	"encoding/json"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// devicePage says what this device holds: storage used and allowed, whether
// the browser may evict it, and the changes still waiting to be sent.
type devicePage struct {
	page
	usage, quota float64 // bytes; quota 0 = unknown
	persisted    string  // "yes", "no" or "" (unknown)
	pending      []wire.Mutation
	loaded       bool
	errMsg       string
}

func (d *devicePage) OnPreRender(ctx app.Context) {
	d.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(d.lang, "device.title") + " · " + t(d.lang, "app.name"))
}

func (d *devicePage) OnMount(ctx app.Context) { d.mountPage(ctx, d.load) }

func (d *devicePage) load(ctx app.Context) {
	ctx.Page().SetTitle(t(d.lang, "device.title") + " · " + t(d.lang, "app.name"))
	ctx.Async(func() {
		out, err := d.client.Store.Outbox()
		ctx.Dispatch(func(ctx app.Context) {
			d.pending, d.loaded, d.errMsg = out, true, ""
			if err != nil {
				d.errMsg = storageErrText(d.lang, err)
			}
		})
	})
	storage := app.Window().Get("navigator").Get("storage")
	if !storage.Truthy() || !storage.Get("estimate").Truthy() {
		return
	}
	storage.Call("estimate").Then(func(v app.Value) {
		ctx.Dispatch(func(ctx app.Context) {
			d.usage, d.quota = v.Get("usage").Float(), v.Get("quota").Float()
		})
	})
	if storage.Get("persisted").Truthy() {
		storage.Call("persisted").Then(func(v app.Value) {
			ctx.Dispatch(func(ctx app.Context) { d.persisted = yesNo(v.Bool()) })
		})
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// persist asks the browser again to keep our data under storage pressure.
func (d *devicePage) persist(ctx app.Context, e app.Event) {
	storage := app.Window().Get("navigator").Get("storage")
	if !storage.Truthy() || !storage.Get("persist").Truthy() {
		return
	}
	storage.Call("persist").Then(func(v app.Value) {
		ctx.Dispatch(func(ctx app.Context) { d.persisted = yesNo(v.Bool()) })
	})
}

// mutationLabel describes a queued change in words.
func mutationLabel(l string, m wire.Mutation) string {
	switch m.Name {
	case shared.OpTicketCreate:
		var tc shared.TicketCreate
		json.Unmarshal(m.Args, &tc)
		return t(l, "device.m.ticket", tc.Title)
	case shared.OpKBFeedback:
		var f shared.Feedback
		json.Unmarshal(m.Args, &f)
		return t(l, "device.m.feedback", f.ArticleID)
	case shared.OpSearchMiss:
		var s shared.SearchMiss
		json.Unmarshal(m.Args, &s)
		return t(l, "device.m.search", s.Query)
	}
	return m.Name
}

// bytesText writes n bytes for people: 512 KB, 3.4 MB, 1.2 GB.
func bytesText(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", n/1e6)
	}
	return fmt.Sprintf("%.0f KB", n/1e3)
}

func (d *devicePage) Render() app.UI {
	l := d.lang
	return d.frame(
		app.H1().Text(t(l, "device.title")),
		app.If(!d.client.prerendering() && !d.client.Durable, func() app.UI {
			return app.P().Class("error").Text(t(l, "device.not_durable"))
		}),
		app.Section().ID("storage").Class("card").Body(
			app.H2().Text(t(l, "device.storage")),
			app.If(d.quota > 0, func() app.UI {
				return app.P().Body(
					app.Progress().Max(d.quota).Value(d.usage),
					app.Text(" "+t(l, "device.usage", bytesText(d.usage), bytesText(d.quota))),
				)
			}).Else(func() app.UI {
				return app.P().Class("muted").Text(t(l, "device.usage_unknown"))
			}),
			app.If(d.persisted == "yes", func() app.UI {
				return app.P().ID("persisted").DataSet("persisted", "yes").Text(t(l, "device.persisted"))
			}).ElseIf(d.persisted == "no", func() app.UI {
				return app.Div().ID("persisted").DataSet("persisted", "no").Body(
					app.P().Text(t(l, "device.not_persisted")),
					app.Button().Class("small").Type("button").Text(t(l, "device.persist")).OnClick(d.persist),
				)
			}),
		),
		app.Section().ID("pending").Class("card").Body(
			app.H2().Text(t(l, "device.pending")),
			app.If(d.errMsg != "", func() app.UI { return app.P().Class("error").Text(d.errMsg) }),
			app.If(d.loaded && len(d.pending) == 0, func() app.UI {
				return app.P().Class("muted").Text(t(l, "device.nothing_pending"))
			}),
			app.Ul().Body(app.Range(d.pending).Slice(func(i int) app.UI {
				return app.Li().DataSet("seq", d.pending[i].Seq).Text(mutationLabel(l, d.pending[i]))
			})),
			app.If(len(d.pending) > 0, func() app.UI {
				return app.P().Class("muted").Text(t(l, "device.pending_hint"))
			}),
		),
	)
}
