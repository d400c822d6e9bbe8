// Package postgres implements store.Store on PostgreSQL, so that several
// Outpost nodes can share one database.
//
// Tables (migrations/*.sql, applied at Open, versioned in outpost_schema):
//
//	records       (typ, id) → version, deleted, data bytea: the records
//	              and the change log at once, one row per record at its
//	              latest version (unique index on version)
//	outpost_head  the latest change-log version
//	clients       last applied mutation sequence per client
//	local         unlogged data (kind, key) → data, expires_at (Unix ms by
//	              the store's clock, 0 = never)
//	outpost_meta  epoch, and the cluster and timeline it was made on
//
// The change log stays dense and in commit order with several writers on
// several nodes: every write transaction runs READ COMMITTED and first takes
// the log lock (pg_advisory_xact_lock), then reads outpost_head, numbers its
// writes head+1…, and commits. The lock is released only after the commit is
// visible, so the next writer reads a head that includes it, and a reader
// whose snapshot shows head H sees every version up to H: a pull cursor
// never passes a write that commits late. Per node, Updates waiting at the
// same moment share one transaction (commit.go), as on Badger.
//
// Expiry of unlogged data follows the store's clock (WithClock), compared
// on every read; a periodic DELETE of rows a day past it is garbage
// collection only.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"outpost/server/store"
	"outpost/server/store/groupcommit"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// Advisory lock keys ("outpost" and a number), shared by every node.
const (
	lockLog     int64 = 0x6f75_7470_6f73_7401 // the change log: held by every write transaction
	lockMigrate int64 = 0x6f75_7470_6f73_7402 // schema migrations and the epoch, at Open
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a PostgreSQL-backed store.Store. Several DBs (on several nodes) may
// share one database.
type DB struct {
	pool         *pgxpool.Pool
	log          *slog.Logger
	clock        clock.Clock            // the store's clock: timers, tickers, outages (WithClock)
	now          func() time.Time       // clock.Now: expiry of unlogged data follows it
	epoch        atomic.Pointer[string] // changes when the database does (epoch.go)
	where        string                 // host:port/database, for error messages (no password)
	node         string                 // a random ID of this handle: whose commit a notification is
	own          ownWrites              // the versions this handle committed (own.go)
	listenPID    atomic.Uint32          // the backend of Follow's connection, for tests
	tracer       pgx.QueryTracer        // set by tests: sees every statement
	observeBatch func(BatchFigures)     // WithBatchObserver, or nil

	reach     reach              // whether PostgreSQL answers (reach.go)
	queue     *groupcommit.Queue // Updates, to the writer (commit.go)
	closing   chan struct{}      // closed by Close
	gcDone    chan struct{}
	closeOnce sync.Once
}

var _ store.Store = (*DB)(nil)

// Option configures Open.
type Option func(*DB)

// WithClock makes c the store's clock (the same clock the services are
// given): expiry of unlogged data follows it, and so do the waits of the
// store's own loops (the job leases' retry and check, LISTEN's reconnect
// backoff and head poll, the hourly expiry sweep) and the start of an
// outage. The default is the wall clock. Timeouts that bound a statement
// or a connection stay on the wall clock: they bound real I/O.
func WithClock(c clock.Clock) Option {
	return func(d *DB) { d.clock = c }
}

// openTimeout bounds reaching the database at Open.
const openTimeout = 15 * time.Second

// Open connects to the database at dsn (a postgres:// URL or key=value
// string), applies the schema migrations it lacks, and returns the store.
// It refuses a database whose schema is newer than this Outpost knows.
func Open(ctx context.Context, dsn string, log *slog.Logger, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL address is not valid: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	d := &DB{
		log: log, clock: clock.Real{},
		where:   fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database),
		closing: make(chan struct{}), gcDone: make(chan struct{}),
	}
	for _, o := range opts {
		o(d)
	}
	d.clock = clock.Or(d.clock)
	d.now = d.clock.Now
	d.node = newEpoch()
	if d.tracer != nil {
		cfg.ConnConfig.Tracer = d.tracer
	}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if d.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", d.where, err)
	}
	if err := d.pool.Ping(ctx); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", d.where, err)
	}
	if err := d.migrate(ctx); err != nil {
		d.pool.Close()
		return nil, err
	}
	d.queue = groupcommit.Start(maxBatch, d.commitBatch, ErrClosed)
	go d.collectGarbage()
	return d, nil
}

