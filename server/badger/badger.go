// Package badger implements store.Store on Badger, an embedded key-value
// store: one data directory, no extra process.
//
// Keys:
//
//	r/<type>/<id>   record: 8-byte version, 1 flag byte (1 = deleted), data
//	l/<version>     change log, 8-byte big-endian version → "<type>/<id>"
//	c/<client id>   last applied mutation sequence, 8 bytes
//	m/version       latest change-log version, 8 bytes
//	m/epoch         random ID made when the database was created
//	s/, x/, m/scopes the scope index of the change log (scope.go)
//	u2/<kind>/<key> unlogged server-only data (sessions, password hashes,
//	                unique indexes): 8-byte expiry (Unix ms by the store's
//	                clock, 0 = never), then the data; no version, not in the
//	                change log, never pulled. (u/<kind>/<key>, without the
//	                expiry, is the old layout: Open moves it to u2/.)
//
// Expiry follows the store's clock (WithClock; the wall clock by default),
// never Badger's: GetLocal compares the stored expiry with it. Badger's TTL
// only collects the garbage, a day after the expiry as the clock saw it
// when the data was written, so a clock that is not the wall clock (a test's,
// a server whose clock was set back) never loses data early.
//
// Each record has exactly one log entry, at its latest version: Put deletes
// the old entry in the same transaction, so the log stays as small as the
// data and a pull never sends a record twice.
package badger

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store"
	"outpost/server/store/groupcommit"
	"outpost/shared"
	"outpost/shared/wire"
)

// DB is a Badger-backed store.Store.
type DB struct {
	db    *badger.DB
	epoch string
	now   func() time.Time // expiry of unlogged data follows this clock

	observeBatch func(updates int) // WithBatchObserver, or nil
	bulk         bool              // WithBulkLoad

	// Updates go to one writer goroutine (commit.go), so versions commit
	// in order and concurrent Updates share a sync.
	queue *groupcommit.Queue
}

var _ store.Store = (*DB)(nil)

// Option configures Open.
type Option func(*DB)

// WithClock makes now the clock that expiry of unlogged data follows (the
// same clock the services are given); the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(d *DB) { d.now = now }
}

// Open opens (creating if needed) the store in dir. An empty dir opens an
// in-memory store, for tests.
func Open(dir string, log *slog.Logger, opts ...Option) (*DB, error) {
	bopts := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithSyncWrites(true). // an acknowledged mutation survives a crash
		WithNumVersionsToKeep(1).
		// Every write transaction runs on the one group-commit writer
		// (commit.go), one at a time: none can conflict with another, so
		// Badger need not track what each read.
		WithDetectConflicts(false)
	if dir == "" {
		bopts = bopts.WithInMemory(true)
	}
	d := &DB{now: time.Now}
	for _, o := range opts {
		o(d)
	}
	if d.bulk {
		bopts = bopts.WithSyncWrites(false)
	}
	db, err := badger.Open(bopts)
	if err != nil {
		return nil, fmt.Errorf("open badger in %q: %w", dir, err)
	}
	d.db = db
	if err := d.loadEpoch(); err != nil {
		db.Close()
		return nil, err
	}
	if err := d.moveOldLocal(); err != nil {
		db.Close()
		return nil, err
	}
	if err := d.buildScopes(); err != nil { // scope.go
		db.Close()
		return nil, err
	}
	d.queue = groupcommit.Start(maxBatch, d.commitBatch, badger.ErrDBClosed)
	return d, nil
}

// loadEpoch reads the database's epoch, making one on first open.
func (d *DB) loadEpoch() error {
	return d.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(keyEpoch)
		if err == nil {
			b, err := item.ValueCopy(nil)
			d.epoch = string(b)
			return err
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("read epoch: %w", err)
		}
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		d.epoch = hex.EncodeToString(b[:])
		return txn.Set(keyEpoch, []byte(d.epoch))
	})
}

// Epoch implements store.Store.
func (d *DB) Epoch() string { return d.epoch }

// Close flushes and closes the database.
func (d *DB) Close() error {
	d.queue.Close()
	return d.db.Close()
}

var (
	keyVersion = []byte("m/version")
	keyEpoch   = []byte("m/epoch")
	prefixLog  = []byte("l/")
)

func recordKey(typ, id string) []byte { return []byte("r/" + typ + "/" + id) }
func clientKey(id string) []byte      { return []byte("c/" + id) }

func localKey(kind, key string) ([]byte, error) {
	if kind == "" || strings.Contains(kind, "/") || key == "" {
		return nil, fmt.Errorf("bad local key %q/%q", kind, key)
	}
	return []byte("u2/" + kind + "/" + key), nil
}

