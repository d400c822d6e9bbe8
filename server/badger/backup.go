package badger

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store"
)

var (
	_ store.IncrementalBackuper = (*DB)(nil)
	_ store.Restorer            = (*DB)(nil)
)

// Backup implements store.Backuper with one Badger read transaction: a
// snapshot at one instant that writers never wait for.
func (d *DB) Backup(ctx context.Context, fn func(store.Item) error) (uint64, error) {
	return d.BackupSince(ctx, 0, fn)
}

// BackupSince implements store.IncrementalBackuper.
func (d *DB) BackupSince(ctx context.Context, since uint64, fn func(store.Item) error) (uint64, error) {
	var head uint64
	err := d.db.View(func(txn *badger.Txn) error {
		t := d.newTx(txn)
		var err error
		if head, err = t.Version(); err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			item := it.Item()
			key := item.Key()
			var b []byte
			if err := item.Value(func(v []byte) error { b = v; return nil }); err != nil {
				return fmt.Errorf("read %s: %w", key, err)
			}
			var out store.Item
			switch {
			case bytes.HasPrefix(key, []byte("r/")):
				typ, id, ok := strings.Cut(string(key[2:]), "/")
				if !ok || len(b) < 9 {
					return fmt.Errorf("record %s is corrupt", key)
				}
				out = store.Item{Kind: store.ItemRecord, Type: typ, ID: id, Version: u64(b[:8]), Deleted: b[8] == 1, Data: b[9:]}
				if out.Version <= since {
					continue // the earlier backup has it
				}
			case bytes.HasPrefix(key, []byte("c/")):
				out = store.Item{Kind: store.ItemClient, ID: string(key[2:]), Version: u64(b)}
			case bytes.HasPrefix(key, []byte("u2/")):
				kind, k, ok := strings.Cut(string(key[3:]), "/")
				if !ok || len(b) < 8 {
					return fmt.Errorf("unlogged data %s is corrupt", key)
				}
				exp := int64(u64(b[:8]))
				if exp != 0 && t.now.UnixMilli() >= exp {
					continue // expired by the store's clock: gone
				}
				out = store.Item{Kind: store.ItemLocal, Type: kind, ID: k, Expires: exp, Data: b[8:]}
			case bytes.HasPrefix(key, prefixLog), bytes.Equal(key, keyVersion), bytes.Equal(key, keyEpoch):
				continue // the log follows from the records; the head is returned; the epoch is the database's own
			case bytes.HasPrefix(key, prefixScope), bytes.HasPrefix(key, prefixScopes), bytes.Equal(key, keyScopes):
				continue // the scope index follows from the records (scope.go)
			default:
				return fmt.Errorf("unknown key %q: this release cannot back it up", key)
			}
			if err := fn(out); err != nil {
				return err
			}
		}
		return nil
	})
	return head, err
}

// Restore implements store.Restorer with Badger's batched writer: fast,
// and not one transaction (the caller throws a failed restore away).
func (d *DB) Restore(ctx context.Context, head uint64, next func() (store.Item, error)) error {
	if err := d.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if k := it.Item().Key(); !bytes.Equal(k, keyEpoch) && !bytes.Equal(k, keyScopes) {
				return errors.New("the store is not empty: restore into a new data directory")
			}
		}
		return nil
	}); err != nil {
		return err
	}
	wb := d.db.NewWriteBatch()
	defer wb.Cancel()
	now := d.now()
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		it, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch it.Kind {
		case store.ItemRecord:
			if it.Type == "" || strings.Contains(it.Type, "/") || it.ID == "" || it.Version == 0 || it.Version > head {
				return fmt.Errorf("bad record %q/%q at version %d", it.Type, it.ID, it.Version)
			}
			val := make([]byte, 9, 9+len(it.Data))
			binary.BigEndian.PutUint64(val, it.Version)
			if it.Deleted {
				val[8] = 1
			}
			if err := wb.Set(recordKey(it.Type, it.ID), append(val, it.Data...)); err != nil {
				return err
			}
			if err := wb.Set(logKey(it.Version), []byte(it.Type+"/"+it.ID)); err != nil {
				return err
			}
		case store.ItemClient:
			if it.ID == "" {
				return errors.New("a client sequence without a client ID")
			}
			if err := wb.Set(clientKey(it.ID), be(it.Version)); err != nil {
				return err
			}
		case store.ItemLocal:
			k, err := localKey(it.Type, it.ID)
			if err != nil {
				return err
			}
			val := make([]byte, 8, 8+len(it.Data))
			e := badger.NewEntry(k, append(val, it.Data...))
			if it.Expires != 0 {
				binary.BigEndian.PutUint64(e.Value, uint64(it.Expires))
				left := max(time.UnixMilli(it.Expires).Sub(now), 0)
				e.ExpiresAt = uint64(time.Now().Add(left+gcMargin).Unix() + 1)
			}
			if err := wb.SetEntry(e); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown item kind %q", it.Kind)
		}
	}
	if err := wb.Set(keyVersion, be(head)); err != nil {
		return err
	}
	if err := wb.Delete(keyScopes); err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	if err := d.buildScopes(); err != nil { // scope.go: index what was restored
		return err
	}
	return d.db.Sync()
}
