package badger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	gosync "sync"
	"testing"

	"outpost/server/store"
	"outpost/shared"
)

// TestGroupCommit runs many concurrent Updates, a third of which fail after
// writing: the failed ones leave nothing, the others everything, and the
// change log has one version per surviving write, in order.
func TestGroupCommit(t *testing.T) {
	d, err := Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	const n = 300
	errBoom := errors.New("boom")
	var wg gosync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = d.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.Put("ticket", fmt.Sprint(i), []byte(fmt.Sprint(i))); err != nil {
					return err
				}
				if i%3 == 0 {
					return errBoom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	kept := 0
	err = d.View(ctx, func(tx store.ReadTx) error {
		for i := range n {
			_, err := tx.Get("ticket", fmt.Sprint(i))
			switch {
			case i%3 == 0 && !errors.Is(results[i], errBoom):
				t.Errorf("Update %d = %v; want its own error", i, results[i])
			case i%3 == 0 && shared.ErrorCode(err) != shared.ENOTFOUND:
				t.Errorf("failed Update %d left its write (%v)", i, err)
			case i%3 != 0 && (results[i] != nil || err != nil):
				t.Errorf("Update %d = %v, record %v; want it kept", i, results[i], err)
			case i%3 != 0:
				kept++
			}
		}
		v, err := tx.Version()
		if err == nil && v != uint64(kept) {
			t.Errorf("change log at version %d; want %d, one per kept write", v, kept)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	changes, _, _, err := d.Changes(ctx, 0, 1000, 1<<30, func(string, []byte) bool { return true })
	if err != nil || len(changes) != kept {
		t.Fatalf("Changes = %d, %v; want %d", len(changes), err, kept)
	}
	for i, c := range changes {
		if c.V != uint64(i+1) {
			t.Fatalf("change %d has version %d; want versions 1..%d in order", i, c.V, kept)
		}
	}
}

// TestGroupCommitTooBig: Updates too big to share a transaction are
// committed one by one.
func TestGroupCommitTooBig(t *testing.T) {
	d, err := Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	big := []byte(strings.Repeat("x", 200<<10))
	var wg gosync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.Update(context.Background(), func(tx store.Tx) error {
				_, err := tx.Put("blob", fmt.Sprint(i), big)
				return err
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Update %d = %v; want it committed (alone if need be)", i, err)
		}
	}
}

func TestUpdateAfterClose(t *testing.T) {
	d, err := Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if err := d.Update(context.Background(), func(store.Tx) error { return nil }); err == nil {
		t.Fatal("Update after Close succeeded")
	}
}
