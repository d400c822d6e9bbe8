package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/sla"
)

// slaAdmin is the admin screen of the business-hours calendar and the SLA
// policy. The form checks what it would save with shared/sla as the admin
// types (the messages show beside each part), and saves through the
// config.save mutation, queued like any change; the server checks again.
type slaAdmin struct {
	page
	loaded bool
	dirty  bool // the form holds edits: a sync must not overwrite them

	zone     string
	allHours bool
	week     [7]string // by time.Weekday: "08:00-13:00, 14:00-18:00"
	holidays string    // dates, one a line (or comma-separated)
	targets  map[string]targetForm
	warn     string // percent

	calErr, polErr     string
	calSaved, polSaved bool // queued since the last edit
	errMsg             string
}

// targetForm is one priority's targets as typed.
type targetForm struct {
	FirstResponse, Resolution string
	AllHours                  bool
}

// weekOrder lists the days as a week is read in Europe: Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func (a *slaAdmin) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(a.lang, "slaadmin.title") + " · " + t(a.lang, "app.name"))
}

func (a *slaAdmin) OnMount(ctx app.Context) { a.mountPage(ctx, a.load) }

func (a *slaAdmin) load(ctx app.Context) {
	ctx.Page().SetTitle(t(a.lang, "slaadmin.title") + " · " + t(a.lang, "app.name"))
	if a.dirty {
		return
	}
	ctx.Async(func() {
		cal, pol, err := a.client.slaConfig()
		ctx.Dispatch(func(ctx app.Context) {
			a.loaded, a.errMsg = true, ""
			if err != nil {
				a.errMsg = errorText(a.lang, err)
			}
			if cal == nil {
				cal, _ = sla.DefaultCalendar(sla.DefaultZone, nil)
				pol = sla.DefaultPolicy()
			}
			if !a.dirty && cal != nil {
				a.fill(cal, pol)
			}
		})
	})
}

// fill puts a calendar and a policy into the form.
func (a *slaAdmin) fill(cal *sla.Calendar, pol *sla.Policy) {
	a.zone, a.allHours = cal.Zone, cal.AllHours
	for d := range a.week {
		var spans []string
		for _, s := range cal.Week[d] {
			spans = append(spans, fmt.Sprintf("%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60))
		}
		a.week[d] = strings.Join(spans, ", ")
	}
	a.holidays = strings.Join(cal.Holidays, "\n")
	a.targets = map[string]targetForm{}
	for _, p := range shared.Priorities {
		tg := pol.Targets[p]
		a.targets[p] = targetForm{fmtTarget(tg.FirstResponse), fmtTarget(tg.Resolution), tg.AllHours}
	}
	warn := pol.Warn
	if warn <= 0 {
		warn = sla.DefaultWarn
	}
	a.warn = strconv.Itoa(int(warn*100 + 0.5))
}

// fmtTarget writes a target as the form reads it: "30h", "1h30m", "45m".
func fmtTarget(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case m == 0:
		return strconv.Itoa(h) + "h"
	case h == 0:
		return strconv.Itoa(m) + "m"
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

// calendar reads the calendar from the form and checks it.
func (a *slaAdmin) calendar() (*sla.Calendar, error) {
	cal := &sla.Calendar{Zone: strings.TrimSpace(a.zone), AllHours: a.allHours}
	for d, text := range a.week {
		for _, part := range strings.Split(text, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			span, ok := parseSpan(part)
			if !ok {
				return nil, shared.Errorf(shared.EINVALID, "slaadmin.bad_hours", part, t(a.lang, "sla.weekday."+strings.ToLower(time.Weekday(d).String()[:3])))
			}
			cal.Week[d] = append(cal.Week[d], span)
		}
	}
	cal.Holidays = strings.FieldsFunc(a.holidays, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\t' || r == '\r' })
	if err := cal.LoadZone(nil); err != nil {
		return nil, err
	}
	return cal, cal.Validate()
}

// parseSpan reads "08:00-18:00" (or with an en dash).
func parseSpan(s string) (sla.Span, bool) {
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return sla.Span{}, false
	}
	a, ok1 := parseClock(from)
	b, ok2 := parseClock(to)
	return sla.Span{Start: a, End: b}, ok1 && ok2
}

// parseClock reads "08:00" or "24:00" as minutes from midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// policy reads the policy from the form and checks it.
func (a *slaAdmin) policy() (*sla.Policy, error) {
	pol := &sla.Policy{Targets: map[string]sla.Target{}}
	for _, p := range shared.Priorities {
		f := a.targets[p]
		fr, err1 := time.ParseDuration(strings.TrimSpace(f.FirstResponse))
		res, err2 := time.ParseDuration(strings.TrimSpace(f.Resolution))
		switch {
		case err1 != nil:
			return nil, shared.Errorf(shared.EINVALID, "slaadmin.bad_duration", f.FirstResponse, p)
		case err2 != nil:
			return nil, shared.Errorf(shared.EINVALID, "slaadmin.bad_duration", f.Resolution, p)
		}
		pol.Targets[p] = sla.Target{FirstResponse: fr, Resolution: res, AllHours: f.AllHours}
	}
	warn, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(a.warn), "%")))
	if err != nil {
		return nil, shared.Errorf(shared.EINVALID, "sla.bad_warn")
	}
	pol.Warn = float64(warn) / 100
	return pol, pol.Validate()
}

