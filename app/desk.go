package app

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
)

// deskPage is the concierge desk's side: the site's queue with names, call
// the next visitor, serve them with the articles and guides of their
// reason, then resolve at the desk, file a ticket for them, or mark a
// no-show. Every action is a queued mutation, so the desk works offline
// too; another desk that acted first wins, and the queue shows it.
type deskPage struct {
	page
	site     string
	desk     string
	visits   []visitView
	visitors map[string]shared.Visitor
	sites    []string
	articles []shared.Article
	trees    []*tree.Tree
	loaded   bool
	errMsg   string
	notice   string
	refused  string // why the server, or the queue as this device knows it, refused an action

	open        string // the visit whose session is shown
	title, desc string // the ticket for the visitor
}

func (d *deskPage) OnPreRender(ctx app.Context) {
	d.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(d.lang, "desk.title") + " · " + t(d.lang, "app.name"))
}

func (d *deskPage) OnMount(ctx app.Context) {
	d.site = d.client.boardSite(ctx)
	ctx.LocalStorage().Get(deskNameKey, &d.desk)
	if d.desk == "" {
		d.desk = t(d.client.pageLang(ctx), "desk.default_name")
	}
	d.mountPage(ctx, d.load)
}

func (d *deskPage) load(ctx app.Context) {
	ctx.Page().SetTitle(t(d.lang, "desk.title") + " · " + t(d.lang, "app.name"))
	if !d.client.isStaff() {
		d.loaded = true
		return
	}
	site, lang := d.site, d.lang
	ctx.Async(func() {
		sites := d.client.sites()
		var vs []visitView
		var err error
		if site != "" {
			vs, err = d.client.siteVisits(site)
		}
		who, werr := d.client.visitors()
		as, _ := d.client.articles(lang)
		trees, _ := d.client.trees(lang)
		ctx.Dispatch(func(ctx app.Context) {
			d.sites, d.visits, d.visitors, d.articles, d.trees, d.loaded = sites, vs, who, as, trees, true
			d.errMsg = ""
			// An action the server refused after it left this device
			// (queued offline, or another desk was faster) is said here.
			if rs := takeRefusals(ctx.LocalStorage(), "visit/"); len(rs) > 0 {
				d.refused = d.refusalText(rs)
			}
			if err == nil {
				err = werr
			}
			if err != nil {
				d.errMsg = storageErrText(d.lang, err)
			}
			if d.open == "" {
				for _, v := range vs {
					if v.Status == shared.VisitServing && v.Desk == d.desk {
						d.openSession(v)
					}
				}
			}
		})
	})
}

func (d *deskPage) setSite(ctx app.Context, site string) {
	d.site, d.open = site, ""
	ctx.LocalStorage().Set(deskSiteKey, site)
	u := *ctx.Page().URL()
	u.RawQuery = "site=" + site
	ctx.Page().ReplaceURL(&u)
	d.load(ctx)
}

func (d *deskPage) visit(id string) (visitView, bool) {
	for _, v := range d.visits {
		if v.ID == id {
			return v, true
		}
	}
	return visitView{}, false
}

// act queues a desk operation on a visit. A move the queue as this
// device knows it does not allow (another desk got there first) is refused
// at once, in words, as the server would refuse it later.
func (d *deskPage) act(ctx app.Context, name string, op shared.VisitOp) bool {
	if d.client.prerendering() {
		return false
	}
	op.CreatedAt = d.client.Engine.Now().UnixMilli()
	if name == shared.OpVisitCall || name == shared.OpVisitStart {
		op.Desk = strings.TrimSpace(d.desk)
	}
	v, known := d.visit(op.ID)
	err := op.Validate(name, d.client.categories())
	if err == nil && known {
		_, err = shared.NextVisitStatus(v.Status, name)
	}
	if err == nil {
		err = d.client.Engine.Mutate(name, op, "")
	}
	if err != nil {
		d.refused = t(d.lang, "desk.refused", or(v.Number, op.ID), d.reason(err))
		d.notice = ""
		return false
	}
	d.errMsg, d.notice, d.refused = "", "", ""
	d.load(ctx)
	return true
}

// reason says err in the desk's words: a visit's status named as the
// queue shows it.
func (d *deskPage) reason(err error) string {
	key, args := shared.ErrorKey(err)
	if key == "" {
		return errorText(d.lang, err)
	}
	return d.refusalReason(refusal{Key: key, Args: stringArgs(args)})
}

