// Package e2e drives the real server and the real app in headless Chromium:
// the acceptance tests of the offline loop, and (with OUTPOST_BENCH=1) the
// load-time benchmark that `make bench` prints.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"outpost/server"
	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// chromiumPath returns the Chromium binary the Makefile installed.
func chromiumPath(t testing.TB) string {
	p := os.Getenv("OUTPOST_CHROMIUM")
	if p == "" {
		p = "/usr/lib/chromium/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no Chromium at %s (run the suite with make test, which installs it): %v", p, err)
	}
	return p
}

// testLog sends server logs to the test log, so a failure shows them.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// startServer runs the server in-process on addr with data in dir.
func startServer(t testing.TB, addr, dir string) *server.Main {
	t.Helper()
	m := server.NewMain()
	m.Addr, m.DataDir, m.Log = addr, dir, testLog(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		m.Close()
		if n := m.HTTP.CSPViolations(); n > 0 {
			t.Errorf("browsers reported %d Content-Security-Policy violations to the server (see its log)", n)
		}
	})
	return m
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// newBrowser starts a headless Chromium with a fresh profile and returns a
// tab's context.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1100, 900),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start chromium: %v", err)
	}
	watchConsole(t, ctx, "browser")
	return ctx
}

// consoleKept is how many of a tab's last console messages a failure
// prints.
const consoleKept = 80

// watchConsole keeps the tab's console (the app's logs, uncaught
// exceptions, a Go panic of the wasm, the browser's own warnings) and
// prints its last consoleKept messages if the test fails, so a failure
// shows what the app said; and it fails the test if the console reports
// a Content-Security-Policy violation: the app must work under the
// policy the server sends (server/http/headers.go).
func watchConsole(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	var mu sync.Mutex
	var kept, violations []string
	if err := chromedp.Listen(ctx, func(ev any) {
		var line string
		switch e := ev.(type) {
		case *cdplog.EventEntryAdded:
			if e.Entry == nil {
				return
			}
			line = fmt.Sprintf("%s %s (%s) %s", clockOf(e.Entry.Timestamp), e.Entry.Level, e.Entry.Source, e.Entry.Text)
			if strings.Contains(e.Entry.Text, "Content Security Policy") {
				mu.Lock()
				violations = append(violations, e.Entry.Text)
				mu.Unlock()
			}
		case *cdpruntime.EventConsoleAPICalled:
			var args []string
			for _, a := range e.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			line = fmt.Sprintf("%s console.%s %s", clockOf(e.Timestamp), e.Type, strings.Join(args, " "))
		case *cdpruntime.EventExceptionThrown:
			d := e.ExceptionDetails
			line = fmt.Sprintf("%s exception %s", clockOf(e.Timestamp), d.Text)
			if d.Exception != nil {
				line += " " + d.Exception.Description
			}
		default:
			return
		}
		mu.Lock()
		kept = append(kept, line)
		if len(kept) > 2*consoleKept {
			kept = append(kept[:0], kept[len(kept)-consoleKept:]...)
		}
		mu.Unlock()
	}); err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the console log: %v", err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, v := range violations {
			t.Errorf("the browser reported a CSP violation: %s", v)
		}
		if t.Failed() && len(kept) > 0 {
			if len(kept) > consoleKept {
				kept = kept[len(kept)-consoleKept:]
			}
			t.Logf("%s's console (last %d messages):\n%s", name, len(kept), strings.Join(kept, "\n"))
		}
	})
}

// clockOf is a console timestamp (ms since the epoch) as a time of day.
func clockOf(ts cdpruntime.Timestamp) string {
	return time.UnixMilli(int64(ts.Float64())).UTC().Format("15:04:05.000")
}

func run(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		shot(t, ctx, "failure")
		t.Fatalf("browser: %v", err)
	}
}

