package app

import (
	"errors"
	"net/url"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/store"
	"outpost/shared"
)

// ticketNew is the ticket form. Every keystroke saves the draft on this
// device, so a reload, a crash or a dead battery loses nothing; submitting
// turns the draft into a mutation in the outbox in one transaction.
type ticketNew struct {
	page
	draft      store.Draft
	edits      int // counts edits, so "saved" means the latest one
	restored   bool
	others     []store.Draft // the other unsent drafts, offered above the form
	shownTitle string        // the title as last put in the field by the app (see typedValue)
	saved      bool
	submitting bool
	errMsg     string
	saveErrMsg string      // the message of the last failed draft save
	ops        chan func() // draft saves and the submit, applied in order
	preparing  int         // picked files being downscaled and stored (attach_form.go)
	sugg       suggestions // articles and guides that might solve it (ticket_suggest.go)

	mu          sync.Mutex
	unsaved     *store.Draft // the latest edit not yet written, if any
	unsavedEdit int
}

func (f *ticketNew) OnPreRender(ctx app.Context) {
	f.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(f.lang, "ticket.new_title") + " · " + t(f.lang, "app.name"))
}

func (f *ticketNew) OnMount(ctx app.Context) {
	f.mountPage(ctx, func(app.Context) {})
	ctx.Page().SetTitle(t(f.lang, "ticket.new_title") + " · " + t(f.lang, "app.name"))
	if f.client.prerendering() {
		return
	}
	f.saver()
	f.open(ctx)
}

// OnNav opens another draft when the user picks one from the list above
// the form (same page, another ?draft=).
func (f *ticketNew) OnNav(ctx app.Context) {
	if !f.client.prerendering() && f.ops != nil && ctx.Page().URL().Query().Get("draft") != f.draft.ID {
		f.draft, f.restored, f.errMsg, f.saved = store.Draft{}, false, "", false
		f.shownTitle = ""
		f.open(ctx)
	}
}

// open loads the draft named by ?draft=, or starts a new one and lists the
// other unsent drafts: a user may keep several, and a new ticket never
// overwrites an old one.
func (f *ticketNew) open(ctx app.Context) {
	want := ctx.Page().URL().Query().Get("draft")
	ctx.Async(func() {
		drafts, err := f.client.Store.Drafts()
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				f.errMsg = storageErrText(f.lang, err)
				return
			}
			if f.draft.ID != "" {
				return // the user started typing already
			}
			f.others = f.others[:0]
			for _, d := range drafts {
				if want != "" && d.ID == want {
					f.draft, f.restored = d, true
					f.shownTitle = d.Title
				} else {
					f.others = append(f.others, d)
				}
			}
			var fb store.Draft
			if want != "" && ctx.LocalStorage().Get(fallbackKey(want), &fb) == nil && fb.ID == want && fb.UpdatedAt > f.draft.UpdatedAt {
				f.draft, f.restored, f.shownTitle = fb, true, fb.Title // newer than the device had room for
			}
			if f.draft.RejectKey != "" {
				f.errMsg = t(f.lang, f.draft.RejectKey, anys(f.draft.RejectArgs)...)
			}
			f.suggest(ctx) // back from a suggestion: show them again

		})
	})
}

// fallbackKey is where a draft the device had no room for waits in local
// storage, which has an allowance of its own: a reload while IndexedDB is
// full loses no words. It goes once IndexedDB has the draft or the ticket.
func fallbackKey(id string) string { return "draftfallback/" + id }

// keepWords puts d in local storage if err says IndexedDB was full, and
// drops it from there if err is nil.
func keepWords(ctx app.Context, d store.Draft, err error) {
	var full *store.QuotaError
	switch {
	case err == nil:
		ctx.LocalStorage().Del(fallbackKey(d.ID))
	case errors.As(err, &full):
		ctx.LocalStorage().Set(fallbackKey(d.ID), d)
	}
}

