package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestRefusalSaysWhy: an agent who escalated a ticket out of their tier is
// told why they may no longer resolve it (they see every ticket, so "not
// found" would be a lie), while a requester poking at someone else's ticket
// still learns nothing of it.
func TestRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := openSLA(t, t.TempDir(), &now)
	defer s.close(t)
	id := slaID(1)
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "Laptop will not boot", CreatedAt: now.UnixMilli()}))
	mustOK(t, push(t, s.Service, agentAna, 1, shared.OpTicketEscalate, shared.TicketOp{ID: slaID(2), TicketID: id, Tier: 2, Body: "Needs a technician", CreatedAt: now.UnixMilli()}))

	for _, tc := range []struct {
		name    string
		r       func() (code, key string)
		code    string
		wantKey string
	}{
		{"tier-1 agent resolves a tier-2 ticket", func() (string, string) {
			r := push(t, s.Service, agentAna, 2, shared.OpTicketStatus, shared.TicketOp{ID: slaID(3), TicketID: id, To: shared.StatusResolved, CreatedAt: now.UnixMilli()})
			return r.Code, r.Key
		}, shared.EFORBIDDEN, "perm.out_of_scope"},
		{"another requester replies", func() (string, string) {
			r := push(t, s.Service, slaOther, 1, shared.OpTicketReply, shared.TicketOp{ID: slaID(4), TicketID: id, Body: "me too", CreatedAt: now.UnixMilli()})
			return r.Code, r.Key
		}, shared.ENOTFOUND, "ticket.not_found"},
	} {
		if code, key := tc.r(); code != tc.code || key != tc.wantKey {
			t.Errorf("%s: refused with %s %s; want %s %s", tc.name, code, key, tc.code, tc.wantKey)
		}
	}
}

// TestTicketNumbersUniqueUnderConcurrency: 16 devices file 25 tickets each
// at once, with a rejected and a resent mutation among them; every ticket
// gets its own number, and the numbers are exactly 1..400: none shared,
// none skipped, none taken by a refusal or a resend.
func TestTicketNumbersUniqueUnderConcurrency(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := openSLA(t, t.TempDir(), &now)
	defer s.close(t)
	const devices, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	for d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := outsync.Actor{ClientID: fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 9000+d), User: requester.User}
			for i := range each {
				id := fmt.Sprintf("0190c3a1-%04d-7000-8000-%012d", d, i)
				args, _ := json.Marshal(shared.TicketCreate{ID: id, Title: "Ticket", CreatedAt: now.UnixMilli()})
				bad, _ := json.Marshal(shared.TicketCreate{ID: id, Title: " ", CreatedAt: now.UnixMilli()})
				m := wire.Mutation{Seq: uint64(2*i + 1), Name: shared.OpTicketCreate, Args: args}
				ms := []wire.Mutation{m, m, {Seq: uint64(2*i + 2), Name: shared.OpTicketCreate, Args: bad}} // a resend, a refusal
				rs, err := s.PushAs(context.Background(), a, ms)
				if err != nil || len(rs) != 3 || !rs[0].OK || !rs[1].OK || rs[2].OK {
					errs <- fmt.Errorf("device %d ticket %d: %+v, %v", d, i, rs, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]string{}
	err := s.db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(id string, data []byte) error {
			var tk shared.Ticket
			if err := json.Unmarshal(data, &tk); err != nil {
				return err
			}
			if other, ok := seen[tk.Number]; ok {
				t.Errorf("tickets %s and %s share number %d", other, id, tk.Number)
			}
			seen[tk.Number] = id
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for n := int64(1); n <= devices*each; n++ {
		if _, ok := seen[n]; !ok {
			t.Errorf("no ticket has number %d", n)
		}
	}
	if len(seen) != devices*each {
		t.Errorf("%d numbered tickets; want %d", len(seen), devices*each)
	}
}

// TestNumberTicketsNumbersOldTickets: tickets stored before numbers
// existed get them at start-up in the order they were received, and the
// next ticket filed continues the count.
func TestNumberTicketsNumbersOldTickets(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := openSLA(t, t.TempDir(), &now)
	defer s.close(t)
	old := []shared.Ticket{
		{ID: slaID(11), Title: "second", Status: shared.StatusNew, ReceivedAt: 2000},
		{ID: slaID(10), Title: "first", Status: shared.StatusNew, ReceivedAt: 1000},
	}
	err := s.db.Update(context.Background(), func(tx store.Tx) error {
		for _, tk := range old {
			data, _ := json.Marshal(tk)
			if _, err := tx.Put(wire.TypeTicket, tk.ID, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 0} { // a second start finds nothing to do
		if n, err := outsync.NumberTickets(context.Background(), s.db); err != nil || n != want {
			t.Fatalf("start %d: NumberTickets = %d, %v; want %d", i+1, n, err, want)
		}
	}
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: slaID(12), Title: "third", CreatedAt: now.UnixMilli()}))
	got := map[string]int64{}
	s.db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTicket, func(id string, data []byte) error {
			var tk shared.Ticket
			json.Unmarshal(data, &tk)
			got[tk.Title] = tk.Number
			return nil
		})
	})
	if got["first"] != 1 || got["second"] != 2 || got["third"] != 3 {
		t.Errorf("numbers = %v; want first 1, second 2, third 3", got)
	}
}
