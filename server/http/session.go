package http

import (
	"context"
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

// authenticate reads the session cookie of the upgrade request.
func (c *wsConn) authenticate(r *http.Request) {
	ck, err := r.Cookie(auth.CookieName)
	if err != nil || ck.Value == "" {
		return
	}
	c.token = ck.Value
	u, err := c.s.Auth.Authenticate(r.Context(), c.token)
	if err != nil {
		c.authKey, _ = shared.ErrorKey(err)
		return
	}
	id := u.Identity()
	c.user = &id
}

// bind checks that the client ID is this account's, binding it to the
// account on first use: a session cannot push as another account's device,
// whose sequence numbers it could otherwise spoil. A device that filed
// tickets signed out and now signs in gets them claimed for its user.
func (c *wsConn) bind(ctx context.Context) error {
	return c.s.Sync.Store.Update(ctx, func(tx store.Tx) error {
		owner, err := tx.GetLocal(kindClient, c.clientID)
		switch code := shared.ErrorCode(err); {
		case code == shared.ENOTFOUND:
			if c.user == nil {
				return nil // signed out: nothing to bind to
			}
			if err := tx.PutLocal(kindClient, c.clientID, []byte(c.user.UserID), time.Time{}); err != nil {
				return err
			}
			return outsync.Claim(tx, c.clientID, *c.user)
		case err != nil:
			return err
		case c.user != nil && string(owner) == c.user.UserID:
			return nil
		case c.user == nil && c.authKey != "":
			return nil // a refused session: the client only waits for a sign-in
		}
		return shared.Errorf(shared.EFORBIDDEN, "client.bound_elsewhere")
	})
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
	return outsync.Actor{ClientID: c.clientID, User: c.user}
}

// Connections returns the number of open websockets: one per browser, not
// per tab, when tabs share a connection.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ws)
}
