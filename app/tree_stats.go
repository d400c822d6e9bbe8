package app

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared/tree"
)

// /troubleshoot/stats, for staff: every tree (drafts too) with how its runs
// went, from the treestat records agents' devices pull, and per node where
// runs end. It is also where agents find the trees to edit.

// treeStatsRow is one tree and its counts.
type treeStatsRow struct {
	tree  *tree.Tree
	stats tree.TreeStats
	ends  []nodeEnds // nodes where runs ended, most first
}

// nodeEnds is how many runs ended at a node, and how.
type nodeEnds struct {
	node  string
	text  string // the node's text, "" if the tree no longer has it
	count tree.Counts
}

func (n nodeEnds) total() int { return n.count.Solved + n.count.Escalated + n.count.Abandoned }

// deflection is the share of started runs that ended solved, in percent,
// or "–" before any run started.
func deflection(c tree.Counts) string {
	if c.Started == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(c.Solved)/float64(c.Started))
}

// treeStatsRows joins trees and their stats: trees with the most runs
// first, then by title.
func treeStatsRows(trees []*tree.Tree, stats map[string]tree.TreeStats) []treeStatsRow {
	rows := make([]treeStatsRow, 0, len(trees))
	for _, tr := range trees {
		r := treeStatsRow{tree: tr, stats: stats[tr.ID]}
		for id, c := range r.stats.Nodes {
			ne := nodeEnds{node: id, count: c}
			if n := tr.Node(id); n != nil {
				ne.text = n.Text
			}
			if ne.total() > 0 {
				r.ends = append(r.ends, ne)
			}
		}
		sort.Slice(r.ends, func(i, j int) bool {
			if a, b := r.ends[i].total(), r.ends[j].total(); a != b {
				return a > b
			}
			return r.ends[i].node < r.ends[j].node
		})
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if a, b := rows[i].stats.Started, rows[j].stats.Started; a != b {
			return a > b
		}
		return strings.ToLower(rows[i].tree.Title) < strings.ToLower(rows[j].tree.Title)
	})
	return rows
}

type treeStatsPage struct {
	page
	rows   []treeStatsRow
	loaded bool
	err    string
}

func (p *treeStatsPage) OnPreRender(ctx app.Context) {
	p.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(p.lang, "treeedit.stats_title") + " · " + t(p.lang, "app.name"))
}

func (p *treeStatsPage) OnMount(ctx app.Context) {
	p.mountPage(ctx, p.load)
}

func (p *treeStatsPage) load(ctx app.Context) {
	ctx.Page().SetTitle(t(p.lang, "treeedit.stats_title") + " · " + t(p.lang, "app.name"))
	ctx.Async(func() {
		trees, err := p.client.allTrees()
		stats := map[string]tree.TreeStats{}
		if err == nil {
			err = p.client.each(typeTreeStats, func(data []byte) {
				var s tree.TreeStats
				if json.Unmarshal(data, &s) == nil && s.Tree != "" {
					stats[s.Tree] = s
				}
			})
		}
		rows := treeStatsRows(trees, stats)
		ctx.Dispatch(func(ctx app.Context) {
			p.rows, p.loaded, p.err = rows, true, ""
			if err != nil {
				p.err = storageErrText(p.lang, err)
			}
		})
	})
}

func (p *treeStatsPage) Render() app.UI {
	l := p.lang
	if !p.client.prerendering() && !p.client.isStaff() {
		return p.frame(
			app.H1().Text(t(l, "treeedit.stats_title")),
			app.P().Class("notice").Text(t(l, "treeedit.staff_only")),
			app.A().Class("button").Href("/signin").Text(t(l, "nav.signin")),
		)
	}
	var body app.UI
	switch {
	case p.err != "":
		body = app.P().Class("error").Text(p.err)
	case !p.loaded:
		body = app.P().Class("muted").Text(t(l, "treeedit.loading"))
	case len(p.rows) == 0:
		body = app.P().Class("empty").Text(t(l, "treeedit.no_trees"))
	default:
		body = app.Div().Body(
			app.Table().ID("tree-stats").Class("data").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text(t(l, "treeedit.col_tree")),
					app.Th().Text(t(l, "treeedit.col_status")),
					app.Th().Class("num").Text(t(l, "treeedit.col_started")),
					app.Th().Class("num").Text(t(l, "treeedit.col_solved")),
					app.Th().Class("num").Text(t(l, "treeedit.col_escalated")),
					app.Th().Class("num").Text(t(l, "treeedit.col_abandoned")),
					app.Th().Class("num").Text(t(l, "treeedit.col_deflection")),
					app.Th(),
				)),
				app.TBody().Body(app.Range(p.rows).Slice(func(i int) app.UI {
					r := p.rows[i]
					c := r.stats.Counts
					return app.Tr().DataSet("tree", r.tree.ID).Body(
						app.Td().Body(
							app.A().Href("/troubleshoot/"+r.tree.ID).Text(r.tree.Title),
							app.Span().Class("muted").Text(" · "+r.tree.Lang),
						),
						app.Td().Text(t(l, "treeedit.status_"+r.tree.Status)),
						app.Td().Class("num started").Text(c.Started),
						app.Td().Class("num solved").Text(c.Solved),
						app.Td().Class("num escalated").Text(c.Escalated),
						app.Td().Class("num abandoned").Text(c.Abandoned),
						app.Td().Class("num deflection").Text(deflection(c)),
						app.Td().Body(app.A().Class("edit").Href("/troubleshoot/edit/"+r.tree.ID).Text(t(l, "treeedit.edit"))),
					)
				})),
			),
			app.H2().Text(t(l, "treeedit.ends_title")),
			app.P().Class("muted").Text(t(l, "treeedit.ends_intro")),
			app.Range(p.rows).Slice(func(i int) app.UI {
				r := p.rows[i]
				if len(r.ends) == 0 {
					return nil
				}
				return app.Details().Class("tree-ends").DataSet("tree", r.tree.ID).Body(
					app.Summary().Text(r.tree.Title),
					app.Table().Class("data").Body(
						app.THead().Body(app.Tr().Body(
							app.Th().Text(t(l, "treeedit.col_node")),
							app.Th().Class("num").Text(t(l, "treeedit.col_solved")),
							app.Th().Class("num").Text(t(l, "treeedit.col_escalated")),
							app.Th().Class("num").Text(t(l, "treeedit.col_abandoned")),
						)),
						app.TBody().Body(app.Range(r.ends).Slice(func(j int) app.UI {
							ne := r.ends[j]
							return app.Tr().DataSet("node", ne.node).Body(
								app.Td().Body(app.Code().Text(ne.node), app.Span().Class("muted").Text(" "+short(ne.text, 60))),
								app.Td().Class("num").Text(ne.count.Solved),
								app.Td().Class("num").Text(ne.count.Escalated),
								app.Td().Class("num").Text(ne.count.Abandoned),
							)
						})),
					),
				)
			}),
		)
	}
	return p.frame(
		app.H1().Text(t(l, "treeedit.stats_title")),
		app.P().Body(app.A().ID("new-tree").Class("button").Href("/troubleshoot/new").Text(t(l, "treeedit.new"))),
		body,
	)
}
