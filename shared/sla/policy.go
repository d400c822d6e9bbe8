package sla

import (
	"time"

	"outpost/shared"
)

// DefaultWarn is the share of a target after which a timer is warned.
const DefaultWarn = 0.75

// MaxTarget is the longest target a policy may set. It keeps durations in
// nanoseconds below 2^53, so they cross into JavaScript intact.
const MaxTarget = 90 * 24 * time.Hour

// Target is what a policy promises for one priority: a first response and
// a resolution within these durations, counted in the calendar's business
// hours or, with AllHours, around the clock (P1 often is: a critical
// outage does not wait for Monday).
type Target struct {
	FirstResponse time.Duration `json:"first_response"`
	Resolution    time.Duration `json:"resolution"`
	AllHours      bool          `json:"all_hours,omitempty"`
}

// Policy holds the targets by priority (shared.PriorityP1 … P4; each must
// be there) and the warning threshold.
type Policy struct {
	Targets map[string]Target `json:"targets"`
	Warn    float64           `json:"warn,omitempty"` // share of a target, 0 < Warn < 1; 0 means DefaultWarn
}

// Validate returns an EINVALID *shared.Error naming the first thing wrong
// with p: a priority missing or unknown, a target not above zero or above
// MaxTarget, a first response allowed longer than the resolution, or a
// warning threshold outside (0, 1).
func (p *Policy) Validate() error {
	for _, pr := range shared.Priorities {
		t, ok := p.Targets[pr]
		switch {
		case !ok:
			return shared.Errorf(shared.EINVALID, "sla.missing_priority", pr)
		case t.FirstResponse <= 0 || t.FirstResponse > MaxTarget:
			return shared.Errorf(shared.EINVALID, "sla.bad_first_response", pr, days(MaxTarget))
		case t.Resolution <= 0 || t.Resolution > MaxTarget:
			return shared.Errorf(shared.EINVALID, "sla.bad_resolution", pr, days(MaxTarget))
		case t.FirstResponse > t.Resolution:
			return shared.Errorf(shared.EINVALID, "sla.response_after_resolution", pr)
		}
	}
	for pr := range p.Targets {
		if !validPriority(pr) {
			return shared.Errorf(shared.EINVALID, "sla.unknown_priority", pr)
		}
	}
	if p.Warn < 0 || p.Warn >= 1 {
		return shared.Errorf(shared.EINVALID, "sla.bad_warn")
	}
	return nil
}

func validPriority(p string) bool {
	for _, q := range shared.Priorities {
		if q == p {
			return true
		}
	}
	return false
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// warn returns p's warning threshold.
func (p *Policy) warn() float64 {
	if p.Warn <= 0 || p.Warn >= 1 {
		return DefaultWarn
	}
	return p.Warn
}

// Timers are a ticket's two SLA timers.
type Timers struct {
	FirstResponse Timer `json:"first_response"`
	Resolution    Timer `json:"resolution"`
}

// Timers returns the timers at now of a ticket of the given priority whose
// clock starts at start (see Start), with the status changes events (see
// Events) and its first response at responded (zero if none yet). The
// targets are the priority's as it is now: a ticket whose priority
// changes is measured against its new targets from its start.
//
// Returns EINVALID for a priority the policy has no targets for.
func (p *Policy) Timers(cal *Calendar, priority string, start time.Time, events []Event, responded, now time.Time) (Timers, error) {
	t, ok := p.Targets[priority]
	if !ok {
		return Timers{}, shared.Errorf(shared.EINVALID, "sla.missing_priority", priority)
	}
	if t.AllHours {
		cal = &Calendar{Zone: cal.Zone, AllHours: true, Location: cal.Location}
	}
	return Timers{
		FirstResponse: Track(cal, FirstResponse, t.FirstResponse, p.warn(), start, events, responded, now),
		Resolution:    Track(cal, Resolution, t.Resolution, p.warn(), start, events, time.Time{}, now),
	}, nil
}
