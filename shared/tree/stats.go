package tree

// Kinds of run events.
const (
	EventStarted   = "started"
	EventSolved    = "solved"
	EventEscalated = "escalated"
	EventAbandoned = "abandoned"
)

// Event is what the app records about a run: that it started (Node is the
// start node) or how it ended and at which node.
type Event struct {
	Tree string `json:"tree"`
	Node string `json:"node"`
	Kind string `json:"kind"`
}

// Counts are the numbers of events of each kind.
type Counts struct {
	Started   int `json:"started"`
	Solved    int `json:"solved"`
	Escalated int `json:"escalated"`
	Abandoned int `json:"abandoned"`
}

// NodeKey names a node of a tree.
type NodeKey struct {
	Tree string
	Node string
}

// Stats are event counts per tree and per node. A node's counts say how
// many runs started, were solved, escalated or abandoned there: a node where
// many runs are abandoned is a question users cannot answer.
type Stats struct {
	Trees map[string]Counts
	Nodes map[NodeKey]Counts
	// Unknown counts events of a kind this version does not know, which are
	// otherwise left out.
	Unknown int
}

// Tally counts events.
func Tally(events []Event) Stats {
	s := Stats{Trees: map[string]Counts{}, Nodes: map[NodeKey]Counts{}}
	for _, e := range events {
		k := NodeKey{e.Tree, e.Node}
		tc, nc := s.Trees[e.Tree], s.Nodes[k]
		if !tc.add(e.Kind) {
			s.Unknown++
			continue
		}
		nc.add(e.Kind)
		s.Trees[e.Tree], s.Nodes[k] = tc, nc
	}
	return s
}

// add counts one event of kind, and reports whether kind is known.
func (c *Counts) add(kind string) bool {
	switch kind {
	case EventStarted:
		c.Started++
	case EventSolved:
		c.Solved++
	case EventEscalated:
		c.Escalated++
	case EventAbandoned:
		c.Abandoned++
	default:
		return false
	}
	return true
}
