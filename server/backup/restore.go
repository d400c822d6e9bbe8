package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"outpost/server/store"
)

// Marker is the file a restore keeps in the data directory until it is
// done. A server refuses to start on a directory that has one (CheckDir),
// and /readyz fails while it is there.
const Marker = "RESTORE-IN-PROGRESS"

// CheckDir returns an error if a restore into dir has not finished.
func CheckDir(dir string) error {
	if dir == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, Marker)); err == nil {
		return fmt.Errorf("a restore into %s has not finished: remove the directory's contents and restore again", dir)
	}
	return nil
}

// Target is a new, empty store a backup is restored into.
type Target interface {
	store.Store
	store.Restorer
}

// Verify reads the whole backup file and checks every frame and the
// checksum, writing nothing.
func Verify(file string, progress Progress) (Summary, error) {
	began := time.Now()
	f, err := os.Open(file)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Summary{}, err
	}
	sum, err := check(f, &counting{phase: "verify", progress: progress, total: st.Size()})
	sum.Elapsed = time.Since(began)
	return sum, err
}

// RestoreDir restores the backup file into dir, which must be empty or
// missing, with a store opened by open: all or nothing. The whole file is
// verified first (nothing is written if it is damaged); then the marker
// goes into dir, the store is filled and closed, and the marker removed.
// If anything fails, dir is emptied again (and removed if RestoreDir made
// it). The restored store has a new epoch, so every device refetches,
// keeping its outbox. It returns the new epoch.
func RestoreDir(ctx context.Context, file, dir string, open func(dir string) (Target, error), progress Progress) (Summary, string, error) {
	began := time.Now()
	created, err := emptyDir(dir)
	if err != nil {
		return Summary{}, "", err
	}
	sum, err := Verify(file, progress)
	if err != nil {
		return Summary{}, "", err
	}
	if created {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return Summary{}, "", err
		}
	}
	epoch, err := restoreInto(ctx, file, dir, sum, open, progress)
	if err != nil {
		// Throw the half-restored store away: dir was empty before.
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
		if created {
			os.Remove(dir)
		}
		return Summary{}, "", err
	}
	sum.Elapsed = time.Since(began)
	return sum, epoch, nil
}

func restoreInto(ctx context.Context, file, dir string, sum Summary, open func(string) (Target, error), progress Progress) (string, error) {
	if err := os.WriteFile(filepath.Join(dir, Marker), []byte("restoring "+file+"\n"), 0o640); err != nil {
		return "", err
	}
	syncDir(dir)
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	counter := &counting{phase: "restore", progress: progress, total: sum.Size}
	rd, err := NewReader(io.TeeReader(f, counter))
	if err != nil {
		return "", err
	}
	st, err := open(dir)
	if err != nil {
		return "", err
	}
	// The file was verified, but it is read again: if it changed
	// meanwhile, the checksum at its end says so and nothing is kept.
	err = st.Restore(ctx, sum.Counts.Head, rd.Next)
	epoch := st.Epoch()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	counter.finish()
	if err := os.Remove(filepath.Join(dir, Marker)); err != nil {
		return "", err
	}
	syncDir(dir)
	return epoch, nil
}

// emptyDir checks that dir is empty or missing; created says it is missing.
func emptyDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("the data directory %s is not empty: restore into an empty or new one (keep the old one until the restored portal is checked)", dir)
	}
	return false, nil
}
