package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"outpost/server/store/groupcommit"
)

// Group commit, as on Badger (server/badger/commit.go). Every Update of this
// node goes to one writer goroutine (store/groupcommit), which runs the Updates waiting at that
// moment in one transaction: one log lock, one head read, one commit (and
// one WAL flush) for many mutations. Alone, an Update is committed at once.
//
// The transaction is READ COMMITTED and takes the log lock first, so every
// read after it (the head, a client's last sequence, "is this ID free")
// sees every transaction committed before, on any node: two nodes handed
// the same client's mutation apply it once, since the second reads the
// sequence the first committed. It notifies `outpost` with the new head, so
// other nodes poke their sockets; PostgreSQL delivers it on commit only.
//
// A function that fails leaves no writes: the transaction is rolled back
// and the batch runs again without it (a failed statement aborts the whole
// PostgreSQL transaction, so savepoints would cost a round trip per Update
// for the rare failure). So a function may run more than once.

// maxBatch bounds the Updates committed together.
const maxBatch = 256

// batchTimeout bounds one batch transaction, lock wait included.
const batchTimeout = 30 * time.Second

// notifyChannel is the channel every write transaction notifies.
const notifyChannel = "outpost"

// commitBatch runs batch in one transaction and commits it, answering each
// request: its function's error, or the transaction's.
func (d *DB) commitBatch(batch []*groupcommit.Request) {
	failed := make([]error, len(batch)) // set: out of the batch, with its answer
	for {
		bad, err := d.runBatch(batch, failed)
		if bad < 0 || err != nil {
			for i, r := range batch {
				if failed[i] != nil {
					r.Answer(failed[i])
				} else {
					r.Answer(err)
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

// runBatch runs the live functions of batch in one transaction. It returns
// the index of a function that failed (its error set in failed, nothing
// committed), or -1 and the transaction's error.
//
// The transaction's own statements take two round trips: BEGIN, the lock
// and the head read in one (simple protocol; under READ COMMITTED each
// statement has its own snapshot, so the head read sees the commit of the
// lock's previous holder), and the head, the notification and COMMIT in
// the other. A node pushing one mutation at a time waits on the database
// for little more than the mutation's own statements.
func (d *DB) runBatch(batch []*groupcommit.Request, failed []error) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	pc, err := d.pool.Acquire(ctx)
	if err != nil {
		return -1, d.unreachable(err)
	}
	conn := pc.Conn()
	done := false
	defer func() {
		if !done { // roll back; a connection in an unknown state is closed, not reused
			if _, err := conn.Exec(context.Background(), "ROLLBACK"); err != nil {
				conn.Close(context.Background())
			}
		}
		pc.Release()
	}()
	rs, err := conn.PgConn().Exec(ctx, fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d); SELECT version FROM outpost_head", lockLog)).ReadAll()
	if err != nil {
		return -1, d.unreachable(err)
	}
	if len(rs) != 3 || len(rs[2].Rows) != 1 {
		return -1, fmt.Errorf("read the change-log head: %d results", len(rs))
	}
	head, err := strconv.ParseUint(string(rs[2].Rows[0][0]), 10, 64)
	if err != nil {
		return -1, fmt.Errorf("read the change-log head: %w", err)
	}
	t := &txn{ctx: ctx, q: conn, write: true, head: head}
	for i, r := range batch {
		if failed[i] != nil {
			continue
		}
		t.now = d.now()
		if err := r.Fn(t); err != nil {
			failed[i] = err
			return i, nil
		}
	}
	end := "COMMIT"
	if t.head != head {
		end = fmt.Sprintf("UPDATE outpost_head SET version = %d; SELECT pg_notify('%s', '%s'); COMMIT",
			t.head, notifyChannel, d.notifyPayload(t.head, head+1))
	}
	rs, err = conn.PgConn().Exec(ctx, end).ReadAll()
	if err != nil {
		return -1, fmt.Errorf("commit to PostgreSQL at %s: %w", d.where, err)
	}
	if tag := rs[len(rs)-1].CommandTag.String(); tag != "COMMIT" {
		return -1, fmt.Errorf("commit to PostgreSQL at %s: the transaction was rolled back (%s)", d.where, tag)
	}
	done = true
	return -1, nil
}

// lockHead takes the log lock and reads the head, in two statements: under
// READ COMMITTED the second's snapshot is taken after the lock is granted,
// so it sees the commit of the transaction that held the lock before.
func lockHead(ctx context.Context, tx pgx.Tx) (uint64, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockLog); err != nil {
		return 0, err
	}
	var head int64
	if err := tx.QueryRow(ctx, "SELECT version FROM outpost_head").Scan(&head); err != nil {
		return 0, err
	}
	return uint64(head), nil
}
