package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"outpost/server/store"
)

// runConcurrency is the part of the contract about concurrent writers,
// possibly on several nodes: a pull cursor never passes a write that has
// not committed, whoever writes and however late it commits.
func runConcurrency(t *testing.T, open func(*testing.T) store.Store, nodes func(*testing.T, store.Store) [2]store.Store, multi bool) {
	ctx := context.Background()
	all := func(string, []byte) bool { return true }

	t.Run("PullerRacingWritersNeverSkips", func(t *testing.T) {
		s := open(t)
		n := nodes(t, s)
		r := &replica{t: t, recs: map[string]string{}}
		for round := range 24 {
			seed := uint64(round + 1)
			rng := rand.New(rand.NewPCG(seed, 17))
			plans := makePlans(rng, round)
			var wg sync.WaitGroup
			done := make(chan struct{})
			for w, plan := range plans {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, u := range plan {
						time.Sleep(u.pause)
						err := n[w%2].Update(ctx, func(tx store.Tx) error {
							for _, op := range u.ops {
								if op.del {
									if err := tx.Delete("rec", op.id); err != nil {
										return err
									}
								} else if _, err := tx.Put("rec", op.id, []byte(op.data)); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							t.Errorf("seed %d: Update: %v", seed, err)
							return
						}
					}
				}()
			}
			go func() { wg.Wait(); close(done) }()
			limit := 1 + rng.IntN(7)
			puller := n[round%2]
		race:
			for {
				select {
				case <-done:
					break race
				default:
				}
				r.pull(ctx, puller, limit, seed)
			}
			r.pull(ctx, puller, limit, seed) // after the last commit
			for more := r.more; more; more = r.more {
				r.pull(ctx, puller, limit, seed)
			}
			want := map[string]string{}
			s.View(ctx, func(tx store.ReadTx) error {
				return tx.Each("rec", func(id string, data []byte) error { want[id] = string(data); return nil })
			})
			if fmt.Sprint(r.recs) != fmt.Sprint(want) {
				t.Fatalf("seed %d: the puller's replica differs from the store, so it skipped a change:\n got %v\nwant %v", seed, r.recs, want)
			}
		}
	})

	t.Run("DelayedCommitIsNotSkipped", func(t *testing.T) {
		s := open(t)
		n := nodes(t, s)
		put(t, s, "rec", "before", `"before"`)
		_, cursor, _, err := n[1].Changes(ctx, 0, 100, 1<<20, all)
		if err != nil {
			t.Fatal(err)
		}
		entered, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		lateDone, earlyDone := make(chan error, 1), make(chan error, 1)
		go func() {
			lateDone <- n[0].Update(ctx, func(tx store.Tx) error {
				if _, err := tx.Put("rec", "late", []byte(`"late"`)); err != nil {
					return err
				}
				once.Do(func() { close(entered) })
				<-release // the commit is delayed
				return nil
			})
		}()
		<-entered
		go func() {
			earlyDone <- n[1].Update(ctx, func(tx store.Tx) error {
				_, err := tx.Put("rec", "early", []byte(`"early"`))
				return err
			})
		}()
		// While "late" waits to commit, pull (and give "early" every chance
		// to commit first, which a store numbering versions at insert
		// would let it do, moving the cursor past "late").
		var seen []string
		pull := func() {
			page, c, _, err := n[1].Changes(ctx, cursor, 100, 1<<20, all)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range page {
				seen = append(seen, ch.ID)
			}
			cursor = c
		}
		deadline := time.Now().Add(300 * time.Millisecond)
	window:
		for time.Now().Before(deadline) {
			select {
			case err := <-earlyDone:
				earlyDone <- err
				pull()
				break window
			default:
				pull()
				time.Sleep(5 * time.Millisecond)
			}
		}
		close(release)
		if err := <-lateDone; err != nil {
			t.Fatal(err)
		}
		if err := <-earlyDone; err != nil {
			t.Fatal(err)
		}
		for more := true; more; {
			page, c, m, err := n[1].Changes(ctx, cursor, 100, 1<<20, all)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range page {
				seen = append(seen, ch.ID)
			}
			cursor, more = c, m
		}
		got := map[string]int{}
		for _, id := range seen {
			got[id]++
		}
		if got["late"] != 1 || got["early"] != 1 || len(got) != 2 {
			t.Fatalf("the puller saw %v; want late and early once each (a cursor moved past the delayed write)", seen)
		}
	})

	t.Run("TwoNodesShareOneDatabase", func(t *testing.T) {
		if !multi {
			t.Skip("this store cannot be opened twice (one process per database)")
		}
		s := open(t)
		n := nodes(t, s)
		a, b := n[0], n[1]
		if a.Epoch() != b.Epoch() {
			t.Errorf("epochs %q and %q; want one database, one epoch", a.Epoch(), b.Epoch())
		}
		put(t, a, "article", "on-a", `"a"`)
		if err := b.Update(ctx, func(tx store.Tx) error {
			return tx.PutLocal("session", "h", []byte("from b"), time.Time{})
		}); err != nil {
			t.Fatal(err)
		}
		b.View(ctx, func(tx store.ReadTx) error {
			if got, err := tx.Get("article", "on-a"); err != nil || string(got) != `"a"` {
				t.Errorf("node b reads node a's record as %q, %v", got, err)
			}
			return nil
		})
		a.View(ctx, func(tx store.ReadTx) error {
			if got, err := tx.GetLocal("session", "h"); err != nil || string(got) != "from b" {
				t.Errorf("node a reads node b's unlogged data as %q, %v", got, err)
			}
			return nil
		})

		// Writers on both nodes get one dense run of versions.
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				put(t, n[i%2], "ticket", fmt.Sprint("t", i), `{}`)
			}()
		}
		wg.Wait()
		page, cursor, _, err := a.Changes(ctx, 1, 1000, 1<<20, all)
		if err != nil || len(page) != 60 || cursor != 61 {
			t.Fatalf("Changes on node a = %d changes, cursor %d, %v; want 60, 61", len(page), cursor, err)
		}
		for i, c := range page {
			if c.V != uint64(i+2) {
				t.Fatalf("change %d has version %d; want %d (dense across nodes)", i, c.V, i+2)
			}
		}

		// The same client's mutation handed to both nodes at once (a
		// reconnect through a load balancer) is applied once: the sequence
		// check commits with the effects.
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := n[i%2].Update(ctx, func(tx store.Tx) error {
					if last, err := tx.LastSeq("c1"); err != nil || last >= 7 {
						return err
					}
					if _, err := tx.Put("ticket", fmt.Sprint("once-", i), []byte(`{}`)); err != nil {
						return err
					}
					return tx.SetLastSeq("c1", 7)
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		applied := 0
		b.View(ctx, func(tx store.ReadTx) error {
			return tx.Each("ticket", func(id string, _ []byte) error {
				if len(id) > 5 && id[:5] == "once-" {
					applied++
				}
				return nil
			})
		})
		if applied != 1 {
			t.Fatalf("one client's mutation 7, pushed to both nodes 20 times, was applied %d times; want once", applied)
		}
	})
}

// replica is what a puller has: records by ID, and its cursor.
type replica struct {
	t      *testing.T
	recs   map[string]string
	cursor uint64
	more   bool
}

// pull takes one page and checks it is in order after the cursor.
func (r *replica) pull(ctx context.Context, s store.Store, limit int, seed uint64) {
	page, cursor, more, err := s.Changes(ctx, r.cursor, limit, 1<<20, func(string, []byte) bool { return true })
	if err != nil {
		r.t.Fatalf("seed %d: Changes: %v", seed, err)
	}
	last := r.cursor
	for _, c := range page {
		if c.V <= last {
			r.t.Fatalf("seed %d: change %s at version %d after %d: out of order", seed, c.ID, c.V, last)
		}
		last = c.V
		if c.Deleted {
			delete(r.recs, c.ID)
		} else {
			r.recs[c.ID] = string(c.Data)
		}
	}
	if cursor < r.cursor || cursor < last {
		r.t.Fatalf("seed %d: cursor went from %d to %d with changes up to %d", seed, r.cursor, cursor, last)
	}
	r.cursor, r.more = cursor, more
}

type op struct {
	id, data string
	del      bool
}

type plannedUpdate struct {
	pause time.Duration
	ops   []op
}

// makePlans draws a round of writers, each with its Updates: puts (every
// value unique, so the replica shows which write it saw last) and deletes
// of a few dozen IDs, with short pauses to vary how they interleave.
func makePlans(rng *rand.Rand, round int) [][]plannedUpdate {
	plans := make([][]plannedUpdate, 2+rng.IntN(6))
	for w := range plans {
		for u := range 3 + rng.IntN(10) {
			pu := plannedUpdate{pause: time.Duration(rng.IntN(300)) * time.Microsecond}
			for o := range 1 + rng.IntN(3) {
				id := fmt.Sprint("r", rng.IntN(40))
				if rng.IntN(8) == 0 {
					pu.ops = append(pu.ops, op{id: id, del: true})
					continue
				}
				pu.ops = append(pu.ops, op{id: id, data: fmt.Sprintf(`{"round":%d,"w":%d,"u":%d,"o":%d}`, round, w, u, o)})
			}
			plans[w] = append(plans[w], pu)
		}
	}
	return plans
}
