package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"outpost/server/store"
	"outpost/shared"
)

// DefaultSessionLifetime is how long a session lasts after it was last
// used: a device that is used at least once a month stays signed in.
const DefaultSessionLifetime = 30 * 24 * time.Hour

// DefaultMaxSessionAge is how long a session lasts at most, however often
// it is used: a stolen cookie does not work for ever.
const DefaultMaxSessionAge = 90 * 24 * time.Hour

// touchEvery is how stale a session's LastSeen may get before Authenticate
// writes it again: sliding the expiry costs one write an hour, not one a
// request.
const touchEvery = time.Hour

// CookieName is the name of the session cookie over plain HTTP, and
// SecureCookieName over TLS: the __Host- prefix makes the browser refuse
// it unless it is Secure, for the whole site and for this host only, so
// neither a sibling subdomain nor a plain-HTTP page can plant one.
const (
	CookieName       = "outpost_session"
	SecureCookieName = "__Host-outpost_session"
)

// cookieName is the session cookie's name for a request that came over
// TLS (secure) or not.
func cookieName(secure bool) string {
	if secure {
		return SecureCookieName
	}
	return CookieName
}

// SessionToken returns the session token r carries, "" if none.
func SessionToken(r *http.Request) string {
	c, err := r.Cookie(cookieName(r.TLS != nil))
	if err != nil {
		return ""
	}
	return c.Value
}

// session is a signed-in device. It is stored under the SHA-256 of its
// token, so a copy of the database signs nobody in.
type session struct {
	UserID    string `json:"user_id"`
	CreatedAt int64  `json:"created_at"` // Unix milliseconds
	ExpiresAt int64  `json:"expires_at"`
	LastSeen  int64  `json:"last_seen"`
	// ValidFrom, if set, is when the session counts as made for its
	// account's revocation (revoked/): the device that signed the others
	// out, or changed the password, stays signed in.
	ValidFrom int64  `json:"valid_from,omitempty"`
	Label     string `json:"label,omitempty"` // the device, from its User-Agent (Describe)
}

// validFrom is when sess counts as made, for revocation.
func (sess session) validFrom() int64 { return max(sess.CreatedAt, sess.ValidFrom) }

// sessionMemory is how long the store keeps a session past its expiry, so
// a device that comes back a little late is told "expired", not "unknown".
const sessionMemory = 7 * 24 * time.Hour

// forgetAt is when the store may forget the session.
func (sess session) forgetAt() time.Time {
	return time.UnixMilli(sess.ExpiresAt).Add(sessionMemory)
}

// Login checks email and password and starts a session, returning its
// token: 32 random bytes, base64url. remoteIP is the client's address (a
// port, if any, is ignored; IPv6 counts by /64).
//
// Attempts are counted before the password is hashed, so a flood cannot
// slip past the limits: per account and address (Limiter), per address
// across accounts (AddressLimiter) and, more slowly, per account from
// every address (AccountLimiter), which an address that signed in to the
// account before skips. A success takes its attempt back and clears the
// account and address pair. At most HashSlots hashes run at once; a
// sign-in that cannot get one in time is refused with auth.busy.
//
// Returns EUNAUTHORIZED auth.bad_credentials for an unknown address or a
// wrong password (the same answer, after the same work), EFORBIDDEN
// auth.disabled for a disabled account with the right password, EFORBIDDEN
// auth.rate_limited while locked out, EFORBIDDEN auth.busy when too many
// sign-ins are being checked, and EINVALID for a malformed address.
func (s *Service) Login(ctx context.Context, email, password, remoteIP string) (string, User, error) {
	s.init()
	addr, err := shared.NormalizeEmail(email)
	if err != nil {
		return "", User{}, err
	}
	u, params, leave, err := s.verify(ctx, addr, password, remoteIP)
	if err != nil {
		return "", User{}, err
	}
	defer leave()
	var rehash string
	if params != s.Hash {
		if rehash, err = HashPassword(password, s.Hash); err != nil {
			return "", User{}, err
		}
	}
	leave()

	token, key, err := newToken()
	if err != nil {
		return "", User{}, err
	}
	now := s.Now()
	sess := session{UserID: u.ID, CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(s.SessionLifetime).UnixMilli(), LastSeen: now.UnixMilli()}
	data, err := json.Marshal(sess)
	if err != nil {
		return "", User{}, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if rehash != "" {
			if err := tx.PutLocal(kindPassword, u.ID, []byte(rehash), time.Time{}); err != nil {
				return err
			}
		}
		if err := listSession(tx, u.ID, key); err != nil {
			return err
		}
		return tx.PutLocal(kindSession, key, data, sess.forgetAt())
	})
	if err != nil {
		return "", User{}, err
	}
	s.Log.Info("signed in", "user", u.ID, "remote", remoteIP, "rehashed", rehash != "")
	return token, u, nil
}

