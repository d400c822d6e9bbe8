//go:build !wasm

package app

// Start returns nil outside the browser: the server only prerenders
// (see Prerender).
func Start() *Client { return nil }
