package kpi

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"outpost/shared"
)

// Table is one part of a Report as rows of text, for CSV export. Name is
// also the suffix of its catalog title key, "kpi.table.<name>"; the header
// names are machine-friendly (snake_case, units in the name) and match the
// JSON field names where there is one. Durations are whole seconds and
// percentages have one decimal; an unknown percentage is an empty cell.
type Table struct {
	Name   string     `json:"name"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// Table names.
const (
	TableSummary = "summary"
	TableSLA     = "sla"
	TableBacklog = "backlog"
	TableMisses  = "top_misses"
)

// Tables returns every figure of r as tables: the summary (one metric a
// row), SLA compliance by priority, the backlog by tier and age, and the
// top searches with no results.
func (r *Report) Tables() []Table {
	sum := Table{Name: TableSummary, Header: []string{"metric", "value"}}
	add := func(name, value string) { sum.Rows = append(sum.Rows, []string{name, value}) }
	add("from", r.From.UTC().Format(time.RFC3339))
	add("to", r.To.UTC().Format(time.RFC3339))
	add("business_time", strconv.FormatBool(r.BusinessTime))
	add("filed", itoa(r.Filed))
	add("resolved", itoa(r.Resolved))
	add("first_contact_resolution_n", itoa(r.FirstContact.N))
	add("first_contact_resolution_pct", pct(r.FirstContact))
	for _, d := range []struct {
		name string
		d    Durations
	}{{"first_response_time", r.FirstResponse}, {"resolution_time", r.Resolution}} {
		add(d.name+"_count", itoa(d.d.Count))
		add(d.name+"_median_s", strconv.FormatInt(d.d.MedianS, 10))
		add(d.name+"_p90_s", strconv.FormatInt(d.d.P90S, 10))
	}
	add("csat_ratings", itoa(r.CSAT.Ratings))
	avg := ""
	if r.CSAT.Average != nil {
		avg = strconv.FormatFloat(*r.CSAT.Average, 'f', 2, 64)
	}
	add("csat_average", avg)
	add("csat_satisfied_pct", pct(r.CSAT.Satisfied))
	add("csat_response_pct", pct(r.CSAT.Response))
	add("deflection_trees_solved", itoa(r.Deflection.TreesSolved))
	add("helpful_answers", itoa(r.Deflection.Helpful))
	add("deflection_articles_helpful", itoa(r.Deflection.ArticlesHelpful))
	add("deflection_from_ticket_form", itoa(r.Deflection.FromTicketForm))
	add("deflection_pct", pct(r.Deflection.Rate))

	sla := Table{Name: TableSLA, Header: []string{"priority",
		"first_response_met", "first_response_due", "first_response_pct",
		"resolution_met", "resolution_due", "resolution_pct"}}
	for _, c := range r.SLA {
		sla.Rows = append(sla.Rows, []string{c.Priority,
			itoa(c.FirstResponse.N), itoa(c.FirstResponse.Of), pct(c.FirstResponse),
			itoa(c.Resolution.N), itoa(c.Resolution.Of), pct(c.Resolution)})
	}

	backlog := Table{Name: TableBacklog, Header: []string{"tier", "age_0_1d", "age_1_3d", "age_3_7d", "age_7d_plus", "total"}}
	for _, b := range r.Backlog {
		tier := itoa(b.Tier)
		if b.Tier == 0 {
			tier = "all"
		}
		backlog.Rows = append(backlog.Rows, []string{tier, itoa(b.UpTo1Day), itoa(b.UpTo3Days), itoa(b.UpTo7Days), itoa(b.Older), itoa(b.Total)})
	}

	misses := Table{Name: TableMisses, Header: []string{"query", "lang", "count"}}
	for _, m := range r.Misses {
		misses.Rows = append(misses.Rows, []string{m.Query, m.Lang, itoa(m.Count)})
	}
	return []Table{sum, sla, backlog, misses}
}

// CSV writes the table called name (see Tables) as CSV, header first. A
// cell that a spreadsheet would run as a formula (it starts with =, +, -,
// @, a tab or a carriage return: a search query is anyone's text) gets a
// leading apostrophe, as OWASP advises. Returns ENOTFOUND for a name
// Tables does not return.
func (r *Report) CSV(w io.Writer, name string) error {
	for _, t := range r.Tables() {
		if t.Name != name {
			continue
		}
		cw := csv.NewWriter(w)
		cw.Write(t.Header)
		for _, row := range t.Rows {
			safe := make([]string, len(row))
			for i, cell := range row {
				safe[i] = defuse(cell)
			}
			cw.Write(safe)
		}
		cw.Flush()
		return cw.Error() // the first write error, if any
	}
	return shared.Errorf(shared.ENOTFOUND, "kpi.unknown_table", name)
}

// defuse keeps a spreadsheet from reading cell as a formula.
func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func itoa(n int) string { return strconv.Itoa(n) }

func pct(s Share) string {
	if s.Pct == nil {
		return ""
	}
	return strconv.FormatFloat(*s.Pct, 'f', 1, 64)
}
