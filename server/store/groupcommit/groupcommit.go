// Package groupcommit is the queue both stores put Updates on: one writer
// goroutine takes the Updates waiting at that moment and commits them
// together, so under load many mutations share one commit (one disk sync),
// and alone an Update is committed at once. What "commit together" means
// is the store's (server/badger/commit.go, server/postgres/commit.go).
package groupcommit

import (
	"context"
	"sync"

	"outpost/server/store"
)

// Request is an Update waiting for the writer.
type Request struct {
	Fn   func(store.Tx) error
	Keys store.Keys // what Fn will read, for a store that reads ahead
	done chan error
}

// Answer gives the Update its result. Call it exactly once per request.
func (r *Request) Answer(err error) { r.done <- err }

// Queue feeds batches of at most max Requests to commit, one batch at a
// time, until Close.
type Queue struct {
	reqs       chan *Request
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	closedErr  error
}

// Start starts the writer. commit must answer every request of its batch;
// Update returns closedErr once the queue is closed.
func Start(max int, commit func(batch []*Request), closedErr error) *Queue {
	q := &Queue{reqs: make(chan *Request), closing: make(chan struct{}), writerDone: make(chan struct{}), closedErr: closedErr}
	go q.writer(max, commit)
	return q
}

func (q *Queue) writer(max int, commit func([]*Request)) {
	defer close(q.writerDone)
	for {
		var first *Request
		select {
		case first = <-q.reqs:
		case <-q.closing:
			return
		}
		batch := []*Request{first}
	fill:
		for len(batch) < max {
			select {
			case r := <-q.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		commit(batch)
	}
}

// Update queues fn and waits for its answer.
func (q *Queue) Update(ctx context.Context, fn func(store.Tx) error) error {
	return q.UpdateKeys(ctx, store.Keys{}, fn)
}

// UpdateKeys is Update with the keys fn will read (store.Keys).
func (q *Queue) UpdateKeys(ctx context.Context, keys store.Keys, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &Request{Fn: fn, Keys: keys, done: make(chan error, 1)}
	select {
	case q.reqs <- r:
		return <-r.done
	case <-q.closing:
		return q.closedErr
	}
}

// Close takes no more Updates and waits for the batch being committed.
func (q *Queue) Close() {
	q.closeOnce.Do(func() {
		close(q.closing)
		<-q.writerDone
	})
}

// Live counts the requests still in a batch: those without an error marked
// in failed.
func Live(failed []error) int {
	n := 0
	for _, err := range failed {
		if err == nil {
			n++
		}
	}
	return n
}
