package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"outpost/shared/clock"
)

// Since asks for an incremental backup: what changed since a full backup
// (the base). Restoring needs both files.
type Since struct {
	Base Base `json:"base"`
	// Have are the base's unlogged items of at least BigItem bytes (the
	// pieces of attachments, mostly), by "kind/key": Digest of their data.
	// The backup leaves out those it holds unchanged.
	Have map[string]string `json:"have"`
}

// BigItem is the size from which an incremental backup leaves out
// unlogged data the base holds unchanged; smaller items are sent whole.
const BigItem = 4096

// Digest names an item's data for Since.Have.
func Digest(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:16])
}

// Write streams a backup of st to w: a consistent snapshot, taken without
// stopping writes; incremental if since is not nil. It returns the
// checksum and the counts.
func Write(ctx context.Context, w io.Writer, st store.Store, h Header, since *Since) ([]byte, Trailer, error) {
	b, ok := st.(store.Backuper)
	if !ok {
		return nil, Trailer{}, fmt.Errorf("this store (%T) cannot make backups", st)
	}
	// The header names the store's head now; the snapshot's own head (at
	// or after it) goes in the trailer, and a restore takes it from there.
	var head uint64
	if err := st.View(ctx, func(tx store.ReadTx) (err error) { head, err = tx.Version(); return err }); err != nil {
		return nil, Trailer{}, err
	}
	h.Epoch, h.Head = st.Epoch(), head
	backup := b.Backup
	if since != nil {
		ib, ok := st.(store.IncrementalBackuper)
		switch {
		case !ok:
			return nil, Trailer{}, fmt.Errorf("this store (%T) cannot make incremental backups: take a full one", st)
		case since.Base.Epoch != st.Epoch():
			return nil, Trailer{}, fmt.Errorf("the base backup is of another database (epoch %s; this one is %s): take a full backup", since.Base.Epoch, st.Epoch())
		case since.Base.Head > head:
			return nil, Trailer{}, fmt.Errorf("the base backup is newer than this database (change %d; this one is at %d)", since.Base.Head, head)
		}
		base := since.Base
		h.Base = &base
		backup = func(ctx context.Context, fn func(store.Item) error) (uint64, error) {
			return ib.BackupSince(ctx, base.Head, fn)
		}
	}
	bw, err := NewWriter(w, h)
	if err != nil {
		return nil, Trailer{}, err
	}
	item := bw.Item
	if since != nil {
		item = func(it store.Item) error {
			if it.Kind == store.ItemLocal && len(it.Data) >= BigItem {
				if d, ok := since.Have[it.Type+"/"+it.ID]; ok && d == Digest(it.Data) {
					return bw.Item(store.Item{Kind: Omitted, Type: it.Type, ID: it.ID})
				}
			}
			return bw.Item(it)
		}
	}
	snapHead, err := backup(ctx, item)
	if err != nil {
		return nil, Trailer{}, err
	}
	if snapHead < head {
		return nil, Trailer{}, fmt.Errorf("the snapshot's head %d is before %d", snapHead, head)
	}
	bw.n.Head = snapHead
	sum, err := bw.Close()
	return sum, bw.n, err
}

// maxSince bounds the body of an incremental backup's request.
const maxSince = 64 << 20

// Handler serves the admin socket's backups: GET /backup a full one, POST
// /backup with a JSON Since an incremental one, as the response body.
// X-Outpost-Estimate is the store's size on disk, for a progress bar (a
// full backup is about as big).
func Handler(st store.Store, header func() Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := st.(store.Backuper); !ok {
			http.Error(w, fmt.Sprintf("this store (%T) cannot make backups", st), http.StatusNotImplemented)
			return
		}
		var since *Since
		if r.Method == http.MethodPost {
			since = &Since{}
			if err := json.NewDecoder(io.LimitReader(r.Body, maxSince)).Decode(since); err != nil {
				http.Error(w, "read the base backup's summary: "+err.Error(), http.StatusBadRequest)
				return
			}
			if since.Base.Epoch != st.Epoch() {
				http.Error(w, fmt.Sprintf("the base backup is of another database (epoch %s; this one is %s): take a full backup", since.Base.Epoch, st.Epoch()), http.StatusConflict)
				return
			}
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		if s, ok := st.(store.Sizer); ok && since == nil {
			w.Header().Set("X-Outpost-Estimate", strconv.FormatInt(s.DiskSize(), 10))
		}
		if _, _, err := Write(r.Context(), w, st, header(), since); err != nil {
			// The status is gone: the client sees a file that does not
			// end with its checksum, and says so.
			panic(http.ErrAbortHandler)
		}
	})
}

