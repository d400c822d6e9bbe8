// Package auth holds Outpost's accounts and sessions: users with roles,
// argon2id password hashes, random session tokens stored hashed, and login
// rate limiting.
//
// A user is a record of type "user" in the change log (the sync filter
// decides who sees it). Everything secret or churning is unlogged store
// data (store.Tx.PutLocal), never pulled by a client:
//
//	email/<address>     user ID: the unique e-mail index
//	password/<user ID>  the PHC-encoded argon2id hash
//	session/<SHA-256 of the token, hex>  the session
//	revoked/<user ID>   Unix milliseconds: sessions made (or valid from) until then are void
//	sessions/<user ID>  the account's session keys, for its list of devices (account.go)
//	limit/<limiter>:<key>  a sign-in limiter's failures and lockout (limit.go)
//	known/<account>|<address>  a pair that signed in, exempt from the account's back-off
package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
)

// TypeUser is the record type of users in the store.
const TypeUser = "user"

// Kinds of unlogged store data.
const (
	kindEmail    = "email"
	kindPassword = "password"
	kindSession  = "session"
	kindRevoked  = "revoked"
)

// User is an account. The record holds no secret: the password hash is
// kept apart, as unlogged data, because records travel in the change log.
type User struct {
	ID        string   `json:"id"`
	Email     string   `json:"email"` // lower case; unique
	Name      string   `json:"name,omitempty"`
	Role      string   `json:"role"`
	Tier      int      `json:"tier,omitempty"`   // agents: 1–3
	Groups    []string `json:"groups,omitempty"` // agents
	Site      string   `json:"site,omitempty"`   // kiosks
	Disabled  bool     `json:"disabled,omitempty"`
	CreatedAt int64    `json:"created_at"` // Unix milliseconds
}

// Identity returns who u acts as, for permission checks and for a device
// to cache.
func (u *User) Identity() shared.Identity {
	return shared.Identity{
		UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role,
		Tier: u.Tier, Groups: slices.Clone(u.Groups), Site: u.Site,
	}
}

// NewUser is what AddUser needs to make an account.
type NewUser struct {
	Email    string
	Name     string
	Role     string // "" means shared.RoleRequester
	Tier     int
	Groups   []string
	Site     string
	Password string
}

// Service manages accounts and sessions. Set Store; the rest have defaults.
// A Service must not be copied after first use.
type Service struct {
	Store store.Store
	// Clock is the service's time (default the wall clock). Its Now must
	// be the store's clock (store.Store): a session expires by it.
	Clock clock.Clock
	Log   *slog.Logger // default: discard
	// Hash are the argon2id costs of new hashes (default DefaultParams).
	Hash Params
	// SessionLifetime is how long a session lasts since it was last used
	// (default DefaultSessionLifetime).
	SessionLifetime time.Duration
	// MaxSessionAge is how long a session lasts at most since sign-in,
	// however often it is used (default DefaultMaxSessionAge).
	MaxSessionAge time.Duration
	// Limiter limits sign-in attempts per account and address (and other
	// guesses per address: kiosk enrollment codes); default NewLimiter(Now),
	// 5 in 15 minutes lock the pair for 15 minutes. The default limiters
	// keep their state in Store, so a restart forgets nothing.
	Limiter *Limiter
	// AddressLimiter limits sign-in attempts per address across accounts
	// (IPv6 by /64): default 30 in 15 minutes lock it for 15 minutes.
	AddressLimiter *Limiter
	// AccountLimiter is the slower back-off per account from every
	// address: by default, once 20 attempts fall within 15 minutes each
	// further one holds the account for a minute. An address that signed
	// in to the account before is exempt, so strangers cannot lock the
	// staff out.
	AccountLimiter *Limiter
	// HashSlots bounds the password hashes running at once (default: the
	// CPUs, as many as fit in 128 MiB); HashWait is how long a sign-in
	// waits for a slot before it is told to come back (default 2 s).
	HashSlots int
	HashWait  time.Duration

	// OnSignOut, if set, is told when sessions end before their time, so
	// their open connections can close: token is the one session signed
	// out (Logout), or "" for every session of userID (disabled).
	OnSignOut func(userID, token string)
	// OnSignOutOthers, if set, is told when every session of userID but
	// keep's ended (a password change, "sign out other devices"), so
	// their open connections can close and keep's stay.
	OnSignOutOthers func(userID, keep string)

	gate      *gate
	knownMu   sync.Mutex
	known     map[string]time.Time // account|address pairs that signed in, and when
	once      sync.Once
	dummyOnce sync.Once
	dummy     string // a hash to verify against when there is no such user
}

// Now returns the time on the service's clock.
func (s *Service) Now() time.Time { return clock.Or(s.Clock).Now() }

