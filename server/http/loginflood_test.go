package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/server/auth"
	serverhttp "outpost/server/http"
	"outpost/shared"
)

// floodHash is a real argon2id cost, smaller than production's 64 MiB so
// the test stays quick: 400 of them at once would need 12.5 GiB.
var floodHash = auth.Params{Memory: 32 << 10, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// TestLoginFlood: 400 wrong sign-ins at once, from 400 addresses behind a
// trusted proxy, half of them at the admin's account. The hashes running
// at once stay within the gate, so the heap stays bounded; every refusal
// says why (429 carries Retry-After); the admin signs in afterwards; no
// goroutine is left behind.
func TestLoginFlood(t *testing.T) {
	s := newServer(t, func(s *serverhttp.Server) {
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		s.Auth = &auth.Service{Store: s.Sync.Store, Log: s.Log, Hash: floodHash}
	})
	if _, err := s.Auth.AddUser(context.Background(), auth.NewUser{Email: "admin@example.com", Name: "Admin", Role: shared.RoleAdmin, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 500}
	c := &http.Client{Transport: tr}
	login := func(email, password, from string) *http.Response {
		req, _ := http.NewRequest("POST", s.URL()+"/api/login", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := c.Do(req)
		if err != nil {
			t.Error(err)
			return nil
		}
		resp.Body.Close()
		return resp
	}
	if resp := login("admin@example.com", "correct horse battery", "192.0.2.10"); resp == nil || resp.StatusCode != 200 {
		t.Fatalf("the admin's first sign-in: %v", resp)
	}
	tr.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)

	runtime.GC()
	goroutines := runtime.NumGoroutine()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "admin@example.com"
			if i%2 == 1 {
				email = fmt.Sprintf("nobody%d@example.com", i)
			}
			resp := login(email, "wrong password!", fmt.Sprintf("198.18.%d.%d", i/256, i%256))
			if resp == nil {
				return
			}
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				t.Errorf("a 429 without Retry-After")
			}
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	t.Logf("answers: %v", statuses)
	for code := range statuses {
		if code != http.StatusUnauthorized && code != http.StatusTooManyRequests {
			t.Errorf("answers = %v; want only 401 and 429", statuses)
		}
	}
	slots, running := s.Auth.HashGate()
	if running > slots {
		t.Errorf("%d hashes ran at once; the gate allows %d", running, slots)
	}
	// The hashes at once hold at most 128 MiB; allow 96 MiB more for
	// 400 requests' buffers and garbage not yet collected.
	const budget = 224 << 20
	grew := peak.Load() - min(peak.Load(), before.HeapInuse)
	t.Logf("the heap grew by %d MiB; %d hashes ran at once at most", grew>>20, running)
	if grew > budget {
		t.Errorf("the heap grew by %d MiB during the flood; want at most %d MiB", grew>>20, budget>>20)
	}

	if resp := login("admin@example.com", "correct horse battery", "192.0.2.10"); resp == nil || resp.StatusCode != 200 {
		t.Errorf("the admin's sign-in after the flood: %v; want 200", resp)
	}
	tr.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > goroutines+5 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after the flood; %d before:\n%s", runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestForwardedForOnlyFromTrustedProxies: X-Forwarded-For names the
// client only when the peer is a trusted proxy; otherwise a stranger
// could pick a fresh address for every guess.
func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted string
		want    int // the status of the 6th wrong password, each "from" another address
	}{
		{"no proxy trusted: the header is ignored", "", http.StatusTooManyRequests},
		{"loopback trusted: each address counts apart", "127.0.0.1", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxies, err := serverhttp.ParseTrustedProxies(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			s := newServer(t, func(s *serverhttp.Server) { s.TrustedProxies = proxies })
			addUser(t, s, "field@example.com", shared.RoleRequester, 0)
			var resp *http.Response
			for i := range 6 {
				resp, _ = post(t, http.DefaultClient, s.URL()+"/api/login", `{"email":"field@example.com","password":"guess guess guess"}`, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			}
			if resp.StatusCode != tc.want {
				t.Errorf("6th wrong password: %d; want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
