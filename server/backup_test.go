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

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"

	"outpost/server"
	"outpost/server/backup"
	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

func pushTicketID(client, seq int) string {
	return fmt.Sprintf("01936f6e-7a1b-7c3d-8e4f-%04d%08d", client, seq)
}

func pushClientID(client int) string { return fmt.Sprintf("01936f6e-7a1b-7c3d-9e4f-%012d", client) }

// pusher is a signed-out device filing tickets one push at a time.
type pusher struct {
	n         int
	ws        *websocket.Conn
	acked     int          // the last sequence acknowledged (read once the pushing stopped)
	ackedPre  atomic.Int64 // the last one acknowledged before the backup began
	createdAt int64
	epoch     string // of the last welcome
}

func (p *pusher) dial(url string) error {
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http", "ws", 1)+"/ws", http.Header{"Origin": {url}})
	if err != nil {
		return err
	}
	p.ws = ws
	b, _ := wire.Encode(wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: pushClientID(p.n), DeviceKey: server.DeviceKeyOf(pushClientID(p.n))})
	if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return err
	}
	w, err := p.next(wire.TWelcome)
	p.epoch = w.Epoch
	return err
}

// tickets pulls everything from cursor 0 and returns the tickets seen.
func (p *pusher) tickets() (map[string]bool, error) {
	seen := map[string]bool{}
	var cursor uint64
	for {
		b, _ := wire.Encode(wire.Msg{T: wire.TPull, Cursor: cursor})
		if err := p.ws.WriteMessage(websocket.TextMessage, b); err != nil {
			return nil, err
		}
		page, err := p.next(wire.TChanges)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Changes {
			if c.Type == wire.TypeTicket {
				seen[c.ID] = !c.Deleted
			}
		}
		if cursor = page.Cursor; !page.More {
			return seen, nil
		}
	}
}

// next reads messages until one of type typ.
func (p *pusher) next(typ string) (wire.Msg, error) {
	for {
		p.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, data, err := p.ws.ReadMessage()
		if err != nil {
			return wire.Msg{}, err
		}
		m, err := wire.Decode(data)
		if err != nil {
			return wire.Msg{}, err
		}
		if m.T == typ {
			return m, nil
		}
		if m.T == wire.TError {
			return m, fmt.Errorf("server error: %+v", m)
		}
	}
}

// push sends the mutations from seq through to and checks every result
// is OK.
func (p *pusher) push(from, to int) error {
	var ms []wire.Mutation
	for seq := from; seq <= to; seq++ {
		args, _ := json.Marshal(shared.TicketCreate{ID: pushTicketID(p.n, seq), Title: fmt.Sprintf("Ticket %d of device %d", seq, p.n), Impact: "low", Urgency: "low", CreatedAt: p.createdAt})
		ms = append(ms, wire.Mutation{Seq: uint64(seq), Name: shared.OpTicketCreate, Args: args})
	}
	b, _ := wire.Encode(wire.Msg{T: wire.TPush, Mutations: ms})
	if err := p.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return err
	}
	ack, err := p.next(wire.TAck)
	if err != nil {
		return err
	}
	if len(ack.Results) != len(ms) {
		return fmt.Errorf("device %d: %d results for %d mutations", p.n, len(ack.Results), len(ms))
	}
	for _, r := range ack.Results {
		if !r.OK {
			return fmt.Errorf("device %d: mutation %d refused: %+v", p.n, r.Seq, r)
		}
	}
	return nil
}

