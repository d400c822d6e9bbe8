package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/kpi"
	"outpost/shared/sla"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// typeTreeStats is the record type of a troubleshooting tree's run counts
// (server/sync.TypeTreeStats).
const typeTreeStats = "treestat"

// dashboard is the support figures for staff, computed on the device with
// shared/kpi over the replica (tickets, their history, ratings, article
// feedback, troubleshooting counts, searches with no results), so it works
// offline: KPI cards, the backlog and SLA compliance as inline SVG bars,
// every table with a CSV download.
type dashboard struct {
	page
	rng      string // "7", "30", "90" (days) or "custom"
	from, to string // custom range, local dates (sla.DateLayout)
	report   *kpi.Report
	loaded   bool
	errMsg   string
}

// Ranges the dashboard offers, in days.
var dashRanges = []string{"7", "30", "90"}

func (d *dashboard) OnPreRender(ctx app.Context) {
	d.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(d.lang, "dash.title") + " · " + t(d.lang, "app.name"))
}

func (d *dashboard) OnMount(ctx app.Context) {
	q := ctx.Page().URL().Query()
	d.rng, d.from, d.to = or(q.Get("range"), "30"), q.Get("from"), q.Get("to")
	d.mountPage(ctx, d.load)
}

func (d *dashboard) load(ctx app.Context) {
	ctx.Page().SetTitle(t(d.lang, "dash.title") + " · " + t(d.lang, "app.name"))
	rng, from, to := d.rng, d.from, d.to
	ctx.Async(func() {
		r, err := d.client.dashboard(rng, from, to, d.client.clk().Now())
		ctx.Dispatch(func(ctx app.Context) {
			d.report, d.loaded, d.errMsg = r, true, ""
			if err != nil {
				d.errMsg = errorText(d.lang, err)
			}
		})
	})
}

// setRange changes the range, keeps it in the URL and recomputes.
func (d *dashboard) setRange(ctx app.Context, set func(*dashboard)) {
	set(d)
	q := url.Values{"range": {d.rng}}
	if d.rng == "custom" {
		q.Set("from", d.from)
		q.Set("to", d.to)
	}
	u := *ctx.Page().URL()
	u.RawQuery = q.Encode()
	ctx.Page().ReplaceURL(&u)
	d.load(ctx)
}

// dashRange returns the range [from, to) of rng at now, in the calendar's
// zone (the support desk's days): the last n days up to now, or custom
// local dates, both included, up to now at the latest.
func dashRange(rng, fromDate, toDate string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	y, m, day := now.In(loc).Date()
	if rng != "custom" {
		n, err := strconv.Atoi(rng)
		if err != nil || n < 1 {
			n = 30
		}
		return time.Date(y, m, day-n+1, 0, 0, 0, 0, loc), now, nil
	}
	from, err1 := time.ParseInLocation(sla.DateLayout, fromDate, loc)
	to, err2 := time.ParseInLocation(sla.DateLayout, toDate, loc)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, shared.Errorf(shared.EINVALID, "dash.bad_dates")
	}
	to = to.AddDate(0, 0, 1)
	if to.After(now) {
		to = now // nothing is known after now; a breach due later has not happened
	}
	return from, to, nil
}