func (d *deskPage) refusalReason(r refusal) string {
	if r.Key == "desk.visit_moved" && len(r.Args) == 1 {
		return t(d.lang, r.Key, t(d.lang, "desk.status."+r.Args[0]))
	}
	return r.text(d.lang)
}

// refusalText says the refusals rs (by record "visit/<id>"), naming each
// visit by its number.
func (d *deskPage) refusalText(rs map[string]refusal) string {
	var lines []string
	for rec, r := range rs {
		id := strings.TrimPrefix(rec, "visit/")
		v, _ := d.visit(id)
		lines = append(lines, t(d.lang, "desk.refused", or(v.Number, id), d.refusalReason(r)))
	}
	sort.Strings(lines)
	return strings.Join(lines, " ")
}

// callNext calls the first visitor waiting.
func (d *deskPage) callNext(ctx app.Context, e app.Event) {
	q := queueOf(d.visits)
	if len(q.Waiting) == 0 {
		d.notice = t(d.lang, "kiosk.nobody_waiting")
		return
	}
	v := q.Waiting[0]
	if d.act(ctx, shared.OpVisitCall, shared.VisitOp{ID: v.ID}) {
		d.notice = t(d.lang, "desk.called", v.Number, strings.TrimSpace(d.desk))
	}
}

func (d *deskPage) openSession(v visitView) {
	d.open = v.ID
	d.title = d.client.reasonText(d.lang, v.Reason) + " · " + t(d.lang, "desk.walk_in", v.Number)
	d.desc = ""
	// The fields are not bound to the component (a redraw one keystroke
	// behind would drop keys): fill them once they are drawn.
	setFieldSoon("desk-ticket-title", d.title)
	setFieldSoon("desk-ticket-desc", "")
}

// row handles a row's button; the visit ID and action are the handler's
// scope, so a redraw never leaves a stale one behind.
func (d *deskPage) row(id, action string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v, ok := d.visit(id)
		if !ok {
			return
		}
		switch action {
		case shared.OpVisitStart:
			if d.act(ctx, shared.OpVisitStart, shared.VisitOp{ID: id}) {
				d.openSession(v)
			}
		case shared.OpVisitCall, shared.OpVisitNoShow, shared.OpVisitResolve:
			if d.act(ctx, action, shared.VisitOp{ID: id}) && action != shared.OpVisitCall && d.open == id {
				d.notice = t(d.lang, "desk.done_"+strings.TrimPrefix(action, "visit."), v.Number)
				d.open = ""
			}
		case "open":
			d.openSession(v)
		}
	}
}

func (d *deskPage) fileTicket(ctx app.Context, e app.Event) {
	v, ok := d.visit(d.open)
	if !ok || d.client.prerendering() {
		return
	}
	now := d.client.Engine.Now()
	cat, sub, _ := strings.Cut(v.Reason, "/")
	op := shared.VisitOp{
		ID: v.ID, TicketID: shared.NewID(now), Title: strings.TrimSpace(d.title), Description: d.desc,
		Category: cat, Subcategory: sub, Lang: d.lang,
	}
	if d.act(ctx, shared.OpVisitTicket, op) {
		email := d.visitors[v.ID].Email
		d.notice = t(d.lang, "desk.ticket_filed", v.Number, email)
		d.open, d.title, d.desc = "", "", ""
		clearField("desk-ticket-title")
		clearField("desk-ticket-desc")
	}
}

