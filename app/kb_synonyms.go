package app

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// synonymLangs are the languages an admin writes synonyms for, in order.
var synonymLangs = []string{"en", "es"}

// synonymAdmin is the admin screen of the search synonyms
// (shared.ConfigSynonyms), next to the content-gap report: one text per
// language, a group a line, checked with shared.ParseSynonyms as the admin
// types (the line of each problem named) and saved through config.save,
// queued like any change, offline too. Every device searches with the
// synced record (app/kbsearch, and the server's /api/search).
type synonymAdmin struct {
	page
	loaded bool
	dirty  bool   // the texts hold edits: a sync must not overwrite them
	sent   string // the synonyms saved and not yet back from the server (JSON)

	text   map[string]string // by language, as edited
	errs   map[string]string // by language
	groups map[string]int    // groups per language, as edited
	saved  bool
	errMsg string

	blocks searchBlocks // kb_blocks.go
	expand wordExpander // kb_expand.go
}

func (a *synonymAdmin) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(a.lang, "synonyms.title") + " · " + t(a.lang, "app.name"))
}

func (a *synonymAdmin) OnMount(ctx app.Context) { a.mountPage(ctx, a.load) }

func (a *synonymAdmin) load(ctx app.Context) {
	ctx.Page().SetTitle(t(a.lang, "synonyms.title") + " · " + t(a.lang, "app.name"))
	a.blocks.client = a.client
	a.blocks.load(ctx, a.lang)
	ctx.Async(func() {
		var stored shared.Synonyms
		data := ""
		rec, ok, err := a.client.Store.Get(wire.TypeConfig, shared.ConfigSynonyms)
		if err == nil && ok {
			if err = json.Unmarshal(rec.Data, &stored); err == nil {
				data = string(rec.Data)
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			a.loaded, a.errMsg = true, ""
			if a.expand.lang == "" {
				a.expand.lang = "en"
				if a.lang == "es" {
					a.expand.lang = "es"
				}
			}
			a.expand.compute(a.client) // the synced table may have changed
			if err != nil {
				a.errMsg = errorText(a.lang, err)
			}
			if a.sent != "" && a.sent == data {
				a.sent = "" // the server has what was saved
			}
			if !a.dirty && a.sent == "" {
				a.text = map[string]string{}
				for _, l := range synonymLangs {
					a.text[l] = shared.FormatSynonyms(stored[l])
				}
				a.check()
			}
		})
	})
}

// check parses every language's text as edited.
func (a *synonymAdmin) check() (shared.Synonyms, bool) {
	a.errs, a.groups = map[string]string{}, map[string]int{}
	syn, ok := shared.Synonyms{}, true
	for _, l := range synonymLangs {
		groups, err := shared.ParseSynonyms(a.text[l])
		if err != nil {
			a.errs[l], ok = errorText(a.lang, err), false
			continue
		}
		a.groups[l] = len(groups)
		if len(groups) > 0 {
			syn[l] = groups
		}
	}
	return syn, ok
}

// save queues the synonyms.
func (a *synonymAdmin) save(ctx app.Context) {
	client := a.client
	syn, ok := a.check()
	if !ok {
		return
	}
	data, _ := json.Marshal(syn)
	ctx.Async(func() {
		err := client.Engine.Mutate(shared.OpConfigSave, shared.SynonymSave{ID: shared.ConfigSynonyms, Synonyms: syn}, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.errMsg = errorText(a.lang, err)
				return
			}
			a.saved, a.dirty, a.sent = true, false, string(data)
		})
	})
}

// langField is the labelled text of lang's synonyms.
func (a *synonymAdmin) langField(lang string) app.UI {
	l, id := a.lang, "synonyms-"+lang
	return app.Div().Class("synonyms-lang").Body(
		app.Label().For(id).Body(
			app.Text(t(l, "synonyms.lang_"+lang)+" · "),
			app.Span().ID(id+"-count").Class("muted").Text(t(l, "synonyms.count", a.groups[lang])),
		),
		app.Textarea().ID(id).Rows(8).Attr("spellcheck", "false").Attr("autocapitalize", "off").
			Aria("describedby", id+"-error").Text(a.text[lang]).
			OnInput(func(ctx app.Context, e app.Event) {
				a.text[lang] = ctx.JSSrc().Get("value").String()
				a.dirty, a.saved = true, false
				a.check()
			}, app.EventScope(lang)),
	)
}

// langErr is what is wrong with lang's synonyms, if anything: kept apart
// from the field, so that it coming and going does not remount the text
// being typed.
func (a *synonymAdmin) langErr(lang string) app.UI {
	return app.Div().Class("notices").Body(app.If(a.errs[lang] != "", func() app.UI {
		return app.P().ID("synonyms-"+lang+"-error").Class("error").Attr("role", "alert").Text(a.errs[lang])
	}))
}

func (a *synonymAdmin) Render() app.UI {
	l := a.lang
	if !a.client.prerendering() && !a.client.isAdmin() {
		return a.frame(
			app.H1().Text(t(l, "synonyms.title")),
			app.P().Class("notice").Text(t(l, "synonyms.admins_only")),
			app.A().Class("button").Href("/signin?next=/kb/synonyms").Text(t(l, "nav.signin")),
		)
	}
	if !a.loaded {
		return a.frame(app.H1().Text(t(l, "synonyms.title")), app.P().Class("muted").Text(t(l, "home.loading")))
	}
	valid := len(a.errs) == 0
	return a.frame(
		app.H1().Text(t(l, "synonyms.title")),
		app.P().Class("muted").Text(t(l, "synonyms.intro")),
		app.If(a.errMsg != "", func() app.UI { return app.P().Class("error").Text(a.errMsg) }),
		app.Form().ID("synonyms").Class("form card synonyms").Attr("onsubmit", noNativeSubmit).Body(
			app.P().Class("muted").Text(t(l, "synonyms.format")),
			a.langField("en"),
			a.langErr("en"),
			a.langField("es"),
			a.langErr("es"),
			app.Div().Class("actions").Body(
				app.Button().ID("synonyms-save").Type("button").Disabled(!valid).Text(t(l, "synonyms.save")).
					OnClick(func(ctx app.Context, e app.Event) { a.save(ctx) }),
				app.If(a.saved, func() app.UI {
					return app.Span().ID("synonyms-saved").Class("muted").Attr("role", "status").Text(t(l, "synonyms.saved"))
				}),
			),
		),
		a.expandCard(),
		a.blocks.render(l),
	)
}
