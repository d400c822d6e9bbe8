package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"outpost/server/store"
)

var _ store.Shared = (*DB)(nil)

// namedLock is the advisory lock key of a name: "op" and a hash, apart
// from lockLog and lockMigrate.
func namedLock(name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 0x6f70_0000_0000_0000 | int64(h.Sum32())
}

// Exclusive implements store.Shared with a session advisory lock held on a
// connection of its own for as long as fn runs.
func (d *DB) Exclusive(ctx context.Context, name string, fn func(context.Context) error) error {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return d.unreachable(err)
	}
	defer conn.Release()
	key := namedLock(name)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("take the %s lock: %w", name, err)
	}
	defer unlock(conn, key)
	return fn(ctx)
}

// unlock releases a session lock; if that fails the connection is closed
// rather than returned to the pool holding it.
func unlock(conn *pgxpool.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
		conn.Conn().Close(ctx)
	}
}

// leadRetry is how often a node that does not lead tries to; leadCheck is
// how often the leader checks it still holds its connection. Both wait on
// the store's clock (WithClock): a test moves a clock.Fake past them
// instead of shortening them.
const leadRetry, leadCheck = 20 * time.Second, 5 * time.Second

// Lead implements store.Shared: the leader holds a session advisory lock on
// a connection of its own, which PostgreSQL releases if the node dies or
// the connection breaks.
func (d *DB) Lead(ctx context.Context, name string, fn func(context.Context)) {
	key := namedLock(name)
	for {
		if led := d.leadOnce(ctx, name, key, fn); !led {
			t, retry := d.clock.NewTimer(leadRetry)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-retry:
			}
		} else if ctx.Err() != nil {
			return
		}
	}
}

// leadOnce takes the lead if it is free and runs fn until ctx ends or the
// connection fails. It reports whether it led.
func (d *DB) leadOnce(ctx context.Context, name string, key int64, fn func(context.Context)) bool {
	// A connection of its own: held for as long as this node leads, it
	// must not take one of the pool's from the node's traffic.
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil || !got {
		return false
	}
	d.log.Info("this node leads", "job", name)
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", key)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); fn(runCtx) }()
	t, check := d.clock.NewTicker(leadCheck)
	defer t.Stop()
	for {
		select {
		case <-done:
			stop()
			return true
		case <-ctx.Done():
			stop()
			<-done
			return true
		case <-check:
			// The ping's own bound is wall-clock time: it bounds real I/O.
			pctx, cancel := context.WithTimeout(ctx, leadCheck)
			err := conn.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				d.log.Warn("lost the lead: the connection to PostgreSQL failed", "job", name, "err", err)
				stop()
				<-done
				return true
			}
		}
	}
}
