package clock

import (
	"context"
	"slices"
	gosync "sync"
	"time"
)

// Fake is a Clock for tests: time stands still until Advance or Set moves
// it, and then every timer, ticker and delayed call that falls due fires in
// order of its due time (ties in order of creation), each seeing Now at its
// own due time. A delayed call (AfterFunc) runs on the goroutine that
// advances, so its effects are done when Advance returns; a timer or ticker
// sends on its channel, which holds one value, and a tick nobody has read
// yet is dropped, as package time does. Stop and Reset empty the channel,
// as package time does since Go 1.23. Fake is safe for use by many
// goroutines.
type Fake struct {
	mu      gosync.Mutex
	now     time.Time
	seq     uint64       // creation order, for ties
	pending []*fakeTimer // armed timers, unordered
	changed chan struct{}
}

var _ Clock = (*Fake)(nil)

// NewFake returns a Fake whose time is start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, changed: make(chan struct{})}
}

// fakeTimer is a Fake's timer, ticker or delayed call.
type fakeTimer struct {
	f      *Fake
	c      chan time.Time // nil for AfterFunc
	fn     func()         // AfterFunc's function
	period time.Duration  // a ticker's period; 0 for a timer
	when   time.Time
	seq    uint64
	armed  bool
}

// Now returns the fake's time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Since returns Now() − t.
func (f *Fake) Since(t time.Time) time.Duration { return f.Now().Sub(t) }

// NewTimer returns a timer due d from Now. A d of zero or less is due at
// the next Advance (of any length, zero included).
func (f *Fake) NewTimer(d time.Duration) (Timer, <-chan time.Time) {
	t := &fakeTimer{f: f, c: make(chan time.Time, 1)}
	t.Reset(d)
	return t, t.c
}

// NewTicker returns a ticker ticking every d from Now.
func (f *Fake) NewTicker(d time.Duration) (Ticker, <-chan time.Time) {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker")
	}
	t := &fakeTimer{f: f, c: make(chan time.Time, 1), period: d}
	t.arm(d)
	return fakeTicker{t}, t.c
}

// AfterFunc returns a timer that calls fn, on the goroutine that advances
// the fake past its due time.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	t := &fakeTimer{f: f, fn: fn}
	t.Reset(d)
	return t
}

// Advance moves the fake's time forward by d, firing what falls due on the
// way. A negative d is taken as zero.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	to := f.now.Add(max(d, 0))
	f.mu.Unlock()
	f.Set(to)
}

// Set moves the fake's time to t, firing what falls due on the way. Time
// never goes back: a t before Now only fires what is already due.
func (f *Fake) Set(to time.Time) {
	for {
		f.mu.Lock()
		if to.Before(f.now) {
			to = f.now
		}
		next := f.nextDue(to)
		if next == nil {
			f.now = to
			f.mu.Unlock()
			return
		}
		if next.when.After(f.now) {
			f.now = next.when
		}
		at := f.now
		fn := next.fn
		dropped := false
		if next.c != nil {
			select {
			case next.c <- at:
			default: // the last value is still unread: drop this one
				dropped = true
			}
		}
		switch {
		case next.period == 0:
			f.disarm(next)
		case dropped:
			// Nobody reads between ticks while time jumps: skip to the
			// first tick after to instead of dropping them one by one.
			missed := to.Sub(next.when)/next.period + 1
			next.when = next.when.Add(missed * next.period)
		default:
			next.when = next.when.Add(next.period) // a ticker stays armed
		}
		f.mu.Unlock()
		if fn != nil {
			fn()
		}
	}
}

// Pending returns the number of armed timers, tickers and delayed calls.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pending)
}

// BlockUntil waits until at least n timers, tickers or delayed calls are
// armed, so that a test advances only once the code under test waits on
// the fake; it returns ctx's error if ctx ends first.
func (f *Fake) BlockUntil(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.pending) >= n {
			f.mu.Unlock()
			return nil
		}
		changed := f.changed
		f.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// nextDue returns the armed timer due first at or before to, if any.
// f.mu is held.
func (f *Fake) nextDue(to time.Time) *fakeTimer {
	var next *fakeTimer
	for _, t := range f.pending {
		if t.when.After(to) {
			continue
		}
		if next == nil || t.when.Before(next.when) || t.when.Equal(next.when) && t.seq < next.seq {
			next = t
		}
	}
	return next
}

// notify wakes BlockUntil. f.mu is held.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// disarm takes t off the pending list. f.mu is held.
func (f *Fake) disarm(t *fakeTimer) {
	if !t.armed {
		return
	}
	t.armed = false
	f.pending = slices.DeleteFunc(f.pending, func(p *fakeTimer) bool { return p == t })
	f.notify()
}

// arm (re)schedules t d from now and empties its channel.
func (t *fakeTimer) arm(d time.Duration) bool {
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	was := t.armed
	t.drain()
	f.seq++
	t.seq, t.when = f.seq, f.now.Add(d)
	if !t.armed {
		t.armed = true
		f.pending = append(f.pending, t)
	}
	f.notify()
	return was
}

// drain empties t's channel, so no value from before a Stop or Reset is
// received after it. f.mu is held.
func (t *fakeTimer) drain() {
	if t.c == nil {
		return
	}
	select {
	case <-t.c:
	default:
	}
}

// Reset makes t due d from now.
func (t *fakeTimer) Reset(d time.Duration) bool { return t.arm(d) }

// Stop disarms t.
func (t *fakeTimer) Stop() bool {
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	was := t.armed
	t.drain()
	f.disarm(t)
	return was
}

// fakeTicker is a fakeTimer with a period, seen as a Ticker.
type fakeTicker struct{ t *fakeTimer }

// Reset makes the ticker tick every d from now.
func (k fakeTicker) Reset(d time.Duration) {
	if d <= 0 {
		panic("clock: non-positive interval for Ticker.Reset")
	}
	k.t.f.mu.Lock()
	k.t.period = d
	k.t.f.mu.Unlock()
	k.t.arm(d)
}

// Stop turns the ticker off.
func (k fakeTicker) Stop() { k.t.Stop() }
