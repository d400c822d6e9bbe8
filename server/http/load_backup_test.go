package http_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/server/backup"
	sstore "outpost/server/store"
)

// Issue 18's figure beside issue 3's: push→ack latency of the 1,000-client
// load while backups of the server's store run back to back, beside the
// same step without them.

// backupLoop backs the load server's store up, over and over, while on.
type backupLoop struct {
	db    sstore.Store // a store.Backuper
	dir   string
	stop  chan struct{}
	done  gosync.WaitGroup
	runs  atomic.Int64
	bytes atomic.Int64
}

// answer handles "backup on" and "backup off" from the benchmark; it
// reports whether line was one of them. A nil loop (the ack-only server)
// answers them with nothing done.
func (b *backupLoop) answer(line string) bool {
	switch line {
	case "backup on":
		if b != nil {
			b.stop = make(chan struct{})
			b.done.Add(1)
			go b.run()
		}
		fmt.Println("loadserver backup on")
	case "backup off":
		if b != nil {
			close(b.stop)
			b.done.Wait()
			fmt.Printf("loadserver backup off %d %d\n", b.runs.Load(), b.bytes.Load())
		} else {
			fmt.Println("loadserver backup off 0 0")
		}
	default:
		return false
	}
	return true
}

func (b *backupLoop) run() {
	defer b.done.Done()
	file := filepath.Join(os.TempDir(), fmt.Sprintf("outpost-load-%d.backup", os.Getpid()))
	defer os.Remove(file)
	for {
		select {
		case <-b.stop:
			return
		default:
		}
		f, err := os.Create(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "backup:", err)
			return
		}
		_, _, err = backup.Write(context.Background(), f, b.db, backup.Header{CreatedAt: time.Now().UnixMilli()}, nil)
		if err == nil {
			err = f.Sync()
		}
		if st, serr := f.Stat(); serr == nil && err == nil {
			b.runs.Add(1)
			b.bytes.Add(st.Size())
		}
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "backup:", err)
			return
		}
	}
}

// runStepDuringBackups holds rate for a step while the server backs up
// its store back to back; it returns the step and what the backups did.
func runStepDuringBackups(t *testing.T, srv *loadServer, clients []*loadClient, rate float64) (stepResult, string) {
	fmt.Fprintln(srv.in, "backup on")
	if f := srv.next(t); len(f) != 2 || f[1] != "on" {
		t.Fatalf("load server answered backup on with %q", f)
	}
	r, _ := runStep(clients, rate, stepLength, false)
	fmt.Fprintln(srv.in, "backup off")
	f := srv.next(t)
	if len(f) != 4 || f[1] != "off" {
		t.Fatalf("load server answered backup off with %q", f)
	}
	runs, _ := strconv.Atoi(f[2])
	n, _ := strconv.ParseInt(f[3], 10, 64)
	fmt.Printf("bench load during backups: %s\n", r)
	return r, fmt.Sprintf("%d backups, %.0f MB", runs, float64(n)/1e6)
}