// signInLimit is one of the limits a password check counts against.
type signInLimit struct {
	l   *Limiter
	key string
}

// verify checks the password of the account with the normalized e-mail
// address addr, counting the attempt against the sign-in limits of
// remoteIP before hashing (see Login). On success the hash slot is still
// held, for a rehash: call leave (more than once is fine). Failures are
// saved to the limiters' store, so a restart does not forget them.
func (s *Service) verify(ctx context.Context, addr, password, remoteIP string) (u User, params Params, leave func(), err error) {
	ip := AddrGroup(remoteIP)
	pair := "pair:" + addr + "|" + ip
	limits := []signInLimit{{s.Limiter, pair}}
	if ip != "" {
		limits = append(limits, signInLimit{s.AddressLimiter, "ip:" + ip})
	}
	if !s.knownPair(ctx, pair) {
		limits = append(limits, signInLimit{s.AccountLimiter, "email:" + addr})
	}
	for _, lim := range limits {
		if err := lim.l.Check(lim.key); err != nil {
			return User{}, Params{}, nil, err
		}
	}
	forgive := func(n int) {
		for _, lim := range limits[:n] {
			lim.l.Forgive(lim.key)
		}
	}
	for i, lim := range limits {
		if err := lim.l.Attempt(lim.key); err != nil {
			forgive(i)
			return User{}, Params{}, nil, err
		}
	}
	free, err := s.gate.enter(ctx)
	if err != nil {
		forgive(len(limits)) // not checked: not an attempt
		if s.gate.shouldLog(s.Now()) {
			s.Log.Warn("sign-ins refused: hashing is saturated", "remote", remoteIP, "refused", s.gate.refusedSinceLog())
		}
		return User{}, Params{}, nil, err
	}
	var once sync.Once
	release := func() { once.Do(free) }
	defer func() {
		if err != nil {
			release() // the results are zero by now
		}
	}()
	var hash string
	err = s.Store.View(ctx, func(tx store.ReadTx) error {
		if u, err = userByEmail(tx, addr); err != nil {
			return err
		}
		h, err := tx.GetLocal(kindPassword, u.ID)
		hash = string(h)
		return err
	})
	if err != nil && shared.ErrorCode(err) != shared.ENOTFOUND {
		return User{}, Params{}, nil, err
	}
	found := err == nil
	if !found {
		hash = s.dummyHash()
	}
	match := false
	if len(password) <= 4*MaxPassword { // bytes: a longer one cannot be an account's
		if match, params, err = VerifyPassword(password, hash); err != nil {
			return User{}, Params{}, nil, fmt.Errorf("verify password of user %s: %w", u.ID, err)
		}
	}
	if !found || !match {
		// The user ID, never the address typed: it may be anyone's.
		s.Log.Info("sign-in failed", "user", u.ID, "known", found, "remote", remoteIP)
		err = shared.Errorf(shared.EUNAUTHORIZED, "auth.bad_credentials")
		for _, lim := range limits {
			if serr := lim.l.Save(ctx, lim.key); serr != nil {
				s.Log.Error("save sign-in limit", "err", serr)
			}
		}
		for _, lim := range limits {
			if lerr := lim.l.Check(lim.key); lerr != nil {
				// Which limit, never the address typed: it may be anyone's.
				kind, _, _ := strings.Cut(lim.key, ":")
				s.Log.Warn("sign-in locked out", "limit", kind, "user", u.ID, "known", found, "remote", remoteIP)
				err = lerr
				break
			}
		}
		return User{}, Params{}, nil, err
	}
	forgive(len(limits))
	s.Limiter.Reset(pair)
	for _, lim := range limits[1:] {
		if serr := lim.l.Save(ctx, lim.key); serr != nil {
			s.Log.Error("save sign-in limit", "err", serr)
		}
	}
	if u.Disabled {
		return User{}, Params{}, nil, shared.Errorf(shared.EFORBIDDEN, "auth.disabled")
	}
	s.rememberPair(ctx, pair)
	return u, params, release, nil
}

