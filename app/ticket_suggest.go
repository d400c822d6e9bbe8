package app

import (
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/search"
)

// Suggestions on the ticket form (issue 16): as the requester types the
// title and description, the best matching articles and guides from the
// device's own index show beside the form, offline too. An article opened
// from there carries ?from=ticket, so "Yes, solved" counts as a ticket
// deflected by the form (shared.FromTicket); the draft stays on the device
// (it is saved per keystroke), and the article links back to it.

// Limits of the suggestions: few enough to read at a glance.
const (
	suggestArticles = 3
	suggestGuides   = 2
	// suggestDelay is how long typing must pause before a search runs.
	suggestDelay = 300 * time.Millisecond
	// suggestFloor drops matches scoring below this share of the best
	// one: a long description shares some word with almost anything.
	suggestFloor = 0.3
)

// suggestion is one article or guide offered on the ticket form.
type suggestion struct {
	ID, Title, Summary string
	Guide              bool
	Lang               string
}

// suggestions is what the form shows: the hits, the language they are in
// when it is not the page's (nothing matched in it), and the text they
// answer.
type suggestions struct {
	hits []suggestion
	lang string
	text string
	seq  int
}

// suggestText is the search text of a draft: its title and the start of
// its description, bounded like any search (shared.MaxSearchQuery).
func suggestText(title, desc string) string {
	s := []rune(strings.TrimSpace(strings.TrimSpace(title) + " " + strings.TrimSpace(desc)))
	if len(s) > shared.MaxSearchQuery {
		s = s[:shared.MaxSearchQuery]
	}
	return string(s)
}

// suggest searches again for the draft's text once typing pauses.
func (f *ticketNew) suggest(ctx app.Context) {
	if f.client.prerendering() || f.client.Index == nil {
		return
	}
	f.sugg.seq++
	seq, lang := f.sugg.seq, f.lang
	text := suggestText(f.draft.Title, f.draft.Description)
	ctx.After(suggestDelay, func(ctx app.Context) {
		if seq != f.sugg.seq {
			return // still typing
		}
		if len([]rune(text)) < 3 {
			f.sugg.hits, f.sugg.lang, f.sugg.text = nil, "", ""
			return
		}
		ctx.Async(func() {
			hits, hitsLang := f.client.suggest(text, lang)
			ctx.Dispatch(func(ctx app.Context) {
				if seq == f.sugg.seq {
					f.sugg.hits, f.sugg.lang, f.sugg.text = hits, hitsLang, text
				}
			})
		})
	})
}

// suggest returns the articles and guides that best match text in lang,
// or, when none does, in the other language (and that language).
func (c *Client) suggest(text, lang string) ([]suggestion, string) {
	if hits := c.suggestIn(text, lang); len(hits) > 0 {
		return hits, ""
	}
	for _, l := range shared.Languages {
		if l == lang {
			continue
		}
		if hits := c.suggestIn(text, l); len(hits) > 0 {
			return hits, l
		}
	}
	return nil, ""
}

// suggestIn is suggest in one language.
func (c *Client) suggestIn(text, lang string) []suggestion {
	var out []suggestion
	q := search.Query{Text: text, Lang: lang, Limit: 10}
	arts, _ := c.articles(lang)
	byID := make(map[string]shared.Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	for _, r := range keepStrong(c.Index.Search(q)) {
		if a, ok := byID[r.ID]; ok && len(out) < suggestArticles {
			out = append(out, suggestion{ID: a.ID, Title: a.Title, Summary: a.Summary, Lang: a.Lang})
		}
	}
	// Guides are few: an index of their titles and summaries, built per
	// search, costs less than keeping one up to date.
	trees, _ := c.trees(lang)
	if len(trees) == 0 {
		return out
	}
	ix := search.NewIndex()
	titles := map[string][2]string{}
	for _, tr := range trees {
		ix.Add(search.Doc{ID: tr.ID, Lang: tr.Lang, Title: tr.Title, Summary: tr.Summary, Category: tr.Category})
		titles[tr.ID] = [2]string{tr.Title, tr.Summary}
	}
	n := 0
	for _, r := range keepStrong(ix.Search(q)) {
		if n < suggestGuides {
			out = append(out, suggestion{ID: r.ID, Title: titles[r.ID][0], Summary: titles[r.ID][1], Guide: true, Lang: lang})
			n++
		}
	}
	return out
}

// keepStrong drops the results scoring under suggestFloor of the best.
func keepStrong(rs []search.Result) []search.Result {
	if len(rs) == 0 {
		return nil
	}
	floor := rs[0].Score * suggestFloor
	out := rs[:0:0]
	for _, r := range rs {
		if r.Score >= floor {
			out = append(out, r)
		}
	}
	return out
}

// suggestLink is where a suggestion opens: ?from=ticket for the feedback,
// and the draft to come back to.
func suggestLink(s suggestion, draft string) string {
	v := url.Values{"from": {shared.FromTicket}}
	if draft != "" {
		v.Set("draft", draft)
	}
	if s.Guide {
		return "/troubleshoot/" + s.ID + "?" + v.Encode()
	}
	return "/article/" + s.ID + "?" + v.Encode()
}

// renderSuggestions draws the panel; it is always there (empty when there
// is nothing to suggest), so the form's fields keep their places.
func (f *ticketNew) renderSuggestions() app.UI {
	l, s := f.lang, f.sugg
	return app.Div().ID("suggestions").Class("suggestions").Aria("live", "polite").Body(
		app.If(len(s.hits) > 0, func() app.UI {
			return app.Section().Class("card").Aria("labelledby", "suggestions-title").Body(
				app.H2().ID("suggestions-title").Text(t(l, "suggest.title")),
				app.If(s.lang != "", func() app.UI {
					return app.P().Class("muted").Text(t(l, "suggest.other_lang", t(l, "names.lang."+s.lang)))
				}),
				app.Ul().Class("articles").Body(app.Range(s.hits).Slice(func(i int) app.UI {
					h := s.hits[i]
					kind := t(l, "suggest.article")
					if h.Guide {
						kind = t(l, "suggest.guide")
					}
					return app.Li().Body(
						app.A().Class("suggestion").Href(suggestLink(h, f.draft.ID)).DataSet("id", h.ID).Lang(h.Lang).Body(
							app.Strong().Text(h.Title),
							app.Span().Class("summary").Text(h.Summary),
							app.Span().Class("where").Text(kind),
						),
					)
				})),
				app.P().Class("muted").Text(t(l, "suggest.draft_kept")),
			)
		}),
	)
}
