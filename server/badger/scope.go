package badger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"outpost/server/store"
	"outpost/shared/wire"
)

// The scope index (store.RecordScopes):
//
//	s/<scope>\x00<version>  8-byte big-endian version → "<type>/<id>"
//	x/<version>             the scopes of the record at version, \x00-separated
//	m/scopes                store.ScopesVersion of the rules the index was built by
//
// write keeps it in the record's transaction: the old version's entries go
// with its log entry. Open builds it from the log when m/scopes is missing
// or names other rules (a directory from before the index, or restored).
var (
	prefixScope  = []byte("s/")
	prefixScopes = []byte("x/")
	keyScopes    = []byte("m/scopes")
)

func scopeKey(scope string, v uint64) []byte {
	k := make([]byte, 0, len(prefixScope)+len(scope)+1+8)
	k = append(append(append(k, prefixScope...), scope...), 0)
	return binary.BigEndian.AppendUint64(k, v)
}

func scopesKey(v uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefixScopes...), v)
}

// validScopes drops scopes a key cannot hold (a NUL byte, or empty).
func validScopes(scopes []string) []string {
	out := scopes[:0:0]
	for _, s := range scopes {
		if s != "" && !strings.ContainsRune(s, 0) {
			out = append(out, s)
		}
	}
	return out
}

// index writes the scope entries of the record typ/id at version v.
func index(set func(k, v []byte) error, typ, id string, v uint64, deleted bool, data []byte) error {
	scopes := validScopes(store.RecordScopes(typ, data, deleted))
	if len(scopes) == 0 {
		return nil
	}
	ref := []byte(typ + "/" + id)
	for _, s := range scopes {
		if err := set(scopeKey(s, v), ref); err != nil {
			return fmt.Errorf("index %s/%s: %w", typ, id, err)
		}
	}
	return set(scopesKey(v), []byte(strings.Join(scopes, "\x00")))
}

// unindex deletes the scope entries of the record at version v.
func (t *tx) unindex(v uint64) error {
	item, err := t.txn.Get(scopesKey(v))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the scopes of version %d: %w", v, err)
	}
	b, err := item.ValueCopy(nil)
	if err != nil {
		return err
	}
	for _, s := range strings.Split(string(b), "\x00") {
		if err := t.txn.Delete(scopeKey(s, v)); err != nil {
			return err
		}
	}
	return t.txn.Delete(scopesKey(v))
}

// buildScopes builds the scope index from the change log unless it was
// built by the current rules: on the first open after an upgrade, or after
// a restore. It drops what an older index held first; a crash midway
// leaves m/scopes unset, so the next Open starts again.
func (d *DB) buildScopes() error {
	built := false
	err := d.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keyScopes)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error { built = string(b) == store.ScopesVersion; return nil })
	})
	if err != nil || built {
		return err
	}
	if err := d.db.DropPrefix(keyScopes, prefixScope, prefixScopes); err != nil {
		return fmt.Errorf("drop the old scope index: %w", err)
	}
	wb := d.db.NewWriteBatch()
	defer wb.Cancel()
	err = d.db.View(func(txn *badger.Txn) error {
		t := d.newTx(txn)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixLog, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.ValidForPrefix(prefixLog); it.Next() {
			v := u64(it.Item().Key()[2:])
			ref, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			typ, id, _ := strings.Cut(string(ref), "/")
			rec, err := t.record(typ, id)
			if err != nil {
				return err
			}
			if rec.version != v {
				continue
			}
			if err := index(wb.Set, typ, id, v, rec.deleted, rec.data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("build the scope index: %w", err)
	}
	if err := wb.Set(keyScopes, []byte(store.ScopesVersion)); err != nil {
		return err
	}
	return wb.Flush()
}

// scopeIter walks one scope's entries after a version.
type scopeIter struct {
	it     *badger.Iterator
	prefix []byte
}

func (s *scopeIter) valid() bool     { return s.it.ValidForPrefix(s.prefix) }
func (s *scopeIter) version() uint64 { return u64(s.it.Item().Key()[len(s.prefix):]) }

// eachIn calls fn for the entries after since under any of scopes, in
// version order, each version once, until fn returns false or an error.
func (t *tx) eachIn(scopes []string, since uint64, keysOnly bool, fn func(v uint64, ref []byte) (bool, error)) error {
	var its []*scopeIter
	defer func() {
		for _, s := range its {
			s.it.Close()
		}
	}()
	for _, s := range validScopes(scopes) {
		prefix := append(append(append([]byte(nil), prefixScope...), s...), 0)
		it := t.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: !keysOnly, PrefetchSize: 16})
		it.Seek(scopeKey(s, since+1))
		its = append(its, &scopeIter{it: it, prefix: prefix})
	}
	for {
		var next *scopeIter
		for _, s := range its {
			if s.valid() && (next == nil || s.version() < next.version()) {
				next = s
			}
		}
		if next == nil {
			return nil
		}
		v := next.version()
		var ref []byte
		if !keysOnly {
			var err error
			if ref, err = next.it.Item().ValueCopy(nil); err != nil {
				return err
			}
		}
		for _, s := range its { // the same record in two scopes is one change
			for s.valid() && s.version() == v {
				s.it.Next()
			}
		}
		if ok, err := fn(v, ref); !ok || err != nil {
			return err
		}
	}
}

// ChangesIn implements store.Store.
func (d *DB) ChangesIn(ctx context.Context, scopes []string, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error) {
	err = d.View(ctx, func(rt store.ReadTx) error {
		t := rt.(*tx)
		head, err := t.Version()
		if err != nil {
			return err
		}
		cursor = since
		size := 0
		err = t.eachIn(scopes, since, false, func(v uint64, ref []byte) (bool, error) {
			if len(changes) >= limit || size >= maxBytes {
				more = true
				return false, nil
			}
			typ, id, _ := strings.Cut(string(ref), "/")
			rec, err := t.record(typ, id)
			if err != nil {
				return false, err
			}
			cursor = v
			if rec.version != v || !rec.deleted && !visible(typ, rec.data) {
				return true, nil
			}
			c := wire.Change{V: v, Type: typ, ID: id, Deleted: rec.deleted}
			if !rec.deleted {
				c.Data = rec.data
			}
			changes = append(changes, c)
			size += len(rec.data) + len(id) + 32
			return true, nil
		})
		if err != nil || more {
			return err
		}
		cursor = head
		return nil
	})
	return changes, cursor, more, err
}

// RemainingIn implements store.Store. It reads keys only.
func (d *DB) RemainingIn(ctx context.Context, scopes []string, since uint64) (int, error) {
	n := 0
	err := d.View(ctx, func(rt store.ReadTx) error {
		return rt.(*tx).eachIn(scopes, since, true, func(uint64, []byte) (bool, error) { n++; return true, nil })
	})
	return n, err
}

// EachIn implements store.ReadTx.
func (t *tx) EachIn(scope string, fn func(typ, id string, data []byte) error) error {
	return t.eachIn([]string{scope}, 0, false, func(v uint64, ref []byte) (bool, error) {
		typ, id, _ := strings.Cut(string(ref), "/")
		rec, err := t.record(typ, id)
		if err != nil || rec.version != v || rec.deleted {
			return err == nil, err
		}
		return true, fn(typ, id, rec.data)
	})
}
