package sync

import (
	"slices"
	"testing"

	"outpost/shared"
)

// TestEveryMutationHasAHandler keeps the handler table and shared's list of
// mutation names in step: a name the server cannot apply would be rejected
// as unknown on every device that sends it, and a handler under a name no
// device knows is dead code.
func TestEveryMutationHasAHandler(t *testing.T) {
	for _, name := range shared.Mutations {
		if handlers[name] == nil {
			t.Errorf("handlers[%q] = nil; want the handler of a mutation shared names", name)
		}
	}
	for name := range handlers {
		if !slices.Contains(shared.Mutations, name) {
			t.Errorf("handlers has %q, which shared.Mutations does not name", name)
		}
	}
	seen := map[string]bool{}
	for _, name := range shared.Mutations {
		if seen[name] {
			t.Errorf("shared.Mutations names %q twice", name)
		}
		seen[name] = true
	}
}
