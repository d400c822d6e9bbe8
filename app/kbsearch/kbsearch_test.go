package kbsearch

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/search"
	"outpost/shared/wire"
)

func article(t *testing.T, v uint64, id, title, body string) wire.Change {
	t.Helper()
	data, err := json.Marshal(shared.Article{ID: id, Lang: "en", Title: title, Category: "network", Visibility: shared.Public, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return wire.Change{V: v, Type: wire.TypeArticle, ID: id, Data: data}
}

func ticket(v uint64, id string) wire.Change {
	return wire.Change{V: v, Type: wire.TypeTicket, ID: id, Data: json.RawMessage(`{"id":"` + id + `"}`)}
}

func ids(x *Index, q string) string {
	var out []string
	for _, r := range x.Search(search.Query{Text: q, Lang: "en"}) {
		out = append(out, r.ID)
	}
	return fmt.Sprint(out)
}

func open(t *testing.T, s store.Store) *Index {
	t.Helper()
	x, err := Open(s)
	if err != nil {
		t.Fatal(err)
	}
	x.SaveDelay = 0
	return x
}

func TestWarmStartLoadsSavedIndex(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	if !x.Rebuilt() || x.Len() != 0 {
		t.Fatalf("new replica: rebuilt %v, %d docs; want a rebuilt empty index", x.Rebuilt(), x.Len())
	}
	err := x.Apply([]wire.Change{
		article(t, 1, "vpn-setup", "Set up the VPN", "Install the VPN client."),
		article(t, 2, "wifi-slow", "Slow Wi-Fi", "Move closer to the access point."),
		ticket(3, "t1"),
	}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(x, "vpn"); got != "[vpn-setup]" {
		t.Fatalf("search vpn = %s before any reload", got)
	}
	if err := x.Flush(); err != nil {
		t.Fatal(err)
	}
	// A page with no article moves the cursor; the saved index stays good.
	if err := x.Apply([]wire.Change{ticket(4, "t2")}, 4); err != nil {
		t.Fatal(err)
	}

	again := open(t, s)
	if again.Rebuilt() {
		t.Fatal("warm start rebuilt the index; want it loaded from the cache")
	}
	if got := ids(again, "acess point"); got != "[wifi-slow]" {
		t.Fatalf("after reload, search 'acess point' = %s; want [wifi-slow]", got)
	}
}

func TestStaleIndexIsRebuilt(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	x.SaveDelay = 1 << 62 // never saved by itself: a crash before the save
	x.Apply([]wire.Change{article(t, 1, "vpn-setup", "Set up the VPN", "")}, 1)
	x.Flush()
	x.Apply([]wire.Change{article(t, 2, "printer-jam", "Clear a printer jam", "")}, 2)

	again := open(t, s)
	if !again.Rebuilt() {
		t.Fatal("the saved index missed a page of articles but was loaded")
	}
	if got := ids(again, "printer"); got != "[printer-jam]" {
		t.Fatalf("after rebuild, search printer = %s", got)
	}
	// The rebuild is saved: the next start is warm again.
	if third := open(t, s); third.Rebuilt() || ids(third, "printer") != "[printer-jam]" {
		t.Fatalf("third start: rebuilt %v, printer → %s", third.Rebuilt(), ids(third, "printer"))
	}
}

func TestUpdatesAndDeletes(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	x.Apply([]wire.Change{
		article(t, 1, "vpn-setup", "Set up the VPN", ""),
		article(t, 2, "wifi-slow", "Slow Wi-Fi", ""),
	}, 2)
	x.Apply([]wire.Change{
		article(t, 3, "vpn-setup", "Install the remote access client", ""),
		{V: 4, Type: wire.TypeArticle, ID: "wifi-slow", Deleted: true},
	}, 4)
	if got := ids(x, "vpn"); got != "[]" {
		t.Errorf("search vpn after the title changed = %s; want nothing", got)
	}
	if got := ids(x, "remote access"); got != "[vpn-setup]" {
		t.Errorf("search 'remote access' = %s; want [vpn-setup]", got)
	}
	if x.Len() != 1 {
		t.Errorf("Len = %d after a delete; want 1", x.Len())
	}
	x.Flush()
	if again := open(t, s); again.Rebuilt() || again.Len() != 1 {
		t.Errorf("reload: rebuilt %v, %d docs; want the saved 1", again.Rebuilt(), again.Len())
	}
}

func TestResetDropsIndex(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	x.Apply([]wire.Change{article(t, 1, "vpn-setup", "Set up the VPN", "")}, 1)
	x.Flush()
	if err := x.Reset("other-db"); err != nil {
		t.Fatal(err)
	}
	if x.Len() != 0 {
		t.Fatalf("Len after Reset = %d", x.Len())
	}
	x.Apply([]wire.Change{article(t, 1, "printer-jam", "Printer jam", "")}, 1)
	x.Flush()
	again := open(t, s)
	if got := ids(again, "vpn") + ids(again, "printer"); got != "[][printer-jam]" {
		t.Fatalf("after Reset and resync: vpn, printer → %s; want only the new database's article", got)
	}
}

func TestCorruptCacheIsRebuilt(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	x.Apply([]wire.Change{article(t, 1, "vpn-setup", "Set up the VPN", "")}, 1)
	x.Flush()
	blob, _ := s.GetCache(indexKey)
	s.PutCache(indexKey, blob[:len(blob)/2])
	again := open(t, s)
	if !again.Rebuilt() || ids(again, "vpn") != "[vpn-setup]" {
		t.Fatalf("corrupt cache: rebuilt %v, vpn → %s; want a rebuild that finds it", again.Rebuilt(), ids(again, "vpn"))
	}
}

func TestSaveErrorKeepsIndexDirty(t *testing.T) {
	t.Parallel()
	s := &failingCache{Memory: store.NewMemory()}
	s.fail.Store(true)
	x := open(t, s)
	x.Apply([]wire.Change{article(t, 1, "vpn-setup", "Set up the VPN", "")}, 1)
	if err := x.Flush(); err == nil {
		t.Fatal("Flush with a full disk returned no error")
	}
	if got := ids(x, "vpn"); got != "[vpn-setup]" {
		t.Fatalf("search after a failed save = %s; want the in-memory index still used", got)
	}
	s.fail.Store(false)
	if err := x.Flush(); err != nil {
		t.Fatal(err)
	}
	if again := open(t, s); again.Rebuilt() {
		t.Fatal("the retried save did not stick")
	}
}

type failingCache struct {
	*store.Memory
	fail atomic.Bool // set by the test, read by the save timer
}

func (f *failingCache) PutCache(key string, data []byte) error {
	if f.fail.Load() {
		return fmt.Errorf("quota exceeded")
	}
	return f.Memory.PutCache(key, data)
}

func TestRefreshFollowsAnotherTab(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	leader, follower := open(t, s), open(t, s)
	leader.Apply([]wire.Change{article(t, 1, "vpn-setup", "Set up the VPN", "")}, 1)
	leader.Flush()
	if got := ids(follower, "vpn"); got != "[]" {
		t.Fatalf("follower before Refresh = %s", got)
	}
	if err := follower.Refresh(); err != nil {
		t.Fatal(err)
	}
	if got := ids(follower, "vpn"); got != "[vpn-setup]" {
		t.Fatalf("follower after Refresh = %s; want the leader's article", got)
	}
}

// TestSynonymsFollowTheReplica: the search synonyms record that a sync
// brings is used at once, kept across a restart, and dropped with the
// replica on a reset.
func TestSynonymsFollowTheReplica(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	syn, _ := json.Marshal(shared.Synonyms{"en": {{"tunnel", "VPN"}}})
	err := x.Apply([]wire.Change{
		article(t, 1, "vpn-setup", "Set up the VPN", "Install the VPN client."),
		{V: 2, Type: wire.TypeConfig, ID: shared.ConfigSynonyms, Data: syn},
	}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(x, "tunnel"); got != "[vpn-setup]" {
		t.Fatalf("tunnel after the synonyms arrived = %s; want [vpn-setup]", got)
	}
	if got := ids(open(t, s), "tunnel"); got != "[vpn-setup]" {
		t.Errorf("tunnel after a restart = %s; want [vpn-setup]", got)
	}
	if err := x.Apply([]wire.Change{{V: 3, Type: wire.TypeConfig, ID: shared.ConfigSynonyms, Deleted: true}}, 3); err != nil {
		t.Fatal(err)
	}
	if got := ids(x, "tunnel"); got != "[]" {
		t.Errorf("tunnel after the synonyms were removed = %s; want []", got)
	}
}

// TestRelatedWordsFollowTheReplica: the related-words record a sync brings
// widens searches at once and after a restart, and goes with its deletion.
func TestRelatedWordsFollowTheReplica(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	rel, _ := json.Marshal(shared.RelatedWords{"en": {"tunnel": "vpn:7"}})
	err := x.Apply([]wire.Change{
		article(t, 1, "vpn-setup", "Set up the VPN", "Install the VPN client."),
		{V: 2, Type: wire.TypeConfig, ID: shared.ConfigRelated, Data: rel},
	}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(x, "tunnel"); got != "[vpn-setup]" {
		t.Fatalf("tunnel after the related words arrived = %s; want [vpn-setup]", got)
	}
	if got := ids(open(t, s), "tunnel"); got != "[vpn-setup]" {
		t.Errorf("tunnel after a restart = %s; want [vpn-setup]", got)
	}
	// What the admins' expansion view shows: the replica's related word.
	exp := fmt.Sprint(x.Expand(search.Query{Text: "tunnel", Lang: "en"}))
	if want := "[{tunnel [{vpn related 0.35 1}]}]"; exp != want {
		t.Errorf("Expand(tunnel) = %s; want %s", exp, want)
	}
	if err := x.Apply([]wire.Change{{V: 3, Type: wire.TypeConfig, ID: shared.ConfigRelated, Deleted: true}}, 3); err != nil {
		t.Fatal(err)
	}
	if got := ids(x, "tunnel"); got != "[]" {
		t.Errorf("tunnel after the related words were removed = %s; want []", got)
	}
	if exp := fmt.Sprint(x.Expand(search.Query{Text: "tunnel", Lang: "en"})); exp != "[{tunnel []}]" {
		t.Errorf("Expand(tunnel) after = %s; want the word alone", exp)
	}
}

// TestRebuildReadsPages: a rebuild reads the replica's articles a page at
// a time and indexes every one, however many pages they fill.
func TestRebuildReadsPages(t *testing.T) {
	t.Parallel()
	s := &countingStore{Memory: store.NewMemory()}
	var changes []wire.Change
	n := 2*rebuildPage + 7
	for i := range n {
		changes = append(changes, article(t, uint64(i+1), fmt.Sprintf("a%04d", i), fmt.Sprintf("Topic %d", i), "printer"))
	}
	if err := s.Apply(changes, uint64(n)); err != nil {
		t.Fatal(err)
	}
	x := open(t, s)
	if !x.Rebuilt() || x.Len() != n {
		t.Fatalf("rebuilt %v with %d docs; want a rebuild of %d", x.Rebuilt(), x.Len(), n)
	}
	if s.pages.Load() != 4 || s.most.Load() > rebuildPage {
		t.Errorf("read %d pages of at most %d; want 4 of at most %d (3 full or partial, 1 empty)", s.pages.Load(), s.most.Load(), rebuildPage)
	}
}

// countingStore counts the pages a rebuild reads.
type countingStore struct {
	*store.Memory
	pages, most atomic.Int64
}

func (c *countingStore) ListPage(typ, after string, limit int) ([]wire.Change, error) {
	page, err := c.Memory.ListPage(typ, after, limit)
	c.pages.Add(1)
	if int64(len(page)) > c.most.Load() {
		c.most.Store(int64(len(page)))
	}
	return page, err
}

func (c *countingStore) List(typ string) ([]wire.Change, error) {
	if typ == wire.TypeArticle {
		return nil, fmt.Errorf("List(%s): a rebuild must read pages", typ)
	}
	return c.Memory.List(typ)
}

// TestSaveWaitsOutABurst: the index is saved SaveDelay after the last
// page of a burst on the client's clock, once, not after each page.
func TestSaveWaitsOutABurst(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	x := open(t, s)
	fc := clock.NewFake(time.Unix(1_000_000, 0))
	x.Clock, x.SaveDelay = fc, time.Second
	saved := func() bool {
		blob, err := s.GetCache(indexKey)
		return err == nil && len(blob) > 0
	}
	x.Apply([]wire.Change{article(t, 1, "vpn-setup", "Set up the VPN", "")}, 1)
	fc.Advance(900 * time.Millisecond)
	x.Apply([]wire.Change{article(t, 2, "wifi-slow", "Slow Wi-Fi", "")}, 2) // the burst goes on
	fc.Advance(900 * time.Millisecond)
	if saved() {
		t.Fatal("saved 900ms after a page; want SaveDelay (1s) after the last")
	}
	fc.Advance(100 * time.Millisecond)
	if !saved() {
		t.Fatal("not saved SaveDelay after the last page")
	}
	if again := open(t, s); again.Rebuilt() || again.Len() != 2 {
		t.Errorf("reload: rebuilt %v, %d docs; want the saved 2", again.Rebuilt(), again.Len())
	}
}