// SinceFull reads the full backup base (checking it whole) and returns
// what an incremental backup since it needs.
func SinceFull(base string) (*Since, error) {
	since := &Since{Have: map[string]string{}}
	sum, err := read(base, "base", nil, func(it store.Item) error {
		if it.Kind == store.ItemLocal && len(it.Data) >= BigItem {
			since.Have[it.Type+"/"+it.ID] = Digest(it.Data)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the base %s: %w", base, err)
	}
	if sum.Header.Base != nil {
		return nil, fmt.Errorf("the base %s is an incremental backup: give the full backup it completes", base)
	}
	since.Base = Base{Epoch: sum.Header.Epoch, Head: sum.Counts.Head, Checksum: sum.Inner}
	return since, nil
}

// Summary is what a backup or a restore reports.
type Summary struct {
	Header Header
	Counts Trailer
	SHA256 string // of the whole file, as sha256sum prints it
	Inner  string // the checksum at its end (of all but those 32 bytes)
	Size   int64
	// Elapsed is how long the copy took on the wall clock: a measure of
	// real work (disk, socket), like a request's timing, so it does not
	// follow the server's clock.
	Elapsed time.Duration
}

// Progress is told the phase ("backup", "verify", "restore"), the bytes
// done and the total (an estimate for a backup; 0 if unknown) as the work
// goes on.
type Progress func(phase string, done, total int64)

// Fetch asks the server listening on the admin socket for a backup and
// writes it to file, which must not exist: first to file.partial, checked
// as it arrives (every frame and the checksum), synced, then renamed.
func Fetch(ctx context.Context, socket, file string, since *Since, progress Progress) (Summary, error) {
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
	if since != nil {
		body, jerr := json.Marshal(since)
		if jerr != nil {
			return Summary{}, jerr
		}
		req, err = http.NewRequestWithContext(ctx, "POST", "http://outpost/backup", bytes.NewReader(body))
	}
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
	sum, err := check(io.TeeReader(resp.Body, f), &counting{phase: "backup", progress: progress, total: estimate}, nil)
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
// checksum, counting its bytes with counter and giving each item to fn
// (if not nil).
func check(r io.Reader, counter *counting, fn func(store.Item) error) (Summary, error) {
	whole := sha256.New()
	rd, err := NewReader(io.TeeReader(r, io.MultiWriter(whole, counter)))
	if err != nil {
		return Summary{}, err
	}
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && fn != nil {
			err = fn(it)
		}
		if err != nil {
			return Summary{}, err
		}
	}
	counter.finish()
	return Summary{Header: rd.Header, Counts: rd.Counts(), SHA256: hex.EncodeToString(whole.Sum(nil)), Inner: hex.EncodeToString(rd.Checksum()), Size: counter.done}, nil
}

// progressEvery is how often a counting reports at most.
const progressEvery = 100 * time.Millisecond

// counting counts bytes for a Progress, at most every progressEvery on
// its clock.
type counting struct {
	phase    string
	progress Progress
	total    int64
	done     int64
	last     time.Time
	clock    clock.Clock // nil: the wall clock (tests set a fake)
}

func (c *counting) Write(p []byte) (int, error) {
	c.done += int64(len(p))
	if c.progress == nil {
		return len(p), nil
	}
	clk := clock.Or(c.clock)
	if clk.Since(c.last) > progressEvery {
		c.last = clk.Now()
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
