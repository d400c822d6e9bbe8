package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// Search learns from the people who use it: a reader who reached an article
// from a search and said it solved their problem counts that query →
// article (by search.QueryKey), once per device and query. Once LearnSupport
// devices agree, the association goes into the config record
// shared.ConfigLearned that every device searches with (shared/search
// ranks the article first for the same words). Queries are published only
// then, so no single reader's words reach other devices.
//
// Unlogged data:
//
//	learnseen/<sha256 of client, language, key, article>   this device counted it
//	learncount/<sha256 of language, key>                   learnCount: devices per article
const (
	kindLearnSeen  = "learnseen"
	kindLearnCount = "learncount"

	// LearnSupport is how many devices must agree before an association
	// is published.
	LearnSupport = 3
	// maxLearned bounds the published associations per language: the
	// strongest are kept.
	maxLearned = 500
	// learnMemory is how long a device's count and a query's tally are
	// kept without a new answer.
	learnMemory = 365 * 24 * time.Hour
)

// learnCount tallies one query's helpful answers by article.
type learnCount struct {
	Lang     string         `json:"lang"`
	Key      string         `json:"key"`
	Articles map[string]int `json:"articles"`
}

func learnHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// learn counts a helpful answer f from clientID on an article in lang.
func learn(tx store.Tx, clientID, lang string, f *shared.Feedback, now time.Time) error {
	if !f.Helpful || f.From != shared.FromSearch || f.Query == "" {
		return nil
	}
	key := search.QueryKey(lang, f.Query)
	if key == "" {
		return nil
	}
	seen := learnHash(clientID, lang, key, f.ArticleID)
	switch _, err := tx.GetLocal(kindLearnSeen, seen); shared.ErrorCode(err) {
	case "":
		return nil // this device counted it already
	case shared.ENOTFOUND:
	default:
		return err
	}
	if err := tx.PutLocal(kindLearnSeen, seen, []byte{1}, now.Add(learnMemory)); err != nil {
		return err
	}
	id := learnHash(lang, key)
	c := learnCount{Lang: lang, Key: key, Articles: map[string]int{}}
	switch b, err := tx.GetLocal(kindLearnCount, id); shared.ErrorCode(err) {
	case "":
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
	case shared.ENOTFOUND:
	default:
		return err
	}
	c.Articles[f.ArticleID]++
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := tx.PutLocal(kindLearnCount, id, b, now.Add(learnMemory)); err != nil {
		return err
	}
	if n := c.Articles[f.ArticleID]; n >= LearnSupport {
		return publishLearned(tx, shared.LearnedSearch{Key: key, ArticleID: f.ArticleID, Support: n}, lang)
	}
	return nil
}

// publishLearned puts s into the learned searches of lang, strongest first.
func publishLearned(tx store.Tx, s shared.LearnedSearch, lang string) error {
	var blocks shared.SearchBlocks
	if err := getJSON(tx, wire.TypeConfig, shared.ConfigSearchBlocks, &blocks); err != nil {
		return err
	}
	if blocks[lang].LearnedBlocked(s.Key, s.ArticleID) {
		return nil // an admin said no
	}
	all := shared.LearnedSearches{}
	if err := getJSON(tx, wire.TypeConfig, shared.ConfigLearned, &all); err != nil {
		return err
	}
	list := slices.DeleteFunc(all[lang], func(x shared.LearnedSearch) bool { return x.Key == s.Key && x.ArticleID == s.ArticleID })
	list = append(list, s)
	slices.SortStableFunc(list, func(a, b shared.LearnedSearch) int { return b.Support - a.Support })
	if len(list) > maxLearned {
		list = list[:maxLearned]
	}
	all[lang] = list
	return putJSON(tx, wire.TypeConfig, shared.ConfigLearned, all)
}
