package app

import (
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// ticketPage shows one ticket and its history, and lets the requester reply
// or reopen it and an agent reply, note, and move it along. Every change is
// queued in the outbox and shown at once, marked until it is sent.
type ticketPage struct {
	page
	ticket  ticketView
	entries []entryView
	found   bool
	loaded  bool
	errMsg  string

	reply    string // the text being written
	internal bool   // staff: the text is an internal note
	reason   string // staff: escalation reason
	staff    []staffMember
	groups   []string
	keys     func() // removes the keyboard shortcuts
}

func ticketID(ctx app.Context) string {
	return strings.TrimPrefix(ctx.Page().URL().Path, "/ticket/")
}

func (p *ticketPage) OnPreRender(ctx app.Context) {
	p.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(p.lang, "tickets.title") + " · " + t(p.lang, "app.name"))
}

func (p *ticketPage) OnMount(ctx app.Context) {
	p.mountPage(ctx, p.load)
	p.keys = onShortcut(ctx, func(ctx app.Context, key string) { p.shortcut(ctx, key) })
}

func (p *ticketPage) OnDismount() {
	p.page.OnDismount()
	if p.keys != nil {
		p.keys()
	}
}

func (p *ticketPage) OnNav(ctx app.Context) {
	if !p.client.prerendering() && p.lang != "" {
		p.load(ctx)
	}
}

func (p *ticketPage) load(ctx app.Context) {
	id := ticketID(ctx)
	ctx.Async(func() {
		tv, entries, found, err := p.client.ticket(id)
		var staff []staffMember
		var groups []string
		if err == nil && p.client.isStaff() {
			staff, groups, err = p.client.staff()
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.ticket, p.entries, p.found = tv, entries, found
			// A change the server refused after it left this device (queued
			// offline, or the ticket moved meanwhile) is said here.
			if r, ok := takeRefusal(ctx.LocalStorage(), "ticket/"+id); ok {
				p.errMsg = t(p.lang, "ticket.refused", r.text(p.lang))
			}
			p.staff, p.groups = staff, groups
			p.loaded = found || p.client.Engine.Status().Synced
			if err != nil {
				p.errMsg = storageErrText(p.lang, err)
			}
			if found {
				ctx.Page().SetTitle(tv.Title + " · " + t(p.lang, "app.name"))
				if p.client.me() != nil && tv.RequesterID == p.client.me().UserID && len(entries) > 0 {
					p.client.markSeen(tv.ID, entries[len(entries)-1].At)
				}
			}
		})
	})
}

// change queues a change to this ticket and redraws.
func (p *ticketPage) change(ctx app.Context, name string, op shared.TicketOp) {
	op.TicketID = p.ticket.ID
	lang := p.lang
	// The rule the server applies, applied first: a refusal is said at
	// once, in words, instead of being queued to fail later.
	if err := p.refused(name, op); err != nil {
		p.errMsg = errorText(lang, err)
		return
	}
	ctx.Async(func() {
		err := p.client.changeTicket(name, op)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.errMsg = errorText(lang, err)
				return
			}
			p.errMsg = ""
			// What the user typed lives in the field's value, which a
			// redraw does not reset: clear it by hand.
			if name == shared.OpTicketReply || name == shared.OpTicketNote {
				p.reply = ""
				clearField("ticket-reply")
			}
			if name == shared.OpTicketEscalate {
				p.reason = ""
				clearField("escalate-reason")
			}
			p.load(ctx)
		})
	})
}

// refused says why the signed-in user may not make change name to this
// ticket now (shared.Allowed and CanTransition, as the server checks
// them), or nil.
func (p *ticketPage) refused(name string, op shared.TicketOp) error {
	if p.client.me() == nil {
		return nil // a signed-out device's change waits for a sign-in; the server decides then
	}
	facts := p.ticket.Facts()
	switch name {
	case shared.OpTicketStatus:
		return shared.CanTransition(p.client.identity(), facts, op.To, p.client.clk().Now(), 0)
	case shared.OpTicketReply:
		return shared.Allowed(p.client.identity(), shared.ActionReply, facts)
	case shared.OpTicketNote:
		return shared.Allowed(p.client.identity(), shared.ActionNote, facts)
	case shared.OpTicketPriority:
		return shared.Allowed(p.client.identity(), shared.ActionChangePriority, facts)
	case shared.OpTicketAssign:
		return shared.Allowed(p.client.identity(), shared.ActionAssign, facts)
	case shared.OpTicketEscalate:
		return shared.Allowed(p.client.identity(), shared.ActionEscalate, facts)
	}
	return nil
}

