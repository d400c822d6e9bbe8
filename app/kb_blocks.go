package app

import (
	"encoding/json"
	"slices"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// searchBlocks is the part of the synonyms screen where admins block
// expansions (shared.ConfigSearchBlocks): related-word pairs, one a line
// per language ("printer > press"), which the server leaves out of the
// related-words table it derives from the articles, and learned searches,
// listed with a button each, which leave the learned record at once. Saved
// through config.save, queued offline like any change.
type searchBlocks struct {
	client *Client // set by the synonyms page (kb_synonyms.go)
	loaded bool
	dirty  bool   // edits a sync must not overwrite
	sent   string // the blocks saved and not yet back (JSON)

	text    map[string]string // blocked pairs by language, as edited
	errs    map[string]string
	learned shared.LearnedSearches
	titles  map[string]string // article ID → title
	blocks  shared.SearchBlocks
	saved   bool
	errMsg  string
}

// load reads the blocks, the learned searches and their articles' titles
// from the replica.
func (b *searchBlocks) load(ctx app.Context, lang string) {
	ctx.Async(func() {
		var stored shared.SearchBlocks
		var learned shared.LearnedSearches
		data := ""
		var err error
		if rec, ok, e := b.client.Store.Get(wire.TypeConfig, shared.ConfigSearchBlocks); e == nil && ok {
			if err = json.Unmarshal(rec.Data, &stored); err == nil {
				data = string(rec.Data)
			}
		} else if e != nil {
			err = e
		}
		if rec, ok, e := b.client.Store.Get(wire.TypeConfig, shared.ConfigLearned); e == nil && ok {
			json.Unmarshal(rec.Data, &learned)
		}
		titles := map[string]string{}
		for _, list := range learned {
			for _, s := range list {
				if rec, ok, e := b.client.Store.Get(wire.TypeArticle, s.ArticleID); e == nil && ok {
					var a shared.Article
					if json.Unmarshal(rec.Data, &a) == nil {
						titles[s.ArticleID] = a.Title
					}
				}
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			b.loaded, b.errMsg, b.learned, b.titles = true, "", learned, titles
			if err != nil {
				b.errMsg = errorText(lang, err)
			}
			if b.sent != "" && b.sent == data {
				b.sent = ""
			}
			if !b.dirty && b.sent == "" {
				b.blocks = stored
				if b.blocks == nil {
					b.blocks = shared.SearchBlocks{}
				}
				b.text = map[string]string{}
				for _, l := range synonymLangs {
					b.text[l] = shared.FormatRelatedBlocks(stored[l].Related)
				}
				b.check(lang)
			}
		})
	})
}

// check parses the blocked pairs as edited into b.blocks.
func (b *searchBlocks) check(lang string) bool {
	b.errs = map[string]string{}
	ok := true
	for _, l := range synonymLangs {
		pairs, err := shared.ParseRelatedBlocks(b.text[l])
		if err != nil {
			b.errs[l], ok = errorText(lang, err), false
			continue
		}
		list := b.blocks[l]
		list.Related = pairs
		b.setList(l, list)
	}
	return ok
}

// setList sets lang's blocks, dropping an empty language.
func (b *searchBlocks) setList(lang string, list shared.SearchBlockList) {
	if len(list.Related) == 0 && len(list.Learned) == 0 {
		delete(b.blocks, lang)
		return
	}
	b.blocks[lang] = list
}

// save queues the blocks.
func (b *searchBlocks) save(ctx app.Context, lang string) {
	client := b.client
	if !b.check(lang) {
		return
	}
	blocks := b.blocks
	data, _ := json.Marshal(blocks)
	ctx.Async(func() {
		err := client.Engine.Mutate(shared.OpConfigSave, shared.SearchBlocksSave{ID: shared.ConfigSearchBlocks, Blocks: blocks}, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				b.errMsg = errorText(lang, err)
				return
			}
			b.saved, b.dirty, b.sent = true, false, string(data)
		})
	})
}

// toggleLearned blocks or unblocks a learned search, and saves.
func (b *searchBlocks) toggleLearned(ctx app.Context, uiLang, lang string, s shared.LearnedSearch) {
	list := b.blocks[lang]
	x := shared.LearnedBlock{Key: s.Key, ArticleID: s.ArticleID}
	if i := slices.Index(list.Learned, x); i >= 0 {
		list.Learned = slices.Delete(slices.Clone(list.Learned), i, i+1)
	} else {
		list.Learned = append(slices.Clone(list.Learned), x)
	}
	b.setList(lang, list)
	b.dirty = true
	b.save(ctx, uiLang)
}

// render is the blocks' card.
func (b *searchBlocks) render(l string) app.UI {
	if !b.loaded {
		return app.P().Class("muted").Text(t(l, "home.loading"))
	}
	field := func(lang string) app.UI {
		id := "blocks-" + lang
		return app.Div().Class("synonyms-lang").Body(
			app.Label().For(id).Text(t(l, "synonyms.lang_"+lang)),
			app.Textarea().ID(id).Rows(4).Attr("spellcheck", "false").Attr("autocapitalize", "off").
				Aria("describedby", id+"-error").Text(b.text[lang]).
				OnInput(func(ctx app.Context, e app.Event) {
					b.text[lang] = ctx.JSSrc().Get("value").String()
					b.dirty, b.saved = true, false
					b.check(l)
				}, app.EventScope(lang)),
		)
	}
	errUI := func(lang string) app.UI {
		return app.Div().Class("notices").Body(app.If(b.errs[lang] != "", func() app.UI {
			return app.P().ID("blocks-"+lang+"-error").Class("error").Attr("role", "alert").Text(b.errs[lang])
		}))
	}
	var rows []app.UI
	for _, lang := range synonymLangs {
		for _, s := range b.learned[lang] {
			blocked := b.blocks[lang].LearnedBlocked(s.Key, s.ArticleID)
			label := "related.block"
			if blocked {
				label = "related.unblock"
			}
			title := b.titles[s.ArticleID]
			if title == "" {
				title = s.ArticleID
			}
			rows = append(rows, app.Li().Class("learned-row").Body(
				app.Span().Text(t(l, "related.learned_row", s.Key, title, s.Support)+" ("+lang+") "),
				app.Button().Type("button").Class("link").Aria("label", t(l, label)+": "+s.Key+" → "+title).Text(t(l, label)).
					OnClick(func(ctx app.Context, e app.Event) { b.toggleLearned(ctx, l, lang, s) }),
			))
		}
	}
	valid := len(b.errs) == 0
	return app.Form().ID("search-blocks").Class("form card synonyms").Attr("onsubmit", noNativeSubmit).Body(
		app.H2().Text(t(l, "related.title")),
		app.P().Class("muted").Text(t(l, "related.intro")),
		app.If(b.errMsg != "", func() app.UI { return app.P().Class("error").Text(b.errMsg) }),
		field("en"), errUI("en"),
		field("es"), errUI("es"),
		app.Div().Class("actions").Body(
			app.Button().ID("blocks-save").Type("button").Disabled(!valid).Text(t(l, "related.save")).
				OnClick(func(ctx app.Context, e app.Event) { b.dirty = true; b.save(ctx, l) }),
			app.If(b.saved, func() app.UI {
				return app.Span().ID("blocks-saved").Class("muted").Attr("role", "status").Text(t(l, "synonyms.saved"))
			}),
		),
		app.H3().Text(t(l, "related.learned_title")),
		app.If(len(rows) == 0, func() app.UI { return app.P().Class("muted").Text(t(l, "related.learned_empty")) }).
			Else(func() app.UI { return app.Ul().ID("learned-list").Body(rows...) }),
	)
}
