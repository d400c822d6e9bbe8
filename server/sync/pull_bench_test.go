package sync

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/postgres"
	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared/wire"
)

// TestPullBench prints the server time of a signed-out device's first
// sync, page by page (the engine asks for 500), against change logs of
// 10,000 and 100,000 records of which 1,000 are public articles and the
// rest other devices' tickets: the scoped path beside the old one (the
// whole log, filtered). The target is 5 ms a page, flat as the log
// grows. Run by make bench (OUTPOST_BENCH=1), on Badger and, given a
// cluster (OUTPOST_TEST_POSTGRES), on PostgreSQL; it never fails on a
// figure.
func TestPullBench(t *testing.T) {
	t.Parallel()
	if os.Getenv("OUTPOST_BENCH") == "" {
		t.Skip("set OUTPOST_BENCH=1 (make bench)")
	}
	stores := []string{"badger"}
	if os.Getenv(pgtest.Env) != "" {
		stores = append(stores, "postgres")
	}
	// The first store a process opens pulls several times slower than
	// the next, whatever its size: warm up on one, unprinted.
	warm := pullBenchService(t, "badger", 10_000, 1_000)
	timePulls(t, func(cursor uint64) (wire.Msg, error) {
		return warm.PullAs(context.Background(), Actor{ClientID: client}, cursor, 500)
	})
	for _, kind := range stores {
		for _, size := range []int{10_000, 100_000} {
			pullBench(t, kind, size)
		}
	}
}

// pullBench prints the figures of one store of kind holding size records.
func pullBench(t *testing.T, kind string, size int) {
	s := pullBenchService(t, kind, size, 1_000)
	scoped, pages, n := timePulls(t, func(cursor uint64) (wire.Msg, error) {
		return s.PullAs(context.Background(), Actor{ClientID: client}, cursor, 500)
	})
	visible := visibleTo(Actor{ClientID: client})
	withRemovals := func(typ string, data []byte) bool { return removable[typ] || visible(typ, data) }
	old, oldPages, _ := timePulls(t, func(cursor uint64) (wire.Msg, error) {
		cs, next, more, err := s.Store.Changes(context.Background(), cursor, 500, wire.MaxPageBytes, withRemovals)
		return wire.Msg{Changes: cs, Cursor: next, More: more}, err
	})
	fmt.Printf("bench pull anonymous %-8s log %7d records, %d public: %d pages (%d changes), %6.2f ms/page scoped (target ≤ 5); old path (whole log) %7.2f ms/page over %d pages\n",
		kind, size, 1_000, pages, n, ms(scoped)/float64(pages), ms(old)/float64(oldPages), oldPages)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// timePulls pulls from cursor 0 to the head, best of five runs.
func timePulls(t *testing.T, pull func(cursor uint64) (wire.Msg, error)) (best time.Duration, pages, changes int) {
	for run := 0; run < 5; run++ {
		began := time.Now()
		cursor, more, p, n := uint64(0), true, 0, 0
		for ; more; p++ {
			page, err := pull(cursor)
			if err != nil {
				t.Fatal(err)
			}
			cursor, more, n = page.Cursor, page.More, n+len(page.Changes)
		}
		if took := time.Since(began); run == 0 || took < best {
			best, pages, changes = took, p, n
		}
	}
	return best, pages, changes
}

// pullBenchService returns a service on a store of kind holding size
// records, public of them published public articles spread evenly
// through the log, the rest tickets of other devices.
func pullBenchService(t *testing.T, kind string, size, public int) *Service {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	every := size / public
	record := func(i int) (typ, id string, data []byte) {
		if i%every == 0 {
			return wire.TypeArticle, fmt.Sprintf("article-%d", i),
				[]byte(fmt.Sprintf(`{"id":"article-%d","title":"How to fix thing %d","visibility":"public","status":"published","body":"Restart it, then check the cable and try again."}`, i, i))
		}
		return wire.TypeTicket, fmt.Sprintf("0193a000-0000-7000-8000-%012d", i),
			[]byte(fmt.Sprintf(`{"id":"0193a000-0000-7000-8000-%012d","title":"Printer on floor 3 jams","description":"It jams on every second page since Monday.","client_id":"0193b000-0000-7000-8000-%012d","status":"new","priority":"p3"}`, i, i%5000))
	}
	if kind == "postgres" {
		ctx := context.Background()
		db, err := postgres.Open(ctx, pgtest.DB(t), log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		err = db.Load(ctx, db.Epoch(), func(s *postgres.Sink) (uint64, error) {
			for i := 0; i < size; i++ {
				typ, id, data := record(i)
				if err := s.Record(typ, id, uint64(i+1), false, data); err != nil {
					return 0, err
				}
			}
			return uint64(size), nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return &Service{Store: db, Log: log}
	}
	db, err := badger.Open(t.TempDir(), log, badger.WithBulkLoad())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for from := 0; from < size; from += 1000 {
		err := db.Update(context.Background(), func(tx store.Tx) error {
			for i := from; i < min(from+1000, size); i++ {
				if _, err := tx.Put(record(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &Service{Store: db, Log: log}
}