func (f *ticketNew) OnDismount() {
	f.page.OnDismount()
	if f.ops != nil {
		close(f.ops)
		f.ops = nil
	}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// edit applies a change to the draft and queues saving it.
func (f *ticketNew) edit(ctx app.Context, change func(d *store.Draft)) {
	if f.submitting || f.client.prerendering() {
		return
	}
	if f.draft.ID == "" {
		f.draft.ID = shared.NewID(f.client.clk().Now())
		// A reload now reopens this draft, not a blank form.
		u := *ctx.Page().URL()
		u.RawQuery = url.Values{"draft": {f.draft.ID}}.Encode()
		ctx.Page().ReplaceURL(&u)
	}
	change(&f.draft)
	f.draft.UpdatedAt = f.client.clk().Now().UnixMilli()
	f.edits++
	f.saved = false
	d := f.draft
	f.mu.Lock()
	f.unsaved, f.unsavedEdit = &d, f.edits
	f.mu.Unlock()
	// Saves are coalesced: however fast the typing, the worker writes the
	// latest draft next, so a crash loses at most one transaction's time.
	select {
	case f.saver() <- func() { f.saveLatest(ctx) }:
	default: // queued saves will write the latest draft anyway
	}
}

// saver returns the queue of the worker that saves drafts in order,
// starting it on first use: Render runs before OnMount, so a keystroke may
// come first.
func (f *ticketNew) saver() chan func() {
	if f.ops == nil {
		f.ops = make(chan func(), 256)
		ops := f.ops
		go func() {
			for op := range ops {
				op()
			}
		}()
	}
	return f.ops
}

func (f *ticketNew) takeUnsaved() (*store.Draft, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, edit := f.unsaved, f.unsavedEdit
	f.unsaved = nil
	return d, edit
}

func (f *ticketNew) saveLatest(ctx app.Context) {
	d, edit := f.takeUnsaved()
	if d == nil {
		return
	}
	err := f.client.Store.PutDraft(*d)
	ctx.Dispatch(func(ctx app.Context) {
		keepWords(ctx, *d, err)
		if err != nil {
			f.errMsg = storageErrText(f.lang, err)
			f.saveErrMsg = f.errMsg
			return
		}
		if f.errMsg == f.saveErrMsg {
			f.errMsg = "" // this save worked: whatever stopped the last one is over
		}
		f.saved = f.edits == edit
	})
}

func (f *ticketNew) submit(ctx app.Context, e app.Event) {
	client := f.client
	if f.submitting || client.prerendering() || f.preparing > 0 {
		return
	}
	if f.draft.ID == "" {
		f.draft.ID = shared.NewID(f.client.clk().Now())
	}
	tc := shared.TicketCreate{
		ID: f.draft.ID, Title: f.draft.Title, Description: f.draft.Description,
		Category: f.draft.Category, Subcategory: f.draft.Subcategory,
		Impact: f.draft.Impact, Urgency: f.draft.Urgency, Lang: f.lang, CreatedAt: f.client.clk().Now().UnixMilli(),
		Attachments: f.draft.Attachments,
	}
	if err := tc.Validate(f.client.categories()); err != nil {
		f.errMsg = errorText(f.lang, err)
		return
	}
	f.submitting, f.errMsg = true, ""
	draft := f.draft
	f.saver() <- func() {
		d, _ := f.takeUnsaved() // the submit carries the latest text
		err := client.Engine.Mutate(shared.OpTicketCreate, tc, tc.ID)
		if err != nil && d != nil {
			client.Store.PutDraft(*d) // not sent: keep the words as a draft
		}
		ctx.Dispatch(func(ctx app.Context) {
			keepWords(ctx, draft, err)
			if err != nil {
				f.submitting = false
				f.errMsg = storageErrText(f.lang, err)
				return
			}
			ctx.Navigate("/tickets?queued=" + tc.ID)
		})
	}
}

func (f *ticketNew) Render() app.UI {
	l, d := f.lang, f.draft
	return f.frame(
		app.H1().Text(t(l, "ticket.new_title")),
		app.P().Class("muted").Text(t(l, "ticket.new_intro")),
		// One stable element for the notices that come and go: go-app
		// compares children by position, so a notice appearing before the
		// form (the other drafts, once read) would make it replace the form,
		// and the words being typed into it.
		app.Div().Class("notices").Body(
			app.If(len(f.others) > 0, func() app.UI {
				return app.Div().ID("other-drafts").Class("notice").Body(
					app.Text(t(l, "ticket.other_drafts", len(f.others))+" "),
					app.Range(f.others).Slice(func(i int) app.UI {
						o := f.others[i]
						return app.A().Class("draft-link").Href("/ticket/new?draft=" + o.ID).Text(or(o.Title, t(l, "tickets.untitled")))
					}),
				)
			}),
			app.If(f.restored && d.RejectKey == "", func() app.UI {
				return app.P().Class("notice").Text(t(l, "ticket.draft_restored"))
			}),
		),
		app.Form().ID("ticket-form").Class("form").Attr("onsubmit", noNativeSubmit).OnSubmit(f.submit).Body(
			app.Label().For("ticket-title").Text(t(l, "ticket.field_title")),
			app.Input().ID("ticket-title").Name("title").Type("text").
				MaxLength(shared.MaxTicketTitle).Placeholder(t(l, "ticket.field_title_ph")).
				Value(f.shownTitle).Disabled(f.submitting).
				OnInput(func(ctx app.Context, e app.Event) {
					v := ctx.JSSrc().Get("value").String()
					f.edit(ctx, func(d *store.Draft) { d.Title = v })
					f.suggest(ctx)
				}),
			f.renderSuggestions(),
			app.Label().For("ticket-category").Text(t(l, "ticket.field_category")),
			app.Select().ID("ticket-category").Name("category").Disabled(f.submitting).
				OnChange(func(ctx app.Context, e app.Event) {
					v := inputValue(ctx)
					f.edit(ctx, func(d *store.Draft) { d.Category, d.Subcategory = v, "" })
				}).
				Body(
					app.Option().Value("").Text(t(l, "category.none")).Selected(d.Category == ""),
					f.client.eachCategory(func(c string) app.UI {
						return app.Option().Value(c).Text(f.client.categoryName(l, c)).Selected(d.Category == c)
					}),
				),
			f.renderSubcategory(),
			f.renderUrgency(),
			app.Label().For("ticket-description").Text(t(l, "ticket.field_desc")),
			app.Textarea().ID("ticket-description").Name("description").Rows(8).
				Placeholder(t(l, "ticket.field_desc_ph")).Text(d.Description).Disabled(f.submitting).
				OnInput(func(ctx app.Context, e app.Event) {
					v := ctx.JSSrc().Get("value").String()
					f.edit(ctx, func(d *store.Draft) { d.Description = v })
					f.suggest(ctx)
				}),
			f.renderAttach(),
			app.If(f.errMsg != "", func() app.UI {
				return app.P().ID("ticket-error").Class("error").Attr("role", "alert").Text(f.errMsg)
			}),
			app.Div().Class("actions").Body(
				app.Button().ID("ticket-submit").Type("submit").Class("button").
					Disabled(f.submitting || f.preparing > 0).Text(t(l, "ticket.submit")),
				app.If(f.saved, func() app.UI {
					return app.Span().ID("draft-saved").Class("muted").Text("✓ " + t(l, "ticket.draft_saved"))
				}),
			),
		),
	)
}
