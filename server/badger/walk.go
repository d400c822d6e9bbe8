package badger

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Visitor receives what Walk finds. Slices are valid only during the call.
type Visitor struct {
	// Record is a record (a tombstone if deleted) at its change-log version.
	Record func(typ, id string, version uint64, deleted bool, data []byte) error
	// Client is a client's last applied mutation sequence.
	Client func(id string, seq uint64) error
	// Local is unlogged data; expires is Unix ms by the store's clock, 0
	// for never.
	Local func(kind, key string, data []byte, expires int64) error
}

// Walk calls v for every record, client sequence and piece of unlogged
// data, from one snapshot, and returns that snapshot's change-log head: all
// a copy of the database needs (outpost migrate). The change log itself
// is the records' versions.
func (d *DB) Walk(ctx context.Context, v Visitor) (head uint64, err error) {
	err = d.db.View(func(txn *badger.Txn) error {
		if head, err = d.newTx(txn).Version(); err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			k := it.Item().Key()
			prefix, rest, _ := bytes.Cut(k, []byte("/"))
			if p := string(prefix); p != "r" && p != "c" && p != "u2" {
				continue // l/ (the log, implied by the versions) and m/
			}
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("read %s: %w", k, err)
			}
			switch string(prefix) {
			case "r":
				typ, id, _ := strings.Cut(string(rest), "/")
				if len(b) < 9 {
					return fmt.Errorf("record %s is corrupt (%d bytes)", k, len(b))
				}
				err = v.Record(typ, id, u64(b[:8]), b[8] == 1, b[9:])
			case "c":
				err = v.Client(string(rest), u64(b))
			case "u2":
				kind, key, _ := strings.Cut(string(rest), "/")
				if len(b) < 8 {
					return fmt.Errorf("unlogged data %s is corrupt (%d bytes)", k, len(b))
				}
				err = v.Local(kind, key, b[8:], int64(u64(b[:8])))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return head, err
}

// Count counts what Walk would visit, reading keys only: the total of a
// progress bar.
func (d *DB) Count(ctx context.Context) (int, error) {
	n := 0
	err := d.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			switch k := it.Item().Key(); {
			case bytes.HasPrefix(k, []byte("r/")), bytes.HasPrefix(k, []byte("c/")), bytes.HasPrefix(k, []byte("u2/")):
				n++
			}
		}
		return nil
	})
	return n, err
}
