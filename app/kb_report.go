package app

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// kbReport is the content-gap report for staff: articles by helpful rate,
// lowest first, and the searches that found nothing, most frequent first.
// It reads the figures synced to the device, so it works offline.
type kbReport struct {
	page
	rates  []articleRate
	misses []shared.SearchMissStats
	loaded bool
	errMsg string
}

// articleRate is an article with its feedback counts.
type articleRate struct {
	Article shared.Article
	Stats   shared.ArticleStats
}

// maxMisses is how many of the most frequent empty searches the report
// lists.
const maxMisses = 50

func (r *kbReport) OnPreRender(ctx app.Context) {
	r.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(r.lang, "kbedit.report") + " · " + t(r.lang, "app.name"))
}

func (r *kbReport) OnMount(ctx app.Context) { r.mountPage(ctx, r.load) }

func (r *kbReport) load(ctx app.Context) {
	ctx.Page().SetTitle(t(r.lang, "kbedit.report") + " · " + t(r.lang, "app.name"))
	ctx.Async(func() {
		rates, misses, err := r.client.kbReport()
		ctx.Dispatch(func(ctx app.Context) {
			r.rates, r.misses, r.loaded, r.errMsg = rates, misses, true, ""
			if err != nil {
				r.errMsg = storageErrText(r.lang, err)
			}
		})
	})
}

// kbReport reads the report's figures from the replica.
func (c *Client) kbReport() ([]articleRate, []shared.SearchMissStats, error) {
	arts, err := c.Store.List(wire.TypeArticle)
	if err != nil {
		return nil, nil, err
	}
	stats, err := c.Store.List(wire.TypeArticleStats)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]shared.ArticleStats{}
	for _, s := range stats {
		var st shared.ArticleStats
		if json.Unmarshal(s.Data, &st) == nil {
			byID[s.ID] = st
		}
	}
	var rates []articleRate
	for _, rec := range arts {
		var a shared.Article
		if json.Unmarshal(rec.Data, &a) == nil && a.Status != shared.ArticleArchived {
			rates = append(rates, articleRate{Article: a, Stats: byID[a.ID]})
		}
	}
	sortRates(rates)
	recs, err := c.Store.List(wire.TypeSearchMiss)
	if err != nil {
		return nil, nil, err
	}
	var misses []shared.SearchMissStats
	for _, rec := range recs {
		var m shared.SearchMissStats
		if json.Unmarshal(rec.Data, &m) == nil && m.Count > 0 {
			misses = append(misses, m)
		}
	}
	sortMisses(misses)
	if len(misses) > maxMisses {
		misses = misses[:maxMisses]
	}
	return rates, misses, nil
}

// sortRates orders articles by helpful rate, lowest first; among equal
// rates the one with more answers first (it is surer); articles nobody
// rated come last, by title.
func sortRates(rs []articleRate) {
	sort.SliceStable(rs, func(i, j int) bool {
		ri, rj := rs[i].Stats.HelpfulRate(), rs[j].Stats.HelpfulRate()
		switch {
		case (ri < 0) != (rj < 0):
			return rj < 0
		case ri != rj:
			return ri < rj
		}
		ni, nj := rs[i].Stats.Helpful+rs[i].Stats.NotHelpful, rs[j].Stats.Helpful+rs[j].Stats.NotHelpful
		if ni != nj {
			return ni > nj
		}
		return rs[i].Article.Title < rs[j].Article.Title
	})
}

// sortMisses orders empty searches by count, most first, then latest.
func sortMisses(ms []shared.SearchMissStats) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Count != ms[j].Count {
			return ms[i].Count > ms[j].Count
		}
		return ms[i].LastAt > ms[j].LastAt
	})
}