// may reports whether the signed-in user may do action on this ticket.
func (p *ticketPage) may(action string) bool {
	return shared.Allowed(p.client.identity(), action, p.ticket.Facts()) == nil
}

// canMove reports whether the signed-in user may move this ticket to
// status to now.
func (p *ticketPage) canMove(to string) bool {
	return shared.CanTransition(p.client.identity(), p.ticket.Facts(), to, p.client.clk().Now(), 0) == nil
}

func (p *ticketPage) send(ctx app.Context, e app.Event) {
	name := shared.OpTicketReply
	if p.internal && p.client.isStaff() {
		name = shared.OpTicketNote
	}
	p.change(ctx, name, shared.TicketOp{Body: p.reply})
}

func (p *ticketPage) setStatus(ctx app.Context, to string) {
	p.change(ctx, shared.OpTicketStatus, shared.TicketOp{To: to})
}

// shortcut handles the agent's keys: r reply, n note, a assign to me,
// s resolve, e escalate.
func (p *ticketPage) shortcut(ctx app.Context, key string) {
	if !p.client.isStaff() || !p.found {
		return
	}
	identity := p.client.identity // who presses the keys
	switch key {
	case "r", "n":
		name := shared.OpTicketReply
		if key == "n" {
			name = shared.OpTicketNote
		}
		if err := p.refused(name, shared.TicketOp{}); err != nil {
			p.errMsg = errorText(p.lang, err)
			return
		}
		p.internal = key == "n"
		app.Window().GetElementByID("ticket-reply").Call("focus")
	case "a":
		p.change(ctx, shared.OpTicketAssign, shared.TicketOp{AssigneeID: identity().UserID, Group: p.ticket.Group})
	case "s":
		p.setStatus(ctx, shared.StatusResolved)
	case "e":
		if err := p.refused(shared.OpTicketEscalate, shared.TicketOp{}); err != nil {
			p.errMsg = errorText(p.lang, err)
			return
		}
		app.Window().GetElementByID("escalate-reason").Call("focus")
	}
}

func (p *ticketPage) Render() app.UI {
	l := p.lang
	if !p.loaded {
		return p.frame(app.P().Class("muted").Text(t(l, "home.loading")))
	}
	if !p.found {
		return p.frame(
			app.H1().Text(t(l, "ticket.not_here")),
			app.P().Text(t(l, "ticket.not_here_p")),
			app.A().Href("/tickets").Text("← "+t(l, "nav.tickets")),
		)
	}
	staff := p.client.isStaff()
	entries := shownEntries(p.client.readerRole(), p.entries) // labels.go: a requester sees no triage
	return p.frame(
		app.P().Class("crumbs").Body(app.A().Href(backLink(p.client.isStaff())).Text("← "+t(l, backLabel(p.client.isStaff())))),
		// The conversation on the left; the ticket's properties and what
		// its SLA promises in a side panel on wide screens (web/app.css
		// .ticket-layout), under it on a phone.
		app.Div().Class("ticket-layout").Body(p.renderMain(entries), app.Aside().Class("ticket-side").Aria("label", t(l, "ticket.properties")).Body(
			p.renderSLA(), // sla_view.go: due times, timers, the rating
			app.If(staff, func() app.UI { return p.renderAgentActions() }),
		)),
	)
}

