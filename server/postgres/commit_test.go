package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
)

// pipelineTracer counts the pipelines (pgx batches) sent.
type pipelineTracer struct{ batches atomic.Int64 }

func (p *pipelineTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (p *pipelineTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (p *pipelineTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	p.batches.Add(1)
	return ctx
}
func (p *pipelineTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (p *pipelineTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// TestBatchesUnderLoad: many writers at once cost two pipelines a batch
// (the opening and the commit), however many Updates it carries; a
// function that fails in memory, one that fails after its writes reached
// PostgreSQL (a scan flushed them), and the others all get their own
// answer, with the versions dense and nothing of the failed ones kept;
// and two handles (two nodes) writing at once do the same.
func TestBatchesUnderLoad(t *testing.T) {
	ctx := context.Background()
	tr := &pipelineTracer{}
	var batches, updates atomic.Int64
	observe := WithBatchObserver(func(f BatchFigures) {
		batches.Add(1)
		updates.Add(int64(f.Updates))
	})
	dsn := pgtest.DB(t)
	db := open(t, dsn, func(d *DB) { d.tracer = tr }, observe)
	other := open(t, dsn, observe) // a second node, in the last round
	errNo := errors.New("refused")
	const writers, each = 50, 20
	var wg sync.WaitGroup
	// First only Updates that succeed, counting the pipelines; then the
	// same with failures among them.
	run := func(round int, failing bool) {
		for w := range writers {
			db := db
			if round == 3 && w%2 == 1 {
				db = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := fmt.Sprint("c", w)
				for i := range each {
					id := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					fails := failing && (w+i)%7 == 0      // in memory
					afterScan := failing && (w+i)%11 == 0 // after a flush: the batch is rolled back and runs again
					keys := store.Keys{Clients: []string{client}, Records: []store.Key{{A: "ticket", B: id}}}
					err := db.UpdateKeys(ctx, keys, func(tx store.Tx) error {
						if _, err := tx.Put("ticket", id, []byte(`{}`)); err != nil {
							return err
						}
						if err := tx.SetLastSeq(client, uint64(round*each+i+1)); err != nil {
							return err
						}
						if afterScan {
							if err := tx.Each("nothing", func(string, []byte) error { return nil }); err != nil {
								return err
							}
							return errNo
						}
						if fails {
							return errNo
						}
						return nil
					})
					if want := fails || afterScan; (err != nil) != want || err != nil && !errors.Is(err, errNo) {
						t.Errorf("Update %s = %v; want refused: %v", id, err, want)
					}
				}
			}()
		}
		wg.Wait()
	}
	run(0, false) // statements prepared on the connections
	before, n0, u0 := tr.batches.Load(), batches.Load(), updates.Load()
	run(1, false)
	pipelines, n, u := tr.batches.Load()-before, batches.Load()-n0, updates.Load()-u0
	t.Logf("%d Updates in %d batches, %d pipelines", u, n, pipelines)
	if pipelines != 2*n || u != writers*each || n >= u {
		t.Errorf("%d Updates in %d batches took %d pipelines; want two a batch, and batches of several", u, n, pipelines)
	}
	run(2, true)
	run(3, false) // two nodes
	var kept, versions int
	err := db.View(ctx, func(tx store.ReadTx) error {
		head, err := tx.Version()
		if err != nil {
			return err
		}
		for round := range 4 {
			for w := range writers {
				for i := range each {
					_, err := tx.Get("ticket", fmt.Sprintf("r%d-w%d-%d", round, w, i))
					switch failed := round == 2 && ((w+i)%7 == 0 || (w+i)%11 == 0); {
					case err == nil && failed:
						t.Errorf("r%d-w%d-%d failed but was kept", round, w, i)
					case err != nil && !failed:
						t.Errorf("r%d-w%d-%d: %v", round, w, i, err)
					case err == nil:
						kept++
					}
				}
			}
			for w := range writers {
				if seq, err := tx.LastSeq(fmt.Sprint("c", w)); err != nil || seq == 0 {
					t.Errorf("LastSeq(c%d) = %d, %v", w, seq, err)
				}
			}
		}
		changes, _, _, err := db.Changes(ctx, 0, 100000, 1<<30, func(string, []byte) bool { return true })
		for i, c := range changes {
			if c.V != uint64(i+1) {
				t.Fatalf("change %d has version %d: the log is not dense", i, c.V)
			}
		}
		versions = len(changes)
		if uint64(versions) != head {
			t.Errorf("head %d, %d changes", head, versions)
		}
		return err
	})
	if err != nil || kept != versions {
		t.Errorf("%d tickets kept, %d versions (%v)", kept, versions, err)
	}
}
