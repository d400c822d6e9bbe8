package sla

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"outpost/shared"
	"outpost/shared/i18n"
)

// checkMessage fails if err is not an EINVALID *shared.Error with key, or
// if its message is missing from a catalog or does not fit its arguments.
func checkMessage(t *testing.T, err error, key string) {
	t.Helper()
	if code := shared.ErrorCode(err); code != shared.EINVALID {
		t.Errorf("error %v has code %q; want %q", err, code, shared.EINVALID)
	}
	got, args := shared.ErrorKey(err)
	if got != key {
		t.Errorf("error key = %q; want %q", got, key)
	}
	for _, lang := range shared.Languages {
		msg := i18n.T(lang, got, slices.Clone(args)...)
		if msg == got || strings.Contains(msg, "%!") {
			t.Errorf("i18n.T(%q, %q, %v) = %q; want a message with its arguments", lang, got, args, msg)
		}
	}
}

func TestCalendarValidate(t *testing.T) {
	madrid := zone(t, "Europe/Madrid")
	week := func(spans ...Span) [7][]Span { return Weekdays(spans...) }
	tests := []struct {
		name string
		cal  Calendar
		key  string // "" = valid
	}{
		{"office week", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(8, 0, 18, 0))}, ""},
		{"split day", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(14, 0, 18, 0), Hours(8, 0, 13, 0))}, ""},
		{"touching spans", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(8, 0, 13, 0), Hours(13, 0, 18, 0))}, ""},
		{"until midnight", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(22, 0, 24, 0))}, ""},
		{"all hours", Calendar{Zone: "Europe/Madrid", Location: madrid, AllHours: true}, ""},
		{"holidays", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(8, 0, 18, 0)), Holidays: []string{"2026-12-25"}}, ""},
		{"no zone", Calendar{Week: week(Hours(8, 0, 18, 0))}, "sla.zone_required"},
		{"zone not loaded", Calendar{Zone: "Europe/Madrid", Week: week(Hours(8, 0, 18, 0))}, "sla.zone_not_loaded"},
		{"over midnight in one span", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(22, 0, 6, 0))}, "sla.bad_span"},
		{"empty span", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(8, 0, 8, 0))}, "sla.bad_span"},
		{"past 24:00", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(20, 0, 25, 0))}, "sla.bad_span"},
		{"negative", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Span{-60, 60})}, "sla.bad_span"},
		{"overlap", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(8, 0, 14, 0), Hours(13, 0, 18, 0))}, "sla.spans_overlap"},
		{"bad holiday", Calendar{Zone: "Europe/Madrid", Location: madrid, Week: week(Hours(8, 0, 18, 0)), Holidays: []string{"25/12/2026"}}, "sla.bad_holiday"},
		{"no hours", Calendar{Zone: "Europe/Madrid", Location: madrid}, "sla.no_hours"},
		{"all hours and a week", Calendar{Zone: "Europe/Madrid", Location: madrid, AllHours: true, Week: week(Hours(8, 0, 18, 0))}, "sla.all_hours_exclusive"},
		{"all hours and holidays", Calendar{Zone: "Europe/Madrid", Location: madrid, AllHours: true, Holidays: []string{"2026-12-25"}}, "sla.all_hours_exclusive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cal.Validate()
			if tt.key == "" {
				if err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
				return
			}
			checkMessage(t, err, tt.key)
		})
	}
}

func TestNewCalendar(t *testing.T) {
	c, err := NewCalendar("America/New_York", nil)
	if err != nil {
		t.Skipf("no zoneinfo: %v", err)
	}
	if c.Location.String() != "America/New_York" {
		t.Errorf("Location = %v", c.Location)
	}
	// The wasm app passes its own loader (embedded zoneinfo, or a table).
	called := ""
	_, err = NewCalendar("Europe/Madrid", func(name string) (*time.Location, error) {
		called = name
		return time.FixedZone("CET", 3600), nil
	})
	if err != nil || called != "Europe/Madrid" {
		t.Errorf("NewCalendar with a loader: err %v, loader called with %q", err, called)
	}
	_, err = NewCalendar("Mars/Olympus_Mons", func(string) (*time.Location, error) { return nil, errors.New("unknown") })
	checkMessage(t, err, "sla.bad_zone")
	_, err = NewCalendar("", nil)
	checkMessage(t, err, "sla.zone_required")
}

