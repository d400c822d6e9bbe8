package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"outpost/app/engine"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
)

// newProxy puts a toxiproxy (a real fault-injecting TCP proxy, used as a
// library) between clients and upstream.
func newProxy(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "outpost", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// blackhole makes the link swallow everything in both directions without
// closing it: a half-open connection, as a dead Wi-Fi path leaves behind.
func blackhole(t *testing.T, p *toxiproxy.Proxy, on bool) {
	t.Helper()
	for _, stream := range []string{"upstream", "downstream"} {
		name := "blackhole_" + stream
		if !on {
			if err := p.Toxics.RemoveToxic(context.Background(), name); err != nil {
				t.Fatal(err)
			}
			continue
		}
		toxic := `{"name":"` + name + `","type":"timeout","stream":"` + stream + `","toxicity":1,"attributes":{"timeout":0}}`
		if _, err := p.Toxics.AddToxicJson(strings.NewReader(toxic)); err != nil {
			t.Fatal(err)
		}
	}
}

// advanceUntil moves the fake clock by step until ok holds, giving the
// goroutines that wait on it a moment between steps; it fails after 15 s
// of real time.
func advanceUntil(t *testing.T, f *clock.Fake, step time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting (the clock moved to %v): %s", f.Now(), what)
		}
		f.Advance(step)
		time.Sleep(5 * time.Millisecond) // for the socket's bytes, not for a timer
	}
}

// TestHalfOpenConnectionIsNoticed files a ticket over a link that silently
// stopped delivering: the engine must notice the server no longer answers
// (after the production ReplyTimeout, on a fake clock), say it is offline,
// keep the ticket, and deliver it once the link heals.
func TestHalfOpenConnectionIsNoticed(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	p := newProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake := clock.NewFake(time.Now())
	e := &engine.Engine{
		Store: store.NewMemory(),
		Dial: func(ctx context.Context) (engine.Conn, error) {
			ctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			return engine.DialWS(ctx, "ws://"+p.Listen+"/ws", "http://"+p.Listen)
		},
		Clock: fake,
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "online and synced", func() bool { st := e.Status(); return st.Online && st.Synced })

	blackhole(t, p, true)
	tc := shared.TicketCreate{ID: shared.NewID(time.Now()), Title: "Sent into a dead link", CreatedAt: 1}
	if err := e.Mutate(shared.OpTicketCreate, tc, ""); err != nil {
		t.Fatal(err)
	}
	noticed := func() bool { st := e.Status(); return !st.Online && st.Pending == 1 }
	advanceUntil(t, fake, time.Second, "the engine to notice the dead link", noticed)

	blackhole(t, p, false)
	e.Kick()
	advanceUntil(t, fake, time.Second, "the ticket delivered after the link healed", func() bool { st := e.Status(); return st.Online && st.Pending == 0 })
	if n := len(ticketTitles(t, s)); n != 1 {
		t.Fatalf("server has %d tickets; want exactly 1", n)
	}
}
