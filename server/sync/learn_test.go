package sync_test

import (
	"context"
	"fmt"
	"testing"

	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// TestSearchLearnsFromHelpfulAnswers: "it solved my problem" after a
// search counts that query for the article once per device; unhelpful
// answers, answers not from a search and a device answering again do not
// count; once outsync.LearnSupport devices agree, every device gets the
// association and the search ranks the article first for the same words.
func TestSearchLearnsFromHelpfulAnswers(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	device := func(n int) outsync.Actor {
		return outsync.Actor{ClientID: fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 500+n)}
	}
	n := 0
	answer := func(who outsync.Actor, seq uint64, f shared.Feedback) {
		t.Helper()
		n++
		f.ID, f.ArticleID = feedbackID(100+n), "vpn-setup"
		res, err := s.PushAs(ctx, who, []wire.Mutation{mutation(t, seq, shared.OpKBFeedback, f)})
		if err != nil || len(res) != 1 || !res[0].OK {
			t.Fatalf("PushAs(feedback %+v) = %+v, %v", f, res, err)
		}
	}
	published := func() shared.LearnedSearches {
		l, _ := get[shared.LearnedSearches](t, db, wire.TypeConfig, shared.ConfigLearned)
		return l
	}
	query := "I can't reach the office from home"
	answer(device(1), 1, shared.Feedback{Helpful: true, From: shared.FromSearch, Query: query})
	answer(device(1), 2, shared.Feedback{Helpful: true, From: shared.FromSearch, Query: "reach the office from HOME, I can't"}) // the same words again
	answer(device(2), 1, shared.Feedback{Helpful: false, From: shared.FromSearch, Query: query})
	answer(device(3), 1, shared.Feedback{Helpful: true, From: shared.FromBrowse})
	answer(device(4), 1, shared.Feedback{Helpful: true, From: shared.FromSearch, Query: query})
	if l := published(); len(l) != 0 {
		t.Fatalf("published after two devices: %+v; want nothing before %d", l, outsync.LearnSupport)
	}
	answer(device(5), 1, shared.Feedback{Helpful: true, From: shared.FromSearch, Query: "can't reach office from home"})
	l := published()
	want := shared.LearnedSearch{Key: search.QueryKey("en", query), ArticleID: "vpn-setup", Support: 3}
	if len(l["en"]) != 1 || l["en"][0] != want {
		t.Fatalf("published = %+v; want en: [%+v]", l, want)
	}
	ix := search.NewIndex()
	ix.Add(search.Doc{ID: "vpn-setup", Lang: "en", Title: "VPN", Body: "Install the client."})
	rs := ix.Search(search.Query{Text: "can't reach the office from home", Lang: "en", Learned: search.NewLearned(l.ByKey())})
	if len(rs) != 1 || rs[0].ID != "vpn-setup" {
		t.Errorf("search with what was learned = %+v; want vpn-setup", rs)
	}

	// A query the KB's readers never confirmed stays private: the
	// feedback record keeps it for staff, no device gets it.
	msg, err := s.PullAs(ctx, outsync.Actor{ClientID: client}, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range msg.Changes {
		if c.Type == wire.TypeFeedback {
			t.Errorf("a signed-out device pulled feedback %s", c.ID)
		}
	}
	bad := shared.Feedback{ID: feedbackID(999), ArticleID: "vpn-setup", Helpful: true, From: shared.FromBrowse, Query: "vpn"}
	res, _ := s.PushAs(ctx, device(9), []wire.Mutation{mutation(t, 1, shared.OpKBFeedback, bad)})
	if len(res) != 1 || res[0].OK || res[0].Key != "feedback.query_not_from_search" {
		t.Errorf("a query without a search = %+v; want feedback.query_not_from_search", res)
	}
}
