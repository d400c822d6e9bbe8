package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/store"
	"outpost/shared"
)

// renderSubcategory offers the chosen category's subcategories, so the
// ticket lands in the right queue and the figures by category mean
// something.
func (f *ticketNew) renderSubcategory() app.UI {
	l, d := f.lang, f.draft
	var subs []shared.Subcategory
	for _, c := range f.client.categories() {
		if c.Slug == d.Category {
			subs = c.Subcategories
		}
	}
	// Always drawn, so the fields after it keep their place (a vanishing
	// sibling makes go-app drop events of the elements after it).
	return app.Div().ID("subcategory-field").Class("field").Hidden(len(subs) == 0).Body(
		app.Label().For("ticket-subcategory").Text(t(l, "ticket.field_subcategory")),
		app.Select().ID("ticket-subcategory").Disabled(f.submitting).
			OnChange(func(ctx app.Context, e app.Event) {
				v := inputValue(ctx)
				f.edit(ctx, func(d *store.Draft) { d.Subcategory = v })
			}).
			Body(
				app.Option().Value("").Text(t(l, "category.none")).Selected(d.Subcategory == ""),
				app.Range(subs).Slice(func(i int) app.UI {
					s := subs[i].Slug
					return app.Option().Value(s).Text(f.client.subcategoryName(l, d.Category, s)).Selected(d.Subcategory == s)
				}),
			),
	)
}

// renderUrgency asks the two questions the priority comes from, in the
// requester's words: how many people it stops, and how soon it hurts.
func (f *ticketNew) renderUrgency() app.UI {
	l, d := f.lang, f.draft
	levels := []string{shared.LevelLow, shared.LevelMedium, shared.LevelHigh}
	choose := func(id, label, value string, set func(*store.Draft, string)) app.UI {
		return app.Div().Class("field").Body(
			app.Label().For(id).Text(label),
			app.Select().ID(id).Disabled(f.submitting).
				OnChange(func(ctx app.Context, e app.Event) {
					v := inputValue(ctx)
					f.edit(ctx, func(d *store.Draft) { set(d, v) })
				}).
				Body(app.Range(levels).Slice(func(i int) app.UI {
					return app.Option().Value(levels[i]).Text(t(l, "ticket."+id[len("ticket-"):]+"."+levels[i])).
						Selected(or(value, shared.LevelMedium) == levels[i])
				})),
		)
	}
	p, _ := shared.Priority(or(d.Impact, shared.LevelMedium), or(d.Urgency, shared.LevelMedium))
	return app.Div().ID("priority-fields").Class("row").Body(
		choose("ticket-impact", t(l, "ticket.field_impact"), d.Impact, func(d *store.Draft, v string) { d.Impact = v }),
		choose("ticket-urgency", t(l, "ticket.field_urgency"), d.Urgency, func(d *store.Draft, v string) { d.Urgency = v }),
		app.P().ID("ticket-priority").Class("muted").Text(t(l, "ticket.priority_is", t(l, "ticket.priority."+p))),
	)
}
