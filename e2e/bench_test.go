package e2e

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBench prints the figures `make bench` reports: app.wasm sizes and, in
// headless Chromium, the time from navigation to the first article list
// visible, median of 5, on a cold first visit, a warm offline reload, and a
// cold visit over a throttled link. Figures, not pass/fail: the machines
// are small and noisy.
func TestBench(t *testing.T) {
	if os.Getenv("OUTPOST_BENCH") == "" {
		t.Skip("benchmark: run with make bench")
	}
	const runs = 5
	var raw int64
	for _, f := range []string{"app.wasm", "app.wasm.gz", "app.wasm.br"} {
		st, err := os.Stat("../web/" + f)
		if err != nil {
			t.Fatalf("%v (run make build)", err)
		}
		if raw == 0 {
			raw = st.Size()
		}
		fmt.Printf("bench size %-12s %9d bytes  %6.2f MB  %5.2f× raw\n", f, st.Size(), float64(st.Size())/1e6, float64(st.Size())/float64(raw))
	}

	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()

	// Navigation waits for the load event (the wasm downloads after it), then
	// polls. firstList is when the prerendered list was first painted; appList is
	// when the WebAssembly app showed the list from its local replica. Both
	// are milliseconds since navigation start, read from the page's clock.
	type visit struct{ firstList, appList float64 }
	measure := func(ctx context.Context, navigate func(context.Context) error) visit {
		t.Helper()
		if err := navigate(ctx); err != nil {
			t.Fatal(err)
		}
		app, err := pollJS[float64](ctx,
			appReady+` && document.querySelector("#article-list li") ? performance.now() : 0`,
			10*time.Millisecond, 120*time.Second)
		if err != nil {
			t.Fatalf("waiting for the app: %v", err)
		}
		fcp := eval[float64](t, ctx, `(() => { const e = performance.getEntriesByName("first-contentful-paint")[0]; return e ? e.startTime : 0; })()`)
		return visit{firstList: fcp, appList: app}
	}
	goTo := func(u string) func(context.Context) error {
		return func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(u)) }
	}
	// Ratios are against the cold loopback visit measured in this run.
	var baseFirst, baseApp float64
	report := func(name string, vs []visit) {
		var first, app []float64
		for _, v := range vs {
			first, app = append(first, v.firstList), append(app, v.appList)
		}
		f, a := median(first), median(app)
		if baseFirst == 0 {
			baseFirst, baseApp = f, a
		}
		fmt.Printf("bench %-36s first list painted %7.0f ms (%5.2f× cold)   app showing list %7.0f ms (%5.2f× cold)   median of %d\n",
			name, f, f/baseFirst, a, a/baseApp, len(vs))
	}

	var cold []visit
	var warmCtx context.Context
	for i := 0; i < runs; i++ {
		ctx := newBrowser(t)
		cold = append(cold, measure(ctx, goTo(base+"/")))
		warmCtx = ctx
	}
	report("cold first visit (loopback)", cold)

	waitCached(t, warmCtx)
	srv.Close()
	setOffline(t, warmCtx, true)
	var warm []visit
	for i := 0; i < runs; i++ {
		warm = append(warm, measure(warmCtx, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Reload()) }))
	}
	report("warm offline reload (server down)", warm)

	srv = startServer(t, addr, dir)
	var slow []visit
	for i := 0; i < runs; i++ {
		ctx := newBrowser(t)
		throttle(t, ctx)
		slow = append(slow, measure(ctx, goTo(base+"/")))
	}
	report("cold visit, 400ms RTT 750/250 kbit/s", slow)
}

// throttle emulates a poor link: 400 ms round trip, 750 kbit/s down and
// 250 kbit/s up.
func throttle(t *testing.T, ctx context.Context) {
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	yes := true
	_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &yes,
		MatchedNetworkConditions: []*network.Conditions{{
			Latency: 400, DownloadThroughput: 750_000 / 8, UploadThroughput: 250_000 / 8,
		}},
	})
	if err != nil {
		t.Fatalf("throttle: %v", err)
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
