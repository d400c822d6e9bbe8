package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestOfflineSearchAndFeedback searches the knowledge base offline with a
// typo, opens the article, answers "did this solve it?" and files a search
// that found nothing, all offline; back online each reaches the server once.
func TestOfflineSearchAndFeedback(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	base := srv.HTTP.URL()
	ctx := newBrowser(t)

	run(t, ctx, chromedp.Navigate(base+"/"))
	waitJS(t, ctx, "online and synced", statusIs("online", 0)+` && `+synced+` && document.querySelectorAll("#article-list ul.articles li").length >= 10`, 30*time.Second)
	waitCached(t, ctx)

	t.Run("BrowserRanksLikeTheSearchAPI", func(t *testing.T) {
		run(t, ctx, typeInto("#search", "vpn"))
		waitJS(t, ctx, "results", `document.querySelectorAll("#search-results li").length > 0`, 20*time.Second)
		got := eval[[]string](t, ctx, `[...document.querySelectorAll("#search-results li a")].map(a => a.dataset.id)`)
		resp, err := http.Get(base + "/api/search?lang=en&limit=20&q=vpn")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var api struct{ Results []struct{ ID string } }
		json.NewDecoder(resp.Body).Decode(&api)
		if len(api.Results) != len(got) {
			t.Fatalf("browser found %v, the API %+v", got, api.Results)
		}
		for i, r := range api.Results {
			if got[i] != r.ID {
				t.Fatalf("browser order %v differs from the API's %+v", got, api.Results)
			}
		}
	})

	srv.Close()
	setOffline(t, ctx, true)

	t.Run("OfflineSearchWithTypoOpensArticle", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(base+"/"))
		waitJS(t, ctx, "app offline", appReady+` && `+statusIs("offline", 0), 30*time.Second)
		run(t, ctx, typeInto("#search", "pasword reset"))
		waitJS(t, ctx, "password article first, highlighted", `(() => {
			const a = document.querySelector("#search-results li a");
			return !!a && a.dataset.id === "password-reset" && !!document.querySelector("#search-results mark");
		})()`, 20*time.Second)
		shot(t, ctx, "search-offline")
		run(t, ctx, clickStill(t, "#search-results li a"))
		waitJS(t, ctx, "article from search", `location.pathname === "/article/password-reset" && !!document.getElementById("feedback-yes")`, 20*time.Second)
	})

	t.Run("FeedbackQueuedOffline", func(t *testing.T) {
		run(t, ctx, clickStill(t, "#feedback-yes"))
		waitJS(t, ctx, "thanks, 1 pending", `document.getElementById("feedback").dataset.state === "sent" && `+statusIs("offline", 1), 20*time.Second)
		shot(t, ctx, "feedback-queued")
		run(t, ctx, chromedp.Reload())
		waitJS(t, ctx, "still answered after reload", appReady+` && !!document.getElementById("feedback") && document.getElementById("feedback").dataset.state === "sent" && `+statusIs("offline", 1), 30*time.Second)
	})

	t.Run("SearchThatFindsNothingIsRecorded", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(base+"/?q=frobnicate+quux"))
		waitJS(t, ctx, "no results, from the URL", appReady+` && document.getElementById("search-results") && document.getElementById("search-results").dataset.count === "0"`, 30*time.Second)
		// Enter records it at once; the same query again does not count twice.
		run(t, ctx, typeInto("#search", kb.Enter))
		waitJS(t, ctx, "miss queued", statusIs("offline", 2), 20*time.Second)
		run(t, ctx, typeInto("#search", kb.Enter))
		waitQuiet(t, ctx, "the second Enter handled", 300*time.Millisecond)
		waitJS(t, ctx, "still 2 pending", statusIs("offline", 2), 20*time.Second)
	})

	t.Run("BackOnlineEachCountsOnce", func(t *testing.T) {
		srv = startServer(t, addr, dir)
		setOffline(t, ctx, false)
		waitJS(t, ctx, "synced", statusIs("online", 0), 45*time.Second)
		var stats struct{ Helpful, Deflected int }
		var misses []struct {
			Query string
			Count int
		}
		err := srv.Store.View(context.Background(), func(tx store.ReadTx) error {
			data, err := tx.Get(wire.TypeArticleStats, "password-reset")
			if err != nil {
				return err
			}
			json.Unmarshal(data, &stats)
			return tx.Each(wire.TypeSearchMiss, func(id string, data []byte) error {
				var m struct {
					Query string
					Count int
				}
				json.Unmarshal(data, &m)
				misses = append(misses, m)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if stats.Helpful != 1 || stats.Deflected != 1 {
			t.Errorf("password-reset stats = %+v; want 1 helpful, counted as 1 deflected ticket", stats)
		}
		if len(misses) != 1 || misses[0].Query != "frobnicate quux" || misses[0].Count != 1 {
			t.Errorf("search misses = %+v; want frobnicate quux once", misses)
		}
		// The answer names the search it came from: search learns from it
		// (server/sync/learn.go) once enough devices agree.
		fbs := recordsOf[shared.Feedback](t, srv.Store, wire.TypeFeedback)
		if len(fbs) != 1 || fbs[0].From != shared.FromSearch || fbs[0].Query != "pasword reset" {
			t.Errorf("feedback = %+v; want one from the search \"pasword reset\"", fbs)
		}
	})
}
