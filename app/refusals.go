package app

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// Why the server refused an edit of a guide or an article, for its editor,
// or a change to a ticket, for the ticket's page.
// The engine reports a refusal to the tab that syncs, which may show
// another page, and an editor may run in another tab: so the tab that
// syncs notes the refusal in local storage, which every tab shares, by the
// record it was about, until an editor takes it. (Refused tickets and
// replies become drafts instead: Client.onReject.)

// refusalsKey holds the notes, by record: "tree/<id>", "article/<id>",
// "ticket/<id>", "visit/<id>" (the desk), "checkin/<number>" (the kiosk).
const refusalsKey = "refusals"

// refusal is why the server refused a change.
type refusal struct {
	Seq  uint64   `json:"seq"`
	Key  string   `json:"key"`
	Args []string `json:"args,omitempty"`
}

// text says it in lang.
func (r refusal) text(lang string) string { return t(lang, r.Key, anys(r.Args)...) }

// watchRefusals makes the engine note refused edits. Every page's mount
// calls it, so the tab that syncs has it whatever it shows.
func (c *Client) watchRefusals(ls app.BrowserStorage) {
	if c.prerendering() {
		return
	}
	c.refusalHook.Do(func() {
		prev := c.Engine.OnReject
		c.Engine.OnReject = func(m wire.Mutation, r wire.Result) error {
			if prev != nil {
				if err := prev(m, r); err != nil {
					return err // kept in the outbox: noted when it comes back
				}
			}
			rec := refusedRecord(m)
			if rec == "" {
				return nil
			}
			all := map[string]refusal{}
			ls.Get(refusalsKey, &all)
			if all == nil {
				all = map[string]refusal{}
			}
			all[rec] = refusal{Seq: m.Seq, Key: r.Key, Args: r.Args}
			ls.Set(refusalsKey, all)
			return nil
		}
	})
}

// refusedRecord names the guide, article or ticket a change was about, or "".
func refusedRecord(m wire.Mutation) string {
	switch m.Name {
	case shared.OpTreeSave, shared.OpTreePublish:
		var s tree.Save
		if json.Unmarshal(m.Args, &s) == nil {
			if tr, err := s.Decode(); err == nil {
				return "tree/" + tr.ID
			}
		}
	case shared.OpTreeUnpublish:
		var c tree.Change
		if json.Unmarshal(m.Args, &c) == nil && c.TreeID != "" {
			return "tree/" + c.TreeID
		}
	case shared.OpArticleSave:
		var s shared.ArticleSave
		if json.Unmarshal(m.Args, &s) == nil && s.Article.ID != "" {
			return "article/" + s.Article.ID
		}
	case shared.OpArticlePublish, shared.OpArticleArchive, shared.OpArticleRestore:
		var c shared.ArticleChange
		if json.Unmarshal(m.Args, &c) == nil && c.ArticleID != "" {
			return "article/" + c.ArticleID
		}
	case shared.OpKioskCheckin:
		// The visitor's number only: their name and address are noted
		// nowhere (kiosk mode keeps no visitor data).
		var c shared.KioskCheckin
		if json.Unmarshal(m.Args, &c) == nil && c.Number != "" {
			return "checkin/" + c.Number
		}
	default:
		if slices.Contains(shared.TicketOps, m.Name) {
			var op shared.TicketOp
			if json.Unmarshal(m.Args, &op) == nil && op.TicketID != "" {
				return "ticket/" + op.TicketID
			}
		}
		if slices.Contains(shared.VisitOps, m.Name) {
			var op shared.VisitOp
			if json.Unmarshal(m.Args, &op) == nil && op.ID != "" {
				return "visit/" + op.ID
			}
		}
	}
	return ""
}

// takeRefusal returns and forgets the refusal noted for rec.
func takeRefusal(ls app.BrowserStorage, rec string) (refusal, bool) {
	all := map[string]refusal{}
	if ls.Get(refusalsKey, &all) != nil || all == nil {
		return refusal{}, false
	}
	r, ok := all[rec]
	if ok {
		delete(all, rec)
		ls.Set(refusalsKey, all)
	}
	return r, ok
}

// takeRefusals returns and forgets every refusal noted for a record whose
// name starts with prefix ("visit/"), by record.
func takeRefusals(ls app.BrowserStorage, prefix string) map[string]refusal {
	all := map[string]refusal{}
	if ls.Get(refusalsKey, &all) != nil || all == nil {
		return nil
	}
	out := map[string]refusal{}
	for rec, r := range all {
		if strings.HasPrefix(rec, prefix) {
			out[rec] = r
			delete(all, rec)
		}
	}
	if len(out) > 0 {
		ls.Set(refusalsKey, all)
	}
	return out
}
