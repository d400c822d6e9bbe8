package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"outpost/server/store"
	"outpost/shared"
)

// kindSessions is the unlogged store data listing an account's sessions,
// newest last: sessions/<user ID> → []string of session keys. It is what
// the account page lists; at most maxListed are kept (an older session
// still works, unlisted, until "sign out other devices" ends it).
const kindSessions = "sessions"

// maxListed bounds the sessions an account's list holds.
const maxListed = 32

// Device is one signed-in session of an account, as its owner sees it.
type Device struct {
	ID        string `json:"id"`      // a short, stable name for the session (not its token)
	Current   bool   `json:"current"` // the session asking
	Label     string `json:"label,omitempty"`
	CreatedAt int64  `json:"created_at"` // Unix milliseconds
	LastSeen  int64  `json:"last_seen"`  // to the hour: sessions are touched hourly
}

// listSession adds key to userID's list of sessions, within tx.
func listSession(tx store.Tx, userID, key string) error {
	keys, err := listed(tx, userID)
	if err != nil {
		return err
	}
	keys = append(keys, key)
	if len(keys) > maxListed {
		keys = keys[len(keys)-maxListed:]
	}
	return putListed(tx, userID, keys)
}

// unlistSession removes key from userID's list, within tx.
func unlistSession(tx store.Tx, userID, key string) error {
	keys, err := listed(tx, userID)
	if err != nil || !slices.Contains(keys, key) {
		return err
	}
	return putListed(tx, userID, slices.DeleteFunc(keys, func(k string) bool { return k == key }))
}

func listed(tx store.ReadTx, userID string) ([]string, error) {
	b, err := tx.GetLocal(kindSessions, userID)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("read sessions of %s: %w", userID, err)
	}
	return keys, nil
}

func putListed(tx store.Tx, userID string, keys []string) error {
	b, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	return tx.PutLocal(kindSessions, userID, b, time.Time{})
}