// Authenticate returns the user whose session token is token, and slides
// the session's expiry forward. Returns EUNAUTHORIZED auth.invalid_session
// for a token that is malformed, unknown, signed out or void because its
// account was disabled, EUNAUTHORIZED auth.expired for an expired session
// (which it deletes; also one older than MaxSessionAge, however often it
// was used), and EFORBIDDEN auth.disabled for a disabled account.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	s.init()
	key, ok := tokenKey(token)
	if !ok {
		return User{}, shared.Errorf(shared.EUNAUTHORIZED, "auth.invalid_session")
	}
	now := s.Now()
	var sess session
	var u User
	var revokedAt int64
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		data, err := tx.GetLocal(kindSession, key)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &sess); err != nil {
			return fmt.Errorf("read session: %w", err)
		}
		if u, err = userByID(tx, sess.UserID); err != nil {
			return err
		}
		r, err := tx.GetLocal(kindRevoked, u.ID)
		switch shared.ErrorCode(err) {
		case "":
			revokedAt, err = strconv.ParseInt(string(r), 10, 64)
			return err
		case shared.ENOTFOUND:
			return nil
		}
		return err
	})
	switch {
	case shared.ErrorCode(err) == shared.ENOTFOUND:
		return User{}, shared.Errorf(shared.EUNAUTHORIZED, "auth.invalid_session")
	case err != nil:
		return User{}, err
	case now.UnixMilli() >= sess.ExpiresAt || now.Sub(time.UnixMilli(sess.CreatedAt)) >= s.MaxSessionAge:
		if err := s.Store.Update(ctx, func(tx store.Tx) error { return tx.DeleteLocal(kindSession, key) }); err != nil {
			return User{}, err
		}
		return User{}, shared.Errorf(shared.EUNAUTHORIZED, "auth.expired")
	case u.Disabled:
		return User{}, shared.Errorf(shared.EFORBIDDEN, "auth.disabled")
	case sess.validFrom() <= revokedAt:
		return User{}, shared.Errorf(shared.EUNAUTHORIZED, "auth.invalid_session")
	case now.Sub(time.UnixMilli(sess.LastSeen)) < touchEvery:
		return u, nil
	}
	sess.LastSeen = now.UnixMilli()
	sess.ExpiresAt = min(now.Add(s.SessionLifetime).UnixMilli(), time.UnixMilli(sess.CreatedAt).Add(s.MaxSessionAge).UnixMilli())
	data, err := json.Marshal(sess)
	if err != nil {
		return User{}, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		// A sign-out since the read wins: do not bring the session back.
		if _, err := tx.GetLocal(kindSession, key); err != nil {
			return err
		}
		return tx.PutLocal(kindSession, key, data, sess.forgetAt())
	})
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return User{}, shared.Errorf(shared.EUNAUTHORIZED, "auth.invalid_session")
	}
	return u, err
}

