package storetest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"outpost/server/store"
	"outpost/shared"
)

// runBatched checks what a store that commits concurrent Updates together
// must keep apart: each function reads its own writes and those of the
// functions committed before it in the same transaction, a function that
// fails leaves nothing (however far it got, Each included) while the
// others commit, and versions stay dense. Updates announce keys
// (store.UpdateKeys), some they never read and one no store takes.
func runBatched(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	all := func(string, []byte) bool { return true }

	t.Run("BatchedUpdatesSeeEachOtherAndFailAlone", func(t *testing.T) {
		s := open(t)
		const n = 60
		boom := errors.New("boom")
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprint("t", i)
				keys := store.Keys{
					Clients: []string{"c", fmt.Sprint("unread", i), "bad\x00"},
					Records: []store.Key{{A: "ticket", B: id}, {A: "ticket", B: "t0"}},
					Local:   []store.Key{{A: "counter", B: "n"}, {A: "gone", B: id}},
				}
				errs[i] = store.UpdateKeys(ctx, s, keys, func(tx store.Tx) error {
					// A counter every function increments: each must read
					// the one before it committed or queued.
					var count uint64
					switch b, err := tx.GetLocal("counter", "n"); shared.ErrorCode(err) {
					case "":
						count = binary.BigEndian.Uint64(b)
					case shared.ENOTFOUND:
					default:
						return err
					}
					if err := tx.PutLocal("counter", "n", binary.BigEndian.AppendUint64(nil, count+1), time.Time{}); err != nil {
						return err
					}
					seq, err := tx.LastSeq("c")
					if err != nil {
						return err
					}
					if err := tx.SetLastSeq("c", seq+1); err != nil {
						return err
					}
					if _, err := tx.Get("ticket", id); shared.ErrorCode(err) != shared.ENOTFOUND {
						return fmt.Errorf("Get(ticket, %s) before Put = %v; want ENOTFOUND", id, err)
					}
					v, err := tx.Put("ticket", id, []byte("a\x00"+id))
					if err != nil {
						return err
					}
					if head, err := tx.Version(); err != nil || head != v {
						return fmt.Errorf("Version() after Put = %d, %v; want %d", head, err, v)
					}
					if got, err := tx.Get("ticket", id); err != nil || string(got) != "a\x00"+id {
						return fmt.Errorf("Get(ticket, %s) after Put = %q, %v", id, got, err)
					}
					if err := tx.PutLocal("gone", id, []byte("x"), time.Time{}); err != nil {
						return err
					}
					if err := tx.DeleteLocal("gone", id); err != nil {
						return err
					}
					if _, err := tx.GetLocal("gone", id); shared.ErrorCode(err) != shared.ENOTFOUND {
						return fmt.Errorf("GetLocal after DeleteLocal = %v; want ENOTFOUND", err)
					}
					if i%3 == 1 {
						if err := tx.Delete("ticket", id); err != nil {
							return err
						}
						if _, err := tx.Get("ticket", id); shared.ErrorCode(err) != shared.ENOTFOUND {
							return fmt.Errorf("Get after Delete = %v; want ENOTFOUND", err)
						}
					}
					if i%10 == 4 { // a scan sees this function's writes
						found := false
						err := tx.Each("ticket", func(eid string, _ []byte) error {
							found = found || eid == id
							return nil
						})
						if err != nil || found != (i%3 != 1) {
							return fmt.Errorf("Each found %s: %v, %v; want %v", id, found, err, i%3 != 1)
						}
					}
					if i%4 == 2 {
						return boom
					}
					return nil
				})
			}()
		}
		wg.Wait()
		ok, deleted := 0, 0
		for i, err := range errs {
			switch {
			case i%4 == 2:
				if !errors.Is(err, boom) {
					t.Errorf("Update %d = %v; want boom", i, err)
				}
			case err != nil:
				t.Errorf("Update %d = %v", i, err)
			default:
				ok++
				if i%3 == 1 {
					deleted++
				}
			}
		}
		page, cursor, _, err := s.Changes(ctx, 0, 1000, 1<<20, all)
		if err != nil {
			t.Fatal(err)
		}
		// A kept record has one version, a deleted one its tombstone's:
		// the Put's version is gone from the log, so dense means ascending
		// and ending at the head, which counts every Put and Delete kept.
		if len(page) != ok || cursor != uint64(ok+deleted) {
			t.Errorf("Changes = %d changes, cursor %d; want %d, %d", len(page), cursor, ok, ok+deleted)
		}
		for i := 1; i < len(page); i++ {
			if page[i].V <= page[i-1].V {
				t.Errorf("versions %d then %d", page[i-1].V, page[i].V)
			}
		}
		s.View(ctx, func(tx store.ReadTx) error {
			if b, err := tx.GetLocal("counter", "n"); err != nil || binary.BigEndian.Uint64(b) != uint64(ok) {
				t.Errorf("counter = %x, %v; want %d: an increment was lost or a failed one kept", b, err, ok)
			}
			if seq, err := tx.LastSeq("c"); err != nil || seq != uint64(ok) {
				t.Errorf("LastSeq(c) = %d, %v; want %d", seq, err, ok)
			}
			for i := range n {
				id := fmt.Sprint("t", i)
				_, err := tx.Get("ticket", id)
				if want := i%4 != 2 && i%3 != 1; (err == nil) != want {
					t.Errorf("Get(ticket, %s) = %v; want found %v", id, err, want)
				}
				if _, err := tx.GetLocal("gone", id); shared.ErrorCode(err) != shared.ENOTFOUND {
					t.Errorf("GetLocal(gone, %s) = %v; want ENOTFOUND", id, err)
				}
			}
			return nil
		})
	})
}
