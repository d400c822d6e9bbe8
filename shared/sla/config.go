package sla

import (
	"time"

	"outpost/shared"
)

// The configuration records (record type "config", synced to every
// device, so due times show offline): the calendar and the policy, each as
// its JSON.
const (
	ConfigCalendar = "calendar"   // a Calendar
	ConfigPolicy   = "sla-policy" // a Policy
)

// DefaultZone is the time zone of the calendar a new portal starts with.
const DefaultZone = "Europe/Madrid"

// BusinessDay is the length of a business day of DefaultCalendar (08:00–
// 18:00): the default targets are written in business days of it.
const BusinessDay = 10 * time.Hour

// DefaultCalendar returns the calendar a new portal starts with: Monday to
// Friday 08:00–18:00 in the zone called zone, loaded with load (nil means
// time.LoadLocation). Returns EINVALID if the zone cannot be loaded.
func DefaultCalendar(zone string, load Loader) (*Calendar, error) {
	c, err := NewCalendar(zone, load)
	if err != nil {
		return nil, err
	}
	c.Week = Weekdays(Hours(8, 0, 18, 0))
	return c, nil
}

// DefaultPolicy returns the targets a new portal starts with:
//
//	P1  1 h first response, 4 h resolution, around the clock
//	P2  4 h, 1 business day
//	P3  8 h, 3 business days
//	P4  2 business days, 10 business days
func DefaultPolicy() *Policy {
	return &Policy{Targets: map[string]Target{
		shared.PriorityP1: {FirstResponse: time.Hour, Resolution: 4 * time.Hour, AllHours: true},
		shared.PriorityP2: {FirstResponse: 4 * time.Hour, Resolution: BusinessDay},
		shared.PriorityP3: {FirstResponse: 8 * time.Hour, Resolution: 3 * BusinessDay},
		shared.PriorityP4: {FirstResponse: 2 * BusinessDay, Resolution: 10 * BusinessDay},
	}, Warn: DefaultWarn}
}

// ConfigSave is the argument of the "config.save" mutation (admins only):
// ID says which record, and Calendar or Policy holds it.
type ConfigSave struct {
	ID       string    `json:"id"`
	Calendar *Calendar `json:"calendar,omitempty"`
	Policy   *Policy   `json:"policy,omitempty"`
}

// Validate returns an EINVALID *shared.Error naming the first thing wrong
// with s, loading the calendar's zone with load (nil means
// time.LoadLocation): an unknown ID, the record missing, or what the
// record's own Validate says.
func (s *ConfigSave) Validate(load Loader) error {
	switch s.ID {
	case ConfigCalendar:
		if s.Calendar == nil || s.Policy != nil {
			return shared.Errorf(shared.EINVALID, "slaadmin.bad_save", s.ID)
		}
		if err := s.Calendar.LoadZone(load); err != nil {
			return err
		}
		return s.Calendar.Validate()
	case ConfigPolicy:
		if s.Policy == nil || s.Calendar != nil {
			return shared.Errorf(shared.EINVALID, "slaadmin.bad_save", s.ID)
		}
		return s.Policy.Validate()
	}
	return shared.Errorf(shared.EINVALID, "slaadmin.bad_save", s.ID)
}

// Marks on a ticket's history: the server writes one entry of kind
// EntryKind (internal) when a timer crosses its warning threshold and one
// when it is breached, each once per ticket and timer. From names the
// timer (TimerFirstResponse, TimerResolution), To what happened (StateWarned
// or StateBreached) and Body the due time (RFC 3339), so each device words
// it in its reader's language.
const (
	EntryKind          = "sla"
	TimerFirstResponse = "first_response"
	TimerResolution    = "resolution"
	StateWarned        = "warned"
)

// MarkID returns the ID of the history entry that marks a timer of ticket
// (TimerFirstResponse or TimerResolution) as warned or breached. It is
// derived, not random, so the mark is written once however often the
// clock is evaluated and whoever evaluates it; it is not a UUID, so no
// device can take it first with a mutation of its own.
func MarkID(ticket, timer, what string) string {
	return "sla-" + ticket + "-" + timer + "-" + what
}

// Next returns the timer a ticket's due time is about now: the first
// response while there is none, the resolution after.
func (t Timers) Next() (Timer, string) {
	if t.FirstResponse.DoneAt.IsZero() {
		return t.FirstResponse, TimerFirstResponse
	}
	return t.Resolution, TimerResolution
}

// TicketTimers returns ticket t's timers at now from its history entries
// (any order): the clock starts at Start of its stored times (a ticket not
// yet received counts from now), runs over Events and stops at Responded.
// The server decides warnings and breaches with it, and every device shows
// the same due times with it.
func (p *Policy) TicketTimers(cal *Calendar, t *shared.Ticket, entries []shared.Entry, now time.Time) (Timers, error) {
	var created, received time.Time
	if t.CreatedAt > 0 {
		created = time.UnixMilli(t.CreatedAt)
	}
	if t.ReceivedAt > 0 {
		received = time.UnixMilli(t.ReceivedAt)
	}
	start := Start(created, received, now, DefaultGrace)
	return p.Timers(cal, t.Priority, start, Events(t, entries), Responded(t, entries), now)
}
