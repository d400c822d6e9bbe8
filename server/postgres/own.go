package postgres

import "sync"

// ownKept is how many of its latest batches a node remembers as its own.
// Following the other nodes reads the change log a few milliseconds behind
// the commits; a batch forgotten before that is only poked for twice.
const ownKept = 4096

// ownWrites remembers the version ranges this node committed, in commit
// order (one writer per node: each range is above the ones before).
type ownWrites struct {
	mu     sync.Mutex
	lo, hi [ownKept]uint64 // a ring: range i is at i % ownKept
	n      int             // ranges ever added
}

func (o *ownWrites) add(lo, hi uint64) {
	o.mu.Lock()
	if o.n > 0 && lo <= o.hi[(o.n-1)%ownKept] {
		o.n = 0 // the log went back (a failover, a restore): what it held is not this node's
	}
	o.lo[o.n%ownKept], o.hi[o.n%ownKept] = lo, hi
	o.n++
	o.mu.Unlock()
}

// reset forgets every range: the database's history is another one now
// (a new epoch), and versions remembered may be written again by others.
func (o *ownWrites) reset() {
	o.mu.Lock()
	o.n = 0
	o.mu.Unlock()
}

// has reports whether v is in a range still remembered.
func (o *ownWrites) has(v uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	first, last := max(o.n-ownKept, 0), o.n-1
	for first <= last { // the ranges are ordered: binary search
		mid := (first + last) / 2
		switch i := mid % ownKept; {
		case v < o.lo[i]:
			last = mid - 1
		case v > o.hi[i]:
			first = mid + 1
		default:
			return true
		}
	}
	return false
}

// WroteHere implements store.OwnWrites: whether this node committed
// version v (among its last ownKept batches).
func (d *DB) WroteHere(v uint64) bool { return d.own.has(v) }