// migrations are the embedded schema steps, in order: file n is schema
// version n.
func migrations() ([]string, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []string
	for i, name := range names {
		n, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil || n != i+1 {
			return nil, fmt.Errorf("migration %s is out of sequence (want number %d)", name, i+1)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

// SchemaVersion is the newest schema this Outpost knows.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// migrate brings the schema up to date and settles the epoch, in one
// transaction under the migration lock, so nodes starting together take
// turns and a failed step leaves the schema as it was.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var epoch string
	err = pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockMigrate); err != nil {
			return fmt.Errorf("PostgreSQL at %s: %w", d.where, err)
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS outpost_schema (version int NOT NULL)"); err != nil {
			return fmt.Errorf("create the schema version table in %s: %w", d.where, err)
		}
		var cur int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM outpost_schema").Scan(&cur); err != nil {
			return fmt.Errorf("read the schema version: %w", err)
		}
		if cur > len(ms) {
			return fmt.Errorf("the database at %s has schema version %d, newer than this Outpost knows (%d): run a newer Outpost", d.where, cur, len(ms))
		}
		for n := cur + 1; n <= len(ms); n++ {
			if _, err := tx.Exec(ctx, ms[n-1]); err != nil {
				return fmt.Errorf("schema migration %d: %w", n, err)
			}
			if _, err := tx.Exec(ctx, "DELETE FROM outpost_schema"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO outpost_schema (version) VALUES ($1)", n); err != nil {
				return err
			}
			d.log.Info("applied schema migration", "version", n, "database", d.where)
		}
		if epoch, err = d.settleEpoch(ctx, tx); err != nil {
			return err
		}
		return buildScopes(ctx, tx) // scope.go
	})
	if err == nil {
		d.epoch.Store(&epoch) // once committed
	}
	return err
}

// Close stops the writer and closes the connections.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		d.queue.Close()
		close(d.closing)
		<-d.gcDone
		d.pool.Close()
	})
	return nil
}

// gcMargin is how long unlogged data is kept past its expiry by the store's
// clock: room for nodes whose clocks disagree a little.
const gcMargin = 24 * time.Hour

// collectGarbage deletes unlogged data long expired, at start and hourly.
// Any node may; a row deleted twice is no harm.
func (d *DB) collectGarbage() {
	defer close(d.gcDone)
	t, tick := d.clock.NewTicker(time.Hour)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cut := d.now().Add(-gcMargin).UnixMilli()
		if _, err := d.pool.Exec(ctx, "DELETE FROM local WHERE expires_at <> 0 AND expires_at < $1", cut); err != nil {
			d.log.Warn("delete expired unlogged data", "err", err)
		}
		cancel()
		select {
		case <-tick:
		case <-d.closing:
			return
		}
	}
}

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("the PostgreSQL store is closed")

// Update implements store.Store.
func (d *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	return d.seen(d.queue.Update(ctx, fn))
}

// UpdateKeys implements store.Prefetcher: keys are read with the batch's
// log lock, in the same round trip (writetx.go).
func (d *DB) UpdateKeys(ctx context.Context, keys store.Keys, fn func(store.Tx) error) error {
	return d.seen(d.queue.UpdateKeys(ctx, keys, fn))
}

// View implements store.Store: a read-only REPEATABLE READ transaction, one
// snapshot for all fn reads.
func (d *DB) View(ctx context.Context, fn func(store.ReadTx) error) error {
	return d.seen(d.view(ctx, fn))
}

