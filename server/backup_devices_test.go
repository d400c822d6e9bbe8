package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/app/engine"
	appstore "outpost/app/store"
	"outpost/server"
	"outpost/server/backup"
	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// device is a real sync engine over a memory replica, as a browser runs it.
type device struct {
	e   *engine.Engine
	st  *appstore.Memory
	mu  sync.Mutex
	ids []string // tickets filed, in order
}

func (d *device) file(n int, clock *opsClock) error {
	id := shared.NewID(clock.Now())
	d.mu.Lock()
	d.ids = append(d.ids, id)
	d.mu.Unlock()
	return d.e.Mutate(shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: fmt.Sprintf("Ticket %d", n), CreatedAt: clock.Now().UnixMilli()}, "")
}

func (d *device) filed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.ids...)
}

// The scenario with the app's own sync engine: 20 devices file
// tickets; a backup is taken while they go on; the server dies and the
// devices keep filing offline; the backup is restored into a new data
// directory and served. Every ticket acknowledged before the backup began
// and every ticket filed offline is on the restored server, no device has
// a refused ticket, and each device's refetched replica is exactly what
// the server lets it see.
func TestBackupRestoreWithDevices(t *testing.T) {
	clock := &opsClock{now: time.Now()}
	m1 := startMain(t, clock, io.Discard)
	var url atomic.Value
	url.Store(m1.HTTP.URL())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	devices := make([]*device, 20)
	for i := range devices {
		st := appstore.NewMemory()
		d := &device{st: st}
		d.e = &engine.Engine{Store: st, Dial: func(ctx context.Context) (engine.Conn, error) {
			u := url.Load().(string)
			return engine.DialWSHeader(ctx, strings.Replace(u, "http", "ws", 1)+"/ws", http.Header{"Origin": {u}})
		}}
		if err := d.e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		devices[i] = d
	}
	fileEach := func(n int) {
		t.Helper()
		var wg sync.WaitGroup
		for _, d := range devices {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n; i++ {
					if err := d.file(i, clock); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(3 * time.Millisecond)
				}
			}()
		}
		wg.Wait()
	}
	waitAll := func(what string, ok func(*device) bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for _, d := range devices {
			for !ok(d) {
				if time.Now().After(deadline) {
					t.Fatalf("waiting for %s: a device's status is %+v", what, d.e.Status())
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}

	fileEach(15)
	waitAll("the first tickets acknowledged", func(d *device) bool { s := d.e.Status(); return s.Pending == 0 && s.Online })
	var acked []string
	for _, d := range devices {
		acked = append(acked, d.filed()...)
	}

	// A backup while the devices go on filing.
	file := filepath.Join(t.TempDir(), "outpost.backup")
	during := make(chan struct{})
	go func() { defer close(during); fileEach(10) }()
	if _, err := backup.Fetch(context.Background(), filepath.Join(m1.DataDir, server.AdminSocketName), file, nil, nil); err != nil {
		t.Fatal(err)
	}
	<-during
	oldEpoch := m1.Store.Epoch()
	m1.Close() // the disk dies

	// Offline, the devices keep filing: their outboxes hold these.
	fileEach(5)
	var offline []string
	for _, d := range devices {
		ids := d.filed()
		offline = append(offline, ids[len(ids)-5:]...)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	open := func(dir string) (backup.Target, error) {
		return badger.Open(dir, slog.New(slog.DiscardHandler), badger.WithClock(clock.Now), badger.WithBulkLoad())
	}
	if _, _, err := backup.RestoreDir(context.Background(), []string{file}, dir, open, nil); err != nil {
		t.Fatal(err)
	}
	m2 := startMain(t, clock, io.Discard, func(m *server.Main) { m.DataDir = dir })
	url.Store(m2.HTTP.URL())
	for _, d := range devices {
		d.e.Reconnect()
	}
	epoch := m2.Store.Epoch()
	if epoch == oldEpoch {
		t.Fatal("the restored portal kept the old epoch")
	}
	waitAll("every device resynced with the restored portal", func(d *device) bool {
		s := d.e.Status()
		e, _ := d.st.Epoch()
		return s.Online && s.Synced && s.Pending == 0 && !s.Syncing && e == epoch
	})

	onServer := map[string]shared.Ticket{}
	err := m2.Store.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(id string, data []byte) error {
			var tk shared.Ticket
			if err := json.Unmarshal(data, &tk); err != nil {
				return err
			}
			onServer[id] = tk
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for what, ids := range map[string][]string{"acknowledged before the backup": acked, "filed offline after it": offline} {
		missing := 0
		for _, id := range ids {
			if _, ok := onServer[id]; !ok {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d tickets %s are not on the restored server", missing, len(ids), what)
		}
	}
	for i, d := range devices {
		if drafts, _ := d.st.Drafts(); len(drafts) > 0 {
			t.Errorf("device %d: %d tickets were refused and became drafts", i, len(drafts))
		}
		replica, err := d.st.List(wire.TypeTicket)
		if err != nil {
			t.Fatal(err)
		}
		mine := 0
		for _, tk := range onServer {
			if tk.ClientID == d.e.ClientID() {
				mine++
			}
		}
		if len(replica) != mine {
			t.Errorf("device %d holds %d tickets; the server has %d of its own", i, len(replica), mine)
		}
		for _, c := range replica {
			if tk, ok := onServer[c.ID]; !ok || tk.ClientID != d.e.ClientID() {
				t.Errorf("device %d holds ticket %s, which the server does not have as its own", i, c.ID)
			}
		}
	}
}
