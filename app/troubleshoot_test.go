package app

import (
	"os"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
)

func demoTree(t *testing.T) *tree.Tree {
	t.Helper()
	data, err := os.ReadFile("../server/seed/trees/no-internet.json")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := tree.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestReplay replays saved runs: an answer that was shown online still
// counts offline, and a run saved against an older tree keeps what fits.
func TestReplay(t *testing.T) {
	tr := demoTree(t)
	toBrowser := []tree.Answer{{Node: "connection", Choice: "cable"}, {Node: "cable", Choice: "no"}, {Node: "other-devices", Choice: "just-me"}, {Node: "vpn", Choice: "off"}}
	online, offline := tree.Facts{Online: true, Lang: "en"}, tree.Facts{Lang: "en"}

	st, kept, err := replay(tr, online, toBrowser)
	if err != nil || kept != 4 || st.Node.ID != "browser" || len(st.Answers) != 4 {
		t.Fatalf("replay online = node %v, %d answers visible, kept %d, %v; want browser with 4 answers", st.Node, len(st.Answers), kept, err)
	}
	st, _, _ = replay(tr, offline, toBrowser)
	if len(st.Answers) != 3 {
		t.Errorf("offline, browser shows %d answers; want 3 (some-sites needs the network)", len(st.Answers))
	}

	// Answered online, replayed offline: the answer stands.
	viaOnline := append(toBrowser[:4:4], tree.Answer{Node: "browser", Choice: "some-sites"})
	st, kept, err = replay(tr, offline, viaOnline)
	if err != nil || kept != 5 || st.Node.ID != "vpn-fix" {
		t.Errorf("replay offline of an online answer = %v, kept %d, %v; want vpn-fix, all 5 kept", st.Node.ID, kept, err)
	}

	// The tree changed: the third answer no longer exists.
	changed := append(toBrowser[:2:2], tree.Answer{Node: "other-devices", Choice: "removed"}, tree.Answer{Node: "vpn", Choice: "off"})
	st, kept, err = replay(tr, online, changed)
	if err == nil || kept != 2 || st.Node.ID != "other-devices" || len(st.Transcript) != 2 {
		t.Errorf("replay of a changed run = %v, kept %d, %v; want other-devices, 2 kept, an error", st.Node.ID, kept, err)
	}
}

// TestStaleRunIsAbandoned finds a run left unfinished for over a day: it
// is dropped and an abandon event waits for the outbox. A fresh one is
// resumed.
func TestStaleRunIsAbandoned(t *testing.T) {
	tr := demoTree(t)
	now := time.UnixMilli(1_800_000_000_000)
	ls := memStorage(t)
	c := &Client{} // no replica: the abandoned event waits in ls for the outbox
	run := newRun(tr, now.Add(-25*time.Hour))
	run.Started, run.Answers, run.Node = true, []tree.Answer{{Node: "connection", Choice: "wifi"}}, "wifi-icon"
	ls.Set(runKey(tr.ID), run)

	if _, ok, stale := c.loadRun(ls, tr.ID, now); ok || !stale {
		t.Fatalf("loadRun of a 25 h old run: ok %v, stale %v; want dropped as stale", ok, stale)
	}
	var evs []tree.RunEvent
	ls.Get(eventsKey, &evs)
	if len(evs) != 1 || evs[0].Kind != tree.EventAbandoned || evs[0].Node != "wifi-icon" || evs[0].Tree != tr.ID {
		t.Errorf("events = %+v; want one abandoned at wifi-icon", evs)
	}
	var left savedRun
	if ls.Get(runKey(tr.ID), &left); left.ID != "" {
		t.Errorf("the stale run is still saved: %+v", left)
	}

	run.UpdatedAt = now.Add(-time.Hour).UnixMilli()
	ls.Set(runKey(tr.ID), run)
	if got, ok, stale := c.loadRun(ls, tr.ID, now); !ok || stale || len(got.Answers) != 1 {
		t.Errorf("loadRun of an hour-old run = %+v, ok %v, stale %v; want it resumed", got, ok, stale)
	}
}

// memStorage is go-app's in-memory BrowserStorage, the one a test engine
// uses natively.
func memStorage(t *testing.T) app.BrowserStorage {
	t.Helper()
	e := app.NewTestEngine()
	var ls app.BrowserStorage
	e.Load(&storageProbe{got: &ls})
	e.ConsumeAll()
	if ls == nil {
		t.Fatal("no local storage in the test engine")
	}
	return ls
}

type storageProbe struct {
	app.Compo
	got *app.BrowserStorage
}

func (p *storageProbe) OnPreRender(ctx app.Context) { *p.got = ctx.LocalStorage() }
func (p *storageProbe) OnMount(ctx app.Context)     { *p.got = ctx.LocalStorage() }
func (p *storageProbe) Render() app.UI              { return app.Div() }

func TestLevelsForGiveTheSuggestedPriority(t *testing.T) {
	for _, p := range shared.Priorities {
		impact, urgency := levelsFor(p)
		if got, err := shared.Priority(impact, urgency); err != nil || got != p {
			t.Errorf("levelsFor(%s) = %s, %s → %s, %v", p, impact, urgency, got, err)
		}
	}
}
