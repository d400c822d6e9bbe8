package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The epoch names the history a device's cursor belongs to. It is made
// when the database is, and made again when the database finds itself on
// another cluster (system_identifier: restored from a dump) or timeline
// (restored to a point in time, a standby promoted) than the one recorded
// beside the epoch: commits the devices saw may be gone, so they refetch,
// keeping their outboxes. A running node notices by itself (Follow reads
// the cluster and the stored epoch when it connects and every pollEvery):
// the first node to notice settles the new epoch under the migration lock,
// the others take the stored one, and each pokes its sockets, which see
// the epoch changed and close, so their devices reconnect to a welcome
// carrying the new one (server/http).

// clusterSQL reads the cluster and timeline the database is on now.
const clusterSQL = `(SELECT system_identifier FROM pg_control_system())::text || '/' ||
	substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)`

// Epoch implements store.Store.
func (d *DB) Epoch() string {
	if e := d.epoch.Load(); e != nil {
		return *e
	}
	return ""
}

// settleEpoch returns the epoch, making a new one when there is none or
// the database is not on the cluster and timeline it was made on.
func (d *DB) settleEpoch(ctx context.Context, tx pgx.Tx) (string, error) {
	var cluster string
	if err := tx.QueryRow(ctx, "SELECT "+clusterSQL).Scan(&cluster); err != nil {
		return "", fmt.Errorf("read the PostgreSQL cluster's identity: %w", err)
	}
	meta := map[string]string{}
	rows, _ := tx.Query(ctx, "SELECT key, value FROM outpost_meta WHERE key IN ('epoch', 'cluster')")
	var k, v string
	if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error { meta[k] = v; return nil }); err != nil {
		return "", fmt.Errorf("read the epoch: %w", err)
	}
	if meta["epoch"] != "" && meta["cluster"] == cluster {
		return meta["epoch"], nil
	}
	if meta["epoch"] != "" {
		d.log.Warn("the database is on another PostgreSQL cluster or timeline than before (restored or promoted): new epoch, devices will refetch",
			"was", meta["cluster"], "now", cluster)
	}
	epoch := newEpoch()
	return epoch, setEpoch(ctx, tx, epoch, cluster)
}

func newEpoch() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func setEpoch(ctx context.Context, tx pgx.Tx, epoch, cluster string) error {
	_, err := tx.Exec(ctx, `INSERT INTO outpost_meta (key, value) VALUES ('epoch', $1), ('cluster', $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, epoch, cluster)
	if err != nil {
		return fmt.Errorf("store the epoch: %w", err)
	}
	return nil
}

// refreshEpoch checks, in one query on conn, that the database is still
// on the cluster its epoch was made on and still has this node's epoch;
// if not, it settles the epoch as Open does and takes it. It reports
// whether the node's epoch changed.
func (d *DB) refreshEpoch(ctx context.Context, conn *pgx.Conn) (bool, error) {
	old := d.Epoch()
	var cluster, stored, storedCluster string
	err := conn.QueryRow(ctx, `SELECT `+clusterSQL+`,
		coalesce((SELECT value FROM outpost_meta WHERE key = 'epoch'), ''),
		coalesce((SELECT value FROM outpost_meta WHERE key = 'cluster'), '')`).Scan(&cluster, &stored, &storedCluster)
	if err != nil {
		return false, fmt.Errorf("read the epoch: %w", err)
	}
	if cluster == storedCluster && stored == old {
		return false, nil
	}
	var epoch string
	err = pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockMigrate); err != nil {
			return err
		}
		epoch, err = d.settleEpoch(ctx, tx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("settle the epoch: %w", err)
	}
	if epoch == old {
		return false, nil
	}
	d.epoch.Store(&epoch)
	d.own.reset()
	d.log.Warn("the database's epoch changed under this node: devices will refetch", "was", old, "now", epoch, "database", d.where)
	return true, nil
}
