package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"outpost/server/store"
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
// Writes stay on the node until the commit (writetx.go), so a function that
// fails is undone in memory and the batch goes on without it. Only when its
// writes reached PostgreSQL before it failed (a read that had to flush them)
// is the transaction rolled back and the batch run again without it: a
// function may run more than once.

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
		again, err := d.runBatch(batch, failed)
		if again {
			continue // rolled back: run the others again, without the failed one
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && groupcommit.Live(failed) > 1 {
			// PostgreSQL refused a statement carrying several functions'
			// writes: run each alone, so the refusal is answered to the one
			// whose writes it was.
			for i, r := range batch {
				if failed[i] != nil {
					r.Answer(failed[i])
				} else {
					d.commitBatch([]*groupcommit.Request{r})
				}
			}
			return
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
}

// runBatch runs the live functions of batch in one transaction and
// commits it. It returns again = true when a function failed after its
// writes reached PostgreSQL (its error set in failed, the transaction
// rolled back), else the transaction's error.
//
// Two round trips, pipelined, of five statements in all: BEGIN, the log
// lock, and one statement reading the head and the rows the functions
// announced (under READ COMMITTED each statement has its own snapshot,
// taken once the lock is granted, so it sees the commit of the lock's
// previous holder); then, once they ran, one statement with their writes,
// the head and the notification (writetx.go), and COMMIT.
func (d *DB) runBatch(batch []*groupcommit.Request, failed []error) (again bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	pc, err := d.pool.Acquire(ctx)
	if err != nil {
		return false, d.unreachable(err)
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
	var keys store.Keys
	for i, r := range batch {
		if failed[i] == nil {
			keys.Clients = append(keys.Clients, r.Keys.Clients...)
			keys.Records = append(keys.Records, r.Keys.Records...)
			keys.Local = append(keys.Local, r.Keys.Local...)
		}
	}
	began := time.Now()
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	b.Queue("SELECT pg_advisory_xact_lock($1)", lockLog)
	read := prefetch(b, keys) // the head, and the rows announced
	br := conn.SendBatch(ctx, b)
	t := newWtx(ctx, conn, 0)
	_, err = br.Exec()
	if err == nil {
		_, err = br.Exec()
	}
	if err == nil {
		t.head, err = read(br, t)
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return false, d.unreachable(err)
	}
	head := t.head
	opened := time.Now()
	for i, r := range batch {
		if failed[i] != nil {
			continue
		}
		t.now = d.now()
		m := t.mark()
		if err := r.Fn(t); err != nil {
			failed[i] = err
			if !t.undoTo(m) {
				return true, nil
			}
		}
	}
	ran := time.Now()
	b = &pgx.Batch{}
	w := t.writes()
	if t.head != head {
		w.add("UPDATE outpost_head SET version = $1", int64(t.head))
		w.queue(b, "SELECT pg_notify($1, $2)", notifyChannel, d.notifyPayload(t.head, head+1))
	} else {
		w.queue(b, "")
	}
	b.Queue("COMMIT")
	br = conn.SendBatch(ctx, b)
	var tag pgconn.CommandTag
	for range b.Len() {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return false, fmt.Errorf("commit to PostgreSQL at %s: %w", d.where, err)
	}
	if tag.String() != "COMMIT" {
		return false, fmt.Errorf("commit to PostgreSQL at %s: the transaction was rolled back (%s)", d.where, tag)
	}
	done = true
	if t.head != head {
		d.own.add(head+1, t.head)
	}
	if d.observeBatch != nil {
		d.observeBatch(BatchFigures{Updates: groupcommit.Live(failed), Open: opened.Sub(began), Run: ran.Sub(opened), Commit: time.Since(ran)})
	}
	return false, nil
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