// dashboard computes the figures of a range from the replica.
func (c *Client) dashboard(rng, fromDate, toDate string, now time.Time) (*kpi.Report, error) {
	cal, pol, err := c.slaConfig()
	if err != nil {
		return nil, err
	}
	loc := time.Local
	if cal != nil {
		loc = cal.Location
	}
	from, to, err := dashRange(rng, fromDate, toDate, now, loc)
	if err != nil {
		return nil, err
	}
	in := &kpi.Input{From: from, To: to, Calendar: cal, Policy: pol}
	entries, err := c.allEntries()
	if err != nil {
		return nil, err
	}
	err = c.each(wire.TypeTicket, func(data []byte) {
		var tk shared.Ticket
		if json.Unmarshal(data, &tk) == nil {
			in.Tickets = append(in.Tickets, kpi.FromRecords(&tk, entries[tk.ID]))
		}
	})
	if err != nil {
		return nil, err
	}
	err = c.each(wire.TypeRating, func(data []byte) {
		var r shared.RatingRecord
		if json.Unmarshal(data, &r) == nil {
			in.Ratings = append(in.Ratings, kpi.Rating{TicketID: r.TicketID, Score: r.Score, At: time.UnixMilli(r.ReceivedAt)})
		}
	})
	if err != nil {
		return nil, err
	}
	err = c.each(wire.TypeFeedback, func(data []byte) {
		var f struct {
			shared.Feedback
			ReceivedAt int64 `json:"received_at"`
		}
		if json.Unmarshal(data, &f) == nil {
			in.Feedback = append(in.Feedback, kpi.Feedback{ArticleID: f.ArticleID, Helpful: f.Helpful, From: f.From, At: time.UnixMilli(f.ReceivedAt)})
		}
	})
	if err != nil {
		return nil, err
	}
	// Troubleshooting counts are totals per tree without the time of each
	// run: a tree's solved runs count at its latest activity.
	err = c.each(typeTreeStats, func(data []byte) {
		var s tree.TreeStats
		if json.Unmarshal(data, &s) == nil {
			for range s.Solved {
				in.Runs = append(in.Runs, kpi.Run{Tree: s.Tree, Outcome: tree.EventSolved, At: time.UnixMilli(s.UpdatedAt)})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	err = c.each(wire.TypeSearchMiss, func(data []byte) {
		var m shared.SearchMissStats
		if json.Unmarshal(data, &m) == nil {
			in.Misses = append(in.Misses, m)
		}
	})
	if err != nil {
		return nil, err
	}
	return kpi.Compute(in)
}

// each calls fn with the data of every record of typ in the replica.
func (c *Client) each(typ string, fn func(data []byte)) error {
	recs, err := c.Store.List(typ)
	for _, r := range recs {
		fn(r.Data)
	}
	return err
}

func (d *dashboard) Render() app.UI {
	l := d.lang
	if !d.client.prerendering() && !d.client.isStaff() {
		return d.frame(
			app.H1().Text(t(l, "dash.title")),
			app.P().Class("notice").Text(t(l, "dash.staff_only")),
			app.A().Class("button").Href("/signin?next=/agent/dashboard").Text(t(l, "nav.signin")),
		)
	}
	opts := []option{}
	for _, n := range dashRanges {
		opts = append(opts, option{n, t(l, "dash.last_days", n)})
	}
	opts = append(opts, option{"custom", t(l, "dash.custom")})
	r := d.report
	return d.frame(
		app.H1().Text(t(l, "dash.title")),
		app.Div().ID("dash-filters").Class("filters").Body(
			filterSelect("dash-range", t(l, "dash.range"), d.rng, opts,
				func(ctx app.Context, v string) { d.setRange(ctx, func(d *dashboard) { d.rng = v }) }),
			app.If(d.rng == "custom", func() app.UI {
				return app.Span().Body(
					app.Label().Body(app.Text(t(l, "dash.from")+" "), app.Input().ID("dash-from").Type("date").Value(d.from).
						OnChange(func(ctx app.Context, e app.Event) {
							v := ctx.JSSrc().Get("value").String()
							d.setRange(ctx, func(d *dashboard) { d.from = v })
						})),
					app.Label().Body(app.Text(" "+t(l, "dash.to")+" "), app.Input().ID("dash-to").Type("date").Value(d.to).
						OnChange(func(ctx app.Context, e app.Event) {
							v := ctx.JSSrc().Get("value").String()
							d.setRange(ctx, func(d *dashboard) { d.to = v })
						})),
				)
			}),
			app.If(d.client.me() != nil && d.client.me().Role == shared.RoleAdmin, func() app.UI {
				return app.A().ID("dash-admin-sla").Href("/admin/sla").Text(t(l, "slaadmin.title"))
			}),
		),
		app.If(d.errMsg != "", func() app.UI { return app.P().ID("dash-error").Class("error").Text(d.errMsg) }),
		app.If(!d.loaded, func() app.UI { return app.P().Class("muted").Text(t(l, "home.loading")) }),
		app.If(r != nil, func() app.UI { return d.renderReport(r) }),
	)
}

func (d *dashboard) renderReport(r *kpi.Report) app.UI {
	l := d.lang
	timeNote := t(l, "kpi.wall_time")
	if r.BusinessTime {
		timeNote = t(l, "kpi.business_time")
	}
	var compliance *kpi.Compliance
	for i := range r.SLA {
		if r.SLA[i].Priority == "all" {
			compliance = &r.SLA[i]
		}
	}
	csat := "—"
	if r.CSAT.Average != nil {
		csat = decimalText(l, strconv.FormatFloat(*r.CSAT.Average, 'f', 2, 64))
	}
	return app.Div().ID("dash-report").DataSet("from", r.From.Format(time.RFC3339)).DataSet("to", r.To.Format(time.RFC3339)).Body(
		app.P().Class("muted").Text(t(l, "dash.range_is", dateText(l, r.From), dateText(l, r.To))+" "+timeNote),
		app.Div().Class("kpis").Body(
			kpiCard("kpi-filed", t(l, "kpi.filed"), strconv.Itoa(r.Filed), t(l, "dash.resolved_n", r.Resolved)),
			kpiCard("kpi-fcr", t(l, "kpi.first_contact"), pctLang(l, r.FirstContact), t(l, "dash.n_of", r.FirstContact.N, r.FirstContact.Of)),
			kpiCard("kpi-frt", t(l, "kpi.first_response"), durText(l, r.FirstResponse.MedianS, r.FirstResponse.Count),
				t(l, "dash.p90", durText(l, r.FirstResponse.P90S, r.FirstResponse.Count))),
			kpiCard("kpi-resolution", t(l, "kpi.resolution"), durText(l, r.Resolution.MedianS, r.Resolution.Count),
				t(l, "dash.p90", durText(l, r.Resolution.P90S, r.Resolution.Count))),
			app.If(compliance != nil, func() app.UI {
				return kpiCard("kpi-sla", t(l, "dash.sla"), pctLang(l, compliance.Resolution),
					t(l, "dash.sla_detail", pctLang(l, compliance.FirstResponse)))
			}),
			kpiCard("kpi-csat", t(l, "kpi.csat"), csat,
				t(l, "dash.csat_detail", r.CSAT.Ratings, pctLang(l, r.CSAT.Response), pctLang(l, r.CSAT.Satisfied))),
			kpiCard("kpi-deflection", t(l, "kpi.deflection"), pctLang(l, r.Deflection.Rate),
				t(l, "dash.deflection_detail", r.Deflection.TreesSolved, r.Deflection.ArticlesHelpful, r.Deflection.Helpful, r.Deflection.Filed)+
					" "+t(l, "dash.deflection_from_form", r.Deflection.FromTicketForm)),
		),
		app.Div().Class("charts").Body(
			app.Figure().ID("chart-backlog").Class("chart").Body(
				app.FigCaption().Text(t(l, "kpi.table.backlog")),
				backlogChart(l, r.Backlog),
			),
			app.If(len(r.SLA) > 0, func() app.UI {
				return app.Figure().ID("chart-sla").Class("chart").Body(
					app.FigCaption().Text(t(l, "kpi.table.sla")),
					complianceChart(l, r.SLA),
				)
			}),
		),
		app.Range(r.Tables()).Slice(func(i int) app.UI { return d.renderTable(r, r.Tables()[i]) }),
	)
}

func kpiCard(id, label, value, detail string) app.UI {
	return app.Div().ID(id).Class("kpi card").Body(
		app.Div().Class("kpi-label").Text(label),
		app.Div().Class("kpi-value").Text(value),
		app.Div().Class("kpi-detail muted").Text(detail),
	)
}

// durText words a time in whole seconds: "45 min", "3 h 20 min", "2 d 4 h".
func durText(l string, secs int64, count int) string {
	if count == 0 {
		return "—"
	}
	m := secs / 60
	switch {
	case m < 60:
		return t(l, "age.minutes", m)
	case m < 48*60:
		return t(l, "dash.dur_hm", m/60, m%60)
	}
	return t(l, "dash.dur_dh", m/(24*60), m%(24*60)/60)
}

// renderTable shows one table of the report with its CSV download.
func (d *dashboard) renderTable(r *kpi.Report, tb kpi.Table) app.UI {
	l := d.lang
	name := tb.Name
	return app.Section().ID("table-"+name).Class("dash-table").Body(
		app.H2().Body(
			app.Text(t(l, "kpi.table."+name)+" "),
			app.Button().ID("csv-"+name).Class("secondary").Type("button").Text(t(l, "kpi.export_csv")).
				OnClick(func(ctx app.Context, e app.Event) { d.export(name) }, app.EventScope(name)),
		),
		app.If(len(tb.Rows) == 0, func() app.UI { return app.P().Class("empty").Text(t(l, "kpi.no_data")) }).Else(func() app.UI {
			return humanTable(l, r, tb) // dashboard_table.go
		}),
	)
}

// export downloads the table called name of the current report as CSV,
// through a Blob URL and an <a download>.
func (d *dashboard) export(name string) {
	r := d.report
	if r == nil {
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // a BOM, so spreadsheets read UTF-8 text right
	if err := r.CSV(&buf, name); err != nil {
		d.errMsg = errorText(d.lang, err)
		return
	}
	file := fmt.Sprintf("outpost-%s-%s-%s.csv", name, r.From.Format("20060102"), r.To.Format("20060102"))
	downloadText(file, "text/csv;charset=utf-8", buf.String())
}

// downloadText saves text as a file called name on the user's device.
func downloadText(name, mime, text string) {
	w := app.Window()
	blob := w.Get("Blob").New([]any{text}, map[string]any{"type": mime})
	href := w.Get("URL").Call("createObjectURL", blob)
	doc := w.Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", href)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	w.Call("setTimeout", app.FuncOf(func(this app.Value, args []app.Value) any {
		w.Get("URL").Call("revokeObjectURL", href)
		return nil
	}), 10_000)
}

// Charts: inline SVG drawn by the app, no chart library.

const svgNS = "http://www.w3.org/2000/svg"

func svg(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

func svgText(x, y int, anchor, cls, s string) app.UI {
	return svg("text").Attr("x", x).Attr("y", y).Attr("text-anchor", anchor).Class(cls).Text(s)
}

// backlogChart draws the open tickets of each tier as a bar split by age.
func backlogChart(l string, rows []kpi.Backlog) app.UI {
	const width, label, barH, gap, top = 520, 70, 26, 12, 8
	total := 0
	var tiers []kpi.Backlog
	for _, b := range rows {
		if b.Tier != 0 {
			tiers = append(tiers, b)
			total = max(total, b.Total)
		}
	}
	scale := func(n int) int {
		if total == 0 {
			return 0
		}
		return n * (width - label - 40) / total
	}
	ages := []string{"kpi.age.0_1d", "kpi.age.1_3d", "kpi.age.3_7d", "kpi.age.7d_plus"}
	height := top + len(tiers)*(barH+gap) + 30
	var kids []app.UI
	for i, b := range tiers {
		y := top + i*(barH+gap)
		kids = append(kids, svgText(label-8, y+barH/2+5, "end", "axis", t(l, "kpi.tier", b.Tier)))
		x := label
		for k, n := range []int{b.UpTo1Day, b.UpTo3Days, b.UpTo7Days, b.Older} {
			w := scale(n)
			if w > 0 {
				kids = append(kids, svg("rect").Attr("x", x).Attr("y", y).Attr("width", w).Attr("height", barH).
					Class("age"+strconv.Itoa(k)).Body(svg("title").Text(t(l, ages[k])+": "+strconv.Itoa(n))))
			}
			x += w
		}
		kids = append(kids, svgText(x+6, y+barH/2+5, "start", "value", strconv.Itoa(b.Total)))
	}
	ly := height - 10
	for k, key := range ages {
		x := label + k*110
		kids = append(kids,
			svg("rect").Attr("x", x).Attr("y", ly-10).Attr("width", 10).Attr("height", 10).Class("age"+strconv.Itoa(k)),
			svgText(x+14, ly, "start", "legend", t(l, key)),
		)
	}
	return svg("svg").Attr("viewBox", fmt.Sprintf("0 0 %d %d", width, height)).Attr("role", "img").
		Aria("label", t(l, "kpi.table.backlog")).Class("bars").Body(kids...)
}

// complianceChart draws, per priority, the share of first-response and
// resolution targets met, as two bars out of 100 %.
func complianceChart(l string, rows []kpi.Compliance) app.UI {
	const width, label, barH, gap, top = 520, 70, 12, 14, 8
	span := width - label - 80 // room for "100.0 %" after the bar
	height := top + len(rows)*(2*barH+gap) + 30
	var kids []app.UI
	for i, c := range rows {
		y := top + i*(2*barH+gap)
		name := c.Priority
		if name == "all" {
			name = t(l, "kpi.all")
		}
		kids = append(kids, svgText(label-8, y+barH+4, "end", "axis", name))
		for k, s := range []kpi.Share{c.FirstResponse, c.Resolution} {
			yy := y + k*barH
			kids = append(kids, svg("rect").Attr("x", label).Attr("y", yy).Attr("width", span).Attr("height", barH-2).Class("track"))
			if s.Pct != nil {
				kids = append(kids, svg("rect").Attr("x", label).Attr("y", yy).Attr("width", int(*s.Pct*float64(span)/100)).
					Attr("height", barH-2).Class("met"+strconv.Itoa(k)).Body(svg("title").Text(pctLang(l, s))))
			}
			kids = append(kids, svgText(label+span+6, yy+barH-3, "start", "value", pctLang(l, s)))
		}
	}
	ly := height - 10
	for k, key := range []string{"kpi.first_response", "kpi.resolution"} {
		x := label + k*180
		kids = append(kids,
			svg("rect").Attr("x", x).Attr("y", ly-10).Attr("width", 10).Attr("height", 10).Class("met"+strconv.Itoa(k)),
			svgText(x+14, ly, "start", "legend", t(l, key)),
		)
	}
	return svg("svg").Attr("viewBox", fmt.Sprintf("0 0 %d %d", width, height)).Attr("role", "img").
		Aria("label", t(l, "kpi.table.sla")).Class("bars").Body(kids...)
}
