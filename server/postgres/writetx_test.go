package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared"
)

// readTracer counts the single-statement reads sent (a batch's pipelined
// statements are not counted: they go out together).
type readTracer struct{ reads atomic.Int64 }

func (r *readTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(strings.TrimSpace(d.SQL), "SELECT") {
		r.reads.Add(1)
	}
	return ctx
}

func (r *readTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestAnnouncedReadsCostNoRoundTrip: Updates shaped like ticket.create (the
// client's sequence, "is this ID free", the number counter, then writes)
// that announce their keys send no read of their own: the keys come with
// the batch's lock and the writes with its commit. One that announces
// nothing still works, a read at a time.
func TestAnnouncedReadsCostNoRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := &readTracer{}
	db := open(t, pgtest.DB(t), func(d *DB) { d.tracer = tr })
	time.Sleep(100 * time.Millisecond) // the garbage collector's first round
	apply := func(client, id string) func(store.Tx) error {
		return func(tx store.Tx) error {
			seq, err := tx.LastSeq(client)
			if err != nil {
				return err
			}
			if _, err := tx.Get("ticket", id); shared.ErrorCode(err) != shared.ENOTFOUND {
				return fmt.Errorf("Get(ticket, %s) = %v; want ENOTFOUND", id, err)
			}
			var n uint64
			if b, err := tx.GetLocal("counter", "ticket-number"); err == nil {
				n = binary.BigEndian.Uint64(b)
			}
			if err := tx.PutLocal("counter", "ticket-number", binary.BigEndian.AppendUint64(nil, n+1), time.Time{}); err != nil {
				return err
			}
			if _, err := tx.Put("ticket", id, []byte(`{}`)); err != nil {
				return err
			}
			return tx.SetLastSeq(client, seq+1)
		}
	}
	run := func(announce bool) int64 {
		before := tr.reads.Load()
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client, id := fmt.Sprint("c", i%7), fmt.Sprintf("t%v-%d", announce, i)
				var keys store.Keys
				if announce {
					keys = store.Keys{Clients: []string{client}, Records: []store.Key{{A: "ticket", B: id}}, Local: []store.Key{{A: "counter", B: "ticket-number"}}}
				}
				if err := db.UpdateKeys(ctx, keys, apply(client, id)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		return tr.reads.Load() - before
	}
	if n := run(true); n != 0 {
		t.Errorf("40 Updates that announced their keys sent %d reads of their own; want 0", n)
	}
	if n := run(false); n < 40 {
		t.Errorf("40 Updates that announced nothing sent %d reads; want at least one each (is the tracer counting?)", n)
	}
	db.View(ctx, func(tx store.ReadTx) error {
		b, err := tx.GetLocal("counter", "ticket-number")
		if err != nil || binary.BigEndian.Uint64(b) != 80 {
			t.Errorf("counter = %x, %v; want 80", b, err)
		}
		for i := range 7 {
			if seq, _ := tx.LastSeq(fmt.Sprint("c", i)); seq == 0 {
				t.Errorf("LastSeq(c%d) = 0", i)
			}
		}
		return nil
	})
}
