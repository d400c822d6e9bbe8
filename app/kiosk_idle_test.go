package app

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared/clock"
)

// TestKioskIdleOnItsClock: a kiosk starts over once its idle time passes
// on the client's clock without a touch, never earlier: every touch
// pushes the reset back, and after a reset the wait starts again.
func TestKioskIdleOnItsClock(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(time.Unix(1_000_000, 0))
	k := &kioskIdle{timeout: DefaultKioskIdle, hasCtx: true}
	resets := 0
	k.start(fc, func(app.Context) {
		resets++
		k.touch(fc) // as kioskIdleReset does
	})
	steps := []struct {
		wait   time.Duration
		touch  bool // a visitor touches the screen after the wait
		resets int  // after the wait
	}{
		{60 * time.Second, true, 0},                // a visitor reads, then taps
		{DefaultKioskIdle - time.Second, false, 0}, // 89 s since the tap
		{time.Second, false, 1},                    // 90 s: start over
		{DefaultKioskIdle - time.Second, false, 1},
		{time.Second, false, 2}, // nobody came: start over again
		{30 * time.Minute, false, 22},
	}
	for i, s := range steps {
		fc.Advance(s.wait)
		if resets != s.resets {
			t.Fatalf("step %d: %d resets %v into it; want %d", i, resets, s.wait, s.resets)
		}
		if s.touch {
			k.touch(fc)
		}
	}
}
