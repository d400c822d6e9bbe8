package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// fakeBlobs is the server's blob API in memory, with a fault: it fails
// every failEvery-th PUT after storing nothing, like a dropped connection.
type fakeBlobs struct {
	mu        sync.Mutex // an uploader's Run calls from its own goroutine
	held      map[string][]byte
	puts      int
	failEvery int
}

var _ blobAPI = (*fakeBlobs)(nil)

func (f *fakeBlobs) Head(sha string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.held[sha])), nil
}

func (f *fakeBlobs) Put(sha string, off int64, chunk []byte) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if f.failEvery > 0 && f.puts%f.failEvery == 0 {
		return 0, errors.New("connection reset")
	}
	have := f.held[sha]
	if off > int64(len(have)) {
		return 0, &blobError{Status: 409, Key: "attach.bad_offset", Offset: int64(len(have))}
	}
	f.held[sha] = append(have[:off:off], chunk...)
	return int64(len(f.held[sha])), nil
}

func TestUploaderSendsAckedBlobsAndResumes(t *testing.T) {
	s := store.NewMemory()
	blob := func(n int, seed byte) (store.Blob, []byte) {
		data := bytes.Repeat([]byte{seed}, n)
		sum := sha256.Sum256(data)
		b := store.Blob{Attachment: shared.Attachment{SHA256: hex.EncodeToString(sum[:]), Name: "f.txt", Type: "text/plain", Size: int64(n)}}
		s.PutBlob(b, data)
		return b, data
	}
	acked, ackedData := blob(2500, 'a')
	queued, _ := blob(100, 'b') // its ticket is still in the outbox
	tk, _ := json.Marshal(shared.Ticket{ID: "t1", Attachments: []shared.Attachment{acked.Attachment}})
	s.Apply([]wire.Change{{V: 1, Type: wire.TypeTicket, ID: "t1", Data: tk}}, 1)

	api := &fakeBlobs{held: map[string][]byte{acked.SHA256: ackedData[:700]}, failEvery: 3}
	board := &uploadBoard{state: map[string]uploadState{}, subs: map[int]func(){}}
	u := &uploader{Store: s, API: api, Board: board, Chunk: 500}
	var errs int
	for range 10 {
		if u.Pass() != nil {
			errs++
			if st := board.get(acked.SHA256); st.Err != "connection reset" || st.Done {
				t.Fatalf("board after a failed pass = %+v; want the error shown", st)
			}
		}
	}
	if errs == 0 {
		t.Errorf("no pass failed; the fault never struck")
	}
	if !bytes.Equal(api.held[acked.SHA256], ackedData) {
		t.Fatalf("server holds %d bytes; want the %d uploaded", len(api.held[acked.SHA256]), len(ackedData))
	}
	if _, ok := api.held[queued.SHA256]; ok {
		t.Errorf("a blob of an unacknowledged ticket was uploaded")
	}
	b, _, _, _ := s.GetBlob(acked.SHA256)
	if !b.Uploaded || !board.get(acked.SHA256).Done {
		t.Errorf("after upload: stored %+v, board %+v; want both done", b, board.get(acked.SHA256))
	}
	// The first pass resumed from the server's 700 bytes: 4 chunks of 500
	// at most, plus the failed ones.
	if api.puts > 4+errs {
		t.Errorf("%d PUTs with %d failures; want at most %d (resume from the server's offset)", api.puts, errs, 4+errs)
	}
}

// TestUploaderRetriesOnItsClock: the uploader waits its idle interval on
// the client's clock before a pass nobody asked for, retries a failed
// pass after a backoff that grows (with jitter, at most 200 ms + 2^n s
// after n failures), and once the server answers again the blob is up.
func TestUploaderRetriesOnItsClock(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	data := bytes.Repeat([]byte{'c'}, 1200)
	sum := sha256.Sum256(data)
	b := store.Blob{Attachment: shared.Attachment{SHA256: hex.EncodeToString(sum[:]), Name: "c.txt", Type: "text/plain", Size: int64(len(data))}}
	s.PutBlob(b, data)
	tk, _ := json.Marshal(shared.Ticket{ID: "t1", Attachments: []shared.Attachment{b.Attachment}})
	s.Apply([]wire.Change{{V: 1, Type: wire.TypeTicket, ID: "t1", Data: tk}}, 1)

	api := &fakeBlobs{held: map[string][]byte{}, failEvery: 1} // the network is down
	board := &uploadBoard{state: map[string]uploadState{}, subs: map[int]func(){}}
	fc := clock.NewFake(time.Unix(1_000_000, 0))
	u := &uploader{Store: s, API: api, Board: board, Chunk: 500, Clock: fc, kick: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); u.Run(ctx, 30*time.Second) }()
	defer func() { cancel(); <-done }()
	puts := func() int {
		api.mu.Lock()
		defer api.mu.Unlock()
		return api.puts
	}
	// waits until Run waits on the clock again, i.e. its pass is over.
	waits := func(what string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := fc.BlockUntil(wctx, 1); err != nil {
			t.Fatalf("%s: the uploader never waited again: %v", what, err)
		}
	}
	waits("start")
	fc.Advance(30*time.Second - time.Millisecond)
	if n := puts(); n != 0 {
		t.Fatalf("%d PUTs before the idle interval passed; want none", n)
	}
	fc.Advance(time.Millisecond)
	waits("the idle pass")
	for attempt := 1; attempt <= 4; attempt++ {
		if n := puts(); n != attempt {
			t.Fatalf("after %d failed passes: %d PUTs; want %d", attempt, n, attempt)
		}
		if st := board.get(b.SHA256); st.Err != "connection reset" {
			t.Fatalf("board after a failed pass = %+v; want the error shown", st)
		}
		if attempt == 4 {
			api.mu.Lock()
			api.failEvery = 0 // the network is back
			api.mu.Unlock()
		}
		fc.Advance(200*time.Millisecond + time.Second<<attempt)
		waits("a retry")
	}
	api.mu.Lock()
	got := bytes.Clone(api.held[b.SHA256])
	api.mu.Unlock()
	if !bytes.Equal(got, data) || !board.get(b.SHA256).Done {
		t.Fatalf("after the network came back: the server holds %d of %d bytes, board %+v; want all, done", len(got), len(data), board.get(b.SHA256))
	}
}
