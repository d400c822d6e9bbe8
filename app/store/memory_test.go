package store

import "testing"

func TestMemory(t *testing.T) {
	testContract(t, func(t *testing.T) (Store, func() Store) {
		m := NewMemory()
		return m, func() Store { return m }
	})
}
