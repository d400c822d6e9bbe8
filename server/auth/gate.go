package auth

import (
	"context"
	"runtime"
	"sync"
	"time"

	"outpost/shared"
	"outpost/shared/clock"
)

// hashBudget is the memory all password hashes running at once may hold:
// argon2id takes Params.Memory each, so the number of slots is the CPUs,
// but no more than fit in it.
const hashBudget = 128 << 20

// Defaults of the hash gate: how long a sign-in waits for a free slot,
// and how many may wait per slot before the rest are told to come back.
const (
	defaultHashWait  = 2 * time.Second
	waitersPerSlot   = 16
	busyRetrySeconds = 2
)

// gate bounds the password hashes running at once. A sign-in that finds
// every slot taken waits its turn for a while, in a queue of bounded
// length; past either bound it is refused with auth.busy, which HTTP
// answers 429 with Retry-After. So a flood of sign-ins costs at most
// slots × Params.Memory of memory and the CPUs, never more.
type gate struct {
	slots   chan struct{}
	wait    time.Duration
	collect bool // collect a hash's memory before its slot is taken again
	clock   clock.Clock

	mu       sync.Mutex
	waiting  int
	maxWait  int
	peak     int // most hashes ever running at once, for tests
	running  int
	loggedAt time.Time // when a refusal was last logged: at most one line a second
	refused  int       // refusals since
}

// shouldLog counts a refusal and says whether to log it: a flood of
// sign-ins makes one log line a second, not one per request.
func (g *gate) shouldLog(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refused++
	if now.Sub(g.loggedAt) < time.Second {
		return false
	}
	g.loggedAt = now
	return true
}

// refusedSinceLog returns the refusals since the last log line and starts
// counting again.
func (g *gate) refusedSinceLog() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.refused
	g.refused = 0
	return n
}

func newGate(p Params, slots int, wait time.Duration, c clock.Clock) *gate {
	perHash := int64(p.Memory) << 10
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
		if perHash > 0 {
			slots = min(slots, int(hashBudget/perHash))
		}
		slots = max(slots, 1)
	}
	if wait <= 0 {
		wait = defaultHashWait
	}
	// A hash leaves Params.Memory of garbage. Left to the collector's pace
	// the heap may reach twice what is live before it runs, so a flood of
	// sign-ins would hold several hashes' worth more than the slots; a
	// collection (a few milliseconds on a small heap, against a hash's
	// tens) frees it before the next hash in this slot allocates.
	collect := perHash >= 8<<20
	return &gate{slots: make(chan struct{}, slots), wait: wait, collect: collect, maxWait: waitersPerSlot * slots, clock: c}
}

func busy() error {
	return shared.Errorf(shared.EFORBIDDEN, "auth.busy", int64(busyRetrySeconds))
}

// enter takes a slot, waiting at most g.wait; call the returned function
// to give it back. Returns EFORBIDDEN auth.busy when it cannot.
func (g *gate) enter(ctx context.Context) (leave func(), err error) {
	select {
	case g.slots <- struct{}{}:
	default:
		g.mu.Lock()
		if g.waiting >= g.maxWait {
			g.mu.Unlock()
			return nil, busy()
		}
		g.waiting++
		g.mu.Unlock()
		t, expired := g.clock.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
			g.mu.Lock()
			g.waiting--
			g.mu.Unlock()
		case <-expired:
			g.mu.Lock()
			g.waiting--
			g.mu.Unlock()
			return nil, busy()
		case <-ctx.Done():
			g.mu.Lock()
			g.waiting--
			g.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	g.mu.Lock()
	g.running++
	g.peak = max(g.peak, g.running)
	g.mu.Unlock()
	return func() {
		if g.collect {
			runtime.GC()
		}
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
		<-g.slots
	}, nil
}

// HashGate returns how many password hashes may run at once, and the
// most that ever did.
func (s *Service) HashGate() (slots, peak int) {
	s.init()
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	return cap(s.gate.slots), s.gate.peak
}
