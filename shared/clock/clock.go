// Package clock is the one source of time for the server and the browser
// client: the current instant, timers, tickers and delayed calls. Code that
// waits takes a Clock instead of calling package time, so that a test can
// hand it a Fake and move time by hand instead of sleeping. Real is the
// wall clock; a nil Clock means Real (see Or).
//
// The shape follows tailscale's tstime.Clock: NewTimer and NewTicker return
// the channel beside a small controller, because an interface cannot carry
// the C field of a time.Timer.
package clock

import "time"

// Clock tells the time and makes timers that follow it.
type Clock interface {
	// Now returns the current instant, as time.Now.
	Now() time.Time
	// Since returns the time elapsed since t, as time.Since.
	Since(t time.Time) time.Duration
	// NewTimer returns a timer that sends the time on its channel once d
	// has passed, as time.NewTimer.
	NewTimer(d time.Duration) (Timer, <-chan time.Time)
	// NewTicker returns a ticker that sends the time on its channel every
	// d, dropping ticks a slow reader misses, as time.NewTicker. d must be
	// greater than zero.
	NewTicker(d time.Duration) (Ticker, <-chan time.Time)
	// AfterFunc calls f once d has passed, as time.AfterFunc.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is the handle of a timer or of a delayed call.
type Timer interface {
	// Reset makes the timer fire d from now, as time.Timer.Reset; it
	// reports whether the timer was still pending.
	Reset(d time.Duration) bool
	// Stop keeps the timer from firing, as time.Timer.Stop; it reports
	// whether the timer was still pending.
	Stop() bool
}

// Ticker is the handle of a ticker.
type Ticker interface {
	// Reset stops the ticker and makes it tick every d from now.
	Reset(d time.Duration)
	// Stop turns the ticker off.
	Stop()
}

// Real is the wall clock: every method calls package time.
type Real struct{}

var _ Clock = Real{}

// Now calls time.Now.
func (Real) Now() time.Time { return time.Now() }

// Since calls time.Since.
func (Real) Since(t time.Time) time.Duration { return time.Since(t) }

// NewTimer calls time.NewTimer.
func (Real) NewTimer(d time.Duration) (Timer, <-chan time.Time) {
	t := time.NewTimer(d)
	return t, t.C
}

// NewTicker calls time.NewTicker.
func (Real) NewTicker(d time.Duration) (Ticker, <-chan time.Time) {
	t := time.NewTicker(d)
	return t, t.C
}

// AfterFunc calls time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Or returns c, or Real if c is nil: a struct whose Clock field was left
// unset keeps the wall clock.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}
