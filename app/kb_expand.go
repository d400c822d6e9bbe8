package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/search"
)

// maxExpandText bounds what the expansion view analyzes: a few words.
const maxExpandText = 100

// wordExpander is the part of the synonyms screen where an admin types a
// word and sees what a search adds to it: the admins' synonyms, the
// related words of the synced table with their weights, and the learned
// searches holding it, each related word and learned search with a Block
// button (saved with the blocks of kb_blocks.go). It runs the search's own
// code on the device's index (kbsearch.Index.Expand), offline too.
type wordExpander struct {
	text  string // as typed
	lang  string // the word's language: "en" or "es"
	words []search.WordExpansions
}

// compute runs the expansion of the typed words on c's index.
func (w *wordExpander) compute(c *Client) {
	w.words = nil
	text := strings.TrimSpace(w.text)
	if text == "" || c.prerendering() || c.Index == nil {
		return
	}
	if len(text) > maxExpandText {
		text = text[:maxExpandText]
	}
	w.words = c.Index.Expand(search.Query{Text: text, Lang: w.lang})
}

// typed returns the word of the typed text whose stem is stem, folded, as
// a blocked pair names it ("lines"), or stem itself.
func (w *wordExpander) typed(stem string) string {
	for _, tok := range search.Tokenize(w.text) {
		if search.Stem(w.lang, tok) == stem {
			return tok
		}
	}
	return stem
}

// relatedBlocked reports whether the blocks of lang name the pair stem →
// term, as the server matches them (server/sync.BuildRelatedWords).
func relatedBlocked(pairs [][2]string, lang, stem, term string) int {
	return slices.IndexFunc(pairs, func(p [2]string) bool {
		return search.QueryKey(lang, p[0]) == stem && (search.QueryKey(lang, p[1]) == term || search.Fold(p[1]) == term)
	})
}

// toggleRelated blocks the related word term of the typed word stem, or
// unblocks it, and saves the blocks.
func (a *synonymAdmin) toggleRelated(ctx app.Context, stem, term string) {
	b, lang := &a.blocks, a.expand.lang
	if !b.loaded {
		return
	}
	pairs, err := shared.ParseRelatedBlocks(b.text[lang])
	if err != nil {
		b.errs[lang] = errorText(a.lang, err) // the text above says what to fix first
		return
	}
	if i := relatedBlocked(pairs, lang, stem, term); i >= 0 {
		pairs = slices.Delete(pairs, i, i+1)
	} else {
		pairs = append(pairs, [2]string{a.expand.typed(stem), term})
	}
	b.text[lang] = shared.FormatRelatedBlocks(pairs)
	b.dirty, b.saved = true, false
	b.save(ctx, a.lang)
}

// expandCard is the "what does a word expand to" card.
func (a *synonymAdmin) expandCard() app.UI {
	l, w := a.lang, &a.expand
	langs := make([]app.UI, len(synonymLangs))
	for i, lang := range synonymLangs {
		langs[i] = app.Option().Value(lang).Selected(lang == w.lang).Text(t(l, "synonyms.lang_"+lang))
	}
	return app.Section().ID("expand").Class("form card synonyms").Body(
		app.H2().Text(t(l, "expand.title")),
		app.P().Class("muted").Text(t(l, "expand.intro")),
		app.Div().Class("expand-fields").Body(
			app.Label().For("expand-word").Text(t(l, "expand.word")),
			app.Input().ID("expand-word").Type("search").MaxLength(maxExpandText).
				Attr("autocapitalize", "off").Attr("spellcheck", "false").Value(w.text).
				OnInput(func(ctx app.Context, e app.Event) {
					a.expand.text = inputValue(ctx)
					a.expand.compute(a.client)
				}),
			app.Label().For("expand-lang").Text(t(l, "expand.lang")),
			app.Select().ID("expand-lang").Body(langs...).
				OnChange(func(ctx app.Context, e app.Event) {
					if v := inputValue(ctx); slices.Contains(synonymLangs, v) {
						a.expand.lang = v
						a.expand.compute(a.client)
					}
				}),
		),
		// Always there, so that results coming and going do not remount
		// the field being typed in.
		app.Div().ID("expand-results").Attr("aria-live", "polite").Body(a.expandResults()...),
	)
}