// Logout ends the session whose token is token. Ending an unknown session
// is not an error: the device is signed out either way.
func (s *Service) Logout(ctx context.Context, token string) error {
	key, ok := tokenKey(token)
	if !ok {
		return nil
	}
	var userID string
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		if b, err := tx.GetLocal(kindSession, key); err == nil {
			var sess session
			if json.Unmarshal(b, &sess) == nil {
				userID = sess.UserID
			}
		}
		if userID != "" {
			if err := unlistSession(tx, userID, key); err != nil {
				return err
			}
		}
		return tx.DeleteLocal(kindSession, key)
	})
	if err == nil && userID != "" && s.OnSignOut != nil {
		s.OnSignOut(userID, token)
	}
	return err
}

// Cookie returns the session cookie for token: HttpOnly so scripts cannot
// read it, SameSite=Lax, Secure when secure is set (the request came over
// TLS), lasting a session lifetime. Setting it again on a later response
// slides its expiry as Authenticate slides the session's.
func (s *Service) Cookie(token string, secure bool) *http.Cookie {
	s.init()
	return &http.Cookie{
		Name: cookieName(secure), Value: token, Path: "/",
		MaxAge:   int(s.SessionLifetime / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}

// ClearCookie returns a cookie that removes the session cookie, for a
// sign-out response.
func ClearCookie(secure bool) *http.Cookie {
	return &http.Cookie{
		Name: cookieName(secure), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}

const tokenBytes = 32

// newToken returns a new session token and the key its session is stored
// under.
func newToken() (token, key string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("make session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	key, _ = tokenKey(token)
	return token, key, nil
}

// tokenKey returns the store key of token's session, the hex SHA-256 of the
// token's bytes, or false if token is not a token newToken could make.
func tokenKey(token string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenBytes {
		return "", false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), true
}

// AddrGroup returns the address limits count remoteAddr under: the host
// without a port, and an IPv6 address as its /64, since one subscriber
// commonly holds a whole /64.
func AddrGroup(remoteAddr string) string {
	host := hostOnly(remoteAddr)
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// knownPairFor is how long an account and address pair that signed in
// stays exempt from the account's back-off, and knownPairs how many are
// remembered at most.
const (
	knownPairFor = 30 * 24 * time.Hour
	knownPairs   = 10_000
)

// kindKnown is the unlogged store data of account and address pairs that
// signed in: known/<pair> → nothing, expiring knownPairFor after the
// sign-in, so the exemption outlives a restart.
const kindKnown = "known"

func (s *Service) knownPair(ctx context.Context, pair string) bool {
	s.knownMu.Lock()
	at, ok := s.known[pair]
	s.knownMu.Unlock()
	if ok {
		return s.Now().Sub(at) < knownPairFor
	}
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		_, err := tx.GetLocal(kindKnown, pair)
		return err
	})
	return err == nil
}

func (s *Service) rememberPair(ctx context.Context, pair string) {
	s.knownMu.Lock()
	if s.known == nil {
		s.known = map[string]time.Time{}
	}
	if _, ok := s.known[pair]; !ok && len(s.known) >= knownPairs {
		var oldest string
		var oldestAt time.Time
		for k, at := range s.known {
			if oldestAt.IsZero() || at.Before(oldestAt) {
				oldest, oldestAt = k, at
			}
		}
		delete(s.known, oldest)
	}
	now := s.Now()
	s.known[pair] = now
	s.knownMu.Unlock()
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		return tx.PutLocal(kindKnown, pair, []byte{1}, now.Add(knownPairFor))
	})
	if err != nil {
		s.Log.Error("remember a sign-in's address", "err", err)
	}
}

// hostOnly returns addr without a port, so every connection from one
// address counts against one limit.
func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// dummyHash returns a hash to check passwords against when there is no
// such account, so an unknown address takes as long as a wrong password.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		b := make([]byte, 16)
		rand.Read(b)
		s.dummy, _ = HashPassword(hex.EncodeToString(b), s.Hash)
	})
	return s.dummy
}
