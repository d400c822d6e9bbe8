package clock_test

import (
	"context"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"outpost/shared/clock"
)

// start is an arbitrary instant: nothing here meets the wall clock.
var start = time.Unix(1_000_000, 0).UTC()

// received returns what c holds without waiting, or the zero time.
func received(c <-chan time.Time) (time.Time, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestFakeTimerFiresAtItsTime(t *testing.T) {
	f := clock.NewFake(start)
	_, c := f.NewTimer(10 * time.Second)
	f.Advance(9 * time.Second)
	if v, ok := received(c); ok {
		t.Fatalf("timer fired at %v, 1s early", v)
	}
	f.Advance(5 * time.Second)
	v, ok := received(c)
	if want := start.Add(10 * time.Second); !ok || !v.Equal(want) {
		t.Fatalf("timer sent %v, %v; want %v", v, ok, want)
	}
	if got, want := f.Now(), start.Add(14*time.Second); !got.Equal(want) {
		t.Errorf("Now() = %v; want %v", got, want)
	}
	if got := f.Since(start); got != 14*time.Second {
		t.Errorf("Since(start) = %v; want 14s", got)
	}
	if n := f.Pending(); n != 0 {
		t.Errorf("Pending() = %d after the timer fired; want 0", n)
	}
}

func TestFakeStopAndReset(t *testing.T) {
	f := clock.NewFake(start)
	tm, c := f.NewTimer(time.Second)
	if !tm.Stop() {
		t.Error("Stop() of a pending timer = false; want true")
	}
	f.Advance(time.Hour)
	if _, ok := received(c); ok {
		t.Fatal("a stopped timer fired")
	}
	if tm.Stop() {
		t.Error("Stop() of a stopped timer = true; want false")
	}
	if tm.Reset(time.Minute) {
		t.Error("Reset() of a stopped timer = true; want false")
	}
	f.Advance(time.Minute)
	// Fired and unread: a Reset empties the channel, as package time does.
	if tm.Reset(time.Minute) {
		t.Error("Reset() of a fired timer = true; want false")
	}
	if _, ok := received(c); ok {
		t.Fatal("a value from before Reset was received after it")
	}
	if !tm.Reset(2 * time.Minute) {
		t.Error("Reset() of a pending timer = false; want true")
	}
	f.Advance(time.Minute)
	if _, ok := received(c); ok {
		t.Fatal("Reset did not push the timer back")
	}
	f.Advance(time.Minute)
	if _, ok := received(c); !ok {
		t.Fatal("the reset timer did not fire")
	}
}

func TestFakeFiresInOrder(t *testing.T) {
	f := clock.NewFake(start)
	var got []string
	var seen []time.Duration
	at := func(name string, d time.Duration) {
		f.AfterFunc(d, func() {
			got = append(got, name)
			seen = append(seen, f.Since(start))
		})
	}
	at("c", 3*time.Second)
	at("a", time.Second)
	at("b1", 2*time.Second)
	at("b2", 2*time.Second) // same time: in order of creation
	at("late", time.Hour)
	f.Advance(5 * time.Second)
	if want := []string{"a", "b1", "b2", "c"}; !slices.Equal(got, want) {
		t.Errorf("fired %v; want %v", got, want)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 2 * time.Second, 3 * time.Second}; !slices.Equal(seen, want) {
		t.Errorf("Now() inside the calls = %v after start; want %v", seen, want)
	}
}

func TestFakeAfterFuncMayRearm(t *testing.T) {
	f := clock.NewFake(start)
	n := 0
	var tm clock.Timer
	tm = f.AfterFunc(time.Second, func() {
		n++
		tm.Reset(time.Second) // as a ping loop does
	})
	f.Advance(10 * time.Second)
	if n != 10 {
		t.Errorf("a self-rearming call ran %d times in 10 periods; want 10", n)
	}
	tm.Stop()
	f.Advance(10 * time.Second)
	if n != 10 {
		t.Errorf("ran %d times after Stop; want 10", n)
	}
}

func TestFakeTicker(t *testing.T) {
	f := clock.NewFake(start)
	tk, c := f.NewTicker(time.Minute)
	for i := 1; i <= 3; i++ {
		f.Advance(time.Minute)
		v, ok := received(c)
		if want := start.Add(time.Duration(i) * time.Minute); !ok || !v.Equal(want) {
			t.Fatalf("tick %d = %v, %v; want %v", i, v, ok, want)
		}
	}
	// An unread tick is kept and later ones dropped, and a long jump does
	// not queue one tick per period.
	f.Advance(24 * time.Hour)
	if _, ok := received(c); !ok {
		t.Fatal("no tick after a day")
	}
	if _, ok := received(c); ok {
		t.Fatal("two ticks queued; the channel holds one")
	}
	f.Advance(time.Minute)
	if _, ok := received(c); !ok {
		t.Fatal("the ticker stopped after a long jump")
	}
	tk.Reset(time.Hour)
	f.Advance(59 * time.Minute)
	if _, ok := received(c); ok {
		t.Fatal("ticked before its new period")
	}
	f.Advance(time.Minute)
	if _, ok := received(c); !ok {
		t.Fatal("no tick after Reset's period")
	}
	tk.Stop()
	f.Advance(time.Hour)
	if _, ok := received(c); ok {
		t.Fatal("a stopped ticker ticked")
	}
}

func TestFakeBlockUntil(t *testing.T) {
	f := clock.NewFake(start)
	got := make(chan time.Time)
	go func() {
		_, c := f.NewTimer(time.Second)
		got <- <-c
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := f.BlockUntil(ctx, 1); err != nil {
		t.Fatalf("BlockUntil(1) = %v; the goroutine's timer never showed", err)
	}
	f.Advance(time.Second)
	if v := <-got; !v.Equal(start.Add(time.Second)) {
		t.Errorf("the goroutine's timer sent %v", v)
	}
	short, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if err := f.BlockUntil(short, 1); err == nil {
		t.Error("BlockUntil(1) with no timer and an ended context = nil; want its error")
	}
}

// TestFakeConcurrent is for the race detector: timers made, reset and
// stopped on many goroutines while another advances.
func TestFakeConcurrent(t *testing.T) {
	f := clock.NewFake(start)
	var wg gosync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for j := range 100 {
				tm, c := f.NewTimer(time.Duration(j) * time.Millisecond)
				tm.Reset(time.Millisecond)
				received(c)
				tm.Stop()
				f.AfterFunc(time.Millisecond, func() { _ = f.Now() })
			}
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			f.Advance(time.Millisecond)
		}
	}()
	wg.Wait()
	<-done
	f.Advance(time.Second)
	if n := f.Pending(); n != 0 {
		t.Errorf("Pending() = %d after every timer's time; want 0", n)
	}
}

func TestRealAndOr(t *testing.T) {
	c := clock.Or(nil)
	if _, ok := c.(clock.Real); !ok {
		t.Fatalf("Or(nil) = %T; want clock.Real", c)
	}
	f := clock.NewFake(start)
	if clock.Or(f) != clock.Clock(f) {
		t.Error("Or(f) is not f")
	}
	before := time.Now()
	if got := c.Now(); got.Before(before) {
		t.Errorf("Real.Now() = %v, before time.Now() %v", got, before)
	}
	_, tc := c.NewTimer(time.Millisecond)
	<-tc
	done := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(done) })
	<-done
	tk, kc := c.NewTicker(time.Millisecond)
	<-kc
	tk.Stop()
	if c.Since(before) <= 0 {
		t.Error("Real.Since of an earlier instant is not positive")
	}
}
