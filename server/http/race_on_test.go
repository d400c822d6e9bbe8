//go:build race

package http_test

// raceEnabled: the race detector slows the code under test several times,
// so tests that measure progress against a deadline give it longer.
const raceEnabled = true
