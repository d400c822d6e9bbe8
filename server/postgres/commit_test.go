package postgres

import (
	"context"
	"errors"
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

// TestBatchesUnderLoad: many writers at once cost two pipelines a batch
// (the opening and the commit), however many Updates it carries; a
// function that fails in memory, one that fails after its writes reached
// PostgreSQL (a scan flushed them), and the others all get their own
// answer, with the versions dense and nothing of the failed ones kept;
// and two handles (two nodes) writing at once do the same.
func TestBatchesUnderLoad(t *testing.T) {
	ctx := context.Background()
	tr := &statementTracer{}
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
	before, n0, u0 := tr.count(), batches.Load(), updates.Load()
	run(1, false)
	pipelines, n, u := tr.count()-before, batches.Load()-n0, updates.Load()-u0
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

// statementTracer records the statements of each pipeline sent.
type statementTracer struct {
	mu        sync.Mutex
	pipelines [][]string
}

func (s *statementTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (s *statementTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (s *statementTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	var sqls []string
	for _, q := range d.Batch.QueuedQueries {
		sqls = append(sqls, q.SQL)
	}
	s.mu.Lock()
	s.pipelines = append(s.pipelines, sqls)
	s.mu.Unlock()
	return ctx
}

// count returns how many pipelines were sent.
func (s *statementTracer) count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.pipelines))
}

func (s *statementTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (s *statementTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// TestCommitIsOneStatement: a batch writing to every table (a record and
// its scope rows, a record moved to a new version, a client's sequence,
// local data set and deleted) opens in three statements (BEGIN, the lock,
// the head read) and commits in two, the writes and COMMIT, and every
// write is there afterwards: the records and their
// scope index (the moved record's old scope rows dropped by the trigger),
// the sequence, the local rows, the head.
func TestCommitIsOneStatement(t *testing.T) {
	ctx := context.Background()
	tr := &statementTracer{}
	db := open(t, pgtest.DB(t), func(d *DB) { d.tracer = tr })
	ticket := func(client string) []byte { return []byte(`{"client_id":"` + client + `"}`) }
	if err := db.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Put("ticket", "t1", ticket("c1")); err != nil {
			return err
		}
		return tx.PutLocal("k", "gone", []byte("x"), time.Time{})
	}); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	tr.pipelines = nil
	tr.mu.Unlock()
	if err := db.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Put("ticket", "t1", ticket("c2")); err != nil { // moves to c2's scope
			return err
		}
		if _, err := tx.Put("ticket", "t2", ticket("c2")); err != nil {
			return err
		}
		if err := tx.SetLastSeq("c2", 7); err != nil {
			return err
		}
		if err := tx.PutLocal("k", "kept", []byte("a\x00b"), time.Time{}); err != nil {
			return err
		}
		return tx.DeleteLocal("k", "gone")
	}); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	pipelines := tr.pipelines
	tr.mu.Unlock()
	if len(pipelines) != 2 || len(pipelines[0]) != 3 || len(pipelines[1]) != 2 || pipelines[1][1] != "COMMIT" {
		t.Fatalf("the batch sent %d pipelines %q; want two: BEGIN, the lock and the reads; the writes and COMMIT", len(pipelines), pipelines)
	}
	for _, table := range []string{"records", "scopes", "clients", "local", "outpost_head", "pg_notify"} {
		if !strings.Contains(pipelines[1][0], table) {
			t.Errorf("the writes' statement does not name %s:\n%s", table, pipelines[1][0])
		}
	}
	err := db.View(ctx, func(tx store.ReadTx) error {
		if head, err := tx.Version(); err != nil || head != 3 {
			t.Errorf("head = %d, %v; want 3", head, err)
		}
		if seq, err := tx.LastSeq("c2"); err != nil || seq != 7 {
			t.Errorf("last sequence of c2 = %d, %v; want 7", seq, err)
		}
		if b, err := tx.GetLocal("k", "kept"); err != nil || string(b) != "a\x00b" {
			t.Errorf("local k/kept = %q, %v", b, err)
		}
		if _, err := tx.GetLocal("k", "gone"); shared.ErrorCode(err) != shared.ENOTFOUND {
			t.Errorf("local k/gone after its deletion: %v; want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := func(string, []byte) bool { return true }
	for scope, want := range map[string]string{store.ScopeClient("c1"): "", store.ScopeClient("c2"): "t1@2 t2@3"} {
		changes, _, _, err := db.ChangesIn(ctx, []string{scope}, 0, 100, 1<<20, all)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range changes {
			got = append(got, fmt.Sprintf("%s@%d", c.ID, c.V))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("scope %s holds %q; want %q", scope, got, want)
		}
	}
	// ChangesIn joins the records' versions, so it cannot see a scope row
	// left behind: count the moved record's old rows (version 1) directly.
	var stale int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM scopes WHERE version = 1").Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d scope rows of t1's old version left (%v); want 0", stale, err)
	}
}

func TestRenumber(t *testing.T) {
	for _, c := range []struct {
		sql  string
		base int
		want string
	}{
		{"SELECT $1, $2::text[]", 0, "SELECT $1, $2::text[]"},
		{"SELECT $1, $2::text[], $10", 5, "SELECT $6, $7::text[], $15"},
		{"UPDATE t SET v = $1 WHERE $12 = 'a$'", 9, "UPDATE t SET v = $10 WHERE $21 = 'a$'"},
	} {
		if got := renumber(c.sql, c.base); got != c.want {
			t.Errorf("renumber(%q, %d) = %q; want %q", c.sql, c.base, got, c.want)
		}
	}
}

// TestReadAheadLooksUpKeys: the batch's read of the announced keys stays
// a lookup per key as the tables grow under a node's long-lived
// connections. Written as a join against the keys, its prepared plan,
// made while the tables were small, scanned the whole records table at
// every batch ever after (PostgreSQL's CPU went there in the load
// benchmark).
func TestReadAheadLooksUpKeys(t *testing.T) {
	ctx := context.Background()
	// Generic plans at once, made on the empty tables, as a node's
	// prepared statements end up with on a portal that grows.
	dsn := pgtest.DB(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db := open(t, dsn+sep+"plan_cache_mode=force_generic_plan")
	n := 0
	put := func(count int) {
		for range count { // one at a time: one batch, one read ahead, each
			n++
			id, client := fmt.Sprint("t", n), fmt.Sprint("c", n%10)
			keys := store.Keys{Clients: []string{client}, Records: []store.Key{{A: "ticket", B: id}}, Local: []store.Key{{A: "counter", B: "n"}}}
			if err := db.UpdateKeys(ctx, keys, func(tx store.Tx) error {
				if _, err := tx.Get("ticket", id); shared.ErrorCode(err) != shared.ENOTFOUND {
					return fmt.Errorf("ticket %s before it was written: %v", id, err)
				}
				if _, err := tx.Put("ticket", id, []byte(`{"client_id":"`+client+`"}`)); err != nil {
					return err
				}
				if err := tx.PutLocal("counter", "n", []byte(fmt.Sprint(n)), time.Time{}); err != nil {
					return err
				}
				return tx.SetLastSeq(client, uint64(n))
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(20) // the statements are prepared, and planned, on small tables
	// Grow it without the node (one statement), then read ahead again.
	if _, err := db.pool.Exec(ctx, `INSERT INTO records (typ, id, version, deleted, data)
		SELECT 'filler', 'f' || g, 1000000 + g, false, '\x7b7d' FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	// Reads of records, sequential (rows) and by index (scans), as the
	// backends report them: each when idle for a second at most.
	scanned := func() (seqRows, idxScans int64) {
		time.Sleep(1500 * time.Millisecond)
		if err := db.pool.QueryRow(ctx, `SELECT coalesce(seq_tup_read, 0), coalesce(idx_scan, 0)
			FROM pg_stat_user_tables WHERE relname = 'records'`).Scan(&seqRows, &idxScans); err != nil {
			t.Fatal(err)
		}
		return seqRows, idxScans
	}
	seq0, idx0 := scanned()
	put(50)
	seq1, idx1 := scanned()
	t.Logf("50 batches: %d rows read sequentially, %d index scans", seq1-seq0, idx1-idx0)
	if idx1-idx0 < 50 {
		t.Errorf("50 batches made %d index scans of records; want one a batch at least (are the statistics reported?)", idx1-idx0)
	}
	if seq1-seq0 > 20000 {
		t.Errorf("50 batches read %d rows of the records table in sequential scans (it holds 20,000); want lookups by key", seq1-seq0)
	}
}
