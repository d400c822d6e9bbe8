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
// request: its function's error, or the transaction's. While Updates keep
// arriving it goes on with them on the same connection, each batch's
// transaction opened in the pipeline that commits the one before
// (runBatch): under load a batch costs one round trip, not two.
func (d *DB) commitBatch(batch []*groupcommit.Request) {
	for len(batch) > 0 {
		batch = d.commitOn(batch)
	}
}

// commitOn is commitBatch on one connection from the pool. If the
// connection breaks, it closes it and returns the Updates it took and has
// not answered.
func (d *DB) commitOn(batch []*groupcommit.Request) (left []*groupcommit.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	pc, err := d.pool.Acquire(ctx)
	cancel()
	if err != nil {
		for _, r := range batch {
			r.Answer(d.unreachable(err))
		}
		return nil
	}
	c := &writer{d: d, conn: pc.Conn()}
	defer func() {
		if c.broken { // a connection in an unknown state is closed, not reused
			c.conn.Close(context.Background())
		}
		pc.Release()
	}()
	var t *wtx // batch's transaction, if the commit before opened it
	for len(batch) > 0 && !c.broken {
		batch, t = c.commit(batch, t, true)
	}
	t.end()
	return batch
}

// writer is commitBatch's connection.
type writer struct {
	d         *DB
	conn      *pgx.Conn
	broken    bool      // a ROLLBACK failed: close the connection
	committed time.Time // when the last commit came back
}

// commit commits batch as commitBatch says, in the transaction t if the
// commit before opened it (else in a new one). If chain, it returns the
// Updates that were waiting when batch's functions had run, and their
// transaction if it was opened with batch's commit (else nil).
func (c *writer) commit(batch []*groupcommit.Request, t *wtx, chain bool) (next []*groupcommit.Request, nt *wtx) {
	failed := make([]error, len(batch)) // set: out of the batch, with its answer
	for {
		again, n, nt, err := c.runBatch(batch, failed, t, chain)
		next = append(next, n...)
		t, chain = nil, chain && len(next) == 0
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
					c.commit([]*groupcommit.Request{r}, nil, false)
				}
			}
			return next, nil
		}
		for i, r := range batch {
			if failed[i] != nil {
				r.Answer(failed[i])
			} else {
				r.Answer(err)
			}
		}
		return next, nt
	}
}

// rollback ends the transaction open on the connection, if any.
func (c *writer) rollback() {
	if _, err := c.conn.Exec(context.Background(), "ROLLBACK"); err != nil {
		c.broken = true
	}
}

// opening is a transaction whose opening statements are queued: BEGIN,
// the log lock, the head read (under READ COMMITTED each statement has its
// own snapshot, taken once the lock is granted, so it sees the commit of
// the lock's previous holder) and the reads the functions announced.
//
// An opening queued behind a commit only tries the lock
// (pg_try_advisory_xact_lock): PostgreSQL sends a pipeline's results when
// it reaches its end, so waiting there for another node's batch would hold
// back the answers of the batch just committed. If the lock was taken,
// the head and the reads after it stand; if not, the transaction is open
// without it and takeLock waits for it and reads them again.
type opening struct {
	batch  []*groupcommit.Request
	failed []error
	try    bool // only tried the lock
	began  time.Time
	read   func(pgx.BatchResults, *wtx) error
	ctx    context.Context // bounds the transaction, lock wait included
	cancel context.CancelFunc
}

// queueOpen queues the opening of a transaction for the live requests of
// batch on b (try: see opening).
func queueOpen(b *pgx.Batch, batch []*groupcommit.Request, failed []error, try bool) *opening {
	o := &opening{batch: batch, failed: failed, try: try, began: time.Now()}
	o.ctx, o.cancel = context.WithTimeout(context.Background(), batchTimeout)
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	o.queueLock(b)
	return o
}

// queueLock queues the lock (tried, if o.try), the head and the reads.
func (o *opening) queueLock(b *pgx.Batch) {
	var keys store.Keys
	for i, r := range o.batch {
		if o.failed == nil || o.failed[i] == nil {
			keys.Clients = append(keys.Clients, r.Keys.Clients...)
			keys.Records = append(keys.Records, r.Keys.Records...)
			keys.Local = append(keys.Local, r.Keys.Local...)
		}
	}
	if o.try {
		b.Queue("SELECT pg_try_advisory_xact_lock($1)", lockLog)
	} else {
		b.Queue("SELECT pg_advisory_xact_lock($1)", lockLog)
	}
	b.Queue("SELECT version FROM outpost_head")
	o.read = prefetch(b, keys)
}

