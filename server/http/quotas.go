package http

import (
	"sync"
	"time"

	outsync "outpost/server/sync"
	"outpost/shared"
)

// Rate is the shape of a token bucket: it holds at most Burst tokens and
// gains one every Every. A Burst below zero means no limit (Unlimited).
type Rate struct {
	Burst int
	Every time.Duration
}

// Unlimited is a Rate that never refuses: for load benchmarks and
// convergence tests, which run thousands of devices from one address.
var Unlimited = Rate{Burst: -1}

// Default quotas on what one account or address may ask of the server
// (Server fields override). Each is far above what the app asks in normal
// use, so only a runaway or hostile client meets them.
var (
	// DefaultAccountWrites bounds one account's new mutations from all
	// its devices: an hour's worth at one a second. A person makes a few
	// hundred an hour at most; a device back from a week offline sends
	// its outbox in one go, within the burst.
	DefaultAccountWrites = Rate{Burst: 3600, Every: time.Second}
	// DefaultPulls bounds the pulls of one account (all its devices), or
	// of one address for signed-out devices: 50 a second, 2,000 at once.
	// The engine pulls after each ack and poke (pokes come at most every
	// 250 ms), every 30 s when idle, and page after page on a first sync
	// (2,000 pages of records is far more than a replica holds).
	DefaultPulls = Rate{Burst: 2000, Every: 20 * time.Millisecond}
	// DefaultNewSockets bounds the websockets one address (IPv6: its /64)
	// may open: five a second, 300 at once, so an office behind one NAT
	// (up to DefaultSocketsPerAddress devices) reconnects at once after a
	// restart. The engine waits 0.5–15 s, with jitter, between attempts.
	DefaultNewSockets = Rate{Burst: 300, Every: 200 * time.Millisecond}
)

// buckets is a token bucket per key, all of one Rate, remembering at most
// quotaKeys keys.
type buckets struct {
	rate Rate
	mu   sync.Mutex
	m    map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBuckets(r Rate) *buckets { return &buckets{rate: r} }

// take spends one of key's tokens, or says how long until there is one.
func (b *buckets) take(key string, now time.Time) (time.Duration, bool) {
	switch {
	case b.rate.Burst < 0:
		return 0, true
	case b.rate.Burst == 0 || b.rate.Every <= 0:
		return time.Hour, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.m[key]
	if k == nil {
		if b.m == nil {
			b.m = map[string]*bucket{}
		}
		if len(b.m) >= quotaKeys {
			b.evict(now)
		}
		k = &bucket{tokens: float64(b.rate.Burst), at: now}
		b.m[key] = k
	}
	burst, every := float64(b.rate.Burst), float64(b.rate.Every)
	k.tokens = min(burst, k.tokens+float64(now.Sub(k.at))/every)
	k.at = now
	if k.tokens < 1 {
		return time.Duration((1 - k.tokens) * every), false
	}
	k.tokens--
	return 0, true
}

// evict drops the buckets full again, or, if none is, the stalest.
func (b *buckets) evict(now time.Time) {
	full := time.Duration(b.rate.Burst) * b.rate.Every
	var stalest string
	var at time.Time
	for key, k := range b.m {
		if now.Sub(k.at) >= full {
			delete(b.m, key)
			continue
		}
		if at.IsZero() || k.at.Before(at) {
			stalest, at = key, k.at
		}
	}
	if len(b.m) >= quotaKeys {
		delete(b.m, stalest)
	}
}

// rateOr returns r, or def if r is zero.
func rateOr(r, def Rate) Rate {
	if r == (Rate{}) {
		return def
	}
	return r
}

// overQuota is the refusal of a quota: EFORBIDDEN with key and the
// seconds to wait, rounded up, as its first argument.
func overQuota(key string, wait time.Duration) error {
	return shared.Errorf(shared.EFORBIDDEN, key, int64((wait+time.Second-1)/time.Second))
}

// admitWrite counts a signed-in user's new mutation against their
// account's quota: over it, the push stops there with quota.account and
// the mutation waits in the device's outbox.
func (s *Server) admitWrite(a outsync.Actor) error {
	if wait, ok := s.accountWrites.take(a.User.UserID, s.now()); !ok {
		s.Log.Info("account quota exceeded", "user", a.User.UserID, "retry_after", wait)
		return overQuota("quota.account", wait)
	}
	return nil
}

// admitPull counts a pull against its account's quota, or its address's
// for a signed-out device.
func (s *Server) admitPull(c *wsConn) error {
	key := "addr:" + c.addr
	if c.user != nil {
		key = "user:" + c.user.UserID
	}
	if wait, ok := s.pulls.take(key, s.now()); !ok {
		c.log.Info("pull quota exceeded", "addr", c.addr, "retry_after", wait)
		return overQuota("quota.pulls", wait)
	}
	return nil
}

// admitNewSocket counts a new websocket against its address's rate.
func (s *Server) admitNewSocket(c *wsConn) error {
	if wait, ok := s.newSockets.take(c.addr, s.now()); !ok {
		c.log.Info("new-socket rate exceeded", "addr", c.addr, "retry_after", wait)
		return overQuota("quota.sockets", wait)
	}
	return nil
}
