package sla

import (
	"fmt"
	"slices"
	"time"

	"outpost/shared"
)

// Span is one stretch of business hours in a day, [Start, End) in minutes
// from local midnight: 08:00–18:00 is {480, 1080}, and End may be 1440
// (24:00). A span never crosses midnight: a night shift from 22:00 to 06:00
// is two spans, 22:00–24:00 on the first day and 00:00–06:00 on the next,
// so that each belongs to one date and a holiday on either date takes off
// exactly the hours that fall on it.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// String returns s as "08:00–18:00".
func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
}

// minutesPerDay is 24:00, the latest a span may end.
const minutesPerDay = 24 * 60

// Hours returns the span from h1:m1 to h2:m2, for readable literals:
// Hours(8, 0, 18, 0) is 08:00–18:00.
func Hours(h1, m1, h2, m2 int) Span { return Span{h1*60 + m1, h2*60 + m2} }

// Weekdays returns a week with spans on Monday to Friday and nothing at the
// weekend: Weekdays(Hours(8, 0, 18, 0)) is the usual office week.
func Weekdays(spans ...Span) [7][]Span {
	var w [7][]Span
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = slices.Clone(spans)
	}
	return w
}

// DateLayout is how holidays are written: local dates, "2025-12-25".
const DateLayout = "2006-01-02"

// Calendar says when the SLA clock may run: business hours each weekday in
// one time zone, minus holidays; or, with AllHours, around the clock (24×7,
// holidays included).
//
// Business hours are wall-clock times in the calendar's zone, so 08:00 is
// 08:00 local time on both sides of a daylight-saving change, and a span
// holding the change counts the hours that really passed (00:00–24:00 on
// the spring-forward day is 23 hours).
//
// The zone is loaded by the caller (see NewCalendar): the WebAssembly build
// has no zoneinfo unless the app embeds it, and shared must not pull
// time/tzdata into every build.
type Calendar struct {
	Zone     string    `json:"zone"`                // IANA name, "Europe/Madrid"
	AllHours bool      `json:"all_hours,omitempty"` // count every hour; Week and Holidays must be empty
	Week     [7][]Span `json:"week"`                // by time.Weekday: Week[time.Monday] …
	Holidays []string  `json:"holidays,omitempty"`  // local dates (DateLayout) with no business hours

	// Location is Zone loaded; Validate insists on it. Functions given a
	// calendar without one count in UTC rather than panic.
	Location *time.Location `json:"-"`
}

// Loader loads an IANA time zone by name; time.LoadLocation is one.
type Loader func(name string) (*time.Location, error)

