package app

import (
	"testing"

	"outpost/shared"
)

func TestNews(t *testing.T) {
	entries := []shared.Entry{
		{ID: "1", TicketID: "a", Kind: shared.EntryReply, AuthorID: "agent", At: 10},
		{ID: "2", TicketID: "a", Kind: shared.EntryStatus, AuthorID: "agent", At: 20},
		{ID: "3", TicketID: "b", Kind: shared.EntryReply, AuthorID: "me", At: 30},   // my own: no news
		{ID: "4", TicketID: "c", Kind: shared.EntryReply, AuthorID: "agent", At: 5}, // seen already
		{ID: "5", TicketID: "d", Kind: shared.EntryNote, AuthorID: "agent", At: 50, Internal: true},
		{ID: "6", TicketID: "x", Kind: shared.EntryReply, AuthorID: "agent", At: 60}, // not my ticket
	}
	mine := map[string]bool{"a": true, "b": true, "c": true, "d": true}
	got := news(entries, "me", mine, map[string]int64{"c": 5})
	if len(got) != 1 || got["a"].ID != "2" {
		t.Fatalf("news = %+v; want ticket a, its latest entry (2)", got)
	}
	if got := news(entries, "me", mine, map[string]int64{"a": 20, "c": 5}); len(got) != 0 {
		t.Fatalf("after seeing a: news = %+v; want none", got)
	}
}
