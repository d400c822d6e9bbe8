package badger

import (
	"errors"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store"
)

// Group commit. Every Update goes to one writer goroutine, which runs the
// Updates waiting at that moment in one Badger transaction and commits them
// with one sync: under load, many mutations share a disk flush instead of
// queueing for one each. Alone, an Update is committed at once.
//
// A function that fails must leave no writes, and Badger has no savepoints:
// the writer drops the transaction and runs the batch again without the
// failed function, in a new one. So a function may run more than once; only
// the writes of the run that is committed are kept, and it must have no
// effect but through its Tx (results it sets on each run are fine). If the
// batch grows too big for one transaction, its functions are committed one
// by one.

// maxBatch bounds the Updates committed together.
const maxBatch = 256

// updateReq is an Update waiting for the writer.
type updateReq struct {
	fn   func(store.Tx) error
	done chan error
}

// writer commits batches of Updates until the database closes.
func (d *DB) writer() {
	defer close(d.writerDone)
	for {
		var first *updateReq
		select {
		case first = <-d.reqs:
		case <-d.closing:
			return
		}
		batch := []*updateReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-d.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		d.commitBatch(batch)
	}
}

// commitBatch runs batch in one transaction and commits it, answering each
// request: its function's error, or the commit's.
func (d *DB) commitBatch(batch []*updateReq) {
	failed := make([]error, len(batch)) // set: out of the batch, with its answer
	for {
		txn := d.db.NewTransaction(true)
		bad := -1
		for i, r := range batch {
			if failed[i] != nil {
				continue
			}
			if err := r.fn(d.newTx(txn)); err != nil {
				failed[i], bad = err, i
				break
			}
		}
		if bad < 0 {
			err := txn.Commit()
			if d.observeBatch != nil {
				d.observeBatch(live(failed))
			}
			for i, r := range batch {
				if failed[i] != nil {
					r.done <- failed[i]
				} else {
					r.done <- err
				}
			}
			return
		}
		txn.Discard()
		if errors.Is(failed[bad], badger.ErrTxnTooBig) && live(failed) > 0 {
			// Too big together: one by one (alone, too big is its error).
			failed[bad] = nil
			for i, r := range batch {
				if failed[i] != nil {
					r.done <- failed[i]
				} else {
					d.commitBatch([]*updateReq{r})
				}
			}
			return
		}
		if live(failed) == 0 {
			for i, r := range batch {
				r.done <- failed[i]
			}
			return
		}
		// Run the others again, without the failed one.
	}
}

// live counts the requests still in the batch.
func live(failed []error) int {
	n := 0
	for _, err := range failed {
		if err == nil {
			n++
		}
	}
	return n
}
