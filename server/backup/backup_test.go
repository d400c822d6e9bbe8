package backup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"outpost/server/backup"
	"outpost/server/badger"
	"outpost/server/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openAt(now time.Time) func(string) (backup.Target, error) {
	return func(dir string) (backup.Target, error) {
		return badger.Open(dir, quiet, badger.WithClock(func() time.Time { return now }), badger.WithBulkLoad())
	}
}

// fill writes a bit of everything a store holds.
func fill(t *testing.T, db *badger.DB, now time.Time) {
	t.Helper()
	piece := bytes.Repeat([]byte{0xff, 0xd8, 0x00, 0x42}, 64<<10) // a 256 KiB piece of a photo
	err := db.Update(context.Background(), func(tx store.Tx) error {
		for i := range 50 {
			if _, err := tx.Put("ticket", fmt.Sprintf("t%03d", i), []byte(fmt.Sprintf(`{"title":"ticket %d"}`, i))); err != nil {
				return err
			}
		}
		if _, err := tx.Put("ticket", "t007", []byte(`{"title":"ticket 7, edited"}`)); err != nil {
			return err
		}
		if err := tx.Delete("ticket", "t013"); err != nil {
			return err
		}
		if err := tx.SetLastSeq("client-a", 41); err != nil {
			return err
		}
		if err := tx.PutLocal("session", "abc", []byte(`{"user":"u1"}`), now.Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.PutLocal("session", "old", []byte(`{"user":"u2"}`), now.Add(-time.Minute)); err != nil {
			return err
		}
		return tx.PutLocal("blobpiece", "sha/0", piece, time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dump lists a store's content as items, in a comparable form.
func dump(t *testing.T, st store.Store) ([]string, uint64) {
	t.Helper()
	var out []string
	head, err := st.(store.Backuper).Backup(context.Background(), func(it store.Item) error {
		out = append(out, fmt.Sprintf("%c %s %s v%d del=%v exp=%d %x", it.Kind, it.Type, it.ID, it.Version, it.Deleted, it.Expires, shaOf(it.Data)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, head
}

func shaOf(b []byte) []byte { s := sha256.Sum256(b); return s[:8] }

// source makes a store with some of everything and backs it up to a file.
func source(t *testing.T, now time.Time) (*badger.DB, string) {
	t.Helper()
	st, err := openAt(now)(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db := st.(*badger.DB)
	fill(t, db, now)
	file := filepath.Join(t.TempDir(), "outpost.backup")
	writeBackup(t, db, file)
	return db, file
}

func writeBackup(t *testing.T, db *badger.DB, file string) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := backup.Write(context.Background(), f, db, backup.Header{CreatedAt: 1}, nil); err != nil {
		t.Fatal(err)
	}
}

// A backup restores into a new directory as the same content, with a new
// epoch, a working change log and without data that had expired.
func TestRoundTrip(t *testing.T) {
	now := time.Now()
	db, file := source(t, now)
	want, wantHead := dump(t, db)

	dir := filepath.Join(t.TempDir(), "restored")
	sum, epoch, err := backup.RestoreDir(context.Background(), []string{file}, dir, openAt(now), nil)
	if err != nil {
		t.Fatal(err)
	}
	if epoch == db.Epoch() || epoch == "" {
		t.Errorf("restored epoch %q; want a new one (was %q)", epoch, db.Epoch())
	}
	if sum.Counts.Records != 50 || sum.Counts.Clients != 1 || sum.Counts.Locals != 2 || sum.Counts.Head != wantHead {
		t.Errorf("counts %+v; want 50 records (a tombstone among them), 1 client, 2 unexpired items, head %d", sum.Counts, wantHead)
	}
	if _, err := os.Stat(filepath.Join(dir, backup.Marker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the marker is still there: %v", err)
	}
	got, err := openAt(now)(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	have, head := dump(t, got)
	if head != wantHead || strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("restored content differs:\n%s\nhead %d\nwant:\n%s\nhead %d", strings.Join(have, "\n"), head, strings.Join(want, "\n"), wantHead)
	}
	// The change log works on: a pull sees every live record and the
	// tombstone once, and the next write gets the next version.
	changes, cursor, more, err := got.Changes(context.Background(), 0, 1000, 1<<30, func(string, []byte) bool { return true })
	if err != nil || more || cursor != wantHead || len(changes) != 50 {
		t.Errorf("pull after restore: %d changes, cursor %d, more %v, %v; want 50 to %d", len(changes), cursor, more, err, wantHead)
	}
	var v uint64
	got.Update(context.Background(), func(tx store.Tx) (err error) { v, err = tx.Put("ticket", "new", []byte(`{}`)); return err })
	if v != wantHead+1 {
		t.Errorf("next version %d; want %d", v, wantHead+1)
	}
	got.View(context.Background(), func(tx store.ReadTx) error {
		if seq, _ := tx.LastSeq("client-a"); seq != 41 {
			t.Errorf("client sequence %d; want 41", seq)
		}
		if _, err := tx.GetLocal("session", "abc"); err != nil {
			t.Errorf("session: %v", err)
		}
		return nil
	})
}

// A damaged, truncated or foreign file is refused before anything is
// written, saying why; so is a data directory that is not empty.
func TestDamagedBackupsAreRefused(t *testing.T) {
	now := time.Now()
	_, file := source(t, now)
	good, _ := os.ReadFile(file)

	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 0x01 // one bit, in a photo's bytes
	early := bytes.Clone(good)
	early[len(backup.Magic)+40] ^= 0x80 // in the first frames' lengths or text
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"a flipped bit", "the checksum does not match", flip},
		{"a damaged frame", "damaged", early},
		{"truncated", "truncated", good[:len(good)*2/3]},
		{"without its checksum", "truncated", good[:len(good)-32]},
		{"empty", "truncated", nil},
		{"another file", "not an Outpost backup", []byte("PK\x03\x04 a zip file, not a backup at all")},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.backup")
			os.WriteFile(bad, c.data, 0o600)
			dir := filepath.Join(t.TempDir(), "data")
			_, _, err := backup.RestoreDir(context.Background(), []string{bad}, dir, openAt(now), nil)
			if !errors.Is(err, backup.ErrDamaged) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("restore: %v; want ErrDamaged saying %q", err, c.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the data directory was made: %v", err)
			}
		})
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "KEEP"), []byte("someone's data"), 0o600)
	if _, _, err := backup.RestoreDir(context.Background(), []string{file}, dir, openAt(now), nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a directory with files: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "KEEP")); string(b) != "someone's data" {
		t.Error("the directory's file was touched")
	}
}

// A restore that fails midway (here: the store refuses) leaves the data
// directory as empty as it was, and no server starts on a directory whose
// restore did not finish.
func TestFailedRestoreLeavesNothing(t *testing.T) {
	now := time.Now()
	_, file := source(t, now)

	dir := t.TempDir() // exists, empty
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the restore is interrupted as it starts writing
	if _, _, err := backup.RestoreDir(ctx, []string{file}, dir, openAt(now), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted restore: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	os.WriteFile(filepath.Join(dir, backup.Marker), nil, 0o600)
	if err := backup.CheckDir(dir); err == nil || !strings.Contains(err.Error(), "has not finished") {
		t.Errorf("CheckDir with the marker: %v", err)
	}
}

// An incremental backup holds what changed since a full one, leaving out
// the attachments the full one holds; the two restore to the store as it
// was at the incremental backup. Files that do not belong together are
// refused before anything is written.
func TestIncrementalBackup(t *testing.T) {
	now := time.Now()
	db, full := source(t, now)
	err := db.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.Put("ticket", "t001", []byte(`{"title":"ticket 1, edited after the full backup"}`)); err != nil {
			return err
		}
		if err := tx.Delete("ticket", "t002"); err != nil {
			return err
		}
		if _, err := tx.Put("ticket", "t100", []byte(`{"title":"a new ticket"}`)); err != nil {
			return err
		}
		if err := tx.SetLastSeq("client-a", 50); err != nil {
			return err
		}
		if err := tx.SetLastSeq("client-b", 3); err != nil {
			return err
		}
		if err := tx.DeleteLocal("session", "abc"); err != nil { // signed out
			return err
		}
		if err := tx.PutLocal("session", "new", []byte(`{"user":"u3"}`), now.Add(time.Hour)); err != nil {
			return err
		}
		return tx.PutLocal("blobpiece", "sha/1", bytes.Repeat([]byte{7}, 100<<10), time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	since, err := backup.SinceFull(full)
	if err != nil {
		t.Fatal(err)
	}
	inc := filepath.Join(t.TempDir(), "incremental.backup")
	f, _ := os.Create(inc)
	_, counts, err := backup.Write(context.Background(), f, db, backup.Header{CreatedAt: 2}, since)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if counts.Records != 3 || counts.Omitted != 1 || counts.Clients != 2 {
		t.Errorf("incremental counts %+v; want 3 records (an edit, a deletion, a new one), the old attachment piece left out, 2 clients", counts)
	}
	fullInfo, _ := os.Stat(full)
	incInfo, _ := os.Stat(inc)
	if incInfo.Size() > 120<<10 || fullInfo.Size() < 256<<10 {
		t.Errorf("incremental is %d bytes, the full one %d: want the new 100 KiB piece and no more than 20 KiB besides, the unchanged 256 KiB piece left out", incInfo.Size(), fullInfo.Size())
	}

	want, wantHead := dump(t, db)
	dir := filepath.Join(t.TempDir(), "restored")
	if _, _, err := backup.RestoreDir(context.Background(), []string{full, inc}, dir, openAt(now), nil); err != nil {
		t.Fatal(err)
	}
	got, err := openAt(now)(dir)
	if err != nil {
		t.Fatal(err)
	}
	have, head := dump(t, got)
	got.Close()
	if head != wantHead || strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("full + incremental restored:\n%s\nhead %d\nwant:\n%s\nhead %d", strings.Join(have, "\n"), head, strings.Join(want, "\n"), wantHead)
	}

	// A second full backup, taken now: the incremental does not complete it.
	later := filepath.Join(t.TempDir(), "later.backup")
	writeBackup(t, db, later)
	for _, c := range []struct {
		files []string
		want  string
	}{
		{[]string{inc}, "is an incremental backup"},
		{[]string{later, inc}, "was not made since"},
		{[]string{full, later}, "is a full backup, not an incremental one"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		if _, _, err := backup.RestoreDir(context.Background(), c.files, dir, openAt(now), nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("restore %v: %v; want %q", c.files, err, c.want)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("restore %v made the data directory", c.files)
		}
	}
	// An incremental backup of another database than the base's.
	other, _ := source(t, now)
	if _, _, err := backup.Write(context.Background(), io.Discard, other, backup.Header{}, since); err == nil || !strings.Contains(err.Error(), "another database") {
		t.Errorf("incremental of another database: %v", err)
	}
}
