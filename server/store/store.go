// Package store defines the storage the server talks to: records by (type,
// id), an ordered change log, per-client sequence numbers and unlogged
// server-only data, all changed together in one transaction. server/badger
// is the embedded implementation; the contract every implementation must
// meet is in store/storetest.
package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"outpost/shared/wire"
)

// Store is the server's storage.
//
// Expiry of unlogged data follows one clock: the store's, which the server
// injects as the same clock its services use (time.Now in production, a
// test's clock in tests). Data written with expires E is returned while that
// clock reads before E and never after, whatever the wall clock says; an
// implementation may use its backend's own TTL only to collect garbage, well
// after E.
type Store interface {
	// Update runs fn in one read-write transaction. Updates are serialized,
	// so change-log versions commit in order and a reader never sees version
	// N+1 before N. If fn returns an error nothing it wrote is kept.
	// Concurrent Updates may be committed together (one sync for many), so
	// fn may run more than once: it must act only through its Tx, and only
	// the writes of the run that is committed are kept.
	Update(ctx context.Context, fn func(Tx) error) error

	// View runs fn in a read-only snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error

	// Changes returns the records changed after version since, oldest first,
	// for which visible returns true: at most limit of them and about
	// maxBytes of data. Cursor is the version to pull from next; more says
	// whether there is more to pull now. A record changed several times
	// appears once, at its latest version.
	Changes(ctx context.Context, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error)

	// Remaining counts the change-log entries after version since, visible
	// to the asker or not: the denominator of a sync progress bar.
	Remaining(ctx context.Context, since uint64) (int, error)

	// ChangesIn is Changes over the records indexed under any of scopes
	// (RecordScopes): its work is proportional to those, not to the log.
	// The cursor moves past the records of other scopes unread.
	ChangesIn(ctx context.Context, scopes []string, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error)

	// RemainingIn counts the change-log entries after version since
	// indexed under any of scopes.
	RemainingIn(ctx context.Context, scopes []string, since uint64) (int, error)

	// Epoch identifies this database. It is made once, when the database is
	// created, so a data directory restored from a backup or made anew has
	// another epoch, and clients whose cursors came from elsewhere refetch.
	Epoch() string

	Close() error
}

// ReadTx reads a consistent snapshot.
type ReadTx interface {
	// Get returns a record's data. Returns ENOTFOUND if there is no such
	// record or it was deleted.
	Get(typ, id string) ([]byte, error)
	// Each calls fn for every live record of typ, in ID order.
	Each(typ string, fn func(id string, data []byte) error) error
	// LastSeq returns the last mutation sequence applied for a client (0 if none).
	LastSeq(clientID string) (uint64, error)
	// Version returns the latest change-log version.
	Version() (uint64, error)
	// EachIn calls fn for every live record indexed under scope
	// (RecordScopes), oldest change first. fn must not write in the
	// transaction meanwhile: collect, then write.
	EachIn(scope string, fn func(typ, id string, data []byte) error) error
	// GetLocal returns unlogged data stored by PutLocal. Returns ENOTFOUND
	// if there is none or it has expired.
	GetLocal(kind, key string) ([]byte, error)
}

// Tx is a read-write transaction.
type Tx interface {
	ReadTx
	// Put stores a record and gives it the next change-log version.
	Put(typ, id string, data []byte) (version uint64, err error)
	// Delete removes a record, leaving a tombstone in the change log so
	// clients drop it too. Deleting a missing record is a no-op.
	Delete(typ, id string) error
	// SetLastSeq records the last mutation applied for a client.
	SetLastSeq(clientID string, seq uint64) error
	// PutLocal stores unlogged data under (kind, key): server-only data
	// such as sessions, password hashes and unique indexes, which has no
	// version, never enters the change log and is never pulled. Kind is a
	// non-empty name without "/"; key is non-empty. A non-zero expires lets
	// the store forget the data from that time on, by the store's clock (see
	// Store): GetLocal never returns it then. Zero keeps it until
	// DeleteLocal.
	PutLocal(kind, key string, data []byte, expires time.Time) error
	// DeleteLocal removes unlogged data. Deleting missing data is a no-op.
	DeleteLocal(kind, key string) error
}

// ErrUnavailable is wrapped by the errors of a store that cannot reach its
// database (PostgreSQL stopped, restarting or failing over). The store
// logs the outage once, when it begins, and once when it ends, so callers
// need not log each failure; the same call may succeed later, and a write
// that failed this way may or may not have been committed (a push resent
// is applied once all the same).
var ErrUnavailable = errors.New("the database cannot be reached")

// FailureLevel is the level to log a failure at: Debug for ErrUnavailable,
// which the store logged once for the whole outage, Error otherwise.
func FailureLevel(err error) slog.Level {
	if errors.Is(err, ErrUnavailable) {
		return slog.LevelDebug
	}
	return slog.LevelError
}

// Shared is implemented by a store that several server nodes share
// (server/postgres). Work that one node must do alone goes through it;
// with a store only one process can open (Badger) that node is alone.
type Shared interface {
	// Exclusive runs fn while no other node runs Exclusive under the same
	// name, waiting for its turn: for start-up work such as storing
	// defaults into an empty database.
	Exclusive(ctx context.Context, name string, fn func(context.Context) error) error
	// Lead runs fn while this node is the one node leading name, and
	// returns when ctx ends. Until it leads, it tries again now and then;
	// if it loses the lead (its connection to the database broke), fn's
	// context is canceled and another node takes over. For periodic jobs
	// that exactly one node must run: SLA timers, retention.
	Lead(ctx context.Context, name string, fn func(context.Context))
	// Follow calls changed, from one goroutine until ctx ends, when other
	// nodes may have committed changes: read the change log since what
	// this node last read. lost is true when news may have gone missing
	// (the link to the other nodes broke and is back): assume anything
	// changed. A node's own commits need not be reported.
	Follow(ctx context.Context, changed func(lost bool))
}

// OwnWrites may be implemented by a Shared store: WroteHere reports
// whether this node committed version v itself (recently: false once it
// no longer remembers). Following the other nodes skips those records:
// this node poked for them when it wrote them, and poking the writer again
// would send each device a poke, and a pull, for its own push.
type OwnWrites interface {
	WroteHere(v uint64) bool
}

// Keys names what an Update is about to read, so that a store whose reads
// cost a round trip (server/postgres) can read them all at once, for every
// Update of a batch, when it opens the transaction. A hint only: reading
// other keys works as ever, and a key named but never read costs a little.
type Keys struct {
	Clients []string // LastSeq
	Records []Key    // Get: Key{typ, id}
	Local   []Key    // GetLocal: Key{kind, key}
}

// Key is a record's (type, id) or unlogged data's (kind, key).
type Key struct{ A, B string }

// Prefetcher is implemented by a store that reads an Update's keys ahead.
type Prefetcher interface {
	UpdateKeys(ctx context.Context, keys Keys, fn func(Tx) error) error
}

// UpdateKeys is s.Update, telling a Prefetcher what fn will read.
func UpdateKeys(ctx context.Context, s Store, keys Keys, fn func(Tx) error) error {
	if p, ok := s.(Prefetcher); ok {
		return p.UpdateKeys(ctx, keys, fn)
	}
	return s.Update(ctx, fn)
}
