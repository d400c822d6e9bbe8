package sync

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// kbFeedback records a "did this solve it?" answer and counts it in the
// article's stats, in the same transaction: the push's sequence check
// makes a resent answer count once.
func kbFeedback(tx store.Tx, a Actor, args json.RawMessage, now time.Time, _ shared.CategoryTree) error {
	var f shared.Feedback
	if err := json.Unmarshal(args, &f); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := f.Validate(); err != nil {
		return err
	}
	f.Comment = strings.TrimSpace(f.Comment)
	var art shared.Article
	switch data, err := tx.Get(wire.TypeArticle, f.ArticleID); shared.ErrorCode(err) {
	case shared.ENOTFOUND:
		return shared.Errorf(shared.ENOTFOUND, "feedback.no_article", f.ArticleID)
	case "":
		if err := json.Unmarshal(data, &art); err != nil {
			return err
		}
	default:
		return err
	}
	if err := mustBeNew(tx, wire.TypeFeedback, f.ID, "feedback.exists"); err != nil {
		return err
	}
	var stats shared.ArticleStats
	if err := getJSON(tx, wire.TypeArticleStats, f.ArticleID, &stats); err != nil {
		return err
	}
	stats.ArticleID = f.ArticleID
	stats.Add(&f, now.UnixMilli())
	record := struct {
		shared.Feedback
		ClientID   string `json:"client_id"`
		ReceivedAt int64  `json:"received_at"`
	}{f, a.ClientID, now.UnixMilli()}
	if err := putJSON(tx, wire.TypeFeedback, f.ID, record); err != nil {
		return err
	}
	if err := learn(tx, a.ClientID, art.Lang, &f, now); err != nil { // learn.go
		return err
	}
	return putJSON(tx, wire.TypeArticleStats, f.ArticleID, stats)
}

// searchMiss counts a search that found nothing, by folded query and
// language, for the content-gap report.
func searchMiss(tx store.Tx, _ Actor, args json.RawMessage, now time.Time, _ shared.CategoryTree) error {
	var m shared.SearchMiss
	if err := json.Unmarshal(args, &m); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := m.Validate(); err != nil {
		return err
	}
	q := strings.Join(strings.Fields(search.Fold(m.Query)), " ")
	id := SearchMissID(q, m.Lang)
	var stats shared.SearchMissStats
	if err := getJSON(tx, wire.TypeSearchMiss, id, &stats); err != nil {
		return err
	}
	if stats.Count == 0 {
		stats = shared.SearchMissStats{Query: q, Lang: m.Lang, FirstAt: now.UnixMilli()}
	}
	stats.Count++
	stats.LastAt = now.UnixMilli()
	return putJSON(tx, wire.TypeSearchMiss, id, stats)
}

// SearchMissID is the record ID counting misses for a folded query in lang.
func SearchMissID(folded, lang string) string {
	h := fnv.New64a()
	h.Write([]byte(lang + "\x00" + folded))
	return fmt.Sprintf("%s-%016x", lang, h.Sum64())
}

// getJSON decodes a record into v, leaving v alone if there is none.
func getJSON(tx store.ReadTx, typ, id string, v any) error {
	data, err := tx.Get(typ, id)
	switch shared.ErrorCode(err) {
	case "":
		return json.Unmarshal(data, v)
	case shared.ENOTFOUND:
		return nil
	}
	return err
}

func putJSON(tx store.Tx, typ, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if r, ok := tx.(*recorder); ok {
		return r.put(typ, id, data, ownerOf(v))
	}
	_, err = tx.Put(typ, id, data)
	return err
}
