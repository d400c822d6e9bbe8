package storetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"outpost/server/store"
)

// backupContract checks store.Backuper, store.IncrementalBackuper and
// store.Restorer, for a store that implements them: a backup restores into
// a new store as the same content under that store's own epoch, with a
// change log that works on; expired unlogged data is left out; a restore
// into a store that holds anything is refused; BackupSince leaves out what
// an earlier backup holds.
func backupContract(t *testing.T, openAt func(t *testing.T, now func() time.Time) store.Store) {
	ctx := context.Background()
	var mu sync.Mutex
	at := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	src := openAt(t, clock)
	b, ok := src.(store.Backuper)
	if !ok {
		t.Skip("this store makes no backups")
	}
	err := src.Update(ctx, func(tx store.Tx) error {
		for i := range 20 {
			if _, err := tx.Put("ticket", fmt.Sprintf("t%02d", i), []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
				return err
			}
		}
		if _, err := tx.Put("ticket", "t03", []byte(`{"n":"three"}`)); err != nil {
			return err
		}
		if err := tx.Delete("ticket", "t04"); err != nil {
			return err
		}
		if err := tx.SetLastSeq("c1", 7); err != nil {
			return err
		}
		if err := tx.PutLocal("session", "live", []byte("s1"), at.Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.PutLocal("session", "stale", []byte("s2"), at.Add(time.Minute)); err != nil {
			return err
		}
		return tx.PutLocal("blobpiece", "x/0", bytes.Repeat([]byte{1}, 300<<10), time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	at = at.Add(2 * time.Minute) // "stale" expires
	mu.Unlock()

	items, head := collect(t, b.Backup)
	want := []string{"c c1 7", "r ticket t03 v21 del=false", "r ticket t04 v22 del=true", "u blobpiece x/0 exp=0 307200", "u session live"}
	for _, w := range want {
		if !slices.ContainsFunc(items, func(it string) bool { return bytes.HasPrefix([]byte(it), []byte(w)) }) {
			t.Errorf("backup lacks %q: %v", w, items)
		}
	}
	if slices.ContainsFunc(items, func(it string) bool { return bytes.Contains([]byte(it), []byte("stale")) }) {
		t.Error("the backup holds unlogged data that had expired")
	}
	if len(items) != 20+1+2 || head != 22 {
		t.Errorf("backup: %d items, head %d; want 20 records, 1 client, 2 unexpired unlogged, head 22", len(items), head)
	}

	r, ok := openAt(t, clock).(store.Restorer)
	if !ok {
		t.Fatal("the store backs up but does not restore")
	}
	raw := rawItems(t, b.Backup)
	if err := r.Restore(ctx, head, iterate(raw)); err != nil {
		t.Fatal(err)
	}
	dst := r.(store.Store)
	got, gotHead := collect(t, dst.(store.Backuper).Backup)
	if gotHead != head || !slices.Equal(got, items) {
		t.Errorf("restored:\n%v head %d\nwant:\n%v head %d", got, gotHead, items, head)
	}
	if dst.Epoch() == src.Epoch() {
		t.Error("the restored store has the source's epoch")
	}
	var v uint64
	if err := dst.Update(ctx, func(tx store.Tx) (err error) { v, err = tx.Put("ticket", "t99", []byte(`{}`)); return err }); err != nil || v != head+1 {
		t.Errorf("first write after the restore: version %d, %v; want %d", v, err, head+1)
	}
	changes, _, _, err := dst.Changes(ctx, 0, 100, 1<<20, func(string, []byte) bool { return true })
	if err != nil || len(changes) != 21 {
		t.Errorf("pull after the restore: %d changes, %v; want 21 (20 records and the new one)", len(changes), err)
	}
	// The scope index is built for what was restored (scope.go): the
	// tombstone reaches everyone.
	if changes, _, _, err := dst.ChangesIn(ctx, []string{store.ScopeAll}, 0, 100, 1<<20, func(string, []byte) bool { return true }); err != nil || fmt.Sprint(ids(changes)) != "[t04@22]" {
		t.Errorf("scoped pull after the restore = %v, %v; want [t04@22], the tombstone", ids(changes), err)
	}
	if err := r.Restore(ctx, head, iterate(raw)); err == nil {
		t.Error("a restore into a store that holds data was not refused")
	}

	ib, ok := src.(store.IncrementalBackuper)
	if !ok {
		return
	}
	put(t, src, "ticket", "t05", `{"n":"five"}`)
	since, _ := collect(t, func(ctx context.Context, fn func(store.Item) error) (uint64, error) {
		return ib.BackupSince(ctx, head, fn)
	})
	records := slices.DeleteFunc(slices.Clone(since), func(it string) bool { return it[0] != 'r' })
	if len(records) != 1 || !bytes.HasPrefix([]byte(records[0]), []byte("r ticket t05 v23")) {
		t.Errorf("BackupSince(%d) records: %v; want t05 alone", head, records)
	}
}

// collect runs a backup and describes its items, sorted.
func collect(t *testing.T, backup func(context.Context, func(store.Item) error) (uint64, error)) ([]string, uint64) {
	t.Helper()
	var out []string
	head, err := backup(context.Background(), func(it store.Item) error {
		switch it.Kind {
		case store.ItemRecord:
			out = append(out, fmt.Sprintf("r %s %s v%d del=%v %s", it.Type, it.ID, it.Version, it.Deleted, it.Data))
		case store.ItemClient:
			out = append(out, fmt.Sprintf("c %s %d", it.ID, it.Version))
		case store.ItemLocal:
			out = append(out, fmt.Sprintf("u %s %s exp=%d %d", it.Type, it.ID, it.Expires, len(it.Data)))
		default:
			t.Errorf("unknown item kind %q", it.Kind)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out, head
}

// rawItems runs a backup and keeps its items (their data copied).
func rawItems(t *testing.T, backup func(context.Context, func(store.Item) error) (uint64, error)) []store.Item {
	t.Helper()
	var items []store.Item
	_, err := backup(context.Background(), func(it store.Item) error {
		it.Data = bytes.Clone(it.Data)
		items = append(items, it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func iterate(items []store.Item) func() (store.Item, error) {
	i := 0
	return func() (store.Item, error) {
		if i == len(items) {
			return store.Item{}, io.EOF
		}
		i++
		return items[i-1], nil
	}
}
