package sla

import (
	"strings"
	"testing"
	"time"

	"outpost/shared"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no zoneinfo for %s: %v", name, err)
	}
	return loc
}

// office is Mon–Fri 08:00–18:00 in Madrid, with Christmas, New Year and
// Epiphany off.
func office(t testing.TB) *Calendar {
	return &Calendar{Zone: "Europe/Madrid", Location: zone(t, "Europe/Madrid"),
		Week: Weekdays(Hours(8, 0, 18, 0)), Holidays: []string{"2025-12-25", "2026-01-01", "2026-01-06"}}
}

// nights is a night desk in Madrid, from 22:00 Monday to 06:00 Saturday
// morning, each night written as two spans, with Tuesday 3 March 2026 off.
func nights(t testing.TB) *Calendar {
	c := &Calendar{Zone: "Europe/Madrid", Location: zone(t, "Europe/Madrid"), Holidays: []string{"2026-03-03"}}
	for d := time.Monday; d <= time.Friday; d++ {
		c.Week[d] = append(c.Week[d], Hours(22, 0, 24, 0))
		c.Week[d+1] = append(c.Week[d+1], Hours(0, 0, 6, 0))
	}
	return c
}

// everyDay has business hours around the clock, every day, in zone: wall
// hours, so a DST day has 23 or 25 of them.
func everyDay(t testing.TB, name string) *Calendar {
	c := &Calendar{Zone: name, Location: zone(t, name)}
	for d := range c.Week {
		c.Week[d] = []Span{Hours(0, 0, 24, 0)}
	}
	return c
}

func allHours(t testing.TB) *Calendar {
	return &Calendar{Zone: "Europe/Madrid", Location: zone(t, "Europe/Madrid"), AllHours: true}
}

// at parses "2026-03-02 09:00" (seconds and fractions optional) in loc;
// "" is the zero time.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	layout := "2006-01-02 15:04"
	if strings.Count(s, ":") == 2 {
		layout += ":05"
	}
	tm, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// show prints tm in loc the way the table writes times.
func show(tm time.Time, loc *time.Location) string {
	if tm.IsZero() {
		return ""
	}
	return tm.In(loc).Format("2006-01-02 15:04:05.000 MST")
}

