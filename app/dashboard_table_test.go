package app

import (
	"strings"
	"testing"
	"time"

	"outpost/shared/kpi"
	"outpost/shared/sla"
)

// TestDashboardTablesInWords: every heading and figure of the dashboard's
// tables has words in English and Spanish (no `first_contact_resolution_n`
// on screen), and dates, durations and decimals are written for the reader.
func TestDashboardTablesInWords(tt *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		tt.Skip("no zoneinfo:", err)
	}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, madrid)
	cal := &sla.Calendar{Zone: "Europe/Madrid", Location: madrid, AllHours: true}
	r, err := kpi.Compute(&kpi.Input{From: from, To: from.AddDate(0, 0, 7), Calendar: cal, Misses: nil})
	if err != nil {
		tt.Fatal(err)
	}
	r.FirstResponse.Count = 1
	if got := summaryValue("en", r, "first_response_time_median_s", "5400"); got != "1 h 30 min" {
		tt.Errorf("median first response of 5400 s = %q; want 1 h 30 min", got)
	}
	r.FirstResponse.Count = 0
	half := 62.5
	r.CSAT.Satisfied = kpi.Share{N: 5, Of: 8, Pct: &half}
	for _, l := range []string{"en", "es"} {
		for _, tb := range r.Tables() {
			for _, h := range tb.Header {
				if got := t(l, "kpi.col."+h); strings.HasPrefix(got, "kpi.") {
					tt.Errorf("%s: heading %q of table %s has no words", l, h, tb.Name)
				}
			}
			if tb.Name != kpi.TableSummary {
				continue
			}
			for _, row := range tb.Rows {
				if got := cellText(l, r, tb.Name, "metric", row, 0); strings.HasPrefix(got, "kpi.") || strings.Contains(got, "_") {
					tt.Errorf("%s: figure %q reads %q", l, row[0], got)
				}
			}
		}
	}
	for _, c := range []struct {
		lang, metric, value, want string
	}{
		{"en", "from", "", "2 Mar 2026, 00:00"},
		{"es", "from", "", "2 mar 2026, 00:00"},
		{"en", "first_response_time_median_s", "0", "—"}, // nothing measured
		{"en", "resolution_time_p90_s", "0", "—"},
		{"en", "csat_satisfied_pct", "62.5", "62.5 %"},
		{"es", "csat_satisfied_pct", "62.5", "62,5 %"},
		{"es", "csat_average", "4.25", "4,25"},
		{"en", "csat_average", "", "—"},
		{"en", "business_time", "false", "All hours"},
	} {
		if got := summaryValue(c.lang, r, c.metric, c.value); got != c.want {
			tt.Errorf("summaryValue(%q, %q, %q) = %q; want %q", c.lang, c.metric, c.value, got, c.want)
		}
	}
	if got := cellText("es", r, kpi.TableBacklog, "tier", []string{"2"}, 0); got != "Nivel 2" {
		tt.Errorf("backlog tier 2 in Spanish = %q; want Nivel 2", got)
	}
}
