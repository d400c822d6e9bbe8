package sla

import "time"

// DefaultGrace is how long before the server first saw a ticket its SLA
// clock may start: see Start.
const DefaultGrace = 15 * time.Minute

// Start returns when the SLA clock of a ticket starts: its creation time on
// the filing device, but not later than received, when the server first
// saw it, and not earlier than received − grace (grace ≤ 0 means
// DefaultGrace). See the package doc for why.
//
// A ticket still in the device's outbox has no received time yet: pass the
// zero time and Start uses now, since the server will see it no earlier,
// so the device shows the soonest due time the server can later compute.
// A zero created (unknown) gives received.
func Start(created, received, now time.Time, grace time.Duration) time.Time {
	if grace <= 0 {
		grace = DefaultGrace
	}
	if received.IsZero() {
		received = now
	}
	switch {
	case created.IsZero() || created.After(received):
		return received
	case created.Before(received.Add(-grace)):
		return received.Add(-grace)
	}
	return created
}