func (r *kbReport) Render() app.UI {
	l := r.lang
	if !r.client.prerendering() && !r.client.isStaff() {
		return r.frame(
			app.H1().Text(t(l, "kbedit.report")),
			app.P().Class("notice").Text(t(l, "kbedit.staff_only")),
			app.A().Class("button").Href("/signin?next=/kb/report").Text(t(l, "nav.signin")),
		)
	}
	return r.frame(
		app.H1().Text(t(l, "kbedit.report")),
		app.P().Body(app.A().ID("kb-new").Class("button").Href("/kb/new").Text(t(l, "kbedit.new_article"))),
		app.If(r.errMsg != "", func() app.UI { return app.P().Class("error").Text(r.errMsg) }),
		app.If(!r.loaded, func() app.UI { return app.P().Class("muted").Text(t(l, "home.loading")) }),
		app.Section().ID("report-rates").Body(
			app.H2().Text(t(l, "kbedit.report_rates")),
			app.P().Class("muted").Text(t(l, "kbedit.report_rates_p")),
			app.If(r.loaded && len(r.rates) == 0, func() app.UI { return app.P().Class("empty").Text(t(l, "kbedit.report_empty")) }),
			app.If(len(r.rates) > 0, func() app.UI {
				return app.Table().Class("queue report").Body(
					app.THead().Body(app.Tr().Body(
						app.Th().Text(t(l, "kbedit.col_article")), app.Th().Text(t(l, "kbedit.col_lang")),
						app.Th().Text(t(l, "kbedit.col_rate")), app.Th().Text(t(l, "kbedit.col_answers")),
						app.Th().Text(t(l, "kbedit.col_deflected")),
					)),
					app.TBody().Body(app.Range(r.rates).Slice(func(i int) app.UI {
						x := r.rates[i]
						rate, answers := "—", x.Stats.Helpful+x.Stats.NotHelpful
						if answers > 0 {
							rate = strconv.Itoa(int(x.Stats.HelpfulRate()*100+0.5)) + "%"
						}
						return app.Tr().Class("row").DataSet("id", x.Article.ID).Body(
							app.Td().Body(
								app.A().Href("/article/"+x.Article.ID).Text(x.Article.Title),
								app.If(!x.Article.IsPublished(), func() app.UI {
									return app.Span().Class("badge").Text(" " + t(l, "kbedit.status."+x.Article.Status))
								}),
							),
							app.Td().Text(x.Article.Lang),
							app.Td().Class("rate").Text(rate),
							app.Td().Text(strconv.Itoa(answers)),
							app.Td().Text(strconv.Itoa(x.Stats.Deflected)),
						)
					})),
				)
			}),
		),
		app.Section().ID("report-gaps").Body(
			app.H2().Text(t(l, "kbedit.report_gaps")),
			app.P().Class("muted").Text(t(l, "kbedit.report_gaps_p")),
			app.If(r.client.isAdmin(), func() app.UI {
				return app.P().Body(app.A().ID("kb-synonyms").Href("/kb/synonyms").Text(t(l, "synonyms.gaps_link")))
			}),
			app.If(r.loaded && len(r.misses) == 0, func() app.UI { return app.P().Class("empty").Text(t(l, "kbedit.report_empty")) }),
			app.If(len(r.misses) > 0, func() app.UI {
				return app.Table().Class("queue report").Body(
					app.THead().Body(app.Tr().Body(
						app.Th().Text(t(l, "kbedit.col_query")), app.Th().Text(t(l, "kbedit.col_lang")),
						app.Th().Text(t(l, "kbedit.col_count")), app.Th().Text(t(l, "kbedit.col_last")), app.Th(),
					)),
					app.TBody().Body(app.Range(r.misses).Slice(func(i int) app.UI {
						m := r.misses[i]
						q := url.Values{"title": {m.Query}, "lang": {m.Lang}}
						return app.Tr().Class("row").DataSet("query", m.Query).Body(
							app.Td().Text(m.Query), app.Td().Text(m.Lang),
							app.Td().Class("count").Text(strconv.Itoa(m.Count)),
							app.Td().Text(when(m.LastAt)),
							app.Td().Body(app.A().Href("/kb/new?"+q.Encode()).Text(t(l, "kbedit.write_it"))),
						)
					})),
				)
			}),
		),
	)
}