func (d *DB) view(ctx context.Context, fn func(store.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return d.unreachable(err)
	}
	defer tx.Rollback(context.Background())
	if err := fn(&txn{ctx: ctx, q: tx, now: d.now()}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// unreachable words a failure to begin a transaction.
func (d *DB) unreachable(err error) error {
	return fmt.Errorf("PostgreSQL at %s: %w", d.where, err)
}

// changesChunk is how many log rows a pull reads per query.
const changesChunk = 500

// Changes implements store.Store, in one statement per chunk of the log
// and no transaction around them: a pull, or a node following the others,
// costs one round trip. The first chunk reads the head in its own snapshot
// (which holds every version up to it: commits are in version order); the
// later ones stop at that head, so a record that moved past it meanwhile
// is not sent twice, and comes with the next pull, from the head on.
func (d *DB) Changes(ctx context.Context, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, false, err
	}
	cursor = since
	head := int64(-1)
	size := 0
	for {
		var rows pgx.Rows
		if head < 0 {
			rows, _ = d.pool.Query(ctx, `SELECT h.version, r.version, r.typ, r.id, r.deleted, r.data FROM outpost_head h
				LEFT JOIN LATERAL (SELECT version, typ, id, deleted, data FROM records
					WHERE version > $1 AND version <= h.version ORDER BY version LIMIT $2) r ON true`, int64(cursor), changesChunk)
		} else {
			rows, _ = d.pool.Query(ctx, `SELECT $3::bigint, version, typ, id, deleted, data FROM records
				WHERE version > $1 AND version <= $3 ORDER BY version LIMIT $2`, int64(cursor), changesChunk, head)
		}
		var h int64
		var v *int64
		var typ, id *string
		var deleted *bool
		var data []byte
		n, full := 0, false
		_, err := pgx.ForEachRow(rows, []any{&h, &v, &typ, &id, &deleted, &data}, func() error {
			head = h
			if v == nil || full {
				return nil // no change after cursor (the head alone), or past the page
			}
			n++
			if len(changes) >= limit || size >= maxBytes {
				full = true
				return nil
			}
			cursor = uint64(*v)
			if !*deleted && !visible(*typ, data) {
				return nil
			}
			c := wire.Change{V: uint64(*v), Type: *typ, ID: *id, Deleted: *deleted}
			if !*deleted {
				c.Data = slices.Clone(data)
			}
			changes = append(changes, c)
			size += len(data) + len(*id) + 32
			return nil
		})
		if err != nil {
			return nil, 0, false, fmt.Errorf("read the change log: %w", d.seen(d.unreachable(err)))
		}
		if full {
			return changes, cursor, true, d.seen(nil)
		}
		if n < changesChunk {
			return changes, uint64(head), false, d.seen(nil)
		}
	}
}

// Remaining implements store.Store.
func (d *DB) Remaining(ctx context.Context, since uint64) (int, error) {
	var n int
	err := d.pool.QueryRow(ctx, "SELECT count(*) FROM records WHERE version > $1", int64(since)).Scan(&n)
	if err != nil {
		return 0, d.seen(d.unreachable(err))
	}
	return n, d.seen(nil)
}

// querier runs statements in a transaction: a pgx.Tx (View) or a
// connection with one open (the writer's, commit.go).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// txn is a store.ReadTx on a PostgreSQL transaction (View); writes go
// through wtx (writetx.go).
type txn struct {
	ctx context.Context
	q   querier
	now time.Time // one instant per transaction, by the store's clock
}

func checkKey(what, a, b string) error {
	for _, s := range []string{a, b} {
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			return fmt.Errorf("bad %s key %q/%q: not valid UTF-8 text", what, a, b)
		}
	}
	if a == "" || strings.Contains(a, "/") || b == "" {
		return fmt.Errorf("bad %s key %q/%q", what, a, b)
	}
	return nil
}

func (t *txn) Get(typ, id string) ([]byte, error) {
	var data []byte
	err := t.q.QueryRow(t.ctx, "SELECT data FROM records WHERE typ = $1 AND id = $2 AND NOT deleted", typ, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", typ, id)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s/%s: %w", typ, id, err)
	}
	return data, nil
}

func (t *txn) Each(typ string, fn func(id string, data []byte) error) error {
	rows, _ := t.q.Query(t.ctx, "SELECT id, data FROM records WHERE typ = $1 AND NOT deleted ORDER BY id", typ)
	var id string
	var data []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &data}, func() error { return fn(id, slices.Clone(data)) })
	return err
}

func (t *txn) LastSeq(clientID string) (uint64, error) {
	var seq int64
	err := t.q.QueryRow(t.ctx, "SELECT seq FROM clients WHERE id = $1", clientID).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get the last sequence of %s: %w", clientID, err)
	}
	return uint64(seq), nil
}

func (t *txn) Version() (uint64, error) {
	var v int64
	if err := t.q.QueryRow(t.ctx, "SELECT version FROM outpost_head").Scan(&v); err != nil {
		return 0, fmt.Errorf("read the change-log head: %w", err)
	}
	return uint64(v), nil
}

func (t *txn) GetLocal(kind, key string) ([]byte, error) {
	if err := checkKey("local", kind, key); err != nil {
		return nil, err
	}
	var data []byte
	var exp int64
	err := t.q.QueryRow(t.ctx, "SELECT data, expires_at FROM local WHERE kind = $1 AND key = $2", kind, key).Scan(&data, &exp)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && exp != 0 && t.now.UnixMilli() >= exp {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", kind, key)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s/%s: %w", kind, key, err)
	}
	return data, nil
}

// Where says which database the store uses (host:port/database), for logs.
func (d *DB) Where() string { return d.where }