// A backup taken while 20 devices push holds every mutation acknowledged
// before it began, each once, with the client sequences that match; it
// restores into a new directory, the server serves it under a new epoch,
// and the devices' resends (everything they ever pushed) are applied once:
// what the backup holds is acknowledged again, what came after it is
// applied, nothing is refused or doubled.
func TestBackupWhileClientsPushThenRestore(t *testing.T) {
	clock := &opsClock{now: time.Now()}
	m := startMain(t, clock, io.Discard)
	socket := filepath.Join(m.DataDir, server.AdminSocketName)

	const devices = 20
	pushers := make([]*pusher, devices)
	var began atomic.Bool // the backup has been asked for
	stop := make(chan struct{})
	errs := make(chan error, devices)
	var wg sync.WaitGroup
	for i := range pushers {
		p := &pusher{n: i + 1, createdAt: clock.Now().UnixMilli()}
		pushers[i] = p
		if err := p.dial(m.HTTP.URL()); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 1; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := p.push(seq, seq); err != nil {
					errs <- err
					return
				}
				p.acked = seq
				if !began.Load() {
					p.ackedPre.Store(int64(seq))
				}
			}
		}()
	}
	// Let every device push a while, then back up while they go on.
	for _, p := range pushers {
		for deadline := time.Now().Add(20 * time.Second); p.ackedPre.Load() < 5; {
			if time.Now().After(deadline) {
				t.Fatalf("device %d has not pushed 5 tickets in 20 s", p.n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	file := filepath.Join(t.TempDir(), "outpost.backup")
	began.Store(true)
	sum, err := backup.Fetch(context.Background(), socket, file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // pushes after the backup, to be sent again after the restore
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	oldEpoch := m.Store.Epoch()
	if sum.Header.Epoch != oldEpoch || sum.Counts.Clients != devices {
		t.Errorf("backup summary %+v", sum)
	}
	fams, err := m.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	if ok, last := value(byName, "outpost_backups_total", "result", "ok"), value(byName, "outpost_backup_last_success_timestamp_seconds"); ok != 1 || last < float64(clock.Now().Add(-time.Minute).Unix()) {
		t.Errorf("backup metrics: %v backups ok, last at %v", ok, last)
	}
	m.Close()

	dir := filepath.Join(t.TempDir(), "restored")
	open := func(dir string) (backup.Target, error) {
		return badger.Open(dir, slog.New(slog.DiscardHandler), badger.WithClock(clock.Now))
	}
	if _, _, err := backup.RestoreDir(context.Background(), []string{file}, dir, open, nil); err != nil {
		t.Fatal(err)
	}
	m2 := startMain(t, clock, io.Discard, func(m *server.Main) { m.DataDir = dir })
	if m2.Store.Epoch() == oldEpoch {
		t.Error("the restored portal kept the old epoch: devices would not refetch")
	}

	// What the backup holds: for each device, its sequence s and exactly
	// its tickets 1..s, s at least the last acknowledged before the backup.
	restoredSeq := map[int]int{}
	err = m2.Store.View(context.Background(), func(tx store.ReadTx) error {
		tickets := map[string]bool{}
		if err := tx.Each(wire.TypeTicket, func(id string, _ []byte) error { tickets[id] = true; return nil }); err != nil {
			return err
		}
		for _, p := range pushers {
			s, err := tx.LastSeq(pushClientID(p.n))
			if err != nil {
				return err
			}
			restoredSeq[p.n] = int(s)
			if pre := p.ackedPre.Load(); int64(s) < pre {
				t.Errorf("device %d: the backup has sequence %d; %d was acknowledged before it began", p.n, s, pre)
			}
			for seq := 1; seq <= p.acked+1; seq++ {
				if have, want := tickets[pushTicketID(p.n, seq)], seq <= int(s); have != want {
					t.Errorf("device %d: ticket %d restored %v; want %v (sequence %d)", p.n, seq, have, want, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	after := 0
	for _, p := range pushers {
		after += p.acked - restoredSeq[p.n]
	}
	if after == 0 {
		t.Log("no push landed after the backup: the resend below only repeats")
	}

	// The devices come back: new epoch, so they refetch; their outboxes
	// (everything since sequence 1, as far as this test knows) go again.
	total := 0
	for _, p := range pushers {
		if err := p.dial(m2.HTTP.URL()); err != nil {
			t.Fatal(err)
		}
		if p.epoch != m2.Store.Epoch() || p.epoch == oldEpoch {
			t.Fatalf("device %d welcomed with epoch %q; want the new %q", p.n, p.epoch, m2.Store.Epoch())
		}
		for from := 1; from <= p.acked; from += wire.MaxMutations {
			if err := p.push(from, min(from+wire.MaxMutations-1, p.acked)); err != nil {
				t.Fatal(err)
			}
		}
		total += p.acked
		// Its fresh replica holds each of its tickets, once.
		seen, err := p.tickets()
		if err != nil {
			t.Fatal(err)
		}
		for seq := 1; seq <= p.acked; seq++ {
			if !seen[pushTicketID(p.n, seq)] {
				t.Errorf("device %d does not see its ticket %d after the restore", p.n, seq)
			}
		}
		if len(seen) != p.acked {
			t.Errorf("device %d sees %d tickets; want its %d", p.n, len(seen), p.acked)
		}
	}
	err = m2.Store.View(context.Background(), func(tx store.ReadTx) error {
		n := 0
		tx.Each(wire.TypeTicket, func(id string, _ []byte) error {
			if strings.HasPrefix(id, "01936f6e-7a1b-7c3d-8e4f-") {
				n++
			}
			return nil
		})
		if n != total {
			t.Errorf("%d tickets after the resends; want %d, each once", n, total)
		}
		for _, p := range pushers {
			if s, _ := tx.LastSeq(pushClientID(p.n)); int(s) != p.acked {
				t.Errorf("device %d: sequence %d; want %d", p.n, s, p.acked)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
