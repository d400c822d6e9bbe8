package http_test

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"outpost/shared"
	"outpost/shared/wire"
)

// loadClient is one device: a websocket that said hello, and, like
// app/engine, at most one push in flight, which carries every mutation due
// by the time it is sent (up to wire.MaxMutations). It ignores pokes (a
// real client would pull).
type loadClient struct {
	id    string
	ws    *websocket.Conn
	wake  chan struct{} // the writer has something to push
	pokes atomic.Int64

	mu       sync.Mutex
	seq      uint64
	due      []loadMutation // scheduled, not sent
	inflight []loadMutation // sent, not acknowledged
}

type loadMutation struct {
	seq  uint64
	at   time.Time // when the schedule wanted it sent: latency counts from here
	step *stepStats
}

// dialLoadClients opens n websockets that each said hello and were welcomed.
func dialLoadClients(t *testing.T, url string, n int) []*loadClient {
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: 30 * time.Second} // as browsers do
	wsURL := strings.Replace(url, "http", "ws", 1) + "/ws"
	clients := make([]*loadClient, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			c, err := dialLoadClient(d, wsURL, url)
			if err != nil {
				errs <- err
				return
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("open %d connections: %v", n, err)
	}
	return clients
}

func dialLoadClient(d websocket.Dialer, wsURL, origin string) (*loadClient, error) {
	ws, _, err := d.Dial(wsURL, map[string][]string{"Origin": {origin}})
	if err != nil {
		return nil, err
	}
	c := &loadClient{id: shared.NewID(time.Now()), ws: ws, wake: make(chan struct{}, 1)}
	b, _ := wire.Encode(wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: c.id, DeviceKey: keyOf(c.id)})
	if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
		ws.Close()
		return nil, err
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, b, err = ws.ReadMessage()
	if m, derr := wire.Decode(b); err != nil || derr != nil || m.T != wire.TWelcome {
		ws.Close()
		return nil, fmt.Errorf("hello answered %s (%v, %v)", b, err, derr)
	}
	ws.SetReadDeadline(time.Time{})
	return c, nil
}

func (c *loadClient) schedule(m loadMutation) {
	c.mu.Lock()
	c.due = append(c.due, m)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *loadClient) writeLoop() {
	for range c.wake {
		c.mu.Lock()
		if len(c.inflight) > 0 || len(c.due) == 0 {
			c.mu.Unlock()
			continue
		}
		n := min(len(c.due), wire.MaxMutations)
		batch := append([]loadMutation(nil), c.due[:n]...)
		c.due = append(c.due[:0], c.due[n:]...)
		for i := range batch {
			c.seq++
			batch[i].seq = c.seq
		}
		c.inflight = batch
		c.mu.Unlock()

		push := wire.Msg{T: wire.TPush, Mutations: make([]wire.Mutation, len(batch))}
		now := time.Now()
		for i, m := range batch {
			args, _ := json.Marshal(shared.TicketCreate{ID: shared.NewID(now), Title: "Printer on floor 2 jams", Description: loadDescription, CreatedAt: now.UnixMilli()})
			push.Mutations[i] = wire.Mutation{Seq: m.seq, Name: shared.OpTicketCreate, Args: args}
		}
		batch[0].step.pushes.Add(1)
		b, _ := wire.Encode(push)
		if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
			return
		}
	}
}

func (c *loadClient) readLoop() {
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		m, err := wire.Decode(b)
		if err != nil {
			continue
		}
		switch m.T {
		case wire.TPoke:
			c.pokes.Add(1)
		case wire.TAck:
			now := time.Now()
			c.mu.Lock()
			for _, r := range m.Results {
				if len(c.inflight) == 0 || c.inflight[0].seq != r.Seq {
					continue // not ours: cannot happen
				}
				c.inflight[0].step.record(now.Sub(c.inflight[0].at), r.OK, now)
				c.inflight = c.inflight[1:]
			}
			more := len(c.inflight) == 0 && len(c.due) > 0
			c.mu.Unlock()
			if more {
				select {
				case c.wake <- struct{}{}:
				default:
				}
			}
		}
	}
}

// stepStats collects the answers to one step's mutations.
type stepStats struct {
	pushes atomic.Int64
	late   atomic.Int64 // acknowledged after sustainedP99

	mu       sync.Mutex
	lat      []latency
	acked    int
	rejected int
	lastAck  time.Time
}

// latency is one mutation's push→ack time, or, if it was never
// acknowledged, a lower bound: how long it had waited when given up on.
type latency struct {
	d     time.Duration
	bound bool
}

