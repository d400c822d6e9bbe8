package store

import "context"

// Optional interfaces a Store may implement for the operator's tools. The
// server checks for them with a type assertion; a store without one simply
// lacks that feature.

// Sizer is a store that knows the bytes it takes on disk (the metric
// outpost_store_bytes).
type Sizer interface {
	DiskSize() int64
}

// ItemKind says what an Item of a backup is.
type ItemKind byte

// The kinds of Item.
const (
	ItemRecord ItemKind = 'r' // a record or tombstone: Type, ID, Version, Deleted, Data
	ItemClient ItemKind = 'c' // a client's last applied mutation: ID, Version (the sequence)
	ItemLocal  ItemKind = 'u' // unlogged data: Type (its kind), ID (its key), Expires, Data
)

// Item is one piece of a store's content, as a backup holds it: a logical
// form every store can write and read, whatever its keys or tables.
type Item struct {
	Kind    ItemKind
	Type    string
	ID      string
	Version uint64
	Deleted bool
	Expires int64 // Unix milliseconds by the store's clock; 0: never
	Data    []byte
}

// Backuper is a store that can stream a consistent snapshot of everything
// it holds (server/backup writes it to a file).
type Backuper interface {
	// Backup calls fn with every record (tombstones included), client
	// sequence and unexpired piece of unlogged data of one snapshot, taken
	// without stopping writes, and returns that snapshot's change-log head.
	// The change log itself is not sent: each record's version places it.
	// An Item's Data is valid during its call only.
	Backup(ctx context.Context, fn func(Item) error) (head uint64, err error)
}

// IncrementalBackuper is a Backuper that can leave out the records an
// earlier backup holds.
type IncrementalBackuper interface {
	Backuper
	// BackupSince is Backup without the records whose version is at most
	// since: those unchanged since a backup whose head was since. (A record
	// deleted since then comes as its tombstone, which has a later version.)
	BackupSince(ctx context.Context, since uint64, fn func(Item) error) (head uint64, err error)
}

// Restorer is a store that can load a backup.
type Restorer interface {
	// Restore writes the items next yields (until it returns io.EOF) into
	// the store, which must hold nothing yet, rebuilds the change log from
	// the records' versions and sets its head to head. The store keeps its
	// own epoch, made when it was created, so every device refetches. It
	// is not atomic: the caller verifies the backup first and throws a
	// failed restore away (server/backup).
	Restore(ctx context.Context, head uint64, next func() (Item, error)) error
}