// renderMain is the ticket's column: what it is, its attachments, its
// history and the reply form.
func (p *ticketPage) renderMain(entries []entryView) app.UI {
	l, tk, staff := p.lang, p.ticket, p.client.isStaff()
	return app.Div().Class("ticket-main").Body(
		app.Article().ID("ticket").Class("ticket-detail").DataSet("status", tk.Status).DataSet("pending", tk.Pending).Body(
			app.H1().Body(numberBadge(l, &tk), app.Text(" "+tk.Title)),
			app.P().Class("meta").Body(
				statusBadge(l, p.client.readerRole(), tk.Status).ID("ticket-status"), // labels.go: worded for the reader
				app.If(staff && tk.Priority != "", func() app.UI { // a requester's SLA panel says what it means for her
					return app.Span().Class("badge prio-" + tk.Priority).Text(t(l, "ticket.priority."+tk.Priority))
				}),
				app.If(tk.Category != "", func() app.UI { return app.Span().Text(p.client.categoryName(l, tk.Category)) }),
				app.Span().Class("muted").Text(t(l, "tickets.created", dateText(l, time.UnixMilli(tk.CreatedAt)))),
				app.If(staff, func() app.UI {
					return app.Span().Class("muted").Text(t(l, "ticket.requester", or(tk.RequesterName, or(tk.RequesterEmail, t(l, "ticket.anonymous")))))
				}),
				app.If(staff, func() app.UI {
					return app.Span().Class("muted").Text(t(l, "role.tier", max(tk.Tier, 1)) + " · " + or(tk.AssigneeName, t(l, "ticket.unassigned")))
				}),
				app.If(tk.Pending, func() app.UI { return app.Span().Class("badge pending").Text(t(l, "tickets.pending")) }),
			),
			app.If(tk.Description != "", func() app.UI { return app.P().Class("description").Text(tk.Description) }),
		),
		p.renderAttachments(), // attach_ticket.go
		app.Section().ID("history").Body(
			app.H2().Text(t(l, "ticket.history")),
			app.If(len(entries) == 0, func() app.UI { return app.P().Class("muted").Text(t(l, "ticket.no_history")) }),
			app.Ol().Class("history").Body(app.Range(entries).Slice(func(i int) app.UI { return renderEntry(l, p.client.readerRole(), entries[i]) })),
		),
		// One stable element for what comes and goes above the reply form:
		// go-app compares children by position, and a block appearing before
		// the form would mount it anew, losing the writer's focus.
		app.Div().Class("notices").Body(
			// Fixed at the foot of the window (web/app.css .toast), so a
			// refusal of a key press or a button far down the page is seen.
			app.If(p.errMsg != "", func() app.UI {
				return app.Div().ID("ticket-op-error").Class("error toast").Attr("role", "alert").Body(
					app.Span().Text(p.errMsg),
					app.Button().ID("ticket-op-error-close").Class("small secondary").Type("button").
						Aria("label", t(l, "ticket.dismiss")).Text("✕").
						OnClick(func(ctx app.Context, e app.Event) { p.errMsg = "" }),
				)
			}),
			p.client.renderKBFromTicket(l, tk), // kb_edit.go
		),
		p.renderReply(),
		app.If(!staff, func() app.UI { return p.renderRequesterActions() }),
	)
}

func backLink(staff bool) string {
	if staff {
		return "/agent"
	}
	return "/tickets"
}

func backLabel(staff bool) string {
	if staff {
		return "nav.agent"
	}
	return "nav.tickets"
}

func when(ms int64) string { return time.UnixMilli(ms).Format("2006-01-02 15:04") }

func renderEntry(l, role string, e entryView) app.UI {
	li := app.Li().Class("entry "+e.Kind).DataSet("kind", e.Kind).DataSet("id", e.ID).DataSet("pending", e.Pending)
	head := app.P().Class("who").Body(
		app.Strong().Text(or(e.AuthorName, t(l, "ticket.anonymous"))),
		app.Span().Class("muted").Text(" · "+dateText(l, time.UnixMilli(e.At))),
		app.If(e.Internal, func() app.UI { return app.Span().Class("badge internal").Text(t(l, "ticket.internal")) }),
		app.If(e.Pending, func() app.UI { return app.Span().Class("badge pending").Text(t(l, "tickets.pending")) }),
	)
	var what app.UI
	switch e.Kind {
	case shared.EntryReply, shared.EntryNote:
		what = app.P().Class("body").Text(e.Body)
	case shared.EntryStatus:
		what = app.P().Class("change").Text(t(l, "ticket.entry.status", statusLabel(l, role, e.To)))
	case shared.EntryPriority:
		what = app.P().Class("change").Text(t(l, "ticket.entry.priority", t(l, "ticket.priority."+e.To)))
	case shared.EntryAssign:
		what = app.P().Class("change").Text(t(l, "ticket.entry.assign", or(e.To, t(l, "ticket.unassigned"))))
	case shared.EntryEscalate:
		what = app.P().Class("change").Text(t(l, "ticket.entry.escalate", e.To, e.Body))
	default:
		what = renderSLAEntry(l, e) // sla_view.go: SLA marks, ratings
	}
	return li.Body(head, what)
}