// waitJS polls a JavaScript expression until it is true.
func waitJS(t testing.TB, ctx context.Context, what, expr string, timeout time.Duration) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, timeout+5*time.Second)
	defer cancel()
	_, err := pollJS[bool](tctx, expr, 50*time.Millisecond, timeout)
	if err != nil {
		shot(t, ctx, "failure")
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 800) : ""`))
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](pageStateJS))
		replica, _ := chromedp.Run(ctx, chromedp.Evaluate[string](replicaStateJS, chromedp.EvalAwaitPromise))
		t.Fatalf("waiting for %s (%s): %v\npage: %s\nreplica: %s\npage text: %s", what, expr, err, state, replica, body)
	}
}

// pageStateJS describes where the page is, for a failure: its address,
// the sync status, and the field that has the focus with its value.
const pageStateJS = `(() => {
	const s = document.getElementById("sync-status"), a = document.activeElement;
	return location.pathname + location.search +
		" | sync " + (s ? JSON.stringify(Object.assign({}, s.dataset)) : "(no status)") +
		" | focus " + (a ? a.tagName.toLowerCase() + (a.id ? "#" + a.id : "") + ("value" in a ? " = " + JSON.stringify(a.value) : "") : "(none)");
})()`

// replicaStateJS describes the device's IndexedDB replica, for a
// failure: its cursor and epoch, how many records (articles among them)
// and drafts it holds, and its outbox; or why it could not be read
// (within 3 s: a stalled database is an answer too).
const replicaStateJS = `(async () => {
	const req = r => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
	const read = (async () => {
		const db = await req(indexedDB.open("outpost"));
		const names = [...db.objectStoreNames];
		const tx = db.transaction(names, "readonly");
		const meta = names.includes("meta") ? tx.objectStore("meta") : null;
		const count = (name, range) => names.includes(name) ? req(tx.objectStore(name).count(range)) : "none";
		const out = {
			cursor: meta ? await req(meta.get("cursor")) : "none",
			epoch: meta ? await req(meta.get("epoch")) : "none",
			records: await count("records"),
			articles: await count("records", IDBKeyRange.bound("article/", "article/\uffff")),
			drafts: await count("drafts"),
			outbox: await count("outbox"),
		};
		db.close();
		return JSON.stringify(out);
	})();
	const late = new Promise(ok => setTimeout(() => ok("IndexedDB did not answer within 3 s"), 3000));
	try { return await Promise.race([read, late]); } catch (e) { return "IndexedDB: " + e; }
})()`

// pollJS evaluates expr every interval until it gives something other
// than the zero value (true, a number but 0), and returns that. It asks
// from outside the page (Runtime.evaluate), which the page's CSP does not
// govern: chromedp.Poll compiles the predicate in the page with new
// Function, which the server's CSP rightly refuses.
func pollJS[T comparable](ctx context.Context, expr string, interval, timeout time.Duration) (T, error) {
	var zero T
	deadline := time.Now().Add(timeout)
	var last error
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
		if err == nil && v != zero {
			return v, nil
		}
		if err != nil {
			last = err // a page still navigating, say: try again
		}
		if time.Now().After(deadline) {
			return zero, fmt.Errorf("still false after %v (last error: %v)", timeout, last)
		}
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(interval):
		}
	}
}

func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot saves a screenshot under e2e/screenshots (for the README, and for
// looking at a failure).
func shot(t testing.TB, ctx context.Context, name string) {
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return
	}
	os.MkdirAll("screenshots", 0o755)
	os.WriteFile(filepath.Join("screenshots", name+".png"), b, 0o644)
}

// setOffline cuts (or restores) the network for the page and its service
// worker, and tells navigator.onLine.
func setOffline(t testing.TB, ctx context.Context, offline bool) {
	t.Helper()
	yes := true
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	cond := &network.Conditions{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &yes,
		MatchedNetworkConditions:    []*network.Conditions{cond},
	}); err != nil {
		t.Fatalf("emulate network: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatalf("override network state: %v", err)
	}
}

// disableJS turns script execution off in the tab.
func disableJS(t testing.TB, ctx context.Context) {
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
}

// appReady is true once the WebAssembly app has mounted (the prerendered
// page has status "loading").
const appReady = `(() => { const s = document.getElementById("sync-status"); return !!s && s.dataset.state !== "loading"; })()`

// synced is true once the device has completed a full pull (the home page
// shows the server's prerendered list until then, so a list on screen does
// not mean the replica has it).
const synced = `document.getElementById("sync-status").dataset.synced === "true"`

// statusIs waits for the sync indicator's state and pending count.
func statusIs(state string, pending int) string {
	return fmt.Sprintf(`(() => { const s = document.getElementById("sync-status"); return !!s && s.dataset.state === %q && s.dataset.pending === "%d"; })()`, state, pending)
}

// waitCached waits until the service worker controls the page and has
// cached the whole app shell.
func waitCached(t testing.TB, ctx context.Context) {
	waitJS(t, ctx, "service worker cache", `(async () => {
		if (!navigator.serviceWorker.controller) return false;
		for (const k of await caches.keys()) {
			const c = await caches.open(k);
			if (await c.match("/web/app.wasm") && await c.match("/")) return true;
		}
		return false;
	})()`, 60*time.Second)
}

// tickets reads every ticket from a closed data directory.
func ticketsIn(t testing.TB, dir string) []shared.Ticket {
	t.Helper()
	db, err := badger.Open(dir, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return ticketsOf(t, db)
}

func ticketsOf(t testing.TB, s store.Store) []shared.Ticket {
	return recordsOf[shared.Ticket](t, s, wire.TypeTicket)
}

// recordsOf reads every record of typ in a server's store.
func recordsOf[T any](t testing.TB, s store.Store, typ string) []T {
	t.Helper()
	var out []T
	err := s.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(typ, func(_ string, data []byte) error {
			var v T
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("%s record %s: %w", typ, data, err)
			}
			out = append(out, v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func countTitle(ts []shared.Ticket, title string) int {
	n := 0
	for _, tk := range ts {
		if tk.Title == title {
			n++
		}
	}
	return n
}

// proc is the outpost binary running as a child process, for tests that
// must kill it with SIGKILL.
type proc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	seen  chan string // every log line
}

// startProc runs bin/outpost serve and waits until it listens.
func startProc(t testing.TB, addr, dir string, env ...string) *proc {
	t.Helper()
	return startProcArgs(t, addr, dir, nil, env...)
}

// startProcArgs is startProc with more flags for serve.
func startProcArgs(t testing.TB, addr, dir string, args []string, env ...string) *proc {
	t.Helper()
	bin, err := filepath.Abs("../bin/outpost")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run make build (make test does)", bin)
	}
	cmd := exec.Command(bin, append([]string{"serve", "-addr", addr, "-data", dir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, seen: make(chan string, 1024)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			t.Log("outpost:", line)
			select {
			case p.seen <- line:
			default:
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	p.waitLog(t, "Outpost is running", 30*time.Second)
	return p
}

// waitLog waits for a log line containing s.
func (p *proc) waitLog(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line := <-p.seen:
			if strings.Contains(line, s) {
				return
			}
		case <-deadline:
			t.Fatalf("server did not log %q within %v", s, timeout)
		}
	}
}

// newLink is a real TCP proxy (toxiproxy, as a library) to upstream: a
// device's own network, so one browser can lose the server for real while
// another keeps it. Stop closes the listener and every connection through
// it (an emulated offline page keeps its open websocket); Start listens
// again on the same port.
func newLink(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "device", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}
