package app

import (
	"encoding/json"

	"outpost/shared"
)

// identityKey is the local-storage key of the cached identity: who this
// device is signed in as, so it keeps working offline.
const identityKey = "identity"

// me is the identity this device is signed in as, nil when signed out. It
// is cached in local storage by signedIn and read at start.
func (c *Client) me() *shared.Identity {
	if c == nil {
		return nil
	}
	return c.who.Load()
}

// setMe records who this device is signed in as (nil: nobody).
func (c *Client) setMe(id *shared.Identity) { c.who.Store(id) }

// isStaff reports whether the signed-in user works tickets.
func (c *Client) isStaff() bool { return c.me().IsStaff() }

// apiError is the error body of the JSON API.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Key     string `json:"key"`
		Message string `json:"message"`
	} `json:"error"`
}

// errorFrom says what went wrong with an API call, in lang.
func errorFrom(lang string, status int, body []byte, err error) string {
	if err != nil {
		return t(lang, "signin.offline")
	}
	var e apiError
	if json.Unmarshal(body, &e) == nil && e.Error.Key != "" {
		if e.Error.Message != "" {
			return e.Error.Message
		}
		return t(lang, e.Error.Key)
	}
	return t(lang, "error.internal")
}

// signedIn switches the device to who just signed in: the same account
// carries on (its outbox goes out now); another account first needs this
// device's unsent changes gone, then the device becomes a new client.
func (c *Client) signedIn(who shared.Identity) error {
	prev := c.me()
	if prev == nil || prev.UserID == who.UserID {
		if c.Engine.Status().SignIn == "client.bound_elsewhere" {
			return c.Engine.SwitchClient()
		}
		c.Engine.Reconnect()
		return nil
	}
	if c.Engine.Status().Pending > 0 {
		return shared.Errorf(shared.ECONFLICT, "signin.other_pending", prev.Email)
	}
	return c.Engine.SwitchClient()
}

// signedOut makes the device a new, signed-out client. The caller makes
// sure nothing is waiting to be sent.
func (c *Client) signedOut() error { return c.Engine.SwitchClient() }
