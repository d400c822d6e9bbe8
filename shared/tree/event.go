package tree

import "outpost/shared"

// RunEvent is the argument of the "tree.event" mutation: an Event as the
// device records it, with an ID so the server counts it once even if the
// device queues it twice (after a crash between queueing it and noting
// that it did).
type RunEvent struct {
	ID string `json:"id"` // UUIDv7 made by the device
	Event
	CreatedAt int64 `json:"created_at"` // Unix milliseconds, as the device saw it
}

// Validate returns an EINVALID *shared.Error naming the first thing wrong
// with e.
func (e *RunEvent) Validate() error {
	switch {
	case !shared.ValidUUID(e.ID):
		return invalid("troubleshoot.event_bad_id", e.ID)
	case !shared.ValidSlug(e.Tree):
		return invalid("tree.bad_id", e.Tree)
	case !shared.ValidSlug(e.Node):
		return invalid("tree.node_bad_id", e.Node)
	case !knownKind(e.Kind):
		return invalid("troubleshoot.event_bad_kind", e.Kind)
	case e.CreatedAt < 0 || e.CreatedAt > 1<<53:
		return invalid("troubleshoot.event_bad_time")
	}
	return nil
}

func knownKind(kind string) bool {
	var c Counts
	return c.add(kind)
}

// TreeStats are the event counts of one tree, overall and by node: the
// "treestat" record the server keeps for agents. Nodes only holds nodes the
// tree had when their events arrived, so a device cannot grow it at will.
type TreeStats struct {
	Tree      string            `json:"tree"`
	Counts                      // the whole tree
	Nodes     map[string]Counts `json:"nodes"`
	UpdatedAt int64             `json:"updated_at"` // Unix milliseconds, server time
}

// Add counts e, at its node too if countNode. It reports whether e's kind
// is known; an unknown kind changes nothing.
func (s *TreeStats) Add(e Event, countNode bool, now int64) bool {
	if !s.Counts.add(e.Kind) {
		return false
	}
	s.Tree = e.Tree
	if countNode {
		if s.Nodes == nil {
			s.Nodes = map[string]Counts{}
		}
		n := s.Nodes[e.Node]
		n.add(e.Kind)
		s.Nodes[e.Node] = n
	}
	s.UpdatedAt = now
	return true
}
