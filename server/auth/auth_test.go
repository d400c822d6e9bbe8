package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
)

// cheap are argon2id costs that keep tests fast.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const goodPassword = "correct horse battery"

// newClock returns a fake clock. It starts at the real time because the
// store expires sessions by the real clock.
func newClock() *clock.Fake { return clock.NewFake(time.Now()) }

func newService(t *testing.T) (*Service, *clock.Fake) {
	t.Helper()
	c := newClock()
	db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)), badger.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Service{Store: db, Clock: c, Hash: cheap}, c
}

func addUser(t *testing.T, s *Service, email string) User {
	t.Helper()
	u, err := s.AddUser(context.Background(), NewUser{Email: email, Name: "Test", Password: goodPassword})
	if err != nil {
		t.Fatalf("AddUser(%q): %v", email, err)
	}
	return u
}

// wantErr fails the test unless err is a *shared.Error with code and key.
func wantErr(t *testing.T, what string, err error, code, key string) {
	t.Helper()
	var e *shared.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key {
		t.Errorf("%s error = %v; want %s %s", what, err, code, key)
	}
	if e != nil && i18n.T("en", e.Key) == e.Key {
		t.Errorf("%s: key %q has no message", what, e.Key)
	}
}

func TestAddUser(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	agent, err := s.AddUser(ctx, NewUser{
		Email: "  Luis.Agent@Example.COM ", Name: "Luis", Role: shared.RoleAgent, Tier: 2,
		Groups: []string{"network", "field", "network"}, Password: goodPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !shared.ValidUUID(agent.ID) || agent.Email != "luis.agent@example.com" || agent.Role != shared.RoleAgent ||
		strings.Join(agent.Groups, ",") != "field,network" || agent.CreatedAt == 0 {
		t.Errorf("AddUser(agent) = %+v; want a UUID, the e-mail lower-cased, groups sorted without repeats", agent)
	}
	req := addUser(t, s, "ana@example.com")
	if req.Role != shared.RoleRequester {
		t.Errorf("AddUser without a role gave role %q; want %q", req.Role, shared.RoleRequester)
	}

	_, err = s.AddUser(ctx, NewUser{Email: "ANA@example.com", Password: goodPassword})
	wantErr(t, "AddUser(same e-mail, other case)", err, shared.ECONFLICT, "auth.email_taken")

	for _, tt := range []struct {
		name string
		nu   NewUser
		key  string
	}{
		{"bad e-mail", NewUser{Email: "ana", Password: goodPassword}, "auth.bad_email"},
		{"short password", NewUser{Email: "b@example.com", Password: "123456789"}, "auth.password_too_short"},
		{"unknown role", NewUser{Email: "b@example.com", Role: "root", Password: goodPassword}, "role.unknown"},
		{"agent without tier", NewUser{Email: "b@example.com", Role: shared.RoleAgent, Password: goodPassword}, "role.bad_tier"},
		{"kiosk without site", NewUser{Email: "b@example.com", Role: shared.RoleKiosk, Password: goodPassword}, "role.site_required"},
	} {
		_, err := s.AddUser(ctx, tt.nu)
		wantErr(t, tt.name, err, shared.EINVALID, tt.key)
	}

	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 2 || users[0].Email != "ana@example.com" || users[1].Email != "luis.agent@example.com" {
		t.Fatalf("ListUsers = %+v, %v; want ana then luis", users, err)
	}
	got, err := s.UserByEmail(ctx, "Luis.Agent@example.com")
	if err != nil || got.ID != agent.ID {
		t.Errorf("UserByEmail = %+v, %v; want %s", got, err, agent.ID)
	}
	_, err = s.UserByEmail(ctx, "nobody@example.com")
	wantErr(t, "UserByEmail(unknown)", err, shared.ENOTFOUND, "auth.no_user")

	// Users are in the change log, for the sync filter to pass on; their
	// password hashes are not.
	changes, _, _, err := s.Store.Changes(ctx, 0, 100, 1<<20, func(string, []byte) bool { return true })
	if err != nil || len(changes) != 2 {
		t.Fatalf("Changes = %d changes, %v; want the 2 users", len(changes), err)
	}
	for _, c := range changes {
		if c.Type != TypeUser || strings.Contains(string(c.Data), "argon2") || strings.Contains(string(c.Data), "password") {
			t.Errorf("change %s/%s = %s; want a user record without its password hash", c.Type, c.ID, c.Data)
		}
	}
	id := agent.Identity()
	if id.UserID != agent.ID || id.Tier != 2 || id.Validate() != nil {
		t.Errorf("Identity() = %+v; want a valid identity of the agent", id)
	}
}

func TestLoginAuthenticateLogout(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	ana := addUser(t, s, "ana@example.com")
	v0 := version(t, s.Store)

	token, u, err := s.Login(ctx, "Ana@Example.com", goodPassword, "192.0.2.1:4242")
	if err != nil || u.ID != ana.ID {
		t.Fatalf("Login = %q, %+v, %v; want ana's session", token, u, err)
	}
	if len(token) != 43 || strings.ContainsAny(token, "+/=") {
		t.Errorf("token %q is not 32 bytes of unpadded base64url", token)
	}
	if v := version(t, s.Store); v != v0 {
		t.Errorf("Login moved the change log from %d to %d; sessions must stay out of it", v0, v)
	}
	if got, err := s.Authenticate(ctx, token); err != nil || got.ID != ana.ID {
		t.Errorf("Authenticate = %+v, %v; want ana", got, err)
	}
	other, _, err := s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	if err != nil || other == token {
		t.Errorf("second Login = %q, %v; want another session", other, err)
	}

	_, _, err = s.Login(ctx, "ana@example.com", "wrong password!", "192.0.2.1")
	wantErr(t, "Login(wrong password)", err, shared.EUNAUTHORIZED, "auth.bad_credentials")
	_, _, err = s.Login(ctx, "bob@example.com", goodPassword, "192.0.2.1")
	wantErr(t, "Login(unknown e-mail)", err, shared.EUNAUTHORIZED, "auth.bad_credentials")
	_, _, err = s.Login(ctx, "ana@example.com", strings.Repeat("x", 5000), "192.0.2.1")
	wantErr(t, "Login(huge password)", err, shared.EUNAUTHORIZED, "auth.bad_credentials")
	_, _, err = s.Login(ctx, "not an address", goodPassword, "192.0.2.1")
	wantErr(t, "Login(bad e-mail)", err, shared.EINVALID, "auth.bad_email")

	forged, _, _ := newToken()
	for name, tok := range map[string]string{
		"forged":      forged,
		"empty":       "",
		"malformed":   "not-a-token",
		"too short":   token[:40],
		"hash itself": strings.Repeat("a", 64),
	} {
		_, err := s.Authenticate(ctx, tok)
		wantErr(t, "Authenticate("+name+")", err, shared.EUNAUTHORIZED, "auth.invalid_session")
	}

	if err := s.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate(after Logout)", err, shared.EUNAUTHORIZED, "auth.invalid_session")
	if _, err := s.Authenticate(ctx, other); err != nil {
		t.Errorf("Authenticate(other session) after logging one out = %v; want it still signed in", err)
	}
	if err := s.Logout(ctx, token); err != nil {
		t.Errorf("Logout twice = %v; want nil", err)
	}
	if err := s.Logout(ctx, "garbage"); err != nil {
		t.Errorf("Logout(garbage) = %v; want nil", err)
	}
}

func version(t *testing.T, s store.Store) uint64 {
	t.Helper()
	var v uint64
	if err := s.View(context.Background(), func(tx store.ReadTx) (err error) { v, err = tx.Version(); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSessionExpirySlides(t *testing.T) {
	s, c := newService(t)
	s.MaxSessionAge = 365 * 24 * time.Hour // the sliding expiry alone (TestSessionAbsoluteLifetime has the cap)
	ctx := context.Background()
	addUser(t, s, "ana@example.com")
	token, _, err := s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // used every 29 days, it lives on past the first 30
		c.Advance(29 * 24 * time.Hour)
		if _, err := s.Authenticate(ctx, token); err != nil {
			t.Fatalf("Authenticate after %d × 29 days = %v; want the session slid forward", i+1, err)
		}
	}
	c.Advance(30 * 24 * time.Hour)
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate(30 days unused)", err, shared.EUNAUTHORIZED, "auth.expired")
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate(expired, again)", err, shared.EUNAUTHORIZED, "auth.invalid_session")

	// Within touchEvery the expiry is not written again, so a session used
	// only just now still ends a lifetime after its last write.
	s.SessionLifetime = 2 * time.Hour
	token, _, _ = s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	c.Advance(30 * time.Minute)
	if _, err := s.Authenticate(ctx, token); err != nil {
		t.Fatal(err)
	}
	c.Advance(90 * time.Minute)
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate(2 h after sign-in, used at 30 min)", err, shared.EUNAUTHORIZED, "auth.expired")
}

func TestDisabledUsers(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	addUser(t, s, "ana@example.com")
	token, _, err := s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.SetDisabled(ctx, "ANA@example.com", true)
	if err != nil || !u.Disabled {
		t.Fatalf("SetDisabled(true) = %+v, %v", u, err)
	}
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate(disabled)", err, shared.EFORBIDDEN, "auth.disabled")
	_, _, err = s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	wantErr(t, "Login(disabled, right password)", err, shared.EFORBIDDEN, "auth.disabled")
	_, _, err = s.Login(ctx, "ana@example.com", "wrong password!", "192.0.2.1")
	wantErr(t, "Login(disabled, wrong password)", err, shared.EUNAUTHORIZED, "auth.bad_credentials")

	c.Advance(time.Second)
	if u, err := s.SetDisabled(ctx, "ana@example.com", false); err != nil || u.Disabled {
		t.Fatalf("SetDisabled(false) = %+v, %v", u, err)
	}
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate(session from before disabling)", err, shared.EUNAUTHORIZED, "auth.invalid_session")
	token, _, err = s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatalf("Login after enabling = %v", err)
	}
	if _, err := s.Authenticate(ctx, token); err != nil {
		t.Errorf("Authenticate(new session) = %v", err)
	}
	_, err = s.SetDisabled(ctx, "nobody@example.com", true)
	wantErr(t, "SetDisabled(unknown)", err, shared.ENOTFOUND, "auth.no_user")
}

func TestLoginRateLimit(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	for _, e := range []string{"ana@example.com", "bob@example.com", "admin@example.com"} {
		addUser(t, s, e)
	}

	// Per account and address: the fifth failure locks that pair.
	for range 4 {
		_, _, err := s.Login(ctx, "ana@example.com", "wrong password!", "198.51.100.1:4000")
		wantErr(t, "failure", err, shared.EUNAUTHORIZED, "auth.bad_credentials")
	}
	_, _, err := s.Login(ctx, "ana@example.com", "wrong password!", "198.51.100.1:4001")
	wantErr(t, "5th failure", err, shared.EFORBIDDEN, "auth.rate_limited")
	if key, args := shared.ErrorKey(err); len(args) != 2 || args[0] != int64(900) {
		t.Errorf("rate-limit args = %v; want retry-after seconds 900 first", args)
	} else if msg := i18n.T("en", key, args...); msg != "Too many attempts. Try again in 15 minutes." {
		t.Errorf("rate-limit message = %q", msg)
	} else if msg := i18n.T("es", key, args...); msg != "Demasiados intentos. Inténtalo de nuevo en 15 minutos." {
		t.Errorf("rate-limit message (es) = %q", msg)
	}
	c.Advance(14 * time.Minute)
	_, _, err = s.Login(ctx, "ana@example.com", goodPassword, "198.51.100.1")
	wantErr(t, "right password from the locked address", err, shared.EFORBIDDEN, "auth.rate_limited")
	if _, args := shared.ErrorKey(err); len(args) != 2 || args[0] != int64(60) || args[1] != int64(1) {
		t.Errorf("rate-limit args a minute before the end = %v; want [60 1]", args)
	}
	// Those five wrong passwords do not lock ana out from elsewhere.
	if _, _, err := s.Login(ctx, "ana@example.com", goodPassword, "203.0.113.9"); err != nil {
		t.Errorf("ana from another address while one is locked = %v; want signed in", err)
	}
	c.Advance(time.Minute)
	if _, _, err := s.Login(ctx, "ana@example.com", goodPassword, "198.51.100.1"); err != nil {
		t.Fatalf("Login after the lockout = %v", err)
	}

	// Five wrong passwords from anywhere do not lock the admin out; many
	// from everywhere hold the account back a minute at a time, except
	// from an address that signed in to it before.
	if _, _, err := s.Login(ctx, "admin@example.com", goodPassword, "192.0.2.10"); err != nil {
		t.Fatalf("admin's first sign-in = %v", err)
	}
	for i := range 5 {
		_, _, err := s.Login(ctx, "admin@example.com", "wrong password!", fmt.Sprintf("198.18.0.%d", i))
		wantErr(t, "failure from anywhere", err, shared.EUNAUTHORIZED, "auth.bad_credentials")
	}
	if _, _, err := s.Login(ctx, "admin@example.com", goodPassword, "192.0.2.99"); err != nil {
		t.Errorf("admin after five wrong passwords from elsewhere = %v; want signed in", err)
	}
	for i := 5; i < 25; i++ {
		s.Login(ctx, "admin@example.com", "wrong password!", fmt.Sprintf("198.18.0.%d", i))
	}
	_, _, err = s.Login(ctx, "admin@example.com", goodPassword, "198.18.1.1")
	wantErr(t, "admin from a new address during the storm", err, shared.EFORBIDDEN, "auth.rate_limited")
	if _, args := shared.ErrorKey(err); len(args) != 2 || args[0].(int64) > 60 {
		t.Errorf("account back-off args = %v; want at most a minute", args)
	}
	if _, _, err := s.Login(ctx, "admin@example.com", goodPassword, "192.0.2.10"); err != nil {
		t.Errorf("admin from the address they signed in from before = %v; want signed in", err)
	}

	// Per address across accounts, IPv6 by /64; a success does not reset it.
	c.Advance(time.Hour)
	for i := range 29 {
		_, _, err := s.Login(ctx, fmt.Sprintf("user%d@example.com", i), "wrong password!", fmt.Sprintf("[2001:db8:1:2::%x]:%d", i, 1000+i))
		wantErr(t, "failure from one /64", err, shared.EUNAUTHORIZED, "auth.bad_credentials")
	}
	if _, _, err := s.Login(ctx, "bob@example.com", goodPassword, "2001:db8:1:2::ffff"); err != nil {
		t.Fatalf("Login = %v", err)
	}
	_, _, err = s.Login(ctx, "erin@example.com", "wrong password!", "2001:db8:1:2:aaaa::1")
	wantErr(t, "30th failure from one /64", err, shared.EFORBIDDEN, "auth.rate_limited")
	_, _, err = s.Login(ctx, "ana@example.com", goodPassword, "[2001:db8:1:2::1]:9999")
	wantErr(t, "right password from a locked /64", err, shared.EFORBIDDEN, "auth.rate_limited")
	if _, _, err := s.Login(ctx, "ana@example.com", goodPassword, "2001:db8:1:3::1"); err != nil {
		t.Errorf("same account from the next /64 = %v; want signed in", err)
	}
}

// TestAttemptsCountedBeforeHashing: sixty wrong passwords at once for one
// account from one address hash at most five of them.
func TestAttemptsCountedBeforeHashing(t *testing.T) {
	s, _ := newService(t)
	addUser(t, s, "ana@example.com")
	var wg sync.WaitGroup
	var mu sync.Mutex
	keys := map[string]int{}
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.Login(context.Background(), "ana@example.com", "wrong password!", "198.51.100.7")
			key, _ := shared.ErrorKey(err)
			mu.Lock()
			keys[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if keys["auth.bad_credentials"]+keys["auth.rate_limited"] != 60 || keys["auth.bad_credentials"] > 4 {
		t.Errorf("answers = %v; want at most 4 bad_credentials (the 5th says rate_limited), the rest rate_limited", keys)
	}
	if slots, peak := s.HashGate(); peak > slots {
		t.Errorf("%d hashes ran at once; the gate allows %d", peak, slots)
	}
}

// TestHashGateSaturated: when every slot is taken and the queue is full,
// a sign-in is told to come back, and its attempt is not counted.
func TestHashGateSaturated(t *testing.T) {
	t.Parallel()
	s, c := newService(t)
	s.HashSlots, s.HashWait = 1, 50*time.Millisecond
	addUser(t, s, "ana@example.com")
	leave, err := s.gate.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	refused := make(chan error, 1)
	go func() {
		_, _, err := s.Login(context.Background(), "ana@example.com", goodPassword, "198.51.100.8")
		refused <- err
	}()
	wait, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.BlockUntil(wait, 1); err != nil { // the sign-in waits for a slot
		t.Fatalf("the sign-in never waited for the gate: %v", err)
	}
	c.Advance(s.HashWait - time.Millisecond)
	select {
	case err := <-refused:
		t.Fatalf("the sign-in gave up %v before its wait was over: %v", time.Millisecond, err)
	default:
	}
	c.Advance(time.Millisecond)
	err = <-refused
	wantErr(t, "sign-in while hashing is saturated", err, shared.EFORBIDDEN, "auth.busy")
	if key, args := shared.ErrorKey(err); i18n.T("en", key, args...) != "Too many sign-ins are being checked right now. Try again in 2 seconds." {
		t.Errorf("busy message = %q", i18n.T("en", key, args...))
	}
	leave()
	for range 4 {
		s.Login(context.Background(), "ana@example.com", "wrong password!", "198.51.100.8")
	}
	if _, _, err := s.Login(context.Background(), "ana@example.com", goodPassword, "198.51.100.8"); err != nil {
		t.Errorf("sign-in after 4 failures and a busy refusal = %v; want signed in (busy is no attempt)", err)
	}
}

func TestLimiterWindowAndMemory(t *testing.T) {
	c := newClock()
	l := NewLimiter(c)
	l.MaxKeys = 3
	// Failures older than the window do not count.
	for range 4 {
		l.Fail("slow")
	}
	c.Advance(16 * time.Minute)
	if err := l.Fail("slow"); err != nil {
		t.Errorf("5th failure, 4 of them outside the window = %v; want nil", err)
	}
	// Stale keys go first, then the one that failed longest ago.
	c.Advance(time.Hour)
	l.Fail("a")
	c.Advance(time.Minute)
	l.Fail("b")
	c.Advance(time.Minute)
	l.Fail("c") // "slow" is stale: evicted
	if got := keys(l); got != "a,b,c" {
		t.Errorf("keys = %s; want a,b,c (the stale key evicted)", got)
	}
	l.Fail("d") // nothing stale: the oldest, "a", goes
	if got := keys(l); got != "b,c,d" {
		t.Errorf("keys = %s; want b,c,d (the oldest evicted)", got)
	}
	l.Reset("c")
	if got := keys(l); got != "b,d" {
		t.Errorf("keys after Reset(c) = %s; want b,d", got)
	}
}

func keys(l *Limiter) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ks []string
	for _, k := range []string{"slow", "a", "b", "c", "d"} {
		if l.keys[k] != nil {
			ks = append(ks, k)
		}
	}
	if len(ks) != len(l.keys) {
		return "unexpected keys"
	}
	return strings.Join(ks, ",")
}

func TestRehashOnLogin(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	ana := addUser(t, s, "ana@example.com")
	s2 := &Service{Store: s.Store, Hash: Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}}
	if _, _, err := s2.Login(ctx, "ana@example.com", goodPassword, ""); err != nil {
		t.Fatal(err)
	}
	var hash string
	s.Store.View(ctx, func(tx store.ReadTx) error {
		h, err := tx.GetLocal(kindPassword, ana.ID)
		hash = string(h)
		return err
	})
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=128,t=2,p=1$") {
		t.Errorf("hash after signing in with new parameters = %q; want it rehashed with m=128,t=2,p=1", hash)
	}
	if _, _, err := s.Login(ctx, "ana@example.com", goodPassword, ""); err != nil {
		t.Errorf("Login with the old parameters after a rehash = %v", err)
	}
}

func TestCookie(t *testing.T) {
	s, _ := newService(t)
	c := s.Cookie("tok", true)
	if c.Name != SecureCookieName || c.Value != "tok" || c.Path != "/" || c.Domain != "" || !c.HttpOnly || !c.Secure ||
		c.SameSite != http.SameSiteLaxMode || c.MaxAge != 30*24*3600 {
		t.Errorf("Cookie(tok, TLS) = %+v", c)
	}
	if c := s.Cookie("tok", false); c.Secure || c.Name != CookieName {
		t.Errorf("Cookie(tok, no TLS) = %+v; want %s, not Secure (a plain-HTTP browser would drop it)", c, CookieName)
	}
	if c := ClearCookie(true); c.Name != SecureCookieName || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("ClearCookie(TLS) = %+v; want it to delete the __Host- cookie", c)
	}
	if c := ClearCookie(false); c.Name != CookieName || c.MaxAge >= 0 {
		t.Errorf("ClearCookie(no TLS) = %+v; want it to delete %s", c, CookieName)
	}
}

