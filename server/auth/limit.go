package auth

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
)

// kindLimit is the unlogged store data a Limiter with a Store keeps its
// keys' state in: limit/<Name>:<key> → limitState, expiring when the
// state no longer counts.
const kindLimit = "limit"

// Limiter locks out a key (an e-mail address, a remote address) after too
// many failures in a sliding window. Memory is bounded by MaxKeys. With a
// Store, a key's failures and lockout are also kept there (Save, Fail), so
// a restart does not hand an attacker a fresh budget: a key the limiter
// does not hold is read from the store the first time it is asked about.
type Limiter struct {
	Max     int           // failures within Window that lock a key
	Window  time.Duration // how far back failures count
	Lockout time.Duration // how long a key stays locked
	MaxKeys int           // keys remembered at most; the stalest go first
	Clock   clock.Clock   // default the wall clock
	// Store, if set, keeps the keys' state across restarts under Name,
	// which tells this limiter's keys from other limiters'.
	Store store.Store
	Name  string

	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	fails []time.Time // within Window, oldest first, fewer than Max
	until time.Time   // locked before this
	last  time.Time   // latest failure
}

// limitState is a key's state as stored: Unix milliseconds.
type limitState struct {
	Fails []int64 `json:"fails,omitempty"`
	Until int64   `json:"until,omitempty"`
}

// load reads key's stored state into memory if the limiter does not hold
// key yet. A key with nothing stored is held empty, so it is read once.
// The store is read outside the lock: other keys are not held up by it.
func (l *Limiter) load(key string) {
	if l.Store == nil {
		return
	}
	l.mu.Lock()
	_, held := l.keys[key]
	l.mu.Unlock()
	if held {
		return
	}
	var st limitState
	err := l.Store.View(context.Background(), func(tx store.ReadTx) error {
		b, err := tx.GetLocal(kindLimit, l.Name+":"+key)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, &st)
	})
	if err != nil && shared.ErrorCode(err) != shared.ENOTFOUND {
		st = limitState{} // unreadable: count from now, as before a restart
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, held := l.keys[key]; held {
		return
	}
	if l.keys == nil {
		l.keys = map[string]*attempts{}
	}
	l.makeRoom(l.now())
	a := &attempts{until: fromMilli(st.Until)}
	for _, f := range st.Fails {
		a.fails = append(a.fails, time.UnixMilli(f))
		a.last = time.UnixMilli(f)
	}
	l.keys[key] = a
}

func fromMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Save writes key's state to the Store, if there is one, so it outlives
// a restart: after a failure, or after a success took an attempt back.
// What is stored expires once it no longer counts (its lockout is over
// and its failures have left the window), so the store holds at most the
// keys that failed within the last Window or are locked: for sign-ins,
// bounded by how fast passwords can be hashed.
func (l *Limiter) Save(ctx context.Context, key string) error {
	if l.Store == nil {
		return nil
	}
	l.mu.Lock()
	var st limitState
	var expires time.Time
	now := l.now()
	if a := l.keys[key]; a != nil {
		a.fails = recent(a.fails, now.Add(-l.Window))
		for _, f := range a.fails {
			st.Fails = append(st.Fails, f.UnixMilli())
		}
		if len(a.fails) > 0 {
			expires = a.fails[len(a.fails)-1].Add(l.Window)
		}
		if now.Before(a.until) {
			st.Until = a.until.UnixMilli()
			expires = maxTime(expires, a.until)
		}
	}
	l.mu.Unlock()
	storeKey := l.Name + ":" + key
	return l.Store.Update(ctx, func(tx store.Tx) error {
		if expires.IsZero() {
			return tx.DeleteLocal(kindLimit, storeKey)
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return tx.PutLocal(kindLimit, storeKey, b, expires)
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// NewLimiter returns a Limiter that locks a key for 15 minutes after 5
// failures within 15 minutes, remembering at most 10,000 keys.
func NewLimiter(c clock.Clock) *Limiter {
	return &Limiter{Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, MaxKeys: 10_000, Clock: c}
}

// Check returns an *Error with key auth.rate_limited if key is locked out.
// Its arguments are the seconds until the lockout ends and the same in
// whole minutes, rounded up: the message says minutes, an HTTP response can
// send Retry-After.
func (l *Limiter) Check(key string) error {
	l.load(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if a := l.keys[key]; a != nil && now.Before(a.until) {
		return limited(a.until.Sub(now))
	}
	return nil
}

// Fail records a failure for key, and saves it to the Store if there is
// one. If it locks the key out it returns the error Check returns from
// now on.
func (l *Limiter) Fail(key string) error {
	l.load(key)
	err := l.fail(key)
	l.Save(context.Background(), key) // a failure not kept is one not counted after a restart: no worse
	return err
}

func (l *Limiter) fail(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
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
	l.load(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
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

// Reset forgets key's failures, after a success, in the Store too.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
	if l.Store != nil {
		l.Store.Update(context.Background(), func(tx store.Tx) error { return tx.DeleteLocal(kindLimit, l.Name+":"+key) })
	}
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

// now returns the time on the limiter's clock.
func (l *Limiter) now() time.Time { return clock.Or(l.Clock).Now() }