func TestPolicyValidate(t *testing.T) {
	const h = time.Hour
	good := func() *Policy {
		return &Policy{Targets: map[string]Target{
			"P1": {FirstResponse: h, Resolution: 4 * h, AllHours: true},
			"P2": {FirstResponse: 2 * h, Resolution: 8 * h},
			"P3": {FirstResponse: 4 * h, Resolution: 24 * h},
			"P4": {FirstResponse: 8 * h, Resolution: 40 * h},
		}}
	}
	tests := []struct {
		name   string
		change func(p *Policy)
		key    string
	}{
		{"good", func(*Policy) {}, ""},
		{"warn 90%", func(p *Policy) { p.Warn = 0.9 }, ""},
		{"missing P3", func(p *Policy) { delete(p.Targets, "P3") }, "sla.missing_priority"},
		{"unknown P5", func(p *Policy) { p.Targets["P5"] = Target{FirstResponse: h, Resolution: h} }, "sla.unknown_priority"},
		{"zero response", func(p *Policy) { p.Targets["P2"] = Target{Resolution: h} }, "sla.bad_first_response"},
		{"resolution too long", func(p *Policy) { p.Targets["P4"] = Target{FirstResponse: h, Resolution: MaxTarget + h} }, "sla.bad_resolution"},
		{"response after resolution", func(p *Policy) { p.Targets["P2"] = Target{FirstResponse: 9 * h, Resolution: 8 * h} }, "sla.response_after_resolution"},
		{"warn 100%", func(p *Policy) { p.Warn = 1 }, "sla.bad_warn"},
		{"warn negative", func(p *Policy) { p.Warn = -0.5 }, "sla.bad_warn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good()
			tt.change(p)
			err := p.Validate()
			if tt.key == "" {
				if err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
				return
			}
			checkMessage(t, err, tt.key)
		})
	}
}

func TestBetweenAndAdd(t *testing.T) {
	cal := office(t)
	loc := cal.Location
	tests := []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-03-02 09:00", "2026-03-02 09:00", 0},
		{"2026-03-02 10:00", "2026-03-02 09:00", 0},
		{"2026-03-02 07:00", "2026-03-02 19:00", 10 * time.Hour},
		{"2026-03-02 00:00", "2026-03-09 00:00", 50 * time.Hour},             // a week
		{"2025-12-22 00:00", "2025-12-29 00:00", 40 * time.Hour},             // Christmas week
		{"2026-03-07 00:00", "2026-03-09 00:00", 0},                          // a weekend
		{"2026-03-27 12:00", "2026-03-30 12:00", 10 * time.Hour},             // over the DST change
		{"2026-01-01 00:00", "2027-01-01 00:00", (261 - 2) * 10 * time.Hour}, // 2026: 261 weekdays, 2 of them holidays
	}
	for _, tt := range tests {
		from, to := at(t, loc, tt.from), at(t, loc, tt.to)
		if got := cal.Between(from, to); got != tt.want {
			t.Errorf("Between(%s, %s) = %v; want %v", tt.from, tt.to, got, tt.want)
		}
		if tt.want > 0 {
			// Add is Between's inverse: it lands on the last business instant.
			end := cal.Add(from, tt.want)
			if got := cal.Between(from, end); got != tt.want || !cal.Open(end.Add(-time.Nanosecond)) {
				t.Errorf("Add(%s, %v) = %s, which is %v of business time away", tt.from, tt.want, show(end, loc), got)
			}
		}
	}
	if got := cal.Add(at(t, loc, "2026-03-02 17:00"), time.Hour); !got.Equal(at(t, loc, "2026-03-02 18:00")) {
		t.Errorf("Add to the end of a span = %s; want 18:00 the same day, not 08:00 the next", show(got, loc))
	}
	if cal.Open(at(t, loc, "2026-03-02 18:00")) || !cal.Open(at(t, loc, "2026-03-02 08:00")) {
		t.Errorf("Open: spans are [start, end)")
	}
	var noZone Calendar // counts in UTC rather than panic
	noZone.Week = Weekdays(Hours(8, 0, 18, 0))
	if got := noZone.Between(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)); got != 10*time.Hour {
		t.Errorf("Between without a zone = %v; want 10h in UTC", got)
	}
}

func TestFormatDue(t *testing.T) {
	cal := office(t)
	loc := cal.Location
	now := at(t, loc, "2026-03-06 17:30") // Friday
	tests := []struct {
		due, lang, want string
	}{
		{"2026-03-10 10:00", "en", "Tue 10:00 CET"},
		{"2026-03-10 10:00", "es", "mar 10:00 CET"},
		{"2026-03-06 18:00", "en", "Fri 18:00 CET"},        // today
		{"2026-03-12 09:15", "es", "jue 09:15 CET"},        // six days on
		{"2026-03-13 09:00", "en", "Fri 13 Mar 09:00 CET"}, // a week on: the bare weekday would be today's
		{"2026-03-13 09:00", "es", "vie 13 mar 09:00 CET"},
		{"2026-03-04 12:00", "es", "mié 4 mar 12:00 CET"}, // in the past
		{"2026-08-10 08:00", "es", "lun 10 ago 08:00 CEST"},
		{"2026-03-10 10:00", "fr", "Tue 10:00 CET"}, // unknown language: English
	}
	for _, tt := range tests {
		if got := FormatDue(tt.lang, at(t, loc, tt.due), now, cal); got != tt.want {
			t.Errorf("FormatDue(%q, %s) = %q; want %q", tt.lang, tt.due, got, tt.want)
		}
	}
	// In the calendar's zone, whatever zone the times come in.
	if got := FormatDue("en", at(t, loc, "2026-03-10 10:00").UTC(), now.UTC(), cal); got != "Tue 10:00 CET" {
		t.Errorf("FormatDue of a UTC time = %q; want the Madrid time Tue 10:00 CET", got)
	}
	if got := i18n.T("es", "sla.expect_response", FormatDue("es", at(t, loc, "2026-03-10 10:00"), now, cal)); got != "Recibirás una primera respuesta como tarde el mar 10:00 CET." {
		t.Errorf("expect_response = %q", got)
	}
}
