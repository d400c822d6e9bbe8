package sync

import (
	"context"
	"encoding/json"
	"testing"

	"outpost/shared"
	"outpost/shared/wire"
)

// TestPokesReachOnlyWhomItConcerns: a ticket filed by one device wakes that
// device and staff, not every other requester's connection.
func TestPokesReachOnlyWhomItConcerns(t *testing.T) {
	t.Parallel()
	s := newService(t)
	filer := Actor{ClientID: client}
	other := Actor{ClientID: "01936f6e-7a1b-7c3d-8e4f-0000000000bb"}
	filerCh, stop1 := s.WatchAs(filer)
	defer stop1()
	otherCh, stop2 := s.WatchAs(other)
	defer stop2()
	staffCh, stop3 := s.WatchAs(fuzzAgent)
	defer stop3()
	everyone, stop4 := s.Watch()
	defer stop4()

	args, _ := json.Marshal(shared.TicketCreate{ID: "01936f6e-7a1b-7c3d-8e4f-0123456789ac", Title: "Printer jam", CreatedAt: 1})
	if _, err := s.PushAs(context.Background(), filer, []wire.Mutation{{Seq: 1, Name: shared.OpTicketCreate, Args: args}}); err != nil {
		t.Fatal(err)
	}
	poked := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	if !poked(filerCh) || !poked(staffCh) || !poked(everyone) {
		t.Error("the filer, staff or an unfiltered watcher was not poked")
	}
	if poked(otherCh) {
		t.Error("another requester's connection was poked about a ticket it may not see")
	}
	// Changes outside a push (an import) wake everyone.
	s.Changed()
	if !poked(otherCh) {
		t.Error("Changed did not poke every watcher")
	}
}

// watchCases are every kind of actor and every owned record shape, for the
// pokes' fast paths.
func watchCases() ([]Actor, []change) {
	const userA, userB = "01936f6e-7a1b-7c3d-8e4f-0000000000a1", "01936f6e-7a1b-7c3d-8e4f-0000000000b1"
	actors := []Actor{
		{ClientID: client},
		{ClientID: "other-device"},
		{ClientID: client, User: &shared.Identity{UserID: userA, Role: shared.RoleRequester}},
		{ClientID: "x", User: &shared.Identity{UserID: userB, Role: shared.RoleRequester}},
		{ClientID: client, User: &shared.Identity{UserID: userB, Role: shared.RoleKiosk, Site: "lobby"}},
		fuzzAgent,
		{ClientID: "y", User: &shared.Identity{UserID: userB, Role: shared.RoleAdmin}},
	}
	var records []change
	for _, typ := range []string{wire.TypeTicket, wire.TypeEntry, wire.TypeRating} {
		for _, o := range []map[string]any{
			{"requester_id": userA, "client_id": client},
			{"client_id": client},
			{"client_id": "other-device"},
			{"requester_id": userA, "client_id": client, "internal": true},
		} {
			data, _ := json.Marshal(o)
			records = append(records, change{typ: typ, data: data})
		}
	}
	return actors, records
}

// TestConcernsAgreesWithVisibleTo checks the pokes' fast path against the
// pull filter over every owned type, owner and kind of actor.
func TestConcernsAgreesWithVisibleTo(t *testing.T) {
	t.Parallel()
	actors, records := watchCases()
	for _, a := range actors {
		for _, r := range records {
			w := []change{r}
			json.Unmarshal(w[0].data, &w[0].owner)
			if got, want := concerns(a, w), visibleTo(a)(r.typ, r.data); got != want {
				t.Errorf("actor %+v, %s %s: concerns %v, visibleTo %v", a.User, r.typ, r.data, got, want)
			}
		}
	}
}

// TestIndexedPokesAgreeWithConcerns: the watchers the index picks for an
// owned record are exactly those concerns accepts, alone or in a batch.
func TestIndexedPokesAgreeWithConcerns(t *testing.T) {
	t.Parallel()
	s := newService(t)
	actors, records := watchCases()
	chans := make([]<-chan struct{}, len(actors))
	for i, a := range actors {
		ch, stop := s.WatchAs(a)
		defer stop()
		chans[i] = ch
	}
	batches := [][]change{records[:2], records[2:5]}
	for _, r := range records {
		batches = append(batches, []change{r})
	}
	for _, batch := range batches {
		want := make([]bool, len(actors))
		for i, a := range actors {
			w := append([]change(nil), batch...)
			for j := range w {
				json.Unmarshal(w[j].data, &w[j].owner)
			}
			want[i] = concerns(a, w)
		}
		s.pokeFor(append([]change(nil), batch...))
		for i, ch := range chans {
			got := false
			select {
			case <-ch:
				got = true
			default:
			}
			if got != want[i] {
				t.Errorf("actor %+v, writes %s: poked %v, concerns %v", actors[i].User, batch[0].data, got, want[i])
			}
		}
	}
}

// TestOwnerOfAgreesWithJSON: the owner putJSON reads from a ticket or an
// entry is the one pokeFor would decode from the record's JSON.
func TestOwnerOfAgreesWithJSON(t *testing.T) {
	t.Parallel()
	values := []any{
		shared.Ticket{ID: "t", RequesterID: "u", ClientID: "c"},
		shared.Ticket{ID: "t", ClientID: "c"},
		shared.Entry{ID: "e", RequesterID: "u", ClientID: "c", Internal: true},
		shared.Entry{ID: "e", ClientID: "c"},
	}
	for _, v := range values {
		data, _ := json.Marshal(v)
		var want owner
		json.Unmarshal(data, &want)
		if got := ownerOf(v); got == nil || *got != want {
			t.Errorf("ownerOf(%s) = %+v; the JSON says %+v", data, got, want)
		}
	}
	if ownerOf(shared.Article{}) != nil || ownerOf(&shared.Ticket{}) != nil {
		t.Error("ownerOf an article, or a pointer, is not nil: pokeFor decodes those")
	}
}
