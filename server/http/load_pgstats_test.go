package http_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"outpost/server/postgres"
)

// Where a PostgreSQL step's time goes (TestLoadBenchPostgres): the group
// commits' sizes and round trips as the server node saw them, the CPU
// each process used (load generator, nodes, PostgreSQL), and what
// PostgreSQL's backends were doing, sampled from pg_stat_activity.

// batchTally sums the batches a node committed (postgres.WithBatchObserver),
// in the server process; "pgstats" on its stdin prints and resets it.
type batchTally struct {
	mu                gosync.Mutex
	batches, updates  int
	largest           int
	open, run, commit time.Duration
}

var pgBatches batchTally

func (b *batchTally) add(f postgres.BatchFigures) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batches++
	b.updates += f.Updates
	b.largest = max(b.largest, f.Updates)
	b.open += f.Open
	b.run += f.Run
	b.commit += f.Commit
}

// answer prints the tally as a loadserver line and resets it, if line asks.
func (b *batchTally) answer(line string) bool {
	if line != "pgstats" {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Printf("loadserver pgstats %d %d %d %d %d %d\n", b.batches, b.updates, b.largest, b.open, b.run, b.commit)
	b.batches, b.updates, b.largest, b.open, b.run, b.commit = 0, 0, 0, 0, 0, 0
	return true
}

// pgStepStats asks each node for its tally, resetting it, and prints one
// line per node (none if d, the step's length, is 0). It returns the
// Updates per batch over all nodes.
func pgStepStats(t *testing.T, servers []*loadServer, d time.Duration) float64 {
	var batches, updates int64
	for i, s := range servers {
		fmt.Fprintln(s.in, "pgstats")
		f := s.next(t)
		if len(f) != 7 || f[0] != "pgstats" {
			t.Fatalf("load server answered pgstats with %q", f)
		}
		var v [6]int64
		for j := range v {
			v[j], _ = strconv.ParseInt(f[j+1], 10, 64)
		}
		batches, updates = batches+v[0], updates+v[1]
		if d == 0 {
			continue // only a reset
		}
		n := max(v[0], 1)
		msPer := func(x int64) float64 { return float64(x) / float64(n) / 1e6 }
		fmt.Printf("bench pg   node %d: %5d batches, %5.1f updates each (largest %d); per batch: open %.2f ms, run %.2f ms, commit %.2f ms; writer busy %.0f %%\n",
			i+1, v[0], float64(v[1])/float64(n), v[2], msPer(v[3]), msPer(v[4]), msPer(v[5]), 100*float64(v[3]+v[4]+v[5])/float64(d))
	}
	return float64(updates) / float64(max(batches, 1))
}

// cpuMeter reads the CPU time of this process (the load generator), the
// server nodes and PostgreSQL's processes.
type cpuMeter struct {
	conn    *pgx.Conn
	servers []int
	last    map[string]float64
	at      time.Time
}

func newCPUMeter(t *testing.T, dsn string, servers []int) *cpuMeter {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	m := &cpuMeter{conn: conn, servers: servers}
	m.last, m.at = m.read(), time.Now()
	return m
}

// cpuSeconds is utime+stime of pid, in seconds.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) / 100 // USER_HZ
}

func (m *cpuMeter) read() map[string]float64 {
	out := map[string]float64{"load generator": cpuSeconds(os.Getpid())}
	for _, pid := range m.servers {
		out["nodes"] += cpuSeconds(pid)
	}
	// Every PostgreSQL process of the cluster: backends and background ones.
	rows, err := m.conn.Query(context.Background(), "SELECT pid, coalesce(backend_type, '') FROM pg_stat_activity")
	if err == nil {
		var pid int
		var typ string
		pgx.ForEachRow(rows, []any{&pid, &typ}, func() error {
			out[fmt.Sprintf("pg %d %s", pid, typ)] = cpuSeconds(pid)
			return nil
		})
	}
	return out
}

// step prints the CPU used since the last call, in cores.
func (m *cpuMeter) step() {
	now, cur := time.Now(), m.read()
	secs := now.Sub(m.at).Seconds()
	var gen, nodes, pg float64
	byType := map[string]float64{} // PostgreSQL's CPU by backend type: client backends, autovacuum, ...
	for k, v := range cur {
		d := v - m.last[k]
		switch {
		case k == "load generator":
			gen = d
		case k == "nodes":
			nodes = d
		default:
			pg += d
			if f := strings.SplitN(k, " ", 3); len(f) == 3 {
				byType[f[2]] += d
			}
		}
	}
	var types []string
	for typ, d := range byType {
		if d/secs >= 0.01 {
			types = append(types, fmt.Sprintf("%s %.2f", typ, d/secs))
		}
	}
	sort.Strings(types)
	// Rows updated at every batch (the head, the clients' sequences) leave
	// dead versions that every read of them steps over until vacuumed.
	var headPages, clientPages int64
	m.conn.QueryRow(context.Background(), "SELECT pg_relation_size('outpost_head') / 8192, pg_relation_size('clients') / 8192").Scan(&headPages, &clientPages)
	fmt.Printf("bench pg   CPU (cores of 2): load generator %.2f, Outpost node(s) %.2f, PostgreSQL %.2f (%s; pages: outpost_head %d, clients %d); load average %s\n",
		gen/secs, nodes/secs, pg/secs, strings.Join(types, ", "), headPages, clientPages, loadAverage())
	var scans []string
	rows, _ := m.conn.Query(context.Background(), "SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE seq_tup_read > 0 ORDER BY relname")
	var rel string
	var seqScan, seqRead, idxScan int64
	pgx.ForEachRow(rows, []any{&rel, &seqScan, &seqRead, &idxScan}, func() error {
		scans = append(scans, fmt.Sprintf("%s %d seq scans (%d rows), %d index scans", rel, seqScan, seqRead, idxScan))
		return nil
	})
	fmt.Printf("bench pg   tables so far: %s\n", strings.Join(scans, "; "))
	m.last, m.at = cur, now
}

// waitSampler samples what PostgreSQL's client backends are doing while a
// step runs: running a statement (and on what it waits), or idle inside a
// transaction (waiting for the node).
type waitSampler struct {
	mu     gosync.Mutex
	counts map[string]int
	n      int
	stop   chan struct{}
	done   chan struct{}
}

func sampleWaits(t *testing.T, dsn string) *waitSampler {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	w := &waitSampler{counts: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer conn.Close(context.Background())
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			rows, err := conn.Query(context.Background(), `SELECT state || coalesce(' / ' || wait_event_type || ':' || wait_event, '')
				FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
				AND state IN ('active', 'idle in transaction') AND query NOT LIKE 'LISTEN%'`)
			if err != nil {
				continue
			}
			var s string
			w.mu.Lock()
			w.n++
			pgx.ForEachRow(rows, []any{&s}, func() error { w.counts[s]++; return nil })
			w.mu.Unlock()
		}
	}()
	return w
}

// print stops the sampler and prints the average number of backends in
// each state.
func (w *waitSampler) print() {
	close(w.stop)
	<-w.done
	var parts []string
	for k, v := range w.counts {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(v)/float64(max(w.n, 1))))
	}
	fmt.Printf("bench pg   PostgreSQL backends (mean over %d samples): %s\n", w.n, strings.Join(parts, "; "))
}