// opened reads the answers to o's statements from br into a new wtx
// (begun: BEGIN was among them). It reports locked = false if the lock was
// only tried and not taken: then the head and reads are not to be used.
func (c *writer) opened(o *opening, br pgx.BatchResults, begun bool) (t *wtx, locked bool, err error) {
	var head int64
	if begun {
		_, err = br.Exec()
	}
	locked = true
	if err == nil && o.try {
		err = br.QueryRow().Scan(&locked)
	} else if err == nil {
		_, err = br.Exec()
	}
	if err == nil {
		err = br.QueryRow().Scan(&head)
	}
	t = newWtx(o.ctx, c.conn, uint64(head))
	t.opening = o
	if err == nil {
		err = o.read(br, t)
	}
	return t, locked, err
}

// takeLock waits for the lock o only tried, in the transaction it opened,
// and reads the head and the keys again after it.
func (c *writer) takeLock(o *opening) (*wtx, error) {
	o.try = false
	b := &pgx.Batch{}
	o.queueLock(b)
	br := c.conn.SendBatch(o.ctx, b)
	t, _, err := c.opened(o, br, false)
	return t, errors.Join(err, br.Close())
}

// runBatch runs the live functions of batch in one transaction and
// commits it. It returns again = true when a function failed after its
// writes reached PostgreSQL (its error set in failed, the transaction
// rolled back), else the transaction's error.
//
// Two round trips, pipelined: the opening (queueOpen), sent alone unless
// the commit before sent it (t); then, once the functions ran, their
// writes, the head, the notification and COMMIT, followed, if chain, by
// the opening of the next batch: the Updates waiting by then (next, with
// their transaction nt; nt is nil if it did not open, and next must then
// be opened afresh).
func (c *writer) runBatch(batch []*groupcommit.Request, failed []error, t *wtx, chain bool) (again bool, next []*groupcommit.Request, nt *wtx, err error) {
	d := c.d
	if t == nil {
		b := &pgx.Batch{}
		o := queueOpen(b, batch, failed, false)
		br := c.conn.SendBatch(o.ctx, b)
		t, _, err = c.opened(o, br, true)
		if err = errors.Join(err, br.Close()); err != nil {
			t.end()
			c.rollback()
			return false, nil, nil, d.unreachable(err)
		}
	}
	defer t.end()
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
				c.rollback()
				return true, nil, nil, nil
			}
		}
	}
	ran := time.Now()
	b := &pgx.Batch{}
	t.queueWrites(b)
	if t.head != t.base {
		b.Queue("UPDATE outpost_head SET version = $1", int64(t.head))
		b.Queue("SELECT pg_notify($1, $2)", notifyChannel, d.notifyPayload(t.head, t.base+1))
	}
	b.Queue("COMMIT")
	writes := b.Len()
	var o *opening
	if chain {
		if next = d.queue.Waiting(maxBatch); len(next) > 0 {
			o = queueOpen(b, next, nil, true)
		}
	}
	br := c.conn.SendBatch(t.ctx, b)
	var tag pgconn.CommandTag
	for range writes {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if err == nil && tag.String() != "COMMIT" {
		err = fmt.Errorf("the transaction was rolled back (%s)", tag)
	}
	if err != nil {
		br.Close()
		c.rollback()
		if o != nil {
			o.cancel()
		}
		return false, next, nil, fmt.Errorf("commit to PostgreSQL at %s: %w", d.where, err)
	}
	committed := time.Now()
	if o != nil {
		var locked bool
		nt, locked, err = c.opened(o, br, true)
		if err = errors.Join(err, br.Close()); err == nil && !locked {
			if nt, err = c.takeLock(o); nt != nil { // another node holds it
				nt.contended = true
			}
		}
		if err != nil {
			nt.end()
			c.rollback() // next opens afresh
			nt = nil
		}
	} else if err = br.Close(); err != nil {
		c.broken = true // committed, but the connection is in an unknown state
	}
	if d.observeBatch != nil { // a chained opening counts from the commit before it came back
		began := t.opening.began
		if c.committed.After(began) {
			began = c.committed
		}
		d.observeBatch(BatchFigures{Updates: groupcommit.Live(failed), Open: opened.Sub(began), Run: ran.Sub(opened), Commit: committed.Sub(ran), Contended: t.contended})
	}
	c.committed = committed
	return false, next, nt, nil
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
