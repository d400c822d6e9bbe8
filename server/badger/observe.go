package badger

// WithBatchObserver has observe called with the number of Updates each
// group commit carried (commit.go), for metrics.
func WithBatchObserver(observe func(updates int)) Option {
	return func(d *DB) { d.observeBatch = observe }
}

// DiskSize implements store.Sizer: the bytes of the LSM tree and the
// value log, as Badger last measured them (it does every minute).
func (d *DB) DiskSize() int64 {
	lsm, vlog := d.db.Size()
	return lsm + vlog
}

// WithBulkLoad opens the store for a restore: writes are not synced one by
// one (Restore syncs once at the end, and a restore that fails is thrown
// away). Not for serving: an acknowledged write could be lost in a crash.
func WithBulkLoad() Option {
	return func(d *DB) { d.bulk = true }
}
