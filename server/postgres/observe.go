package postgres

import "time"

// BatchFigures is what one group commit cost (commit.go), for metrics and
// the load benchmark's breakdown.
type BatchFigures struct {
	Updates int           // the functions committed together
	Open    time.Duration // BEGIN, the log lock (its wait included), the head and the reads ahead: one round trip
	Run     time.Duration // the functions, on the node, holding the lock
	Commit  time.Duration // the writes, head, notification and COMMIT: one round trip, holding the lock
}

// WithBatchObserver has observe called after every committed batch.
func WithBatchObserver(observe func(BatchFigures)) Option {
	return func(d *DB) { d.observeBatch = observe }
}
