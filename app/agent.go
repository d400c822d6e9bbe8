package app

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/sla"
)

// agentQueue is the agent's work list: the tickets on this device, filtered
// by tier, status, priority, category and assignee, most urgent first. It
// works offline on what the device holds; changes made from it are queued.
type agentQueue struct {
	page
	tickets []ticketView
	sla     map[string]sla.Timers // by ticket ID (sla_view.go)
	loaded  bool
	errMsg  string
	f       queueFilter
	cursor  int // the highlighted row, for j/k/Enter
	keys    func()
	groups  []string // the groups agents belong to, for the filter
}

// queueFilter is the queue's filters, kept in the URL so a reload or a
// shared link shows the same queue.
type queueFilter struct {
	Status   string // "active" (new, open, pending), "" all, or one status
	Tier     string // "" all, "1".."3"
	Priority string
	Category string
	Group    string // "" all, "-" the general queue, or a group
	Mine     bool
	Sort     string // "" by SLA due time, "priority" by priority then age

	me *shared.Identity // who reads the queue: their tier by default, "mine"
}

// read takes the filters from the URL's query, for me.
func (f *queueFilter) read(q url.Values, me *shared.Identity) {
	f.me = me
	f.Status, f.Tier, f.Priority, f.Category = "active", "", q.Get("priority"), q.Get("category")
	if q.Has("status") {
		f.Status = q.Get("status")
	}
	if q.Has("tier") {
		f.Tier = q.Get("tier")
	} else if me != nil && me.Tier > 0 {
		f.Tier = strconv.Itoa(me.Tier)
	}
	f.Group = q.Get("group")
	f.Mine = q.Get("mine") == "1"
	f.Sort = q.Get("sort")
}

func (f *queueFilter) values() url.Values {
	q := url.Values{"status": {f.Status}, "tier": {f.Tier}}
	if f.Priority != "" {
		q.Set("priority", f.Priority)
	}
	if f.Category != "" {
		q.Set("category", f.Category)
	}
	if f.Group != "" {
		q.Set("group", f.Group)
	}
	if f.Mine {
		q.Set("mine", "1")
	}
	if f.Sort != "" {
		q.Set("sort", f.Sort)
	}
	return q
}

func (f *queueFilter) match(t *ticketView) bool {
	switch {
	case f.Status == "active" && t.Status != shared.StatusNew && t.Status != shared.StatusOpen && t.Status != shared.StatusPending:
		return false
	case f.Status != "active" && f.Status != "" && t.Status != f.Status:
		return false
	case f.Tier != "" && strconv.Itoa(max(t.Tier, 1)) != f.Tier:
		return false
	case f.Priority != "" && t.Priority != f.Priority:
		return false
	case f.Category != "" && t.Category != f.Category:
		return false
	case f.Group == "-" && t.Group != "", f.Group != "" && f.Group != "-" && t.Group != f.Group:
		return false
	case f.Mine && (f.me == nil || t.AssigneeID != f.me.UserID):
		return false
	}
	return true
}

func (q *agentQueue) OnPreRender(ctx app.Context) {
	q.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(q.lang, "nav.agent") + " · " + t(q.lang, "app.name"))
}

func (q *agentQueue) OnMount(ctx app.Context) {
	q.f.read(ctx.Page().URL().Query(), q.client.me())
	q.mountPage(ctx, q.load)
	q.keys = onShortcut(ctx, q.shortcut)
}

func (q *agentQueue) OnDismount() {
	q.page.OnDismount()
	if q.keys != nil {
		q.keys()
	}
}

func (q *agentQueue) load(ctx app.Context) {
	ctx.Page().SetTitle(t(q.lang, "nav.agent") + " · " + t(q.lang, "app.name"))
	ctx.Async(func() {
		ts, err := q.client.tickets()
		timers, serr := q.client.queueSLA(ts, q.client.clk().Now())
		if err == nil {
			err = serr
		}
		_, groups, gerr := q.client.staff()
		if err == nil {
			err = gerr
		}
		ctx.Dispatch(func(ctx app.Context) {
			q.tickets, q.sla, q.loaded, q.errMsg = ts, timers, true, ""
			q.groups = groups
			if err != nil {
				q.errMsg = storageErrText(q.lang, err)
			}
		})
	})
}

