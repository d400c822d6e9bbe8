package auth

import (
	"sync"
	"time"

	"outpost/shared"
)

// Limiter locks out a key (an e-mail address, a remote address) after too
// many failures in a sliding window. It lives in memory: a restart forgets
// it, which costs an attacker a restart they cannot cause. Memory is
// bounded by MaxKeys.
type Limiter struct {
	Max     int           // failures within Window that lock a key
	Window  time.Duration // how far back failures count
	Lockout time.Duration // how long a key stays locked
	MaxKeys int           // keys remembered at most; the stalest go first
	Now     func() time.Time

	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	fails []time.Time // within Window, oldest first, fewer than Max
	until time.Time   // locked before this
	last  time.Time   // latest failure
}

// NewLimiter returns a Limiter that locks a key for 15 minutes after 5
// failures within 15 minutes, remembering at most 10,000 keys.
func NewLimiter(now func() time.Time) *Limiter {
	return &Limiter{Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, MaxKeys: 10_000, Now: now}
}

// Check returns an *Error with key auth.rate_limited if key is locked out.
// Its arguments are the seconds until the lockout ends and the same in
// whole minutes, rounded up: the message says minutes, an HTTP response can
// send Retry-After.
func (l *Limiter) Check(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	if a := l.keys[key]; a != nil && now.Before(a.until) {
		return limited(a.until.Sub(now))
	}
	return nil
}

// Fail records a failure for key. If it locks the key out it returns the
// error Check returns from now on.
func (l *Limiter) Fail(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	a := l.record(key, now)
	if len(a.fails) < l.Max {
		return nil
	}
	a.fails = nil
	a.until = now.Add(l.Lockout)
	return limited(l.Lockout)
}

// Attempt counts an attempt for key before the work it costs (a password
// hash), so that many attempts at once cannot all slip past the limit: it
// returns the error Check returns if key is locked, and otherwise records
// the attempt, locking key for Lockout once Max attempts fall within
// Window. Unlike Fail, the attempts stay counted after a lockout: while
// Max of them lie within Window, every further one locks key again, so
// a key with a short Lockout backs off rather than being shut out for
// long. Forgive takes back an attempt that succeeded.
func (l *Limiter) Attempt(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	if a := l.keys[key]; a != nil && now.Before(a.until) {
		return limited(a.until.Sub(now))
	}
	a := l.record(key, now)
	if len(a.fails) >= l.Max {
		a.until = now.Add(l.Lockout)
	}
	return nil
}

// Forgive takes back one attempt of key: the attempt succeeded. A lockout
// that attempt caused ends.
func (l *Limiter) Forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil || len(a.fails) == 0 {
		return
	}
	a.fails = a.fails[:len(a.fails)-1]
	if len(a.fails) < l.Max {
		a.until = time.Time{}
	}
}

// Reset forgets key's failures, after a success.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// record adds an attempt at now to key's, making room for a new key.
func (l *Limiter) record(key string, now time.Time) *attempts {
	a := l.keys[key]
	if a == nil {
		if l.keys == nil {
			l.keys = map[string]*attempts{}
		}
		l.makeRoom(now)
		a = &attempts{}
		l.keys[key] = a
	}
	a.last = now
	a.fails = append(recent(a.fails, now.Add(-l.Window)), now)
	return a
}

// recent drops the failures before since.
func recent(fails []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(fails) && fails[i].Before(since) {
		i++
	}
	return fails[i:]
}

// makeRoom evicts keys until a new one fits: first those neither locked
// nor with failures in the window, then the one that failed longest ago.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.keys) < l.MaxKeys {
		return
	}
	for k, a := range l.keys {
		if !now.Before(a.until) && a.last.Before(now.Add(-l.Window)) {
			delete(l.keys, k)
		}
	}
	for len(l.keys) > 0 && len(l.keys) >= l.MaxKeys {
		var oldest string
		var oldestAt time.Time
		for k, a := range l.keys {
			if oldestAt.IsZero() || a.last.Before(oldestAt) {
				oldest, oldestAt = k, a.last
			}
		}
		delete(l.keys, oldest)
	}
}

func limited(d time.Duration) error {
	secs := int64((d + time.Second - 1) / time.Second)
	return shared.Errorf(shared.EFORBIDDEN, "auth.rate_limited", secs, (secs+59)/60)
}
