package backup

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"outpost/shared/clock"
)

// TestProgressAtMostEveryTenthOfASecond: however many writes a copy makes,
// its progress is told at most every progressEvery on the clock (the
// first write at once), and the last count at the end.
func TestProgressAtMostEveryTenthOfASecond(t *testing.T) {
	t.Parallel()
	var got []string
	tell := func(phase string, done, total int64) { got = append(got, fmt.Sprintf("%s %d/%d", phase, done, total)) }
	fc := clock.NewFake(time.Unix(1_000_000, 0))
	c := &counting{phase: "backup", total: 1000, clock: fc, progress: tell}
	chunk := make([]byte, 10)
	for range 30 { // 30 writes 10 ms apart: 300 ms
		c.Write(chunk)
		fc.Advance(10 * time.Millisecond)
	}
	c.finish()
	// Writes at 0, 10, 20 … ms: told at 0, 110 and 220 ms, and the end.
	want := []string{"backup 10/1000", "backup 120/1000", "backup 230/1000", "backup 300/1000"}
	if !slices.Equal(got, want) {
		t.Errorf("progress told %q; want %q", got, want)
	}
}