// queue returns the tickets that pass the filters, most urgent first: by
// SLA due time (breached on top, see dueRank), or by priority then oldest.
func (q *agentQueue) queue() []ticketView {
	var out []ticketView
	for i := range q.tickets {
		if q.f.match(&q.tickets[i]) {
			out = append(out, q.tickets[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if q.f.Sort == "" {
			ri, di := dueRank(&out[i], q.sla)
			rj, dj := dueRank(&out[j], q.sla)
			if ri != rj || !di.Equal(dj) {
				return ri < rj || ri == rj && di.Before(dj)
			}
		}
		if out[i].Priority != out[j].Priority {
			return or(out[i].Priority, "P9") < or(out[j].Priority, "P9")
		}
		return out[i].CreatedAt < out[j].CreatedAt
	})
	return out
}

func (q *agentQueue) setFilter(ctx app.Context, set func(*queueFilter)) {
	set(&q.f)
	q.cursor = 0
	u := *ctx.Page().URL()
	u.RawQuery = q.f.values().Encode()
	ctx.Page().ReplaceURL(&u)
}

// shortcut: j/k move, Enter (o) opens, m toggles "assigned to me".
func (q *agentQueue) shortcut(ctx app.Context, key string) {
	rows := q.queue()
	switch key {
	case "j":
		q.cursor = min(q.cursor+1, max(len(rows)-1, 0))
	case "k":
		q.cursor = max(q.cursor-1, 0)
	case "o":
		if q.cursor < len(rows) {
			ctx.Navigate("/ticket/" + rows[q.cursor].ID)
		}
	case "m":
		q.setFilter(ctx, func(f *queueFilter) { f.Mine = !f.Mine })
	}
}

func (q *agentQueue) Render() app.UI {
	l := q.lang
	if !q.client.prerendering() && !q.client.isStaff() {
		return q.frame(
			app.H1().Text(t(l, "nav.agent")),
			app.P().Class("notice").Text(t(l, "agent.staff_only")),
			app.A().Class("button").Href("/signin?next=/agent").Text(t(l, "nav.signin")),
		)
	}
	rows := q.queue()
	return q.frame(
		app.H1().Text(t(l, "nav.agent")),
		app.Div().ID("queue-filters").Class("filters").Body(
			filterSelect("f-status", t(l, "agent.status"), q.f.Status, []option{
				{"active", t(l, "agent.active")}, {"", t(l, "search.all")},
				{shared.StatusNew, t(l, "ticket.status.new")}, {shared.StatusOpen, t(l, "ticket.status.open")},
				{shared.StatusPending, t(l, "ticket.status.pending")}, {shared.StatusResolved, t(l, "ticket.status.resolved")},
				{shared.StatusClosed, t(l, "ticket.status.closed")},
			}, func(ctx app.Context, v string) { q.setFilter(ctx, func(f *queueFilter) { f.Status = v }) }),
			filterSelect("f-tier", t(l, "agent.tier"), q.f.Tier, []option{
				{"", t(l, "search.all")}, {"1", t(l, "role.tier", 1)}, {"2", t(l, "role.tier", 2)}, {"3", t(l, "role.tier", 3)},
			}, func(ctx app.Context, v string) { q.setFilter(ctx, func(f *queueFilter) { f.Tier = v }) }),
			filterSelect("f-priority", t(l, "agent.priority"), q.f.Priority, append([]option{{"", t(l, "search.all")}}, priorityOptions(l)...),
				func(ctx app.Context, v string) { q.setFilter(ctx, func(f *queueFilter) { f.Priority = v }) }),
			filterSelect("f-category", t(l, "ticket.field_category"), q.f.Category, append([]option{{"", t(l, "search.all")}}, q.client.categoryOptions(l)...),
				func(ctx app.Context, v string) { q.setFilter(ctx, func(f *queueFilter) { f.Category = v }) }),
			filterSelect("f-group", t(l, "agent.group"), q.f.Group, q.groupOptions(),
				func(ctx app.Context, v string) { q.setFilter(ctx, func(f *queueFilter) { f.Group = v }) }),
			filterSelect("f-sort", t(l, "slaview.sort"), q.f.Sort, []option{{"", t(l, "slaview.sort_due")}, {"priority", t(l, "slaview.sort_priority")}},
				func(ctx app.Context, v string) { q.setFilter(ctx, func(f *queueFilter) { f.Sort = v }) }),
			// Jump to a number said on the phone: Enter opens the ticket.
			app.Label().Body(
				app.Text(t(l, "agent.jump")+" "),
				app.Input().ID("jump-number").Type("search").Attr("inputmode", "numeric").Size(8).
					Placeholder("1042").OnChange(q.jump),
			),
			app.Label().Class("check").Body(
				app.Input().ID("f-mine").Type("checkbox").Checked(q.f.Mine).
					OnChange(func(ctx app.Context, e app.Event) {
						v := ctx.JSSrc().Get("checked").Bool()
						q.setFilter(ctx, func(f *queueFilter) { f.Mine = v })
					}),
				app.Text(" "+t(l, "agent.mine")+" (m)"),
			),
		),
		app.If(q.errMsg != "", func() app.UI { return app.P().Class("error").Text(q.errMsg) }),
		app.If(q.loaded && len(rows) == 0, func() app.UI {
			return app.P().ID("queue-empty").Class("empty").Text(t(l, "agent.empty"))
		}),
		app.If(len(rows) > 0, func() app.UI {
			now := q.client.clk().Now()
			return app.Table().ID("queue").Class("queue").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text(t(l, "agent.number")), app.Th().Text(t(l, "ticket.field_title")), app.Th().Text(t(l, "agent.priority")),
					app.Th().Text(t(l, "agent.status")), app.Th().Text(t(l, "agent.tier")),
					app.Th().Text(t(l, "agent.requester")), app.Th().Text(t(l, "agent.assignee")), app.Th().Text(t(l, "agent.age")),
					app.Th().Text(t(l, "slaview.due")),
				)),
				app.TBody().Body(app.Range(rows).Slice(func(i int) app.UI {
					tk := rows[i]
					cls := "row"
					if i == q.cursor {
						cls += " current"
					}
					return app.Tr().Class(cls).DataSet("id", tk.ID).DataSet("pending", tk.Pending).Body(
						app.Td().Body(numberBadge(l, &tk)),
						app.Td().Body(app.A().Href("/ticket/"+tk.ID).Text(tk.Title)),
						app.Td().Body(app.Span().Class("badge prio-"+tk.Priority).Text(tk.Priority)),
						app.Td().Text(t(l, "ticket.status."+tk.Status)),
						app.Td().Text(strconv.Itoa(max(tk.Tier, 1))),
						app.Td().Text(or(tk.RequesterName, or(tk.RequesterEmail, t(l, "ticket.anonymous")))),
						app.Td().Text(or(tk.AssigneeName, "—")),
						app.Td().Text(age(l, now.Sub(time.UnixMilli(tk.CreatedAt)))),
						dueCell(l, &tk, q.sla, now),
					)
				})),
			)
		}),
		app.P().Class("muted").Text(t(l, "agent.queue_keys")),
	)
}