// Label names the device a session was started from, from its User-Agent
// header, in a few words ("Firefox on Linux"), for the account's list of
// devices; "" if it says nothing recognizable.
func Label(userAgent string) string {
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(userAgent, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(userAgent, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return system
}

// Describe notes which device the session of token was started from
// (Label of its User-Agent), for the account's list of devices.
func (s *Service) Describe(ctx context.Context, token, label string) error {
	key, ok := tokenKey(token)
	if !ok || label == "" {
		return nil
	}
	return s.Store.Update(ctx, func(tx store.Tx) error {
		var sess session
		b, err := tx.GetLocal(kindSession, key)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &sess); err != nil {
			return fmt.Errorf("read session: %w", err)
		}
		sess.Label = label
		if b, err = json.Marshal(sess); err != nil {
			return err
		}
		return tx.PutLocal(kindSession, key, b, sess.forgetAt())
	})
}

// Devices returns the live sessions of the account signed in with token,
// the oldest first, marking token's own. Returns what Authenticate does for
// a session that is not live.
func (s *Service) Devices(ctx context.Context, token string) ([]Device, error) {
	u, err := s.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	own, _ := tokenKey(token)
	now := s.Now()
	var out []Device
	err = s.Store.View(ctx, func(tx store.ReadTx) error {
		keys, err := listed(tx, u.ID)
		if err != nil {
			return err
		}
		revokedAt, err := revokedAt(tx, u.ID)
		if err != nil {
			return err
		}
		for _, key := range keys {
			b, err := tx.GetLocal(kindSession, key)
			if shared.ErrorCode(err) == shared.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			var sess session
			if json.Unmarshal(b, &sess) != nil || !s.live(sess, revokedAt, now) {
				continue
			}
			out = append(out, Device{ID: key[:12], Current: key == own, Label: sess.Label, CreatedAt: sess.CreatedAt, LastSeen: sess.LastSeen})
		}
		return nil
	})
	return out, err
}

// live says whether sess still signs its device in at now, given when its
// account's sessions were last revoked.
func (s *Service) live(sess session, revokedAt int64, now time.Time) bool {
	return now.UnixMilli() < sess.ExpiresAt && now.Sub(time.UnixMilli(sess.CreatedAt)) < s.MaxSessionAge &&
		sess.validFrom() > revokedAt
}

// revokedAt returns when userID's sessions were last revoked, Unix
// milliseconds, 0 if never.
func revokedAt(tx store.ReadTx, userID string) (int64, error) {
	r, err := tx.GetLocal(kindRevoked, userID)
	switch shared.ErrorCode(err) {
	case "":
		return strconv.ParseInt(string(r), 10, 64)
	case shared.ENOTFOUND:
		return 0, nil
	}
	return 0, err
}

// SignOutOthers ends every session of the account signed in with token
// but that one, and closes their connections (OnSignOutOthers). Returns
// what Authenticate does for a session that is not live.
func (s *Service) SignOutOthers(ctx context.Context, token string) error {
	u, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if err := s.Store.Update(ctx, func(tx store.Tx) error { return s.keepOnly(tx, u.ID, token) }); err != nil {
		return err
	}
	s.Log.Info("signed out other devices", "user", u.ID)
	s.signedOutOthers(u.ID, token)
	return nil
}

func (s *Service) signedOutOthers(userID, token string) {
	if s.OnSignOutOthers != nil {
		s.OnSignOutOthers(userID, token)
	}
}

// keepOnly revokes userID's sessions except token's, within tx: every
// session made until now is void, and token's is made valid from just
// after now (its sign-in time, which bounds its lifetime, is kept).
func (s *Service) keepOnly(tx store.Tx, userID, token string) error {
	key, _ := tokenKey(token)
	b, err := tx.GetLocal(kindSession, key)
	if err != nil {
		return err
	}
	var sess session
	if err := json.Unmarshal(b, &sess); err != nil {
		return fmt.Errorf("read session: %w", err)
	}
	now := s.Now().UnixMilli()
	if prev, err := revokedAt(tx, userID); err != nil {
		return err
	} else if now <= prev {
		now = prev + 1 // two in one millisecond: still after the last
	}
	sess.ValidFrom = now + 1
	if b, err = json.Marshal(sess); err != nil {
		return err
	}
	if err := tx.PutLocal(kindSession, key, b, sess.forgetAt()); err != nil {
		return err
	}
	if err := tx.PutLocal(kindRevoked, userID, []byte(strconv.FormatInt(now, 10)), time.Time{}); err != nil {
		return err
	}
	return putListed(tx, userID, []string{key})
}

// ChangePassword sets a new password for the account signed in with
// token, after checking its current one, and signs out every other
// device of the account (SignOutOthers): whoever knew the old password
// is out. The check of the current password counts against the sign-in
// limits of remoteIP, as a sign-in does, and hashes through the same gate.
//
// Returns what Authenticate does for a session that is not live,
// EINVALID auth.password_too_short or auth.password_too_long for a new
// password that would not do for a new account, EUNAUTHORIZED
// auth.wrong_password for a wrong current password, EINVALID
// auth.same_password if the new one is the current one, and EFORBIDDEN
// auth.rate_limited or auth.busy as Login does.
func (s *Service) ChangePassword(ctx context.Context, token, current, next, remoteIP string) error {
	s.init()
	u, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if err := CheckPassword(next); err != nil {
		return err
	}
	_, _, leave, err := s.verify(ctx, u.Email, current, remoteIP)
	if key, _ := shared.ErrorKey(err); key == "auth.bad_credentials" {
		return shared.Errorf(shared.EUNAUTHORIZED, "auth.wrong_password")
	}
	if err != nil {
		return err
	}
	defer leave()
	if next == current {
		return shared.Errorf(shared.EINVALID, "auth.same_password")
	}
	hash, err := HashPassword(next, s.Hash)
	if err != nil {
		return err
	}
	leave()
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutLocal(kindPassword, u.ID, []byte(hash), time.Time{}); err != nil {
			return err
		}
		return s.keepOnly(tx, u.ID, token)
	})
	if err != nil {
		return err
	}
	s.Log.Info("password changed; other devices signed out", "user", u.ID, "remote", remoteIP)
	s.signedOutOthers(u.ID, token)
	return nil
}