func (s *stepStats) record(d time.Duration, ok bool, now time.Time) {
	if d > sustainedP99 {
		s.late.Add(1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat = append(s.lat, latency{d: d})
	s.acked++
	if !ok {
		s.rejected++
	}
	if now.After(s.lastAck) {
		s.lastAck = now
	}
}

func (s *stepStats) giveUp(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat = append(s.lat, latency{d: d, bound: true})
}

// stepResult is one step's figures.
type stepResult struct {
	rate                 float64
	sent, acked          int           // mutations scheduled, acknowledged
	abortedAfter         time.Duration // when more than 1% were late already; 0 if not
	dropped, unacked     int           // never pushed; pushed but not acknowledged within drainLimit
	rejected             int
	p50, p90, p99, worst latency
	served               float64 // acknowledged per second, from the first send to the last ack
	perPush              float64 // mutations per push frame
}

func (r stepResult) held() bool {
	return r.abortedAfter == 0 && r.dropped == 0 && r.unacked == 0 && r.rejected == 0 && !r.p99.bound && r.p99.d < sustainedP99
}

func (l latency) String() string {
	s := strconv.FormatFloat(ms(l.d), 'f', 1, 64)
	if l.bound {
		return "≥" + s
	}
	return s
}

func (r stepResult) String() string {
	verdict := "held"
	switch {
	case r.abortedAfter > 0:
		verdict = fmt.Sprintf("FAILED (stopped after %.1f s: over 1%% already later than %d ms)", r.abortedAfter.Seconds(), sustainedP99.Milliseconds())
	case !r.held():
		verdict = "FAILED"
	}
	return fmt.Sprintf("offered %6.0f/s for %s: p50 %9s ms  p90 %9s ms  p99 %9s ms  max %9s ms  served %6.0f/s  %5.1f mutations/push  never pushed %d  unacked %d  rejected %d  %s",
		r.rate, stepLength, r.p50, r.p90, r.p99, r.worst, r.served, r.perPush, r.dropped, r.unacked, r.rejected, verdict)
}

// runStep schedules rate mutations per second for d, round robin over the
// clients, on an open loop: each mutation's time is fixed in advance, so a
// slow server shows as latency, not as a lower rate. If abortable, it stops
// early once the step has certainly failed (more than 1% of its mutations
// later than sustainedP99). Then mutations still waiting for their client's
// push in flight are given up, and the pushes in flight get drainLimit to
// be acknowledged, so that the next step starts on an idle server; behind
// reports that they were not.
func runStep(clients []*loadClient, rate float64, d time.Duration, abortable bool) (r stepResult, behind bool) {
	st := &stepStats{}
	n := int(rate * d.Seconds())
	start := time.Now()
	k := 0
	for next, check := 0, start; k < n; time.Sleep(time.Millisecond) {
		now := time.Now()
		due := min(int(now.Sub(start).Seconds()*rate)+1, n)
		for ; k < due; k++ {
			at := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
			clients[next%len(clients)].schedule(loadMutation{at: at, step: st})
			next++
		}
		if abortable && now.Sub(check) > 50*time.Millisecond {
			check = now
			if st.late.Load()+int64(waiting(clients, now.Add(-sustainedP99))) > int64(n/100) {
				r.abortedAfter = max(now.Sub(start), time.Millisecond)
				break
			}
		}
	}
	r.rate, r.sent = rate, k

	// A second for what was scheduled last, then give up what was never
	// pushed and drain what was.
	for grace := time.Now().Add(time.Second); waiting(clients, time.Now()) > 0 && time.Now().Before(grace); {
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range clients {
		c.mu.Lock()
		for _, m := range c.due {
			m.step.giveUp(time.Since(m.at))
			if m.step == st {
				r.dropped++
			}
		}
		c.due = nil
		c.mu.Unlock()
	}
	for drain := time.Now().Add(drainLimit); waiting(clients, time.Now()) > 0 && time.Now().Before(drain); {
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range clients {
		c.mu.Lock()
		for _, m := range c.inflight {
			behind = true
			if m.step == st {
				st.giveUp(time.Since(m.at))
				r.unacked++
			}
		}
		c.mu.Unlock()
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	lat := append([]latency(nil), st.lat...)
	sort.Slice(lat, func(i, j int) bool { return lat[i].d < lat[j].d })
	pct := func(p float64) latency {
		if len(lat) == 0 {
			return latency{}
		}
		return lat[max(int(math.Ceil(p*float64(len(lat))))-1, 0)]
	}
	r.p50, r.p90, r.p99, r.worst = pct(0.50), pct(0.90), pct(0.99), pct(1)
	r.acked, r.rejected = st.acked, st.rejected
	if st.acked > 0 {
		r.served = float64(st.acked) / st.lastAck.Sub(start).Seconds()
	}
	if p := st.pushes.Load(); p > 0 {
		r.perPush = float64(st.acked) / float64(p)
	}
	return r, behind
}

// waiting counts the mutations scheduled before t and not yet acknowledged.
func waiting(clients []*loadClient, t time.Time) int {
	n := 0
	for _, c := range clients {
		c.mu.Lock()
		for _, q := range [][]loadMutation{c.inflight, c.due} {
			for _, m := range q {
				if m.at.Before(t) {
					n++
				}
			}
		}
		c.mu.Unlock()
	}
	return n
}