func filterSelect(id, label, value string, opts []option, set func(app.Context, string)) app.UI {
	return app.Label().Body(
		app.Text(label+" "),
		app.Select().ID(id).OnChange(func(ctx app.Context, e app.Event) { set(ctx, inputValue(ctx)) }).
			Body(app.Range(opts).Slice(func(i int) app.UI {
				return app.Option().Value(opts[i].value).Selected(opts[i].value == value).Text(opts[i].label)
			})),
	)
}

// jump opens the ticket whose number was typed in the "Go to #" field.
func (q *agentQueue) jump(ctx app.Context, e app.Event) {
	typed := strings.TrimSpace(inputValue(ctx))
	n := parseNumber(typed)
	if typed == "" {
		return
	}
	if n == 0 {
		q.errMsg = t(q.lang, "agent.jump_bad", typed)
		return
	}
	lang := q.lang
	ctx.Async(func() {
		tk, ok, err := q.client.ticketByNumber(n)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err != nil:
				q.errMsg = storageErrText(lang, err)
			case !ok:
				q.errMsg = t(lang, "agent.jump_none", n)
			default:
				q.errMsg = ""
				ctx.Navigate("/ticket/" + tk.ID)
			}
		})
	})
}

func priorityOptions(l string) []option {
	var out []option
	for _, p := range shared.Priorities {
		out = append(out, option{p, t(l, "ticket.priority."+p)})
	}
	return out
}

// categoryOptions offers every category of the tree in use, named in l.
func (c *Client) categoryOptions(l string) []option {
	var out []option
	for _, cat := range c.categories() {
		out = append(out, option{cat.Slug, c.categoryName(l, cat.Slug)})
	}
	return out
}

// age says how old something is, roughly: 5 min, 3 h, 2 d.
func age(l string, d time.Duration) string {
	switch {
	case d < time.Hour:
		return t(l, "age.minutes", max(int(d.Minutes()), 0))
	case d < 48*time.Hour:
		return t(l, "age.hours", int(d.Hours()))
	}
	return t(l, "age.days", int(d.Hours()/24))
}

// groupOptions offers every group, the general queue, or all.
func (q *agentQueue) groupOptions() []option {
	l := q.lang
	opts := []option{{"", t(l, "search.all")}, {"-", t(l, "agent.general_queue")}}
	for _, g := range q.groups {
		opts = append(opts, option{g, g})
	}
	return opts
}
