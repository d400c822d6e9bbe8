package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"outpost/server/store"
)

// Write streams a backup of st to w: a consistent snapshot, taken without
// stopping writes. It returns the checksum and the counts.
func Write(ctx context.Context, w io.Writer, st store.Store, h Header) ([]byte, Trailer, error) {
	b, ok := st.(store.Backuper)
	if !ok {
		return nil, Trailer{}, fmt.Errorf("this store (%T) cannot make backups", st)
	}
	// The header names the head of the snapshot, which is known only once
	// the snapshot is taken: the snapshot is written to w as it is read, so
	// the head goes in the header as the store's head now, and the
	// snapshot's own head (at or after it) is checked below.
	var head uint64
	if err := st.View(ctx, func(tx store.ReadTx) (err error) { head, err = tx.Version(); return err }); err != nil {
		return nil, Trailer{}, err
	}
	h.Epoch, h.Head = st.Epoch(), head
	bw, err := NewWriter(w, h)
	if err != nil {
		return nil, Trailer{}, err
	}
	snapHead, err := b.Backup(ctx, bw.Item)
	if err != nil {
		return nil, Trailer{}, err
	}
	if snapHead < head {
		return nil, Trailer{}, fmt.Errorf("the snapshot's head %d is before %d", snapHead, head)
	}
	// The trailer carries the snapshot's head: Restore takes it from there.
	bw.n.Head = snapHead
	sum, err := bw.Close()
	return sum, bw.n, err
}

// Handler serves GET /backup on the admin socket: the backup of st as the
// response body. X-Outpost-Estimate is the store's size on disk, for a
// progress bar (the backup is about as big).
func Handler(st store.Store, header func() Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if s, ok := st.(store.Sizer); ok {
			w.Header().Set("X-Outpost-Estimate", strconv.FormatInt(s.DiskSize(), 10))
		}
		if _, _, err := Write(r.Context(), w, st, header()); err != nil {
			// The status is gone: the client sees a file that does not
			// end with its checksum, and says so.
			panic(http.ErrAbortHandler)
		}
	})
}

// Summary is what a backup or a restore reports.
type Summary struct {
	Header  Header
	Counts  Trailer
	SHA256  string // of the whole file, as sha256sum prints it
	Size    int64
	Elapsed time.Duration
}

// Progress is told the phase ("backup", "verify", "restore"), the bytes
// done and the total (an estimate for a backup; 0 if unknown) as the work
// goes on.
type Progress func(phase string, done, total int64)

// Fetch asks the server listening on the admin socket for a backup and
// writes it to file, which must not exist: first to file.partial, checked
// as it arrives (every frame and the checksum), synced, then renamed.
func Fetch(ctx context.Context, socket, file string, progress Progress) (Summary, error) {
	began := time.Now()
	if _, err := os.Stat(file); err == nil {
		return Summary{}, fmt.Errorf("%s exists: choose a new file name", file)
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://outpost/backup", nil)
	if err != nil {
		return Summary{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return Summary{}, fmt.Errorf("reach the running server on %s: %w (is it running, and may you use its socket?)", socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return Summary{}, fmt.Errorf("the server refused: %s %s", resp.Status, b)
	}
	estimate, _ := strconv.ParseInt(resp.Header.Get("X-Outpost-Estimate"), 10, 64)
	partial := file + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Summary{}, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(partial)
		}
	}()
	sum, err := check(io.TeeReader(resp.Body, f), &counting{phase: "backup", progress: progress, total: estimate})
	if err != nil {
		return Summary{}, err
	}
	if err := f.Sync(); err != nil {
		return Summary{}, err
	}
	if err := f.Close(); err != nil {
		return Summary{}, err
	}
	if err := os.Rename(partial, file); err != nil {
		return Summary{}, err
	}
	ok = true
	syncDir(filepath.Dir(file))
	sum.Elapsed = time.Since(began)
	return sum, nil
}

// check reads a whole backup from r, checking every frame and the
// checksum, and counting its bytes with counter.
func check(r io.Reader, counter *counting) (Summary, error) {
	whole := sha256.New()
	rd, err := NewReader(io.TeeReader(r, io.MultiWriter(whole, counter)))
	if err != nil {
		return Summary{}, err
	}
	for {
		if _, err := rd.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return Summary{}, err
		}
	}
	counter.finish()
	return Summary{Header: rd.Header, Counts: rd.Counts(), SHA256: hex.EncodeToString(whole.Sum(nil)), Size: counter.done}, nil
}

// counting counts bytes for a Progress, at most every 100 ms.
type counting struct {
	phase    string
	progress Progress
	total    int64
	done     int64
	last     time.Time
}

func (c *counting) Write(p []byte) (int, error) {
	c.done += int64(len(p))
	if c.progress != nil && time.Since(c.last) > 100*time.Millisecond {
		c.last = time.Now()
		c.progress(c.phase, c.done, c.total)
	}
	return len(p), nil
}

// finish reports the last count.
func (c *counting) finish() {
	if c.progress != nil {
		c.progress(c.phase, c.done, max(c.total, c.done))
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
