//go:build race

package http_test

// raceEnabled: the race detector slows the code under test several times,
// so the convergence tests run without it (skipUnderRace).
const raceEnabled = true