func (d *deskPage) Render() app.UI {
	l := d.lang
	if !d.client.prerendering() && !d.client.isStaff() {
		return d.frame(
			app.H1().Text(t(l, "desk.title")),
			app.P().Class("notice").Text(t(l, "agent.staff_only")),
			app.A().Class("button").Href("/signin?next=/desk").Text(t(l, "nav.signin")),
		)
	}
	q := queueOf(d.visits)
	var active []visitView
	for _, v := range d.visits {
		if shared.VisitActive(v.Status) {
			active = append(active, v)
		}
	}
	sites := d.sites
	if d.site != "" && !contains(sites, d.site) {
		sites = append([]string{d.site}, sites...)
	}
	now := d.client.clk().Now()
	return d.frame(
		app.H1().Text(t(l, "desk.title")),
		app.Div().ID("desk-controls").Class("filters").Body(
			app.Label().Body(
				app.Text(t(l, "desk.site")+" "),
				app.Select().ID("desk-site").OnChange(func(ctx app.Context, e app.Event) { d.setSite(ctx, inputValue(ctx)) }).
					Body(
						app.Option().Value("").Selected(d.site == "").Text(t(l, "desk.pick_site")),
						app.Range(sites).Slice(func(i int) app.UI {
							return app.Option().Value(sites[i]).Selected(sites[i] == d.site).Text(d.client.siteName(l, sites[i]))
						}),
					),
			),
			app.Label().Body(
				app.Text(t(l, "desk.desk_name")+" "),
				app.Input().ID("desk-name").Type("text").Value(d.desk).Attr("maxlength", shared.MaxDeskName).
					OnChange(func(ctx app.Context, e app.Event) {
						d.desk = ctx.JSSrc().Get("value").String()
						ctx.LocalStorage().Set(deskNameKey, d.desk)
					}),
			),
			app.Button().ID("desk-call-next").Type("button").Disabled(d.site == "" || len(q.Waiting) == 0).
				Text(t(l, "desk.call_next")).OnClick(d.callNext),
			app.If(d.site != "", func() app.UI {
				return app.A().Class("button secondary").Href("/kiosk/board?site=" + d.site).Text(t(l, "kiosk.board"))
			}),
		),
		app.P().ID("desk-wait").Class("muted").Text(queueText(l, "", len(q.Waiting), q.Times)), // labels.go
		// One stable element for what comes and goes above the session:
		// go-app compares children by position, and a block appearing before
		// the ticket form would mount it anew, losing what is typed.
		app.Div().Class("notices").Body(
			app.If(d.notice != "", func() app.UI {
				return app.P().ID("desk-notice").Class("notice").Aria("live", "polite").Text(d.notice)
			}),
			app.If(d.errMsg != "", func() app.UI {
				return app.P().ID("desk-error").Class("error").Attr("role", "alert").Text(d.errMsg)
			}),
			// Fixed at the foot of the window (web/app.css .toast), so a
			// refusal of a button far down the queue is seen.
			app.If(d.refused != "", func() app.UI {
				return app.Div().ID("desk-refused").Class("error toast").Attr("role", "alert").Body(
					app.Span().Text(d.refused),
					app.Button().ID("desk-refused-close").Class("small secondary").Type("button").
						Aria("label", t(l, "desk.refused_dismiss")).Text("✕").
						OnClick(func(ctx app.Context, e app.Event) { d.refused = "" }),
				)
			}),
		),
		d.renderSession(),
		app.If(d.loaded && d.site != "" && len(active) == 0, func() app.UI {
			return app.P().ID("desk-empty").Class("empty").Text(t(l, "kiosk.nobody_waiting"))
		}),
		app.If(len(active) > 0, func() app.UI {
			return app.Table().ID("desk-queue").Class("queue").Body(
				app.Caption().Text(t(l, "desk.queue_caption", d.client.siteName(l, d.site))),
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text(t(l, "desk.number")), app.Th().Scope("col").Text(t(l, "desk.visitor")),
					app.Th().Scope("col").Text(t(l, "kiosk.reason")), app.Th().Scope("col").Text(t(l, "agent.status")),
					app.Th().Scope("col").Text(t(l, "desk.waited")), app.Th().Scope("col").Text(t(l, "desk.actions")),
				)),
				app.TBody().Body(app.Range(active).Slice(func(i int) app.UI {
					v := active[i]
					who := d.visitors[v.ID]
					return app.Tr().Class("visit").DataSet("id", v.ID).DataSet("number", v.Number).
						DataSet("status", v.Status).DataSet("pending", v.Pending).Body(
						app.Td().Body(app.Strong().Text(v.Number)),
						app.Td().Body(
							app.Span().Class("visitor-name").Text(or(who.Name, "—")),
							app.Br(),
							app.Span().Class("muted").Text(who.Email),
						),
						app.Td().Text(d.client.reasonText(l, v.Reason)),
						app.Td().Text(t(l, "desk.status."+v.Status)+deskOf(v)),
						app.Td().Text(age(l, now.Sub(time.UnixMilli(v.Arrival())))),
						app.Td().Class("row-actions").Body(d.rowButtons(v)...),
					)
				})),
			)
		}),
	)
}

func deskOf(v visitView) string {
	if v.Desk == "" || v.Status == shared.VisitWaiting {
		return ""
	}
	return " · " + v.Desk
}

func (d *deskPage) rowButtons(v visitView) []app.UI {
	l := d.lang
	btn := func(action, key string) app.UI {
		return app.Button().Type("button").Class("small "+strings.TrimPrefix(action, "visit.")).
			DataSet("action", action).Text(t(l, key)).
			OnClick(d.row(v.ID, action), app.EventScope(v.ID+"/"+action))
	}
	switch v.Status {
	case shared.VisitWaiting:
		return []app.UI{btn(shared.OpVisitCall, "desk.call"), btn(shared.OpVisitStart, "desk.start"), btn(shared.OpVisitNoShow, "desk.noshow")}
	case shared.VisitCalled:
		return []app.UI{btn(shared.OpVisitStart, "desk.start"), btn(shared.OpVisitCall, "desk.call_again"), btn(shared.OpVisitNoShow, "desk.noshow")}
	}
	return []app.UI{btn("open", "desk.open")}
}

