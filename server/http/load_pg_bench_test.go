package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"outpost/server/postgres"
	"outpost/server/postgres/pgtest"
	"outpost/shared"
	"outpost/shared/wire"
)

// Issue 17's targets on PostgreSQL.
const (
	targetPGP99      = 50 * time.Millisecond // at targetRate, two nodes
	targetPGFraction = 0.5                   // of the bare-SQL ceiling
)

// TestLoadBenchPostgres is the load benchmark on PostgreSQL (make bench,
// inside .ci/with-postgres): the same 1,000 clients and open-loop ladder as
// TestLoadBench, against one server node and then two on one database (the
// clients split between them, pokes crossing through LISTEN/NOTIFY). Beside
// them, the ceiling of this design: the same records written by bare SQL
// with the same guarantees (the log lock, the head read, dense versions,
// the client's sequence in the same transaction, a notification) in
// batches of a push's size, statements pipelined, no websockets, no JSON.
func TestLoadBenchPostgres(t *testing.T) {
	if os.Getenv("OUTPOST_BENCH") == "" {
		t.Skip("load benchmark: run with make bench (OUTPOST_BENCH=1)")
	}
	if d, err := time.ParseDuration(os.Getenv("OUTPOST_LOAD_STEP")); err == nil && d > 0 {
		stepLength = d
	}
	if err := raiseFileLimit(2*loadClients + 400); err != nil {
		t.Skipf("load benchmark needs ~%d file descriptors: %v", 2*loadClients+400, err)
	}
	fmt.Printf("bench pg machine: load average %s before the run\n", loadAverage())
	ceiling, serial := rawPostgresRate(t, pgtest.DB(t))
	fmt.Printf("bench pg bare SQL: %8.0f records/s in transactions of %d (one per transaction: %.0f/s)\n", ceiling, wire.MaxMutations, serial)

	row := func(what, got, target, v string) {
		fmt.Printf("bench pg %-44s %-40s %-10s %s\n", what, got, target, v)
	}
	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "MISS   <<<<<<<<"
	}
	for _, nodes := range []int{1, 2} {
		t.Setenv("OUTPOST_LOAD_SERVER_STORE", pgtest.DB(t))
		var clients []*loadClient
		for range nodes {
			srv := startLoadServer(t, "postgres")
			clients = append(clients, dialLoadClients(t, srv.url, loadClients/nodes)...)
		}
		l := startLadder(t, clients)
		at2k := l.run(targetRate, false)
		var held, failed float64
		if os.Getenv("OUTPOST_LOAD_RATES") == "" { // set: the 2,000/s step only, while working on it
			held, failed = l.climb()
		}
		l.stop()
		sustained := fmt.Sprintf("%.0f/s", held)
		if held == 0 {
			sustained = fmt.Sprintf("below %.0f/s", failed)
		}
		latencyOK := at2k.dropped == 0 && at2k.unacked == 0 && at2k.rejected == 0 && !at2k.p99.bound && at2k.p99.d <= targetPGP99
		fmt.Printf("bench pg ── %d node(s) on one PostgreSQL ───────────────────────────────────────────\n", nodes)
		target, v := "", ""
		if nodes == 2 {
			target, v = fmt.Sprintf("≤ %d ms", targetPGP99.Milliseconds()), verdict(latencyOK)
		}
		row(fmt.Sprintf("push→ack p99 at %d mutations/s", targetRate), fmt.Sprintf("%s ms (p50 %s ms)", at2k.p99, at2k.p50), target, v)
		row(fmt.Sprintf("sustained (p99 < %d ms) / bare SQL", sustainedP99.Milliseconds()), fmt.Sprintf("%s / %.0f/s = %.1f %%", sustained, ceiling, 100*held/ceiling),
			fmt.Sprintf("≥ %.0f %%", 100*targetPGFraction), verdict(held/ceiling >= targetPGFraction))
	}
}

// rawPostgresRate writes ticket records and client sequences as a minimal
// server with Outpost's guarantees would, and returns records/s in
// transactions of a push's size and one record per transaction.
func rawPostgresRate(t *testing.T, dsn string) (batched, serial float64) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil))) // the schema
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	clients := make([]string, loadClients)
	for i := range clients {
		clients[i] = shared.NewID(time.Now())
	}
	seqs := map[string]int64{}
	write := func(n int) error {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(0x6f75_7470_6f73_7401)); err != nil {
			return err
		}
		var head int64
		if err := tx.QueryRow(ctx, "SELECT version FROM outpost_head").Scan(&head); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i := range n {
			now := time.Now()
			tc := shared.TicketCreate{ID: shared.NewID(now), Title: "Printer on floor 2 jams", Description: loadDescription, CreatedAt: now.UnixMilli()}
			client := clients[int(head+int64(i))%len(clients)]
			data, _ := json.Marshal(tc.TicketBy(client, shared.Identity{}))
			seqs[client]++
			b.Queue("INSERT INTO records (typ, id, version, deleted, data) VALUES ('ticket', $1, $2, false, $3)", tc.ID, head+int64(i)+1, data)
			b.Queue("INSERT INTO clients (id, seq) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq", client, seqs[client])
		}
		b.Queue("UPDATE outpost_head SET version = $1", head+int64(n))
		b.Queue("SELECT pg_notify('outpost', $1)", strconv.FormatInt(head+int64(n), 10))
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	measure := func(per, total int) float64 {
		start := time.Now()
		for i := 0; i < total; i += per {
			if err := write(per); err != nil {
				t.Fatal(err)
			}
		}
		return float64(total) / time.Since(start).Seconds()
	}
	return measure(wire.MaxMutations, 20000), measure(1, 1000)
}
