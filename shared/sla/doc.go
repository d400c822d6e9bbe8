// Package sla computes service-level timers: how much of a ticket's
// first-response and resolution targets has been used, in business hours,
// and when each is due. It is pure: every function takes "now" as an
// argument, so the server and an offline device given the same records
// and the same now agree to the millisecond.
//
// A Calendar says when the clock may run (business hours per weekday in a
// time zone, minus holidays, or all hours); a Policy sets the targets per
// priority; Track and Policy.Timers run the clock over a ticket's status
// changes (Events).
//
// # When the clock starts
//
// A ticket's clock starts when the user filed it, bounded by when the
// server first saw it (Start):
//
//	start = created, clamped to [received − grace, received]
//
// with grace DefaultGrace (15 minutes). So:
//
//   - An ordinary ticket, pushed within seconds, starts at the moment the
//     user pressed Submit: the requester's own time counts.
//   - A ticket filed offline on Friday evening and synced on Monday
//     morning starts at Monday − 15 minutes. Nobody in support could see it
//     before, and a timer that breached over the weekend would blame the
//     agents for the network. The requester's wait is not lost: the
//     ticket keeps both times, for reports that want the full wait.
//   - A device whose clock is wrong cannot move the start into the future
//     (never after received) nor far into the past (never before
//     received − grace): the start depends only on the two stored times,
//     so every replica computes the same one.
//
// The grace covers the normal delay between Submit and the server (a
// queued push, a reconnect with backoff) and ordinary clock skew; beyond
// it, the device's clock is not trusted.
//
// # How the clock runs
//
// It runs in new and open, pauses in pending (waiting on the requester)
// and resumes on any other status. Resolved and closed stop the
// resolution timer; a reopen resumes it from where it stopped. The first
// response timer stops at the first public reply from support staff.
// A timer is breached once its elapsed time reaches the target (Elapsed ≥
// Target): a response exactly at the due time is late. Track has the
// details.
package sla
