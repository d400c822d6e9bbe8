package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"outpost/server/store"
)

// Every write transaction notifies channel `outpost` with "<head> <first>
// <node>": the head it committed, the first version it wrote and the node
// that wrote it. PostgreSQL delivers notifications on commit only, in commit
// order, to every session listening, on every node.

// pollEvery is how long the listener waits for a notification before it
// reads the head itself: a safety net for news that went missing. It is
// measured on the store's clock, as is the reconnect backoff.
const pollEvery = 3 * time.Second

// notifyPayload is what a write transaction notifies.
func (d *DB) notifyPayload(head, first uint64) string {
	return fmt.Sprintf("%d %d %s", head, first, d.node)
}

// Follow implements store.Shared: one LISTEN connection, of its own, per
// node, reconnected with backoff when it breaks (then changed(true)), and a
// read of the head when no notification came for pollEvery. It also reads
// the epoch at every connect and every pollEvery, and calls changed(true)
// when it changed (epoch.go).
func (d *DB) Follow(ctx context.Context, changed func(lost bool)) {
	backoff := time.Second
	for first := true; ; first = false {
		// A connection that lasted a minute starts the backoff over. (A
		// timer, not Now: a test clock may stop its time of day and keep
		// its timers running.)
		lasted, aMinute := d.clock.NewTimer(time.Minute)
		err := d.listen(ctx, changed, !first)
		select {
		case <-aMinute:
			backoff = time.Second
		default:
			lasted.Stop()
		}
		if ctx.Err() != nil {
			return
		}
		// Said once per outage (here, or by seen when PostgreSQL is
		// gone), not at every retry.
		level := slog.LevelDebug
		if backoff == time.Second && !errors.Is(d.seen(err), store.ErrUnavailable) {
			level = slog.LevelWarn
		}
		d.log.Log(ctx, level, "not hearing the other nodes' changes: reconnecting to PostgreSQL", "err", err, "retry_in", backoff.String())
		t, retry := d.clock.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-retry:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listen follows the notifications on one connection until it fails or
// ctx ends.
func (d *DB) listen(ctx context.Context, changed func(bool), reconnected bool) error {
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	d.listenPID.Store(conn.PgConn().PID())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	// Listening: every commit from now on is heard. The head read after
	// it covers the commits before.
	last, err := readHead(ctx, conn)
	if err != nil {
		return err
	}
	// A broken link is how a failover shows: the database behind the
	// address may be another now (epoch.go).
	moved, err := d.refreshEpoch(ctx, conn)
	if err != nil {
		return err
	}
	d.seen(nil) // PostgreSQL answers: an outage it logged is over
	if reconnected {
		d.log.Info("hearing the other nodes' changes again", "database", d.where)
	}
	if reconnected || moved {
		changed(true)
	}
	epochTicker, epochDue := d.clock.NewTicker(pollEvery)
	defer epochTicker.Stop()
	for {
		select {
		case <-epochDue:
			if moved, err := d.refreshEpoch(ctx, conn); err != nil {
				return err
			} else if moved {
				if last, err = readHead(ctx, conn); err != nil {
					return err
				}
				changed(true)
			}
		default:
		}
		// Wait for news until pollEvery has passed on the store's clock.
		wctx, cancel := context.WithCancel(ctx)
		poll := d.clock.AfterFunc(pollEvery, cancel)
		n, err := conn.WaitForNotification(wctx)
		timedOut := wctx.Err() != nil
		poll.Stop()
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !timedOut {
			return err
		}
		if n == nil {
			head, err := readHead(ctx, conn)
			if err != nil {
				return err
			}
			if head > last {
				last = head
				changed(false)
			}
			continue
		}
		head, first, node := parsePayload(n.Payload)
		switch {
		case head <= last:
			// Read already.
		case node == d.node && first == last+1:
			last = head // only this node's own commit since the last news
		default:
			// Under load the notifications queue up faster than the
			// change log is read: read the head first, so the read that
			// follows covers every commit up to it and the queued
			// notifications below it are skipped, not read again. (It
			// is at least the notified head, which committed before.)
			if last, err = readHead(ctx, conn); err != nil {
				return err
			}
			changed(false)
		}
	}
}

func readHead(ctx context.Context, conn *pgx.Conn) (uint64, error) {
	var head int64
	err := conn.QueryRow(ctx, "SELECT version FROM outpost_head").Scan(&head)
	return uint64(head), err
}

// parsePayload reads "<head> <first> <node>"; anything else reads as a
// change from an unknown node.
func parsePayload(p string) (head, first uint64, node string) {
	f := strings.Fields(p)
	if len(f) != 3 {
		return ^uint64(0), 0, ""
	}
	head, err1 := strconv.ParseUint(f[0], 10, 64)
	first, err2 := strconv.ParseUint(f[1], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return ^uint64(0), 0, ""
	}
	return head, first, f[2]
}
