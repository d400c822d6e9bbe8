package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared/kpi"
)

// The dashboard's tables as people read them (issue 16, item 10): headings
// and figure names in words, dates, durations, shares and decimals in the
// reader's language. The CSV download keeps the machine names and raw
// values of kpi.Report.Tables, for spreadsheets.

// humanTable draws tb with words for its headings and cells.
func humanTable(l string, r *kpi.Report, tb kpi.Table) app.UI {
	// A table wider than a phone scrolls in its box, which the keyboard
	// must reach too.
	return app.Div().Class("table-scroll").TabIndex(0).Attr("role", "region").Aria("label", t(l, "kpi.table."+tb.Name)).Body(app.Table().Class("queue report").Body(
		app.THead().Body(app.Tr().Body(app.Range(tb.Header).Slice(func(i int) app.UI {
			return app.Th().Attr("scope", "col").Class(numClass(tb.Name, i)).Text(t(l, "kpi.col."+tb.Header[i]))
		}))),
		app.TBody().Body(app.Range(tb.Rows).Slice(func(i int) app.UI {
			row := tb.Rows[i]
			return app.Tr().Body(app.Range(row).Slice(func(j int) app.UI {
				text := cellText(l, r, tb.Name, tb.Header[j], row, j)
				if j == 0 {
					return app.Th().Attr("scope", "row").Text(text)
				}
				return app.Td().Class(numClass(tb.Name, j)).Text(text)
			}))
		})),
	))
}

// numClass right-aligns the columns that hold figures.
func numClass(table string, col int) string {
	if col == 0 || table == kpi.TableMisses && col < 2 {
		return ""
	}
	return "num"
}

// cellText is one cell of a report table in words.
func cellText(l string, r *kpi.Report, table, col string, row []string, j int) string {
	v := row[j]
	switch {
	case table == kpi.TableSummary && j == 0:
		return t(l, "kpi.m."+v)
	case table == kpi.TableSummary:
		return summaryValue(l, r, row[0], v)
	case col == "priority" && v == "all", col == "tier" && v == "all":
		return t(l, "kpi.all")
	case col == "priority":
		return t(l, "ticket.priority."+v)
	case col == "tier":
		return t(l, "kpi.tier", v)
	case col == "lang":
		return t(l, "lang."+v)
	case strings.HasSuffix(col, "_pct"):
		return pctCell(l, v)
	}
	return v
}

// summaryValue words the value v of the summary's figure metric.
func summaryValue(l string, r *kpi.Report, metric, v string) string {
	switch {
	case metric == "from":
		return dateText(l, r.From)
	case metric == "to":
		return dateText(l, r.To)
	case metric == "business_time":
		if v == "true" {
			return t(l, "kpi.business_hours")
		}
		return t(l, "kpi.all_hours")
	case strings.HasSuffix(metric, "_s"):
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return v
		}
		n := r.FirstResponse.Count // no time measured is "—", not "0 min"
		if strings.HasPrefix(metric, "resolution_") {
			n = r.Resolution.Count
		}
		return durText(l, secs, n)
	case strings.HasSuffix(metric, "_pct"):
		return pctCell(l, v)
	case v == "":
		return "—"
	}
	return decimalText(l, v)
}

// pctCell words a percentage cell ("12.5") as "12.5 %" ("12,5 %").
func pctCell(l, v string) string {
	if v == "" {
		return "—"
	}
	return decimalText(l, v) + " %"
}

// decimalText writes a decimal number the way the language does: Spanish
// takes a decimal comma.
func decimalText(l, v string) string {
	if l == "es" {
		return strings.Replace(v, ".", ",", 1)
	}
	return v
}

// pctLang is a share in the reader's language, "—" if there is none.
func pctLang(l string, s kpi.Share) string {
	if s.Pct == nil {
		return "—"
	}
	return pctCell(l, strconv.FormatFloat(*s.Pct, 'f', 1, 64))
}

// dateText is a date and time in words: "7 Dec 2026, 04:31", "7 dic 2026,
// 04:31".
func dateText(l string, at time.Time) string {
	return t(l, "kpi.date", at.Day(), t(l, monthKeys[at.Month()-1]), at.Year(), at.Format("15:04"))
}

var monthKeys = [12]string{"sla.month.jan", "sla.month.feb", "sla.month.mar", "sla.month.apr", "sla.month.may", "sla.month.jun",
	"sla.month.jul", "sla.month.aug", "sla.month.sep", "sla.month.oct", "sla.month.nov", "sla.month.dec"}
