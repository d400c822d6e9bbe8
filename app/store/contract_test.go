package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"outpost/shared/wire"
)

// testContract is the contract every Store meets. open returns a new, empty
// store; reopen returns the same store as a new connection (a reload).
func testContract(t *testing.T, open func(t *testing.T) (s Store, reopen func() Store)) {
	t.Run("ListPage", func(t *testing.T) {
		s, _ := open(t)
		p, ok := s.(Pager)
		if !ok {
			t.Fatalf("%T is not a Pager", s)
		}
		var changes []wire.Change
		for _, id := range []string{"c", "a", "e", "b", "d"} {
			changes = append(changes, wire.Change{Type: "article", ID: id, Data: json.RawMessage(`{}`)})
		}
		changes = append(changes, wire.Change{Type: "articlex", ID: "z", Data: json.RawMessage(`{}`)}, wire.Change{Type: "ticket", ID: "0", Data: json.RawMessage(`{}`)})
		if err := s.Apply(changes, 7); err != nil {
			t.Fatal(err)
		}
		var got []string
		for after, pages := "", 0; ; pages++ {
			page, err := p.ListPage("article", after, 2)
			if err != nil || len(page) > 2 || pages > 3 {
				t.Fatalf("ListPage(article, %q, 2) = %+v, %v; want at most 2", after, page, err)
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				if c.Type != "article" {
					t.Fatalf("ListPage(article) gave a %s", c.Type)
				}
				got = append(got, c.ID)
			}
			after = page[len(page)-1].ID
		}
		if fmt.Sprint(got) != "[a b c d e]" {
			t.Fatalf("pages = %v; want [a b c d e], each once, in order", got)
		}
	})

	t.Run("ClientIDIsStable", func(t *testing.T) {
		s, reopen := open(t)
		n := 0
		newID := func() string { n++; return fmt.Sprint("id-", n) }
		a, err := s.ClientID(newID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.ClientID(newID)
		c, _ := reopen().ClientID(newID)
		if a != "id-1" || b != a || c != a {
			t.Fatalf("ClientID = %q, %q, after reload %q; want id-1 each time", a, b, c)
		}
	})

	t.Run("SetClientID", func(t *testing.T) {
		s, reopen := open(t)
		s.ClientID(func() string { return "first" })
		if err := s.SetClientID("second"); err != nil {
			t.Fatal(err)
		}
		got, _ := reopen().ClientID(func() string { return "third" })
		if got != "second" {
			t.Fatalf("ClientID after SetClientID and reload = %q; want second", got)
		}
	})

	t.Run("DeviceKeyIsStablePerClient", func(t *testing.T) {
		s, reopen := open(t)
		n := 0
		newKey := func() string { n++; return fmt.Sprint("key-", n) }
		a, err := s.DeviceKey("c1", newKey)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.DeviceKey("c1", newKey)
		if err := s.Reset("another-epoch"); err != nil {
			t.Fatal(err)
		}
		c, _ := reopen().DeviceKey("c1", newKey)
		other, _ := s.DeviceKey("c2", newKey)
		if a != "key-1" || b != a || c != a {
			t.Fatalf("DeviceKey(c1) = %q, %q, after reset and reload %q; want key-1 each time", a, b, c)
		}
		if other != "key-2" {
			t.Fatalf("DeviceKey(c2) = %q; want a key of its own, key-2", other)
		}
	})

	t.Run("ApplyAndList", func(t *testing.T) {
		s, reopen := open(t)
		err := s.Apply([]wire.Change{
			{V: 1, Type: "article", ID: "b", Data: json.RawMessage(`{"t":"B"}`)},
			{V: 2, Type: "article", ID: "a", Data: json.RawMessage(`{"t":"A"}`)},
			{V: 3, Type: "ticket", ID: "t", Data: json.RawMessage(`{}`)},
		}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Apply([]wire.Change{{V: 4, Type: "article", ID: "b", Deleted: true}}, 4); err != nil {
			t.Fatal(err)
		}
		s = reopen()
		list, err := s.List("article")
		if err != nil || len(list) != 1 || list[0].ID != "a" || string(list[0].Data) != `{"t":"A"}` {
			t.Fatalf("List(article) = %+v, %v; want just a", list, err)
		}
		if c, _ := s.Cursor(); c != 4 {
			t.Errorf("Cursor() = %d; want 4", c)
		}
		if _, ok, _ := s.Get("ticket", "t"); !ok {
			t.Error("Get(ticket, t) not found")
		}
		if _, ok, _ := s.Get("article", "b"); ok {
			t.Error("deleted article b still found")
		}
	})

	t.Run("OutboxOrderAckAndDraftClearing", func(t *testing.T) {
		s, reopen := open(t)
		s.PutDraft(Draft{ID: "d1", Title: "VPN", UpdatedAt: 1})
		s.PutDraft(Draft{ID: "d2", Title: "Printer", UpdatedAt: 2})
		seq1, err := s.Enqueue("ticket.create", json.RawMessage(`{"n":1}`), "d1")
		if err != nil {
			t.Fatal(err)
		}
		seq2, _ := s.Enqueue("ticket.create", json.RawMessage(`{"n":2}`), "")
		if seq1 == 0 || seq2 <= seq1 {
			t.Fatalf("Enqueue seqs = %d, %d; want increasing from 1", seq1, seq2)
		}
		s = reopen()
		out, err := s.Outbox()
		if err != nil || len(out) != 2 || out[0].Seq != seq1 || out[1].Seq != seq2 || string(out[1].Args) != `{"n":2}` || out[0].Name != "ticket.create" {
			t.Fatalf("Outbox() = %+v, %v", out, err)
		}
		drafts, _ := s.Drafts()
		if len(drafts) != 1 || drafts[0].ID != "d2" {
			t.Fatalf("Drafts() = %+v; want only d2 (d1 was submitted)", drafts)
		}
		if err := s.Ack([]uint64{seq1}); err != nil {
			t.Fatal(err)
		}
		seq3, _ := s.Enqueue("x", json.RawMessage(`{}`), "")
		if seq3 <= seq2 {
			t.Errorf("seq after ack = %d; want > %d (never reused)", seq3, seq2)
		}
		out, _ = s.Outbox()
		if len(out) != 2 || out[0].Seq != seq2 || out[1].Seq != seq3 {
			t.Errorf("Outbox() after ack = %+v", out)
		}
		s.DeleteDraft("d2")
		s.DeleteDraft("missing")
		if drafts, _ := s.Drafts(); len(drafts) != 0 {
			t.Errorf("Drafts() after delete = %+v", drafts)
		}
	})

	t.Run("ConcurrentEnqueueNeverRepeatsASeq", func(t *testing.T) {
		s, _ := open(t)
		var mu sync.Mutex
		seen := map[uint64]bool{}
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seq, err := s.Enqueue("x", json.RawMessage(`{}`), "")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if seen[seq] {
					t.Errorf("seq %d handed out twice", seq)
				}
				seen[seq] = true
			}()
		}
		wg.Wait()
		if out, _ := s.Outbox(); len(out) != 20 {
			t.Errorf("Outbox() has %d entries; want 20", len(out))
		}
	})

	t.Run("ResetKeepsOutboxAndDrafts", func(t *testing.T) {
		s, reopen := open(t)
		s.Apply([]wire.Change{{V: 1, Type: "article", ID: "a", Data: json.RawMessage(`{}`)}}, 7)
		seq, _ := s.Enqueue("ticket.create", json.RawMessage(`{}`), "")
		s.PutDraft(Draft{ID: "d", Title: "half written"})
		s.PutCache("index", []byte{1, 2, 3})
		if e, _ := s.Epoch(); e != "" {
			t.Fatalf("Epoch() of a new store = %q; want empty", e)
		}
		if err := s.Reset("e2"); err != nil {
			t.Fatal(err)
		}
		s = reopen()
		recs, _ := s.List("article")
		cursor, _ := s.Cursor()
		epoch, _ := s.Epoch()
		out, _ := s.Outbox()
		drafts, _ := s.Drafts()
		if len(recs) != 0 || cursor != 0 || epoch != "e2" {
			t.Errorf("after Reset: %d records, cursor %d, epoch %q; want none, 0, e2", len(recs), cursor, epoch)
		}
		if len(out) != 1 || out[0].Seq != seq || len(drafts) != 1 {
			t.Errorf("after Reset: outbox %+v, drafts %+v; want both kept", out, drafts)
		}
		if c, err := s.GetCache("index"); c != nil || err != nil {
			t.Errorf("after Reset: cache = %v, %v; want it dropped with the records", c, err)
		}
	})

	t.Run("Cache", func(t *testing.T) {
		s, reopen := open(t)
		if c, err := s.GetCache("index"); c != nil || err != nil {
			t.Fatalf("GetCache of a missing key = %v, %v; want nil, nil", c, err)
		}
		big := make([]byte, 1<<20)
		for i := range big {
			big[i] = byte(i * 7)
		}
		if err := s.PutCache("index", big); err != nil {
			t.Fatal(err)
		}
		big[0] = 99 // the store must have kept its own copy
		s.PutCache("other", []byte("x"))
		got, err := reopen().GetCache("index")
		if err != nil || len(got) != len(big) || got[0] != 0 || got[1] != 7 || got[len(got)-1] != byte((len(got)-1)*7) {
			t.Fatalf("GetCache after reload: %d bytes, %v; want the 1 MiB written", len(got), err)
		}
	})

	t.Run("DraftsNewestFirst", func(t *testing.T) {
		s, _ := open(t)
		s.PutDraft(Draft{ID: "old", UpdatedAt: 1})
		s.PutDraft(Draft{ID: "new", UpdatedAt: 5, Title: "é ✓"})
		s.PutDraft(Draft{ID: "old", UpdatedAt: 3, Title: "edited"})
		ds, err := s.Drafts()
		if err != nil || len(ds) != 2 || ds[0].ID != "new" || ds[1].Title != "edited" || ds[0].Title != "é ✓" {
			t.Fatalf("Drafts() = %+v, %v", ds, err)
		}
	})

	testBlobContract(t, open) // blob_contract_test.go
}
