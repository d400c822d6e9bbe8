package http

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"outpost/server/auth"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
)

// kindClient is the unlogged store data binding a client ID to the account
// that first used it: client/<client ID> → user ID.
const kindClient = "client"

// kindDevice is the unlogged store data binding a client ID to the device
// that holds it: device/<client ID> → SHA-256 of the device key (protocol
// 5). Only the hash is kept, so a copy of the database cannot speak as a
// device.
const kindDevice = "device"

// authenticate reads the session cookie of the upgrade request.
func (c *wsConn) authenticate(r *http.Request) {
	if c.token = auth.SessionToken(r); c.token == "" {
		return
	}
	u, err := c.s.Auth.Authenticate(r.Context(), c.token)
	if err != nil {
		c.authKey, _ = shared.ErrorKey(err)
		return
	}
	id := u.Identity()
	c.user = &id
}

// bind checks that the device holds the client ID's key and that the
// client ID is this account's, binding both on first use: nobody who
// merely learnt a client ID can push as that device and spoil its
// sequence numbers, and a session cannot push as another account's
// device. A device that filed tickets signed out and now signs in gets
// them claimed for its user.
//
// A client ID used before protocol 5 has no key yet: it takes the first
// key presented by a session of the account it belongs to, or, if it was
// only ever used signed out, the first key presented at all. A refused
// session binds nothing: such a socket may neither push nor pull.
func (c *wsConn) bind(ctx context.Context, deviceKey string) error {
	sum := sha256.Sum256([]byte(deviceKey))
	return c.s.Sync.Store.Update(ctx, func(tx store.Tx) error {
		owner, err := tx.GetLocal(kindClient, c.clientID)
		bound := err == nil
		if err != nil && shared.ErrorCode(err) != shared.ENOTFOUND {
			return err
		}
		switch held, err := tx.GetLocal(kindDevice, c.clientID); {
		case err == nil:
			if subtle.ConstantTimeCompare(held, sum[:]) != 1 {
				return shared.Errorf(shared.EFORBIDDEN, "client.bad_key")
			}
		case shared.ErrorCode(err) != shared.ENOTFOUND:
			return err
		case c.authKey != "":
			return nil // a refused session keys nothing and only waits for a sign-in
		case bound && (c.user == nil || string(owner) != c.user.UserID):
			return shared.Errorf(shared.EFORBIDDEN, "client.bound_elsewhere")
		default:
			if err := tx.PutLocal(kindDevice, c.clientID, sum[:], time.Time{}); err != nil {
				return err
			}
		}
		switch {
		case !bound:
			if c.user == nil {
				return nil // signed out: nothing to bind to
			}
			if err := tx.PutLocal(kindClient, c.clientID, []byte(c.user.UserID), time.Time{}); err != nil {
				return err
			}
			// Only a client that pushed before can have filed tickets
			// signed out: a new one costs no scan of the tickets.
			if last, err := tx.LastSeq(c.clientID); err != nil || last == 0 {
				return err
			}
			return outsync.Claim(tx, c.clientID, *c.user)
		case c.user != nil && string(owner) == c.user.UserID:
			return nil
		case c.user == nil && c.authKey != "":
			return nil // a refused session: the client only waits for a sign-in
		}
		return shared.Errorf(shared.EFORBIDDEN, "client.bound_elsewhere")
	})
}

// refused returns the error a socket whose session cookie was refused
// gets for a push or a pull: it holds no account's rights, and acting as
// its client ID signed out would spoil that device's sequence numbers or
// skip its user's records.
func (c *wsConn) refused() error {
	if c.authKey == "" {
		return nil
	}
	return shared.Errorf(shared.EUNAUTHORIZED, c.authKey)
}

// recheck authenticates the session again before a push, so a session that
// expired or an account disabled since the connection opened stops
// pushing; its mutations wait in the outbox for a new sign-in.
func (c *wsConn) recheck(ctx context.Context) error {
	if c.token == "" || c.user == nil {
		return nil
	}
	if _, err := c.s.Auth.Authenticate(ctx, c.token); err != nil {
		return err
	}
	return nil
}

func (c *wsConn) actor() outsync.Actor {
	return outsync.Actor{ClientID: c.clientID, User: c.user, Addr: c.addr}
}

// endSessions closes the websockets of a session that ended before its
// time: the one signed in with token, or, if token is "", every one of
// userID (the account was disabled or the kiosk revoked). They are told
// why, as at a hello, so the device asks to sign in again and keeps its
// outbox; pulls and pokes stop with the socket.
func (s *Server) endSessions(userID, token string) {
	which := "one_session"
	if token == "" {
		which = "all_sessions"
	}
	s.endWhere(userID, func(c *wsConn) bool { return token == "" || c.token == token }, which) // account.go
}

// Connections returns the number of open websockets: one per browser, not
// per tab, when tabs share a connection.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ws)
}
