package shared

import (
	"strings"
	"unicode/utf8"
)

// ConfigRelated is the ID of the configuration record (type "config",
// synced to every device, signed out too) holding the related-words table
// the server derives from the knowledge base's vocabulary
// (server/sync/related.go), as the JSON of a RelatedWords. Only the server
// writes it.
const ConfigRelated = "related"

// RelatedWords are, per language, the related words search adds to a query
// word: query stem → "stem:tenths stem:tenths…" (search.NewRelated reads
// it).
type RelatedWords map[string]map[string]string

// ConfigSearchBlocks is the ID of the configuration record holding the
// expansions admins blocked, as the JSON of a SearchBlocks. Admins save it
// with "config.save" (a SearchBlocksSave).
const ConfigSearchBlocks = "search-blocks"

// SearchBlocks are, per language, what admins told search not to do.
type SearchBlocks map[string]SearchBlockList

// SearchBlockList is one language's blocks.
type SearchBlockList struct {
	// Related are word pairs, [what a reader types, what search must not
	// add for it], as the admin wrote them ("printer", "press"). They
	// match by stem: "printers" → "pressing" is blocked too.
	Related [][2]string `json:"related,omitempty"`
	// Learned are learned searches (shared.LearnedSearch) that must not
	// rank their article first: the query key and the article.
	Learned []LearnedBlock `json:"learned,omitempty"`
}

// LearnedBlock is a blocked learned association.
type LearnedBlock struct {
	Key       string `json:"key"`
	ArticleID string `json:"article_id"`
}

// SearchBlocksSave is the argument of "config.save" for ConfigSearchBlocks.
type SearchBlocksSave struct {
	ID     string       `json:"id"` // ConfigSearchBlocks
	Blocks SearchBlocks `json:"blocks"`
}

// Limits of the blocks.
const (
	MaxRelatedBlocks = 500 // word pairs per language
	MaxLearnedBlocks = 500 // learned associations per language
)

// Validate checks every language's blocks: known languages, at most the
// limits, words of one term each (at most MaxSynonymTermLen characters),
// learned blocks with a key and an article.
func (b SearchBlocks) Validate() error {
	for lang, l := range b {
		if !ValidLang(lang) {
			return Errorf(EINVALID, "article.bad_lang", lang)
		}
		if len(l.Related) > MaxRelatedBlocks {
			return Errorf(EINVALID, "related.too_many_blocks", MaxRelatedBlocks)
		}
		if len(l.Learned) > MaxLearnedBlocks {
			return Errorf(EINVALID, "related.too_many_learned_blocks", MaxLearnedBlocks)
		}
		for i, p := range l.Related {
			for _, w := range p {
				if w == "" || w != NormalizeSynonym(w) || strings.Contains(w, " ") || utf8.RuneCountInString(w) > MaxSynonymTermLen {
					return Errorf(EINVALID, "related.bad_block", i+1, w)
				}
			}
		}
		for _, x := range l.Learned {
			if x.Key == "" || x.ArticleID == "" || len(x.Key) > 1000 || len(x.ArticleID) > 200 {
				return Errorf(EINVALID, "related.bad_learned_block")
			}
		}
	}
	return nil
}

// ParseRelatedBlocks reads the blocked word pairs of one language as an
// admin writes them: one a line, "word > word" (what a reader types, what
// search must not add); blank lines and lines starting with "#" are
// skipped. Errors name the line.
func ParseRelatedBlocks(text string) ([][2]string, error) {
	var out [][2]string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, ">")
		from, to = NormalizeSynonym(strings.TrimRight(from, "-=")), NormalizeSynonym(to)
		if !ok || from == "" || to == "" || strings.Contains(from, " ") || strings.Contains(to, " ") {
			return nil, Errorf(EINVALID, "related.bad_block_line", n+1)
		}
		if utf8.RuneCountInString(from) > MaxSynonymTermLen || utf8.RuneCountInString(to) > MaxSynonymTermLen {
			return nil, Errorf(EINVALID, "related.bad_block", n+1, line)
		}
		out = append(out, [2]string{strings.ToLower(from), strings.ToLower(to)})
	}
	if len(out) > MaxRelatedBlocks {
		return nil, Errorf(EINVALID, "related.too_many_blocks", MaxRelatedBlocks)
	}
	return out, nil
}

// FormatRelatedBlocks writes pairs as ParseRelatedBlocks reads them.
func FormatRelatedBlocks(pairs [][2]string) string {
	var b strings.Builder
	for _, p := range pairs {
		b.WriteString(p[0] + " > " + p[1] + "\n")
	}
	return b.String()
}

// LearnedBlocked reports whether the learned association key → article is
// blocked in l.
func (l SearchBlockList) LearnedBlocked(key, articleID string) bool {
	for _, x := range l.Learned {
		if x.Key == key && x.ArticleID == articleID {
			return true
		}
	}
	return false
}
