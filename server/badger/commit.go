package badger

import (
	"errors"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store/groupcommit"
)

// Group commit. Every Update goes to one writer goroutine (store/groupcommit),
// which runs the Updates waiting at that moment in one Badger transaction
// and commits them with one sync: under load, many mutations share a disk flush instead of
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

// commitBatch runs batch in one transaction and commits it, answering each
// request: its function's error, or the commit's.
func (d *DB) commitBatch(batch []*groupcommit.Request) {
	failed := make([]error, len(batch)) // set: out of the batch, with its answer
	for {
		txn := d.db.NewTransaction(true)
		bad := -1
		for i, r := range batch {
			if failed[i] != nil {
				continue
			}
			if err := r.Fn(d.newTx(txn)); err != nil {
				failed[i], bad = err, i
				break
			}
		}
		if bad < 0 {
			err := txn.Commit()
			if d.observeBatch != nil {
				d.observeBatch(groupcommit.Live(failed))
			}
			for i, r := range batch {
				if failed[i] != nil {
					r.Answer(failed[i])
				} else {
					r.Answer(err)
				}
			}
			return
		}
		txn.Discard()
		if errors.Is(failed[bad], badger.ErrTxnTooBig) && groupcommit.Live(failed) > 0 {
			// Too big together: one by one (alone, too big is its error).
			failed[bad] = nil
			for i, r := range batch {
				if failed[i] != nil {
					r.Answer(failed[i])
				} else {
					d.commitBatch([]*groupcommit.Request{r})
				}
			}
			return
		}
		if groupcommit.Live(failed) == 0 {
			for i, r := range batch {
				r.Answer(failed[i])
			}
			return
		}
		// Run the others again, without the failed one.
	}
}