func (p *ticketPage) renderReply() app.UI {
	l, tk := p.lang, p.ticket
	if tk.Status == shared.StatusClosed {
		return app.P().Class("muted").Text(t(l, "ticket.closed_hint"))
	}
	staff := p.client.isStaff()
	if why := p.refused(shared.OpTicketReply, shared.TicketOp{}); why != nil && p.refused(shared.OpTicketNote, shared.TicketOp{}) != nil {
		return app.P().ID("reply-refused").Class("muted").Text(errorText(l, why))
	}
	label := t(l, "ticket.reply")
	if p.internal && staff {
		label = t(l, "ticket.note")
	}
	return app.Section().ID("reply").Class("form").Body(
		app.If(staff, func() app.UI {
			return app.Div().Class("chips").Body(
				app.Button().ID("mode-reply").Class("chip").Type("button").Aria("pressed", !p.internal).Text(t(l, "ticket.reply")+" (r)").
					OnClick(func(ctx app.Context, e app.Event) { p.internal = false }),
				app.Button().ID("mode-note").Class("chip").Type("button").Aria("pressed", p.internal).Text(t(l, "ticket.note")+" (n)").
					OnClick(func(ctx app.Context, e app.Event) { p.internal = true }),
			)
		}),
		app.Label().For("ticket-reply").Text(label),
		app.Textarea().ID("ticket-reply").Rows(4).MaxLength(shared.MaxReply).Text(p.reply).
			Placeholder(t(l, "ticket.reply_ph")).
			OnInput(func(ctx app.Context, e app.Event) { p.reply = ctx.JSSrc().Get("value").String() }),
		app.Div().Class("actions").Body(
			app.Button().ID("ticket-send").Type("button").Text(label).OnClick(p.send),
			app.If(p.internal && staff, func() app.UI { return app.Span().Class("muted").Text(t(l, "ticket.note_hint")) }),
		),
	)
}

func (p *ticketPage) renderRequesterActions() app.UI {
	l, tk := p.lang, p.ticket
	mine := p.client.me() != nil && tk.RequesterID == p.client.me().UserID
	return app.Div().Class("actions").Body(
		app.If(mine && tk.Status == shared.StatusResolved, func() app.UI {
			return app.Button().ID("ticket-reopen").Class("secondary").Type("button").Text(t(l, "ticket.reopen")).
				OnClick(func(ctx app.Context, e app.Event) { p.setStatus(ctx, shared.StatusOpen) })
		}),
		app.If(mine && (tk.Status == shared.StatusNew || tk.Status == shared.StatusOpen || tk.Status == shared.StatusPending), func() app.UI {
			return app.Button().ID("ticket-solved").Class("secondary").Type("button").Text(t(l, "ticket.solved_myself")).
				OnClick(func(ctx app.Context, e app.Event) { p.setStatus(ctx, shared.StatusResolved) })
		}),
	)
}

