package engine

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestBatchFitsInAFrame pushes an outbox of long tickets, more than one
// frame's worth. The convergence test found the engine sending them all in
// one push, which the server refuses (too large) on every reconnect: the
// outbox never drained. Each batch must be a frame the server accepts, and
// the batches together the whole outbox, in order.
func TestBatchFitsInAFrame(t *testing.T) {
	long := strings.Repeat("ñ日😀é", 4_900) // near the description limit, multi-byte
	tests := []struct {
		name string
		n    int
		desc string
		want []int // batch sizes
	}{
		{"short tickets", 250, "x", []int{wire.MaxMutations, wire.MaxMutations, 50}},
		{"long tickets", 45, long, []int{19, 19, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []wire.Mutation
			for i := 0; i < tt.n; i++ {
				args, _ := json.Marshal(shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "Printer <jam> & more", Description: tt.desc})
				out = append(out, wire.Mutation{Seq: uint64(i + 1), Name: shared.OpTicketCreate, Args: args})
			}
			var sizes []int
			next := uint64(1)
			for len(out) > 0 {
				b := batch(out)
				frame, err := wire.Encode(wire.Msg{T: wire.TPush, Mutations: b})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := wire.Decode(frame); err != nil {
					t.Fatalf("push of %d mutations (%d bytes): the server would refuse it: %v", len(b), len(frame), err)
				}
				if b[0].Seq != next {
					t.Fatalf("batch starts at seq %d; want %d", b[0].Seq, next)
				}
				next += uint64(len(b))
				sizes = append(sizes, len(b))
				out = out[len(b):]
			}
			if len(sizes) != len(tt.want) {
				t.Fatalf("batches %v; want %v", sizes, tt.want)
			}
			for i := range sizes {
				if sizes[i] != tt.want[i] {
					t.Fatalf("batches %v; want %v", sizes, tt.want)
				}
			}
		})
	}
}

// TestMutateRefusesWhatNoPushCanCarry keeps a mutation too large for the
// wire out of the outbox, where it would block every later one.
func TestMutateRefusesWhatNoPushCanCarry(t *testing.T) {
	st := store.NewMemory()
	e := &Engine{Store: st, kick: make(chan struct{}, 1)}
	err := e.Mutate(shared.OpTicketCreate, shared.TicketCreate{Description: strings.Repeat("x", wire.MaxArgs)}, "")
	if key, _ := shared.ErrorKey(err); shared.ErrorCode(err) != shared.EINVALID || key != "wire.too_large" {
		t.Fatalf("Mutate(huge) = %v; want EINVALID wire.too_large", err)
	}
	if out, _ := st.Outbox(); len(out) != 0 {
		t.Fatalf("outbox holds %d mutations; want none", len(out))
	}
}