// expandResults lists, per typed word, what a search adds to it.
func (a *synonymAdmin) expandResults() []app.UI {
	l, w := a.lang, &a.expand
	if strings.TrimSpace(w.text) == "" {
		return nil
	}
	if len(w.words) == 0 {
		return []app.UI{app.P().Class("muted").Text(t(l, "expand.no_words"))}
	}
	var out []app.UI
	for _, word := range w.words {
		out = append(out, a.expandWord(word))
	}
	return out
}

// expandWord is one typed word's expansions.
func (a *synonymAdmin) expandWord(word search.WordExpansions) app.UI {
	l, lang, stem := a.lang, a.expand.lang, word.Stem
	own := t(l, "expand.not_in_pages")
	var near, syn []string
	var rel []search.Expansion
	for _, x := range word.Terms {
		switch x.Kind {
		case search.KindExact:
			own = t(l, "expand.own", x.Pages)
		case search.KindTypo, search.KindPrefix:
			near = append(near, x.Term)
		case search.KindSynonym:
			syn = append(syn, x.Term)
		case search.KindRelated:
			rel = append(rel, x)
		}
	}
	var rows []app.UI
	if len(near) > 0 {
		rows = append(rows, app.Li().Class("muted").Text(t(l, "expand.near", strings.Join(near[:min(len(near), 8)], ", "))))
	}
	if len(syn) > 0 {
		rows = append(rows, app.Li().Class("expand-synonyms").Text(t(l, "expand.synonyms", strings.Join(syn, ", "))))
	}
	blocked := a.blocks.blocks[lang].Related
	if len(a.blocks.errs) == 0 {
		if pairs, err := shared.ParseRelatedBlocks(a.blocks.text[lang]); err == nil {
			blocked = pairs // as edited, saved or not
		}
	}
	for _, x := range rel {
		term := x.Term
		label, note := "related.block", ""
		if relatedBlocked(blocked, lang, stem, term) >= 0 {
			label, note = "related.unblock", " "+t(l, "expand.blocked_note")
		}
		rows = append(rows, app.Li().Class("expand-related").Body(
			app.Span().Text(t(l, "expand.related", term, fmt.Sprintf("%.2f", x.Weight), x.Pages)+note+" "),
			app.Button().Type("button").Class("link").ID("expand-block-"+stem+"-"+term).
				Aria("label", t(l, label)+": "+stem+" → "+term).Text(t(l, label)).
				OnClick(func(ctx app.Context, e app.Event) { a.toggleRelated(ctx, stem, term) }, app.EventScope(stem+">"+term)),
		))
	}
	for _, s := range a.blocks.learned[lang] {
		if !slices.Contains(strings.Fields(s.Key), stem) {
			continue
		}
		label := "related.block"
		if a.blocks.blocks[lang].LearnedBlocked(s.Key, s.ArticleID) {
			label = "related.unblock"
		}
		title := a.blocks.titles[s.ArticleID]
		if title == "" {
			title = s.ArticleID
		}
		rows = append(rows, app.Li().Class("expand-learned").Body(
			app.Span().Text(t(l, "expand.learned", t(l, "related.learned_row", s.Key, title, s.Support))+" "),
			app.Button().Type("button").Class("link").Aria("label", t(l, label)+": "+s.Key+" → "+title).Text(t(l, label)).
				OnClick(func(ctx app.Context, e app.Event) { a.blocks.toggleLearned(ctx, l, lang, s) }, app.EventScope(s.Key+">"+s.ArticleID)),
		))
	}
	if len(rows) == 0 {
		rows = append(rows, app.Li().Class("muted").Text(t(l, "expand.nothing")))
	}
	return app.Div().Class("expand-word").Body(
		app.H3().Body(app.Text(stem+" "), app.Span().Class("muted").Text("· "+own)),
		app.Ul().Body(rows...),
	)
}