// renderAgentActions draws the moves an agent makes on a ticket: only the
// ones shared.Allowed lets them make (the server checks each again), and
// when there is none, why not.
func (p *ticketPage) renderAgentActions() app.UI {
	l, tk, identity := p.lang, p.ticket, p.client.identity
	var moves []string // the statuses it may go to, and where it is
	for _, s := range shared.TicketStatuses {
		if s == tk.Status || p.canMove(s) {
			moves = append(moves, s)
		}
	}
	assign, priority, escalate := p.may(shared.ActionAssign), p.may(shared.ActionChangePriority), p.may(shared.ActionEscalate)
	if len(moves) < 2 && !assign && !priority && !escalate {
		why := shared.Allowed(p.client.identity(), shared.ActionChangeStatus, tk.Facts())
		if why == nil {
			why = shared.Allowed(p.client.identity(), shared.ActionAssign, tk.Facts())
		}
		return app.Section().ID("agent-actions").Class("card").Body(
			app.H2().Text(t(l, "agent.actions")),
			app.P().ID("agent-read-only").Class("notice").Text(t(l, "agent.read_only", errorText(l, why))),
		)
	}
	return app.Section().ID("agent-actions").Class("card").Body(
		app.H2().Text(t(l, "agent.actions")),
		app.Div().Class("actions").Body(
			app.If(len(moves) > 1, func() app.UI {
				return app.Span().Class("field-inline").Body(
					app.Label().For("set-status").Text(t(l, "agent.status")),
					app.Select().ID("set-status").OnChange(func(ctx app.Context, e app.Event) {
						p.setStatus(ctx, inputValue(ctx))
					}).Body(app.Range(moves).Slice(func(i int) app.UI {
						return app.Option().Value(moves[i]).Selected(moves[i] == tk.Status).Text(t(l, "ticket.status."+moves[i]))
					})),
				)
			}),
			app.If(assign && tk.AssigneeID != p.client.identity().UserID, func() app.UI {
				return app.Button().ID("assign-me").Class("secondary").Type("button").Text(t(l, "agent.assign_me") + " (a)").
					OnClick(func(ctx app.Context, e app.Event) {
						p.change(ctx, shared.OpTicketAssign, shared.TicketOp{AssigneeID: identity().UserID, Group: p.ticket.Group})
					})
			}),
			app.If(p.canMove(shared.StatusResolved), func() app.UI {
				return app.Button().ID("resolve").Class("secondary").Type("button").Text(t(l, "agent.resolve") + " (s)").
					OnClick(func(ctx app.Context, e app.Event) { p.setStatus(ctx, shared.StatusResolved) })
			}),
		),
		app.If(assign, func() app.UI { return p.renderAssign() }),
		app.If(priority, func() app.UI {
			return app.Div().Class("actions").Body(
				app.Label().For("set-impact").Text(t(l, "ticket.priority.impact")),
				levelSelect(l, "set-impact", tk.Impact, func(ctx app.Context, v string) {
					p.change(ctx, shared.OpTicketPriority, shared.TicketOp{Impact: v, Urgency: or(p.ticket.Urgency, shared.LevelMedium)})
				}),
				app.Label().For("set-urgency").Text(t(l, "ticket.priority.urgency")),
				levelSelect(l, "set-urgency", tk.Urgency, func(ctx app.Context, v string) {
					p.change(ctx, shared.OpTicketPriority, shared.TicketOp{Impact: or(p.ticket.Impact, shared.LevelMedium), Urgency: v})
				}),
			)
		}),
		app.If(escalate, func() app.UI {
			next := max(tk.Tier, 1) + 1
			return app.Div().Class("actions").Body(
				app.Label().For("escalate-reason").Text(t(l, "agent.escalate_to", next)+" (e)"),
				app.Input().ID("escalate-reason").Type("text").Placeholder(t(l, "agent.escalate_ph")).
					OnInput(func(ctx app.Context, e app.Event) { p.reason = ctx.JSSrc().Get("value").String() }),
				app.Button().ID("escalate").Class("secondary").Type("button").Text(t(l, "agent.escalate")).
					OnClick(func(ctx app.Context, e app.Event) {
						p.change(ctx, shared.OpTicketEscalate, shared.TicketOp{Tier: max(p.ticket.Tier, 1) + 1, Body: p.reason})
					}),
			)
		}),
		app.P().Class("muted").Text(t(l, "agent.keys")),
	)
}

func clearField(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", "")
	}
}

func levelSelect(l, id, value string, set func(app.Context, string)) app.UI {
	levels := []string{shared.LevelHigh, shared.LevelMedium, shared.LevelLow}
	return app.Select().ID(id).OnChange(func(ctx app.Context, e app.Event) { set(ctx, inputValue(ctx)) }).
		Body(app.Range(levels).Slice(func(i int) app.UI {
			return app.Option().Value(levels[i]).Selected(levels[i] == or(value, shared.LevelMedium)).Text(t(l, "ticket.priority."+levels[i]))
		}))
}

// onShortcut calls fn with single-letter keys pressed outside text fields,
// until the returned function is called.
func onShortcut(ctx app.Context, fn func(app.Context, string)) func() {
	if !app.IsClient {
		return nil
	}
	h := app.FuncOf(func(this app.Value, args []app.Value) any {
		ev := args[0]
		tag := strings.ToLower(ev.Get("target").Get("tagName").String())
		if tag == "input" || tag == "textarea" || tag == "select" || ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool() || ev.Get("altKey").Bool() {
			return nil
		}
		key := ev.Get("key").String()
		if len(key) == 1 {
			ev.Call("preventDefault")
			ctx.Dispatch(func(ctx app.Context) { fn(ctx, key) })
		}
		return nil
	})
	app.Window().Call("addEventListener", "keydown", h)
	return func() {
		app.Window().Call("removeEventListener", "keydown", h)
		h.Release()
	}
}
