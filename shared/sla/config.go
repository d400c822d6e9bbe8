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