// TestSessionAbsoluteLifetime: a session used every day still ends
// MaxSessionAge after its sign-in.
func TestSessionAbsoluteLifetime(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	addUser(t, s, "ana@example.com")
	token, _, err := s.Login(ctx, "ana@example.com", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	for day := 1; day < 90; day++ {
		c.Advance(24 * time.Hour)
		if _, err := s.Authenticate(ctx, token); err != nil {
			t.Fatalf("day %d of daily use: Authenticate = %v; want signed in", day, err)
		}
	}
	c.Advance(24 * time.Hour)
	_, err = s.Authenticate(ctx, token)
	wantErr(t, "Authenticate on day 90", err, shared.EUNAUTHORIZED, "auth.expired")
}

// TestLimiterKeptInStore: a limiter with a Store hands its keys' state to
// the next limiter on the same store (a restarted server), which forgets
// it once it no longer counts; Reset clears it there too.
func TestLimiterKeptInStore(t *testing.T) {
	s, c := newService(t)
	fresh := func() *Limiter {
		return &Limiter{Max: 2, Window: 15 * time.Minute, Lockout: 15 * time.Minute, MaxKeys: 10, Clock: c, Store: s.Store, Name: "test"}
	}
	l := fresh()
	l.Fail("locked")
	l.Fail("locked")
	l.Fail("once")
	l.Fail("reset")
	l.Reset("reset")
	c.Advance(time.Minute)
	l = fresh()
	err := l.Check("locked")
	wantErr(t, "a locked key after a restart", err, shared.EFORBIDDEN, "auth.rate_limited")
	if _, args := shared.ErrorKey(err); len(args) != 2 || args[0] != int64(14*60) {
		t.Errorf("lockout left after a restart = %v; want 840 seconds", args)
	}
	if err := l.Fail("once"); err == nil {
		t.Error("a key's second failure, the first before a restart, did not lock it")
	}
	if err := l.Fail("reset"); err != nil {
		t.Errorf("a key reset before the restart: %v; want its failures forgotten", err)
	}
	c.Advance(15 * time.Minute)
	if err := fresh().Check("locked"); err != nil {
		t.Errorf("after the lockout, restarted again: %v; want nil", err)
	}
}
