package http

import (
	"time"

	outsync "outpost/server/sync"
	"outpost/shared"
)

// Defaults of what one client may hold or send (Server fields override).
const (
	// DefaultSocketsPerAccount bounds one account's open websockets: a
	// browser shares one among its tabs, so this is devices, with room.
	DefaultSocketsPerAccount = 16
	// DefaultSocketsPerAddress bounds the websockets from one address
	// (IPv6: one /64); an office behind one NAT shares it.
	DefaultSocketsPerAddress = 256
	// DefaultHelloTimeout is how long a new socket may take to say hello.
	DefaultHelloTimeout = 10 * time.Second
)

// DefaultAnonQuota is, per mutation name, how many a signed-out device's
// address may have applied per hour: the writes anyone can make without
// an account. Signed-in users are bounded by their account instead.
var DefaultAnonQuota = map[string]int{
	shared.OpTicketCreate: 30,
	shared.OpSearchMiss:   120,
	shared.OpKBFeedback:   120,
	shared.OpTreeEvent:    240,
}

// quotaKeys bounds the addresses the quota remembers; the stalest go.
const quotaKeys = 50_000

// quota is a token bucket per address and mutation name, refilled at
// its hourly rate, holding at most an hour's worth.
type quota struct {
	byName map[string]*buckets
}

func newQuota(perHour map[string]int) *quota {
	q := &quota{byName: map[string]*buckets{}}
	for name, per := range perHour {
		r := Rate{Burst: max(per, 0), Every: time.Hour}
		if per > 0 {
			r.Every = time.Hour / time.Duration(per)
		}
		q.byName[name] = newBuckets(r)
	}
	return q
}

// take spends one token of addr's bucket for mutation name, or says how
// long until there is one.
func (q *quota) take(addr, name string, now time.Time) (time.Duration, bool) {
	b, ok := q.byName[name]
	if !ok {
		return 0, true
	}
	return b.take(addr, now)
}

// admit is the sync service's gate for each new mutation: a signed-out
// device's writes count against its address's quota, a signed-in user's
// against their account's (admitWrite). Over it, the push
// stops there with EFORBIDDEN quota.exceeded and the mutation waits in
// the device's outbox, nothing lost.
func (s *Server) admit(a outsync.Actor, name string) error {
	if a.User != nil {
		return s.admitWrite(a) // quotas.go
	}
	if wait, ok := s.quota.take(a.Addr, name, s.now()); !ok {
		s.Log.Info("quota exceeded", "addr", a.Addr, "mutation", name, "retry_after", wait)
		return overQuota("quota.exceeded", wait)
	}
	return nil
}

// admitSocket counts c against its account's and address's caps, and
// says whether it fits. Call under s.mu.
func (s *Server) admitSocket(c *wsConn) bool {
	perAccount, perAddress := s.SocketsPerAccount, s.SocketsPerAddress
	if perAccount <= 0 {
		perAccount = DefaultSocketsPerAccount
	}
	if perAddress <= 0 {
		perAddress = DefaultSocketsPerAddress
	}
	if s.byAddr[c.addr] >= perAddress || c.user != nil && s.byUser[c.user.UserID] >= perAccount {
		return false
	}
	s.byAddr[c.addr]++
	if c.user != nil {
		s.byUser[c.user.UserID]++
	}
	return true
}

// releaseSocket undoes admitSocket. Call under s.mu.
func (s *Server) releaseSocket(c *wsConn) {
	if s.byAddr[c.addr]--; s.byAddr[c.addr] <= 0 {
		delete(s.byAddr, c.addr)
	}
	if c.user != nil {
		if s.byUser[c.user.UserID]--; s.byUser[c.user.UserID] <= 0 {
			delete(s.byUser, c.user.UserID)
		}
	}
}
