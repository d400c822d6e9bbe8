//go:build !wasm

package app

// Start does nothing outside the browser: the server only prerenders.
func Start() {}
