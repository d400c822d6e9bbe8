package auth

import (
	"context"
	"encoding/json"

	"outpost/server/store"
	"outpost/shared"
)

// AddDevice makes an account for a device that never signs in with a
// password (a kiosk: it has no password, so Login refuses it) and starts a
// session for it, returning the session token. within runs in the same
// transaction, after the account is written: enrollment burns its code
// there, so a code makes exactly one device. If within fails nothing is
// kept. Returns what AddUser returns, and within's errors.
func (s *Service) AddDevice(ctx context.Context, nu NewUser, within func(tx store.Tx, u User) error) (User, string, error) {
	s.init()
	email, err := shared.NormalizeEmail(nu.Email)
	if err != nil {
		return User{}, "", err
	}
	now := s.Now()
	u := User{ID: shared.NewID(now), Email: email, Name: nu.Name, Role: nu.Role, Site: nu.Site, CreatedAt: now.UnixMilli()}
	id := u.Identity()
	if err := id.Validate(); err != nil {
		return User{}, "", err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return User{}, "", err
	}
	token, key, err := newToken()
	if err != nil {
		return User{}, "", err
	}
	sess := session{UserID: u.ID, CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(s.SessionLifetime).UnixMilli(), LastSeen: now.UnixMilli()}
	sdata, err := json.Marshal(sess)
	if err != nil {
		return User{}, "", err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := putNewUser(tx, u.ID, email, data); err != nil {
			return err
		}
		if err := tx.PutLocal(kindSession, key, sdata, sess.forgetAt()); err != nil {
			return err
		}
		return within(tx, u)
	})
	if err != nil {
		return User{}, "", err
	}
	s.Log.Info("device added", "user", u.ID, "role", u.Role, "site", u.Site)
	return u, token, nil
}

// Limit returns the limiter of failed sign-ins, for other ways in that
// guess secrets (enrollment codes).
func (s *Service) Limit() *Limiter {
	s.init()
	return s.Limiter
}

// UserByEmailTx is UserByEmail inside a transaction, for an address
// already normalized (shared.NormalizeEmail). Returns ENOTFOUND if there is
// no such account.
func UserByEmailTx(tx store.ReadTx, email string) (User, error) { return userByEmail(tx, email) }
