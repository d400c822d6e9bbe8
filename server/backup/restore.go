package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
	return read(file, "verify", progress, nil)
}

// read checks the whole backup file, giving each item to fn.
func read(file, phase string, progress Progress, fn func(store.Item) error) (Summary, error) {
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
	sum, err := check(f, &counting{phase: phase, progress: progress, total: st.Size()}, fn)
	sum.Elapsed = time.Since(began)
	return sum, err
}

// RestoreDir restores a backup into dir, which must be empty or missing,
// with a store opened by open: all or nothing. files is a full backup, or
// a full backup and an incremental one made since it. Every file is
// verified first (nothing is written if one is damaged, or the two do not
// belong together); then the marker goes into dir, the store is filled and
// closed, and the marker removed. If anything fails, dir is emptied again
// (and removed if RestoreDir made it). The restored store has a new epoch,
// so every device refetches, keeping its outbox. It returns the summary of
// the last file and the new epoch.
func RestoreDir(ctx context.Context, files []string, dir string, open func(dir string) (Target, error), progress Progress) (Summary, string, error) {
	began := time.Now()
	if len(files) == 0 || len(files) > 2 {
		return Summary{}, "", errors.New("give a full backup, and optionally one incremental backup made since it")
	}
	created, err := emptyDir(dir)
	if err != nil {
		return Summary{}, "", err
	}
	sums := make([]Summary, len(files))
	for i, file := range files {
		if sums[i], err = Verify(file, progress); err != nil {
			return Summary{}, "", fmt.Errorf("%s: %w", file, err)
		}
	}
	if err := chain(files, sums); err != nil {
		return Summary{}, "", err
	}
	if created {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return Summary{}, "", err
		}
	}
	epoch, err := restoreInto(ctx, files, dir, sums, open, progress)
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
	sum := sums[len(sums)-1]
	sum.Elapsed = time.Since(began)
	return sum, epoch, nil
}

// RestoreStore is RestoreDir for a store that is not a directory (a
// PostgreSQL database), whose Restore is all or nothing itself and refuses
// a store that holds anything. It verifies every file first.
func RestoreStore(ctx context.Context, files []string, st Target, progress Progress) (Summary, error) {
	began := time.Now()
	if len(files) == 0 || len(files) > 2 {
		return Summary{}, errors.New("give a full backup, and optionally one incremental backup made since it")
	}
	sums := make([]Summary, len(files))
	for i, file := range files {
		var err error
		if sums[i], err = Verify(file, progress); err != nil {
			return Summary{}, fmt.Errorf("%s: %w", file, err)
		}
	}
	if err := chain(files, sums); err != nil {
		return Summary{}, err
	}
	var total int64
	for _, s := range sums {
		total += s.Size
	}
	counter := &counting{phase: "restore", progress: progress, total: total}
	next, closeAll, err := merged(files, counter)
	defer closeAll()
	if err != nil {
		return Summary{}, err
	}
	if err := st.Restore(ctx, sums[len(sums)-1].Counts.Head, next); err != nil {
		return Summary{}, err
	}
	counter.finish()
	sum := sums[len(sums)-1]
	sum.Elapsed = time.Since(began)
	return sum, nil
}

// chain checks that files are a full backup and, if two, an incremental
// one made since that very file.
func chain(files []string, sums []Summary) error {
	if sums[0].Header.Base != nil {
		return fmt.Errorf("%s is an incremental backup: give the full backup it completes first", files[0])
	}
	if len(sums) == 1 {
		return nil
	}
	b := sums[1].Header.Base
	switch {
	case b == nil:
		return fmt.Errorf("%s is a full backup, not an incremental one: restore it alone", files[1])
	case b.Checksum != sums[0].Inner || b.Epoch != sums[0].Header.Epoch || b.Head != sums[0].Counts.Head:
		return fmt.Errorf("%s was not made since %s (it completes a backup of epoch %s at change %d)", files[1], files[0], b.Epoch, b.Head)
	}
	return nil
}

func restoreInto(ctx context.Context, files []string, dir string, sums []Summary, open func(string) (Target, error), progress Progress) (string, error) {
	if err := os.WriteFile(filepath.Join(dir, Marker), []byte("restoring "+strings.Join(files, " ")+"\n"), 0o640); err != nil {
		return "", err
	}
	syncDir(dir)
	var total int64
	for _, s := range sums {
		total += s.Size
	}
	counter := &counting{phase: "restore", progress: progress, total: total}
	next, closeAll, err := merged(files, counter)
	defer closeAll()
	if err != nil {
		return "", err
	}
	st, err := open(dir)
	if err != nil {
		return "", err
	}
	// The files were verified, but they are read again: if one changed
	// meanwhile, the checksum at its end says so and nothing is kept.
	err = st.Restore(ctx, sums[len(sums)-1].Counts.Head, next)
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

// merged returns the items of a full backup as an incremental one since it
// completes it: the incremental's items first, then the full backup's
// records the incremental does not hold (newer versions replace them) and
// its unlogged data the incremental left out as unchanged. Client
// sequences and all other unlogged data come from the newest file alone.
func merged(files []string, counter *counting) (next func() (store.Item, error), closeAll func(), err error) {
	var opened []*os.File
	closeAll = func() {
		for _, f := range opened {
			f.Close()
		}
	}
	readers := make([]*Reader, len(files))
	for i, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, closeAll, err
		}
		opened = append(opened, f)
		if readers[i], err = NewReader(io.TeeReader(f, counter)); err != nil {
			return nil, closeAll, err
		}
	}
	newest := readers[len(readers)-1]
	if len(readers) == 1 {
		return newest.Next, closeAll, nil
	}
	full := readers[0]
	seen := map[string]bool{}   // records the incremental holds
	wanted := map[string]bool{} // unlogged data it left to the full backup
	fromFull := false
	next = func() (store.Item, error) {
		for !fromFull {
			it, err := newest.Next()
			if errors.Is(err, io.EOF) {
				fromFull = true
				break
			}
			if err != nil {
				return it, err
			}
			switch it.Kind {
			case store.ItemRecord:
				seen[it.Type+"/"+it.ID] = true
			case Omitted:
				wanted[it.Type+"/"+it.ID] = true
				continue
			}
			return it, nil
		}
		for {
			it, err := full.Next()
			if err != nil {
				if errors.Is(err, io.EOF) && len(wanted) > 0 {
					return it, fmt.Errorf("%w: the incremental backup leaves %d items to a full backup that lacks them", ErrDamaged, len(wanted))
				}
				return it, err
			}
			key := it.Type + "/" + it.ID
			switch it.Kind {
			case store.ItemRecord:
				if !seen[key] {
					return it, nil
				}
			case store.ItemLocal:
				if wanted[key] {
					delete(wanted, key)
					return it, nil
				}
			}
		}
	}
	return next, closeAll, nil
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
