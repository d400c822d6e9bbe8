//go:build !wasm

package app

// Notifications and what the user has seen live in the browser; natively
// (server prerender, tests) there is nothing to track.

func (c *Client) markSeen(id string, at int64) {}
func (c *Client) hasNews(id string) bool       { return false }
func notificationsAllowed() string             { return "" }
func askNotifications(done func(string))       {}
