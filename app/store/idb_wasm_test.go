package store

import (
	"fmt"
	"testing"
)

// TestIDB runs the contract on IndexedDB. Under Node the Makefile preloads
// fake-indexeddb, a spec-conformant implementation; the e2e suite covers
// Chromium's own.
func TestIDB(t *testing.T) {
	n := 0
	testContract(t, func(t *testing.T) (Store, func() Store) {
		n++
		name := fmt.Sprintf("test-%s-%d", t.Name(), n)
		s, err := OpenIDB(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s, func() Store {
			again, err := OpenIDB(name)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(again.Close)
			return again
		}
	})
}