// edited notes a change to the form and checks it again.
func (a *slaAdmin) edited() {
	a.dirty, a.calSaved, a.polSaved = true, false, false
	a.calErr, a.polErr = "", ""
	if _, err := a.calendar(); err != nil {
		a.calErr = errorText(a.lang, err)
	}
	if _, err := a.policy(); err != nil {
		a.polErr = errorText(a.lang, err)
	}
}

// save queues the calendar or the policy.
func (a *slaAdmin) save(ctx app.Context, id string) {
	client := a.client
	s := sla.ConfigSave{ID: id}
	var err error
	if id == sla.ConfigCalendar {
		s.Calendar, err = a.calendar()
	} else {
		s.Policy, err = a.policy()
	}
	if err != nil {
		a.edited()
		return
	}
	ctx.Async(func() {
		err := client.Engine.Mutate(shared.OpConfigSave, s, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.errMsg = errorText(a.lang, err)
				return
			}
			if id == sla.ConfigCalendar {
				a.calSaved = true
			} else {
				a.polSaved = true
			}
			a.dirty = !a.calSaved || !a.polSaved
		})
	})
}

func (a *slaAdmin) Render() app.UI {
	l := a.lang
	if !a.client.prerendering() && (a.client.me() == nil || a.client.me().Role != shared.RoleAdmin) {
		return a.frame(
			app.H1().Text(t(l, "slaadmin.title")),
			app.P().Class("notice").Text(t(l, "slaadmin.admins_only")),
			app.A().Class("button").Href("/signin?next=/admin/sla").Text(t(l, "nav.signin")),
		)
	}
	if !a.loaded {
		return a.frame(app.H1().Text(t(l, "slaadmin.title")), app.P().Class("muted").Text(t(l, "home.loading")))
	}
	return a.frame(
		app.H1().Text(t(l, "slaadmin.title")),
		app.P().Class("muted").Text(t(l, "slaadmin.intro")),
		app.If(a.errMsg != "", func() app.UI { return app.P().Class("error").Text(a.errMsg) }),
		app.Form().ID("sla-calendar").Class("form card sla-admin").Attr("onsubmit", noNativeSubmit).Body(
			app.H2().Text(t(l, "slaadmin.calendar")),
			app.Label().For("sla-zone").Text(t(l, "slaadmin.zone")),
			app.Input().ID("sla-zone").Type("text").Value(a.zone).Placeholder(sla.DefaultZone).
				OnInput(func(ctx app.Context, e app.Event) { a.zone = ctx.JSSrc().Get("value").String(); a.edited() }),
			app.Label().Class("check").Body(
				app.Input().ID("sla-all-hours").Type("checkbox").Checked(a.allHours).
					OnChange(func(ctx app.Context, e app.Event) { a.allHours = ctx.JSSrc().Get("checked").Bool(); a.edited() }),
				app.Text(" "+t(l, "slaadmin.all_hours")),
			),
			app.Table().Class("sla-week").Body(app.Range(weekOrder).Slice(func(i int) app.UI {
				d := weekOrder[i]
				id := "sla-day-" + strconv.Itoa(int(d))
				return app.Tr().Body(
					app.Th().Body(app.Label().For(id).Text(t(l, "sla.weekday."+strings.ToLower(d.String()[:3])))),
					app.Td().Body(app.Input().ID(id).Type("text").Value(a.week[d]).Placeholder(t(l, "slaadmin.closed")).Disabled(a.allHours).
						OnInput(func(ctx app.Context, e app.Event) { a.week[d] = ctx.JSSrc().Get("value").String(); a.edited() }, app.EventScope(int(d)))),
				)
			})),
			app.P().Class("muted").Text(t(l, "slaadmin.hours_hint")),
			app.Label().For("sla-holidays").Text(t(l, "slaadmin.holidays")),
			app.Textarea().ID("sla-holidays").Rows(3).Text(a.holidays).Disabled(a.allHours).Placeholder("2026-12-25").
				OnInput(func(ctx app.Context, e app.Event) { a.holidays = ctx.JSSrc().Get("value").String(); a.edited() }),
			app.If(a.calErr != "", func() app.UI {
				return app.P().ID("sla-cal-error").Class("error").Attr("role", "alert").Text(a.calErr)
			}),
			app.Div().Class("actions").Body(
				app.Button().ID("sla-cal-save").Type("button").Disabled(a.calErr != "").Text(t(l, "slaadmin.save_calendar")).
					OnClick(func(ctx app.Context, e app.Event) { a.save(ctx, sla.ConfigCalendar) }),
				app.If(a.calSaved, func() app.UI { return app.Span().ID("sla-cal-saved").Class("muted").Text(t(l, "slaadmin.saved")) }),
			),
		),
		app.Form().ID("sla-policy").Class("form card sla-admin").Attr("onsubmit", noNativeSubmit).Body(
			app.H2().Text(t(l, "slaadmin.policy")),
			app.Table().Class("sla-targets").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text(t(l, "agent.priority")), app.Th().Text(t(l, "slaview.timer.first_response")),
					app.Th().Text(t(l, "slaview.timer.resolution")), app.Th().Text(t(l, "slaadmin.all_hours_short")),
				)),
				app.TBody().Body(app.Range(shared.Priorities).Slice(func(i int) app.UI {
					p := shared.Priorities[i]
					f := a.targets[p]
					set := func(change func(*targetForm)) {
						f := a.targets[p]
						change(&f)
						a.targets[p] = f
						a.edited()
					}
					return app.Tr().Body(
						app.Th().Text(t(l, "ticket.priority."+p)),
						app.Td().Body(app.Input().ID("sla-fr-"+p).Type("text").Size(6).Value(f.FirstResponse).
							Aria("label", t(l, "ticket.priority."+p)+": "+t(l, "slaview.timer.first_response")).
							OnInput(func(ctx app.Context, e app.Event) {
								v := ctx.JSSrc().Get("value").String()
								set(func(f *targetForm) { f.FirstResponse = v })
							}, app.EventScope(p))),
						app.Td().Body(app.Input().ID("sla-res-"+p).Type("text").Size(6).Value(f.Resolution).
							Aria("label", t(l, "ticket.priority."+p)+": "+t(l, "slaview.timer.resolution")).
							OnInput(func(ctx app.Context, e app.Event) {
								v := ctx.JSSrc().Get("value").String()
								set(func(f *targetForm) { f.Resolution = v })
							}, app.EventScope(p))),
						app.Td().Body(app.Input().ID("sla-24-"+p).Type("checkbox").Checked(f.AllHours).
							Aria("label", t(l, "ticket.priority."+p)+": "+t(l, "slaadmin.all_hours_short")).
							OnChange(func(ctx app.Context, e app.Event) {
								v := ctx.JSSrc().Get("checked").Bool()
								set(func(f *targetForm) { f.AllHours = v })
							}, app.EventScope(p))),
					)
				})),
			),
			app.P().Class("muted").Text(t(l, "slaadmin.targets_hint")),
			app.Label().For("sla-warn").Text(t(l, "slaadmin.warn")),
			app.Input().ID("sla-warn").Type("number").Min(1).Max(99).Value(a.warn).
				OnInput(func(ctx app.Context, e app.Event) { a.warn = ctx.JSSrc().Get("value").String(); a.edited() }),
			app.If(a.polErr != "", func() app.UI {
				return app.P().ID("sla-pol-error").Class("error").Attr("role", "alert").Text(a.polErr)
			}),
			app.Div().Class("actions").Body(
				app.Button().ID("sla-pol-save").Type("button").Disabled(a.polErr != "").Text(t(l, "slaadmin.save_policy")).
					OnClick(func(ctx app.Context, e app.Event) { a.save(ctx, sla.ConfigPolicy) }),
				app.If(a.polSaved, func() app.UI { return app.Span().ID("sla-pol-saved").Class("muted").Text(t(l, "slaadmin.saved")) }),
			),
		),
	)
}