func (s *Service) init() {
	s.once.Do(func() {
		s.Clock = clock.Or(s.Clock)
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Hash == (Params{}) {
			s.Hash = DefaultParams
		}
		if s.SessionLifetime <= 0 {
			s.SessionLifetime = DefaultSessionLifetime
		}
		if s.MaxSessionAge <= 0 {
			s.MaxSessionAge = DefaultMaxSessionAge
		}
		if s.Limiter == nil {
			s.Limiter = NewLimiter(s.Clock)
			s.Limiter.Store, s.Limiter.Name = s.Store, "pair"
		}
		if s.AddressLimiter == nil {
			s.AddressLimiter = &Limiter{Max: 30, Window: 15 * time.Minute, Lockout: 15 * time.Minute, MaxKeys: 10_000, Clock: s.Clock, Store: s.Store, Name: "address"}
		}
		if s.AccountLimiter == nil {
			s.AccountLimiter = &Limiter{Max: 20, Window: 15 * time.Minute, Lockout: time.Minute, MaxKeys: 10_000, Clock: s.Clock, Store: s.Store, Name: "account"}
		}
		s.gate = newGate(s.Hash, s.HashSlots, s.HashWait, s.Clock)
	})
}

// AddUser makes an account. Returns EINVALID for a bad e-mail address,
// name, role, tier, group, site or password, and ECONFLICT if the e-mail
// address has an account already.
func (s *Service) AddUser(ctx context.Context, nu NewUser) (User, error) {
	s.init()
	email, err := shared.NormalizeEmail(nu.Email)
	if err != nil {
		return User{}, err
	}
	now := s.Now()
	u := User{
		ID: shared.NewID(now), Email: email, Name: nu.Name, Role: nu.Role,
		Tier: nu.Tier, Site: nu.Site, CreatedAt: now.UnixMilli(),
	}
	if u.Role == "" {
		u.Role = shared.RoleRequester
	}
	if len(nu.Groups) > 0 {
		u.Groups = slices.Compact(slices.Sorted(slices.Values(nu.Groups)))
	}
	id := u.Identity()
	if err := id.Validate(); err != nil {
		return User{}, err
	}
	if err := CheckPassword(nu.Password); err != nil {
		return User{}, err
	}
	// Hash before the transaction: it is slow and writes are serialized.
	hash, err := HashPassword(nu.Password, s.Hash)
	if err != nil {
		return User{}, err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return User{}, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := putNewUser(tx, u.ID, email, data); err != nil {
			return err
		}
		return tx.PutLocal(kindPassword, u.ID, []byte(hash), time.Time{})
	})
	if err != nil {
		return User{}, err
	}
	s.Log.Info("user added", "user", u.ID, "role", u.Role)
	return u, nil
}

// ListUsers returns every account, by e-mail address.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	var users []User
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(TypeUser, func(id string, data []byte) error {
			var u User
			if err := json.Unmarshal(data, &u); err != nil {
				return fmt.Errorf("read user %s: %w", id, err)
			}
			users = append(users, u)
			return nil
		})
	})
	slices.SortFunc(users, func(a, b User) int { return cmp.Compare(a.Email, b.Email) })
	return users, err
}

// UserByEmail returns the account with e-mail address email, in any case.
// Returns EINVALID for a malformed address and ENOTFOUND if there is no
// such account.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	addr, err := shared.NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.Store.View(ctx, func(tx store.ReadTx) error {
		u, err = userByEmail(tx, addr)
		return err
	})
	return u, err
}

// SetDisabled disables or enables the account with e-mail address email.
// Disabling signs it out everywhere: its sessions stay void even if it is
// enabled again. Returns EINVALID for a malformed address and ENOTFOUND if
// there is no such account.
func (s *Service) SetDisabled(ctx context.Context, email string, disabled bool) (User, error) {
	s.init()
	addr, err := shared.NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if u, err = userByEmail(tx, addr); err != nil || u.Disabled == disabled {
			return err
		}
		u.Disabled = disabled
		data, err := json.Marshal(u)
		if err != nil {
			return err
		}
		if _, err := tx.Put(TypeUser, u.ID, data); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		return tx.PutLocal(kindRevoked, u.ID, []byte(strconv.FormatInt(s.Now().UnixMilli(), 10)), time.Time{})
	})
	if err != nil {
		return User{}, err
	}
	s.Log.Info("user updated", "user", u.ID, "disabled", u.Disabled)
	if u.Disabled && s.OnSignOut != nil {
		s.OnSignOut(u.ID, "")
	}
	return u, nil
}

// userByEmail looks an account up by its normalized e-mail address.
func userByEmail(tx store.ReadTx, email string) (User, error) {
	id, err := tx.GetLocal(kindEmail, email)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return User{}, shared.Errorf(shared.ENOTFOUND, "auth.no_user", email)
	}
	if err != nil {
		return User{}, err
	}
	return userByID(tx, string(id))
}

func userByID(tx store.ReadTx, id string) (User, error) {
	data, err := tx.Get(TypeUser, id)
	if err != nil {
		return User{}, err
	}
	var u User
	if err := json.Unmarshal(data, &u); err != nil {
		return User{}, fmt.Errorf("read user %s: %w", id, err)
	}
	return u, nil
}

// putNewUser stores a new account's record and its e-mail index entry, or
// refuses with ECONFLICT if the address has an account already.
func putNewUser(tx store.Tx, id, email string, data []byte) error {
	switch _, err := tx.GetLocal(kindEmail, email); shared.ErrorCode(err) {
	case "":
		return shared.Errorf(shared.ECONFLICT, "auth.email_taken", email)
	case shared.ENOTFOUND:
	default:
		return err
	}
	if _, err := tx.Put(TypeUser, id, data); err != nil {
		return err
	}
	return tx.PutLocal(kindEmail, email, []byte(id), time.Time{})
}
