package e2e

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/server/seed"
)

// rssOf returns the resident set size of process pid, in bytes.
func rssOf(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestLoginFloodBench prints what 400 concurrent wrong sign-ins cost the
// real server (bin/outpost serve -demo, production argon2id costs): its
// RSS growth above the RSS just before them, and how long a legitimate
// sign-in takes meanwhile (retrying after a 429 as the app does). Once
// from 400 addresses (behind a trusted proxy), once from one.
func TestLoginFloodBench(t *testing.T) {
	if os.Getenv("OUTPOST_BENCH") == "" {
		t.Skip("benchmark: run with make bench")
	}
	const admin = "admin@outpost.example"
	for _, spread := range []bool{true, false} {
		dir, addr := t.TempDir(), freeAddr(t)
		p := startProcArgs(t, addr, dir, []string{"-demo", "-trusted-proxy", "127.0.0.1"})
		base := "http://" + addr
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 500}}
		login := func(email, password, from string) (*http.Response, error) {
			req, _ := http.NewRequest("POST", base+"/api/login", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", from)
			resp, err := c.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			return resp, err
		}
		if resp, err := login(admin, seed.DemoPassword, "192.0.2.10"); err != nil || resp.StatusCode != 200 {
			t.Fatalf("the admin's first sign-in: %v %v", resp, err)
		}
		time.Sleep(500 * time.Millisecond)
		pid := p.cmd.Process.Pid
		before := rssOf(pid)
		var peak atomic.Int64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				if r := rssOf(pid); r > peak.Load() {
					peak.Store(r)
				}
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		var mu sync.Mutex
		answers := map[int]int{}
		start := time.Now()
		for i := range 400 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email, from := admin, "198.18.0.1"
				if i%2 == 1 {
					email = fmt.Sprintf("nobody%d@example.com", i)
				}
				if spread {
					from = fmt.Sprintf("198.18.%d.%d", i/256, i%256)
				}
				resp, err := login(email, "wrong password!", from)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					answers[0]++
					return
				}
				answers[resp.StatusCode]++
			}()
		}
		// The admin signs in meanwhile, from the address they used before.
		time.Sleep(50 * time.Millisecond)
		legitStart, tries, status := time.Now(), 0, 0
		for ; tries < 20; tries++ {
			resp, err := login(admin, seed.DemoPassword, "192.0.2.10")
			if err != nil {
				t.Fatal(err)
			}
			status = resp.StatusCode
			if status != http.StatusTooManyRequests {
				break
			}
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(secs, 1)) * time.Second)
		}
		legit := time.Since(legitStart)
		wg.Wait()
		flood := time.Since(start)
		close(stop)
		<-sampled
		after, err := login(admin, seed.DemoPassword, "192.0.2.10")
		afterStatus := 0
		if err == nil {
			afterStatus = after.StatusCode
		}
		name := "one address"
		if spread {
			name = "400 addresses"
		}
		fmt.Printf("bench login flood (%s): 400 wrong sign-ins in %v, answers %v\n", name, flood.Round(time.Millisecond), answers)
		fmt.Printf("bench login flood (%s): server RSS %d MB before, +%d MB at peak (target ≤ 256 MB; before this change 60 such sign-ins took it from 65 MB to 3.9 GB)\n",
			name, before>>20, (peak.Load()-before)>>20)
		fmt.Printf("bench login flood (%s): a legitimate sign-in during it took %v (%d tries, status %d); after it: status %d\n",
			name, legit.Round(time.Millisecond), tries+1, status, afterStatus)
	}
}