// renderSession shows the visit being served: the reason, the articles and
// guides of its category, and how to finish.
func (d *deskPage) renderSession() app.UI {
	v, ok := d.visit(d.open)
	if !ok || !shared.VisitActive(v.Status) {
		return nil
	}
	l := d.lang
	who := d.visitors[v.ID]
	cat := shared.ReasonCategory(v.Reason)
	_, sub, _ := strings.Cut(v.Reason, "/")
	var as []shared.Article
	for _, a := range d.articles {
		if a.Category == cat && (sub == "" || a.Subcategory == "" || a.Subcategory == sub) && len(as) < 5 {
			as = append(as, a)
		}
	}
	var ts []*tree.Tree
	for _, tr := range d.trees {
		if tr.Category == cat {
			ts = append(ts, tr)
		}
	}
	return app.Section().ID("desk-session").Class("card").DataSet("id", v.ID).Body(
		app.H2().Text(t(l, "desk.session", v.Number, or(who.Name, "—"))),
		app.P().Body(app.Strong().Text(t(l, "kiosk.reason")+": "), app.Text(d.client.reasonText(l, v.Reason))),
		app.If(who.Email != "", func() app.UI { return app.P().Class("muted").Text(who.Email) }),
		app.H3().Text(t(l, "desk.suggested")),
		app.If(len(as) == 0, func() app.UI { return app.P().Class("muted").Text(t(l, "desk.no_articles")) }),
		app.Ul().ID("desk-articles").Body(app.Range(as).Slice(func(i int) app.UI {
			return app.Li().Body(app.A().Href("/article/" + as[i].ID).Target("_blank").Text(as[i].Title))
		})),
		app.H3().Text(t(l, "desk.guides")),
		app.If(len(ts) == 0, func() app.UI { return app.P().Class("muted").Text(t(l, "desk.no_guides")) }),
		app.Ul().ID("desk-guides").Body(app.Range(ts).Slice(func(i int) app.UI {
			return app.Li().Body(app.A().Href("/troubleshoot/" + ts[i].ID).Target("_blank").Text(ts[i].Title))
		})),
		app.Div().Class("actions").Body(
			app.If(v.Status != shared.VisitServing, func() app.UI {
				return app.Button().ID("desk-start").Type("button").Text(t(l, "desk.start")).
					OnClick(d.row(v.ID, shared.OpVisitStart), app.EventScope(v.ID+"/start"))
			}),
			app.Button().ID("desk-resolve").Type("button").Text(t(l, "desk.resolve")).
				OnClick(d.row(v.ID, shared.OpVisitResolve), app.EventScope(v.ID+"/resolve")),
			app.If(v.Status != shared.VisitServing, func() app.UI {
				return app.Button().ID("desk-noshow").Class("secondary").Type("button").Text(t(l, "desk.noshow")).
					OnClick(d.row(v.ID, shared.OpVisitNoShow), app.EventScope(v.ID+"/noshow"))
			}),
		),
		app.Form().ID("desk-ticket-form").Class("form").Attr("onsubmit", noNativeSubmit).OnSubmit(d.fileTicket).Body(
			app.H3().Text(t(l, "desk.ticket_heading")),
			app.Label().For("desk-ticket-title").Text(t(l, "ticket.field_title")),
			app.Input().ID("desk-ticket-title").Type("text").Attr("maxlength", shared.MaxTicketTitle).
				OnInput(func(ctx app.Context, e app.Event) { d.title = ctx.JSSrc().Get("value").String() }),
			app.Label().For("desk-ticket-desc").Text(t(l, "desk.ticket_desc")),
			app.Textarea().ID("desk-ticket-desc").Rows(4).
				OnInput(func(ctx app.Context, e app.Event) { d.desc = ctx.JSSrc().Get("value").String() }),
			app.P().Class("muted").Text(t(l, "desk.ticket_mail_note", or(who.Email, "—"))),
			app.Button().ID("desk-ticket").Type("submit").Text(t(l, "desk.ticket")),
		),
	)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// stringArgs turns an error's arguments into a refusal's.
func stringArgs(as []any) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = fmt.Sprint(a)
	}
	return out
}