// moveOldLocal moves unlogged data of the old layout (u/, whose expiry was
// Badger's TTL) to u2/ with the expiry beside the data. Each key moves in
// the transaction that deletes its old copy, so a crash midway leaves every
// key in exactly one layout and the next Open carries on.
func (d *DB) moveOldLocal() error {
	old := []byte("u/")
	for {
		moved := 0
		err := d.db.Update(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: old, PrefetchValues: true, PrefetchSize: 64})
			defer it.Close()
			size := 0
			for it.Rewind(); it.ValidForPrefix(old) && size < 4<<20; it.Next() {
				item := it.Item()
				b, err := item.ValueCopy(nil)
				if err != nil {
					return err
				}
				key := item.KeyCopy(nil)
				val := make([]byte, 8, 8+len(b))
				e := badger.NewEntry(append([]byte("u2/"), key[len(old):]...), append(val, b...))
				if exp := item.ExpiresAt(); exp != 0 {
					binary.BigEndian.PutUint64(e.Value, exp*1000)
					e.ExpiresAt = exp + uint64(gcMargin/time.Second)
				}
				if err := txn.SetEntry(e); err != nil {
					return err
				}
				if err := txn.Delete(key); err != nil {
					return err
				}
				moved++
				size += len(key) + len(b)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("move unlogged data to the new layout: %w", err)
		}
		if moved == 0 {
			return nil
		}
	}
}

func logKey(v uint64) []byte {
	k := make([]byte, 2+8)
	copy(k, prefixLog)
	binary.BigEndian.PutUint64(k[2:], v)
	return k
}

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func be(v uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, v)
}

// Update implements store.Store.
func (d *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	return d.queue.Update(ctx, fn)
}