// NewCalendar returns an empty calendar in the zone called name, loaded
// with load (nil means time.LoadLocation). Set Week and Holidays, or
// AllHours, then Validate. Returns EINVALID if the zone cannot be loaded.
func NewCalendar(name string, load Loader) (*Calendar, error) {
	c := &Calendar{Zone: name}
	if err := c.LoadZone(load); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadZone sets c.Location from c.Zone with load (nil means
// time.LoadLocation), for a calendar read from storage. Returns EINVALID
// if the zone cannot be loaded.
func (c *Calendar) LoadZone(load Loader) error {
	if load == nil {
		load = time.LoadLocation
	}
	if c.Zone == "" {
		return shared.Errorf(shared.EINVALID, "sla.zone_required")
	}
	loc, err := load(c.Zone)
	if err != nil || loc == nil {
		return shared.Errorf(shared.EINVALID, "sla.bad_zone", c.Zone)
	}
	c.Location = loc
	return nil
}

// Validate returns an EINVALID *shared.Error naming the first thing wrong
// with c: no zone loaded, a span that is empty, reversed or outside
// 00:00–24:00, overlapping spans, a holiday that is not a date, a week
// with no business hours at all, or AllHours with hours or holidays given.
func (c *Calendar) Validate() error {
	switch {
	case c.Zone == "":
		return shared.Errorf(shared.EINVALID, "sla.zone_required")
	case c.Location == nil:
		return shared.Errorf(shared.EINVALID, "sla.zone_not_loaded", c.Zone)
	}
	hours := false
	for _, spans := range c.Week {
		sorted := slices.Clone(spans)
		slices.SortFunc(sorted, func(a, b Span) int { return a.Start - b.Start })
		for i, s := range sorted {
			if s.Start < 0 || s.End > minutesPerDay || s.Start >= s.End {
				return shared.Errorf(shared.EINVALID, "sla.bad_span", s.String())
			}
			if i > 0 && sorted[i-1].End > s.Start {
				return shared.Errorf(shared.EINVALID, "sla.spans_overlap", sorted[i-1].String(), s.String())
			}
			hours = true
		}
	}
	for _, h := range c.Holidays {
		if _, err := time.Parse(DateLayout, h); err != nil {
			return shared.Errorf(shared.EINVALID, "sla.bad_holiday", h)
		}
	}
	switch {
	case c.AllHours && (hours || len(c.Holidays) > 0):
		return shared.Errorf(shared.EINVALID, "sla.all_hours_exclusive")
	case !c.AllHours && !hours:
		return shared.Errorf(shared.EINVALID, "sla.no_hours")
	}
	return nil
}

func (c *Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// interval is [from, to) in absolute time.
type interval struct{ from, to time.Time }

// day returns the business intervals of the local date y-m-d (normalized,
// so d may overflow the month), in order.
func (c *Calendar) day(y int, m time.Month, d int) []interval {
	loc := c.loc()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if slices.Contains(c.Holidays, midnight.Format(DateLayout)) {
		return nil
	}
	spans := slices.Clone(c.Week[midnight.Weekday()])
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	out := make([]interval, 0, len(spans))
	y, m, d = midnight.Date()
	for _, s := range spans {
		// time.Date normalizes minutes past 59, and on a DST change picks
		// one consistent instant for a wall time that is skipped or repeated.
		out = append(out, interval{time.Date(y, m, d, 0, s.Start, 0, 0, loc), time.Date(y, m, d, 0, s.End, 0, 0, loc)})
	}
	return out
}

// maxDays bounds the walk over days, so a calendar Validate would refuse
// (no hours at all) cannot loop forever: 100 years.
const maxDays = 100 * 366

// Between returns the business time from a to b (0 if b is not after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.AllHours {
		return b.Sub(a)
	}
	y, m, d := a.In(c.loc()).Date()
	var sum time.Duration
	for i := 0; i < maxDays; i++ {
		if i > 0 && !time.Date(y, m, d+i, 0, 0, 0, 0, c.loc()).Before(b) {
			break
		}
		for _, s := range c.day(y, m, d+i) {
			from, to := later(s.from, a), earlier(s.to, b)
			if to.After(from) {
				sum += to.Sub(from)
			}
		}
	}
	return sum
}

// Add returns the instant at which d of business time has passed since
// from: from itself if d ≤ 0, and the end of a span, not the start of the
// next, if d runs out exactly there. It returns the zero time if the
// calendar has no business hours within 100 years.
func (c *Calendar) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	if c.AllHours {
		return from.Add(d)
	}
	y, m, day := from.In(c.loc()).Date()
	for i := 0; i < maxDays; i++ {
		for _, s := range c.day(y, m, day+i) {
			start := later(s.from, from)
			if !s.to.After(start) {
				continue
			}
			if left := s.to.Sub(start); d <= left {
				return start.Add(d)
			} else {
				d -= left
			}
		}
	}
	return time.Time{}
}

// Open reports whether t falls within business hours.
func (c *Calendar) Open(t time.Time) bool {
	if c.AllHours {
		return true
	}
	y, m, d := t.In(c.loc()).Date()
	for _, s := range c.day(y, m, d) {
		if !t.Before(s.from) && t.Before(s.to) {
			return true
		}
	}
	return false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