// The dates: Monday 2 March 2026 is a plain week; Europe moves its clocks
// forward at 02:00 on Sunday 29 March 2026 and New York back at 02:00 on
// Sunday 1 November 2026; Christmas 2025 is a Thursday.
func TestTrack(t *testing.T) {
	const h = time.Hour
	tests := []struct {
		name     string
		cal      *Calendar
		kind     Kind
		target   time.Duration
		created  string   // on the device
		received string   // by the server; "" = same as created
		events   []string // "2026-03-02 10:00 pending"
		response string
		now      string

		state   string
		elapsed time.Duration
		due     string
		warned  bool
		done    string
	}{
		// Business hours.
		{name: "within a day", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", now: "2026-03-02 11:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-02 13:00"},
		{name: "overnight, warned at exactly 75%", cal: office(t), target: 4 * h, created: "2026-03-02 16:00", now: "2026-03-03 09:00",
			state: StateRunning, elapsed: 3 * h, due: "2026-03-03 10:00", warned: true},
		{name: "filed on a Saturday", cal: office(t), target: 4 * h, created: "2026-03-07 10:00", now: "2026-03-09 09:00",
			state: StateRunning, elapsed: 1 * h, due: "2026-03-09 12:00"},
		{name: "over the weekend", cal: office(t), target: 4 * h, created: "2026-03-06 16:00", now: "2026-03-07 12:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-09 10:00"},
		{name: "over Christmas", cal: office(t), target: 4 * h, created: "2025-12-24 16:00", now: "2025-12-26 09:00",
			state: StateRunning, elapsed: 3 * h, due: "2025-12-26 10:00", warned: true},
		{name: "due after New Year and Epiphany", cal: office(t), target: 26 * h, created: "2025-12-31 17:00", now: "2025-12-31 17:30",
			state: StateRunning, elapsed: h / 2, due: "2026-01-07 13:00"},

		// Spans over midnight, written as two spans.
		{name: "night shift across midnight", cal: nights(t), target: 4 * h, created: "2026-03-09 23:00", now: "2026-03-10 01:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-10 03:00"},
		{name: "a holiday takes off its own date's hours only", cal: nights(t), target: 4 * h, created: "2026-03-02 23:00", now: "2026-03-02 23:30",
			state: StateRunning, elapsed: h / 2, due: "2026-03-04 03:00"},

		// Daylight saving time.
		{name: "Madrid springs forward: Sunday has 23 hours", cal: everyDay(t, "Europe/Madrid"), target: 24 * h, created: "2026-03-28 12:00", now: "2026-03-28 18:00",
			state: StateRunning, elapsed: 6 * h, due: "2026-03-29 13:00"},
		{name: "office hours stay 08:00 local after the change", cal: office(t), target: 4 * h, created: "2026-03-27 17:00", now: "2026-03-30 09:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-30 11:00"},
		{name: "New York falls back: Sunday has 25 hours", cal: everyDay(t, "America/New_York"), target: 48 * h, created: "2026-11-01 00:00", now: "2026-11-02 00:00",
			state: StateRunning, elapsed: 25 * h, due: "2026-11-02 23:00", warned: false},
		{name: "24×7 across the spring change", cal: allHours(t), target: 4 * h, created: "2026-03-28 23:00", now: "2026-03-29 01:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-29 04:00"},
		{name: "24×7 counts weekends", cal: allHours(t), target: 8 * h, created: "2026-03-07 10:00", now: "2026-03-07 16:00",
			state: StateRunning, elapsed: 6 * h, due: "2026-03-07 18:00", warned: true},

		// Pauses.
		{name: "paused and resumed", cal: office(t), target: 4 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 10:00 pending", "2026-03-02 15:00 open"}, now: "2026-03-02 16:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-02 18:00"},
		{name: "paused now: due if it resumed now", cal: office(t), target: 4 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 10:00 pending"}, now: "2026-03-03 12:00",
			state: StatePaused, elapsed: 1 * h, due: "2026-03-03 15:00"},
		{name: "events out of order, one before start, one after now", cal: office(t), target: 4 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 15:00 open", "2026-03-02 08:00 open", "2026-03-02 17:00 pending", "2026-03-02 10:00 pending"}, now: "2026-03-02 16:00",
			state: StateRunning, elapsed: 2 * h, due: "2026-03-02 18:00"},
		{name: "resolved before any response pauses the first response", cal: office(t), target: 4 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 10:00 resolved"}, now: "2026-03-03 10:00",
			state: StatePaused, elapsed: 1 * h, due: "2026-03-03 13:00"},

		// Filed offline.
		{name: "filed offline on Friday, synced on Monday", cal: office(t), target: 4 * h, created: "2026-03-06 17:00", received: "2026-03-09 09:00", now: "2026-03-09 10:00",
			state: StateRunning, elapsed: 75 * time.Minute, due: "2026-03-09 12:45"},
		{name: "a device clock ahead cannot start it later", cal: office(t), target: 4 * h, created: "2026-03-09 12:00", received: "2026-03-09 09:00", now: "2026-03-09 10:00",
			state: StateRunning, elapsed: 1 * h, due: "2026-03-09 13:00"},
		{name: "a device clock years behind", cal: office(t), target: 4 * h, created: "2020-01-01 09:00", received: "2026-03-09 09:00", now: "2026-03-09 10:00",
			state: StateRunning, elapsed: 75 * time.Minute, due: "2026-03-09 12:45"},
		{name: "synced within the grace: the device's time counts", cal: office(t), target: 4 * h, created: "2026-03-09 09:00", received: "2026-03-09 09:10", now: "2026-03-09 10:00",
			state: StateRunning, elapsed: 1 * h, due: "2026-03-09 13:00"},

		// The boundary.
		{name: "one millisecond before the target", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", now: "2026-03-02 12:59:59.999",
			state: StateRunning, elapsed: 4*h - time.Millisecond, due: "2026-03-02 13:00", warned: true},
		{name: "breached exactly at the boundary", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", now: "2026-03-02 13:00",
			state: StateBreached, elapsed: 4 * h, due: "2026-03-02 13:00", warned: true},
		{name: "a response exactly at due is late", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", response: "2026-03-02 13:00", now: "2026-03-02 15:00",
			state: StateBreached, elapsed: 4 * h, due: "2026-03-02 13:00", warned: true, done: "2026-03-02 13:00"},
		{name: "a response a minute early is met", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", response: "2026-03-02 12:59", now: "2026-03-02 15:00",
			state: StateMet, elapsed: 4*h - time.Minute, due: "2026-03-02 13:00", warned: true, done: "2026-03-02 12:59"},
		{name: "breached overnight, the due is when it happened", cal: office(t), target: 4 * h, created: "2026-03-02 16:00", now: "2026-03-03 12:00",
			state: StateBreached, elapsed: 6 * h, due: "2026-03-03 10:00", warned: true},
		{name: "a response after now is not seen", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", response: "2026-03-02 11:00", now: "2026-03-02 10:00",
			state: StateRunning, elapsed: 1 * h, due: "2026-03-02 13:00"},

		{name: "a response before start counts at start", cal: office(t), target: 4 * h, created: "2026-03-02 09:00", response: "2026-03-02 08:00", now: "2026-03-02 10:00",
			state: StateMet, elapsed: 0, due: "2026-03-02 13:00", done: "2026-03-02 09:00"},

		// Resolution, resolved and reopened.
		{name: "resolved: met, due had it run on", cal: office(t), kind: Resolution, target: 8 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 11:00 resolved"}, now: "2026-03-02 15:00",
			state: StateMet, elapsed: 2 * h, due: "2026-03-02 17:00", done: "2026-03-02 11:00"},
		{name: "resolved then reopened: runs on from where it stopped", cal: office(t), kind: Resolution, target: 8 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 11:00 resolved", "2026-03-03 09:00 open"}, now: "2026-03-03 10:00",
			state: StateRunning, elapsed: 3 * h, due: "2026-03-03 15:00"},
		{name: "reopened and breached", cal: office(t), kind: Resolution, target: 4 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 12:00 resolved", "2026-03-03 09:00 open"}, now: "2026-03-03 11:00",
			state: StateBreached, elapsed: 5 * h, due: "2026-03-03 10:00", warned: true},
		{name: "reopened, resolved again, closed", cal: office(t), kind: Resolution, target: 8 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 11:00 resolved", "2026-03-03 09:00 open", "2026-03-03 12:00 resolved", "2026-03-04 12:00 closed"}, now: "2026-03-05 12:00",
			state: StateMet, elapsed: 5 * h, due: "2026-03-03 15:00", done: "2026-03-03 12:00"},
		{name: "pending does not stop the resolution", cal: office(t), kind: Resolution, target: 8 * h, created: "2026-03-02 09:00",
			events: []string{"2026-03-02 10:00 open", "2026-03-02 11:00 pending"}, now: "2026-03-03 09:00",
			state: StatePaused, elapsed: 2 * h, due: "2026-03-03 15:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := tt.cal.Location
			if err := tt.cal.Validate(); err != nil {
				t.Fatalf("calendar: %v", err)
			}
			now := at(t, loc, tt.now)
			received := tt.received
			if received == "" {
				received = tt.created
			}
			start := Start(at(t, loc, tt.created), at(t, loc, received), now, 0)
			var events []Event
			for _, e := range tt.events {
				i := strings.LastIndexByte(e, ' ')
				events = append(events, Event{At: at(t, loc, e[:i]), Status: e[i+1:]})
			}
			got := Track(tt.cal, tt.kind, tt.target, DefaultWarn, start, events, at(t, loc, tt.response), now)
			want := Timer{State: tt.state, Target: tt.target, Elapsed: tt.elapsed, Remaining: tt.target - tt.elapsed,
				Due: at(t, loc, tt.due), Warned: tt.warned, DoneAt: at(t, loc, tt.done)}
			if got.State != want.State || got.Elapsed != want.Elapsed || got.Remaining != want.Remaining ||
				!got.Due.Equal(want.Due) || got.Warned != want.Warned || !got.DoneAt.Equal(want.DoneAt) {
				t.Errorf("Track(now %s) = %s, elapsed %v, due %s, warned %v, done %s;\n want %s, elapsed %v, due %s, warned %v, done %s",
					tt.now, got.State, got.Elapsed, show(got.Due, loc), got.Warned, show(got.DoneAt, loc),
					want.State, want.Elapsed, show(want.Due, loc), want.Warned, show(want.DoneAt, loc))
			}
			if got.Breached() != (got.State == StateBreached) {
				t.Errorf("Breached() = %v with state %s", got.Breached(), got.State)
			}
			if got.State == StateRunning || got.State == StatePaused {
				// The due time must be exactly the remaining business time away.
				if d := tt.cal.Between(now, got.Due); d != got.Remaining {
					t.Errorf("Between(now, due) = %v; want remaining %v", d, got.Remaining)
				}
			}
		})
	}
}

func TestStart(t *testing.T) {
	loc := time.UTC
	const grace = 15 * time.Minute
	tests := []struct {
		name                   string
		created, received, now string
		want                   string
	}{
		{"online: the device's time", "2026-03-09 09:00", "2026-03-09 09:00:02", "2026-03-09 10:00", "2026-03-09 09:00"},
		{"offline for days: received minus grace", "2026-03-06 17:00", "2026-03-09 09:00", "2026-03-09 10:00", "2026-03-09 08:45"},
		{"exactly the grace", "2026-03-09 08:45", "2026-03-09 09:00", "2026-03-09 10:00", "2026-03-09 08:45"},
		{"device clock ahead", "2026-03-09 12:00", "2026-03-09 09:00", "2026-03-09 10:00", "2026-03-09 09:00"},
		{"not yet received: as if now", "2026-03-06 17:00", "", "2026-03-09 10:00", "2026-03-09 09:45"},
		{"not yet received, just filed", "2026-03-09 09:59", "", "2026-03-09 10:00", "2026-03-09 09:59"},
		{"no creation time", "", "2026-03-09 09:00", "2026-03-09 10:00", "2026-03-09 09:00"},
	}
	for _, tt := range tests {
		got := Start(at(t, loc, tt.created), at(t, loc, tt.received), at(t, loc, tt.now), grace)
		if want := at(t, loc, tt.want); !got.Equal(want) {
			t.Errorf("%s: Start(%q, %q, %q) = %s; want %s", tt.name, tt.created, tt.received, tt.now, show(got, loc), show(want, loc))
		}
	}
	// The default grace is the documented one.
	got := Start(at(t, loc, "2026-03-06 17:00"), at(t, loc, "2026-03-09 09:00"), time.Time{}, 0)
	if want := at(t, loc, "2026-03-09 09:00").Add(-DefaultGrace); !got.Equal(want) {
		t.Errorf("Start with grace 0 = %s; want %s", show(got, loc), show(want, loc))
	}
}

func TestPolicyTimers(t *testing.T) {
	cal := office(t)
	p := &Policy{Targets: map[string]Target{
		shared.PriorityP1: {FirstResponse: time.Hour, Resolution: 4 * time.Hour, AllHours: true},
		shared.PriorityP2: {FirstResponse: 2 * time.Hour, Resolution: 8 * time.Hour},
		shared.PriorityP3: {FirstResponse: 4 * time.Hour, Resolution: 24 * time.Hour},
		shared.PriorityP4: {FirstResponse: 8 * time.Hour, Resolution: 40 * time.Hour},
	}, Warn: 0.5}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	loc := cal.Location
	start := at(t, loc, "2026-03-06 17:00") // Friday
	now := at(t, loc, "2026-03-07 10:00")   // Saturday

	p1, err := p.Timers(cal, shared.PriorityP1, start, nil, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	// P1 counts all hours: breached Friday 18:00, resolution due Friday 21:00.
	if p1.FirstResponse.State != StateBreached || !p1.FirstResponse.Due.Equal(at(t, loc, "2026-03-06 18:00")) {
		t.Errorf("P1 first response = %s due %s; want breached, due Fri 18:00", p1.FirstResponse.State, show(p1.FirstResponse.Due, loc))
	}
	if !p1.Resolution.Due.Equal(at(t, loc, "2026-03-06 21:00")) {
		t.Errorf("P1 resolution due %s; want Fri 21:00", show(p1.Resolution.Due, loc))
	}
	p2, err := p.Timers(cal, shared.PriorityP2, start, nil, at(t, loc, "2026-03-06 17:30"), now)
	if err != nil {
		t.Fatal(err)
	}
	// P2 counts business hours: responded after 30 of 120 minutes; 1 of 8 hours used.
	if p2.FirstResponse.State != StateMet || p2.FirstResponse.Warned {
		t.Errorf("P2 first response = %+v; want met, not warned", p2.FirstResponse)
	}
	if p2.Resolution.State != StateRunning || p2.Resolution.Elapsed != time.Hour || !p2.Resolution.Due.Equal(at(t, loc, "2026-03-09 15:00")) {
		t.Errorf("P2 resolution = %s, %v, due %s; want running, 1h, due Mon 15:00", p2.Resolution.State, p2.Resolution.Elapsed, show(p2.Resolution.Due, loc))
	}
	if _, err := p.Timers(cal, "P9", start, nil, time.Time{}, now); shared.ErrorCode(err) != shared.EINVALID {
		t.Errorf("Timers(P9) error = %v; want EINVALID", err)
	}
}

func TestEvents(t *testing.T) {
	tk := &shared.Ticket{ID: "t", RequesterID: "req"}
	staff := func(at int64) shared.Entry {
		return shared.Entry{Kind: shared.EntryReply, AuthorID: "agent", AuthorStaff: true, At: at}
	}
	entries := []shared.Entry{
		{Kind: shared.EntryStatus, From: "open", To: "pending", At: 3000},
		staff(2000), // opens the new ticket
		{Kind: shared.EntryNote, AuthorID: "agent", AuthorStaff: true, Internal: true, At: 1000},
		{Kind: shared.EntryReply, AuthorID: "req", At: 4000},                    // the requester answers: open again
		{Kind: shared.EntryReply, AuthorID: "req", AuthorStaff: true, At: 4500}, // an agent who is the requester is not a response
		{Kind: shared.EntryStatus, From: "open", To: "resolved", At: 5000},
	}
	got := Events(tk, entries)
	want := []Event{{time.UnixMilli(2000), "open"}, {time.UnixMilli(3000), "pending"}, {time.UnixMilli(4000), "open"}, {time.UnixMilli(5000), "resolved"}}
	if len(got) != len(want) {
		t.Fatalf("Events = %v; want %v", got, want)
	}
	for i := range got {
		if !got[i].At.Equal(want[i].At) || got[i].Status != want[i].Status {
			t.Errorf("Events[%d] = %v; want %v", i, got[i], want[i])
		}
	}
	if r := Responded(tk, entries); !r.Equal(time.UnixMilli(2000)) {
		t.Errorf("Responded = %v; want the staff reply at 2000", r)
	}
	if r := Responded(tk, entries[2:]); !r.IsZero() {
		t.Errorf("Responded without staff replies = %v; want zero", r)
	}
}