// View implements store.Store.
func (d *DB) View(ctx context.Context, fn func(store.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.db.View(func(txn *badger.Txn) error {
		return fn(d.newTx(txn))
	})
}

// Changes implements store.Store.
func (d *DB) Changes(ctx context.Context, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error) {
	err = d.View(ctx, func(rt store.ReadTx) error {
		t := rt.(*tx)
		head, err := t.Version()
		if err != nil {
			return err
		}
		cursor = since
		it := t.txn.NewIterator(badger.IteratorOptions{Prefix: prefixLog, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		size := 0
		for it.Seek(logKey(since + 1)); it.ValidForPrefix(prefixLog); it.Next() {
			if len(changes) >= limit || size >= maxBytes {
				more = true
				return nil
			}
			v := u64(it.Item().Key()[2:])
			ref, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("read change log: %w", err)
			}
			typ, id, _ := strings.Cut(string(ref), "/")
			rec, err := t.record(typ, id)
			if err != nil {
				return err
			}
			cursor = v
			if rec.version != v {
				continue // superseded within this snapshot; cannot happen, but never send stale data
			}
			if !rec.deleted && !visible(typ, rec.data) {
				continue
			}
			c := wire.Change{V: v, Type: typ, ID: id, Deleted: rec.deleted}
			if !rec.deleted {
				c.Data = rec.data
			}
			changes = append(changes, c)
			size += len(rec.data) + len(id) + 32
		}
		cursor = head
		return nil
	})
	return changes, cursor, more, err
}

// Remaining implements store.Store. It reads keys only.
func (d *DB) Remaining(ctx context.Context, since uint64) (int, error) {
	n := 0
	err := d.View(ctx, func(rt store.ReadTx) error {
		it := rt.(*tx).txn.NewIterator(badger.IteratorOptions{Prefix: prefixLog})
		defer it.Close()
		for it.Seek(logKey(since + 1)); it.ValidForPrefix(prefixLog); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}

type tx struct {
	txn *badger.Txn
	now time.Time // one instant per transaction, by the store's clock
}

func (d *DB) newTx(txn *badger.Txn) *tx { return &tx{txn: txn, now: d.now()} }

type record struct {
	version uint64
	deleted bool
	data    []byte
}

func (t *tx) record(typ, id string) (record, error) {
	item, err := t.txn.Get(recordKey(typ, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return record{}, shared.Errorf(shared.ENOTFOUND, "record.not_found", typ, id)
	}
	if err != nil {
		return record{}, fmt.Errorf("get %s/%s: %w", typ, id, err)
	}
	b, err := item.ValueCopy(nil)
	if err != nil {
		return record{}, fmt.Errorf("read %s/%s: %w", typ, id, err)
	}
	if len(b) < 9 {
		return record{}, fmt.Errorf("record %s/%s is corrupt (%d bytes)", typ, id, len(b))
	}
	return record{version: u64(b[:8]), deleted: b[8] == 1, data: b[9:]}, nil
}

func (t *tx) Get(typ, id string) ([]byte, error) {
	r, err := t.record(typ, id)
	if err != nil {
		return nil, err
	}
	if r.deleted {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", typ, id)
	}
	return r.data, nil
}

func (t *tx) Each(typ string, fn func(id string, data []byte) error) error {
	prefix := recordKey(typ, "")
	it := t.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
		b, err := it.Item().ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("read %s: %w", it.Item().Key(), err)
		}
		if len(b) < 9 || b[8] == 1 {
			continue
		}
		if err := fn(string(bytes.TrimPrefix(it.Item().Key(), prefix)), b[9:]); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) get8(key []byte) (uint64, error) {
	item, err := t.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	var v uint64
	err = item.Value(func(b []byte) error { v = u64(b); return nil })
	return v, err
}

func (t *tx) LastSeq(clientID string) (uint64, error) { return t.get8(clientKey(clientID)) }
func (t *tx) Version() (uint64, error)                { return t.get8(keyVersion) }

func (t *tx) SetLastSeq(clientID string, seq uint64) error {
	return t.txn.Set(clientKey(clientID), be(seq))
}

func (t *tx) GetLocal(kind, key string) ([]byte, error) {
	k, err := localKey(kind, key)
	if err != nil {
		return nil, err
	}
	item, err := t.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", kind, key)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", k, err)
	}
	b, err := item.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", k, err)
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("unlogged data %s is corrupt (%d bytes)", k, len(b))
	}
	if exp := int64(u64(b[:8])); exp != 0 && t.now.UnixMilli() >= exp {
		return nil, shared.Errorf(shared.ENOTFOUND, "record.not_found", kind, key)
	}
	return b[8:], nil
}

// gcMargin is how long Badger keeps unlogged data past its expiry, as the
// store's clock measured it at the write: room for a clock that runs slower
// than the wall clock, or is set back.
const gcMargin = 24 * time.Hour

func (t *tx) PutLocal(kind, key string, data []byte, expires time.Time) error {
	k, err := localKey(kind, key)
	if err != nil {
		return err
	}
	val := make([]byte, 8, 8+len(data))
	e := badger.NewEntry(k, append(val, data...))
	if !expires.IsZero() {
		binary.BigEndian.PutUint64(e.Value, uint64(max(expires.UnixMilli(), 1)))
		// Badger's TTL is by the wall clock: carry over the time left, not
		// the instant, and round up to Badger's whole seconds.
		left := max(expires.Sub(t.now), 0)
		e.ExpiresAt = uint64(time.Now().Add(left+gcMargin).Unix() + 1)
	}
	if err := t.txn.SetEntry(e); err != nil {
		return fmt.Errorf("put %s: %w", k, err)
	}
	return nil
}

func (t *tx) DeleteLocal(kind, key string) error {
	k, err := localKey(kind, key)
	if err != nil {
		return err
	}
	if err := t.txn.Delete(k); err != nil {
		return fmt.Errorf("delete %s: %w", k, err)
	}
	return nil
}

func (t *tx) Put(typ, id string, data []byte) (uint64, error) {
	return t.write(typ, id, false, data)
}

func (t *tx) Delete(typ, id string) error {
	if _, err := t.Get(typ, id); shared.ErrorCode(err) == shared.ENOTFOUND {
		return nil
	}
	_, err := t.write(typ, id, true, nil)
	return err
}

func (t *tx) write(typ, id string, deleted bool, data []byte) (uint64, error) {
	if typ == "" || strings.Contains(typ, "/") || id == "" {
		return 0, fmt.Errorf("bad record key %q/%q", typ, id)
	}
	old, err := t.record(typ, id)
	if err != nil && shared.ErrorCode(err) != shared.ENOTFOUND {
		return 0, err
	}
	if err == nil {
		if err := t.txn.Delete(logKey(old.version)); err != nil {
			return 0, fmt.Errorf("drop old log entry: %w", err)
		}
		if err := t.unindex(old.version); err != nil { // scope.go
			return 0, err
		}
	}
	v, err := t.Version()
	if err != nil {
		return 0, err
	}
	v++
	val := make([]byte, 9, 9+len(data))
	binary.BigEndian.PutUint64(val, v)
	if deleted {
		val[8] = 1
	}
	val = append(val, data...)
	for _, kv := range [][2][]byte{
		{recordKey(typ, id), val},
		{logKey(v), []byte(typ + "/" + id)},
		{keyVersion, be(v)},
	} {
		if err := t.txn.Set(kv[0], kv[1]); err != nil {
			return 0, fmt.Errorf("put %s/%s: %w", typ, id, err)
		}
	}
	if err := index(t.txn.Set, typ, id, v, deleted, data); err != nil { // scope.go
		return 0, err
	}
	return v, nil
}

// badgerLogger sends Badger's chatter to slog: warnings and errors only.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.log.Error(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (l badgerLogger) Warningf(f string, a ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
