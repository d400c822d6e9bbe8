package shared

import (
	"strings"
	"unicode/utf8"
)

// ConfigSynonyms is the ID of the configuration record (type "config",
// synced to every device, signed out too) holding the search synonyms
// admins set, as the JSON of a Synonyms. Admins save it with "config.save".
const ConfigSynonyms = "synonyms"

// Synonyms are, per language ("en", "es"), groups of words or short phrases
// that readers use for the same thing ("VPN = Outpost Connect"): a search
// for any of them also finds the others.
type Synonyms map[string][][]string

// SynonymSave is the argument of "config.save" for ConfigSynonyms.
type SynonymSave struct {
	ID       string   `json:"id"` // ConfigSynonyms
	Synonyms Synonyms `json:"synonyms"`
}

// Limits of the synonyms, so that every device can hold and apply them.
const (
	MaxSynonymGroups  = 300 // per language
	MaxSynonymTerms   = 10  // per group
	MaxSynonymWords   = 4   // per term
	MaxSynonymTermLen = 60  // characters per term
)

// Validate checks every language's groups (see ValidateSynonymGroups).
func (s Synonyms) Validate() error {
	for lang, groups := range s {
		if !ValidLang(lang) {
			return Errorf(EINVALID, "article.bad_lang", lang)
		}
		if err := ValidateSynonymGroups(groups, func(i int) int { return i + 1 }); err != nil {
			return err
		}
	}
	return nil
}

// ValidateSynonymGroups checks groups: at most MaxSynonymGroups, each of
// 2 to MaxSynonymTerms terms, each term 1 to MaxSynonymWords words and at
// most MaxSynonymTermLen characters, already normalized (NormalizeSynonym),
// and no term in two groups (ignoring case). line numbers a group in the
// error messages (the line of the admin's text it came from).
func ValidateSynonymGroups(groups [][]string, line func(group int) int) error {
	if len(groups) > MaxSynonymGroups {
		return Errorf(EINVALID, "synonyms.too_many_groups", MaxSynonymGroups)
	}
	seen := map[string]int{} // folded term → group
	for i, g := range groups {
		switch {
		case len(g) < 2:
			return Errorf(EINVALID, "synonyms.one_term", line(i))
		case len(g) > MaxSynonymTerms:
			return Errorf(EINVALID, "synonyms.too_many_terms", line(i), MaxSynonymTerms)
		}
		for _, term := range g {
			switch {
			case term == "" || term != NormalizeSynonym(term):
				return Errorf(EINVALID, "synonyms.bad_term", line(i), term)
			case utf8.RuneCountInString(term) > MaxSynonymTermLen:
				return Errorf(EINVALID, "synonyms.term_too_long", line(i), MaxSynonymTermLen)
			case len(strings.Fields(term)) > MaxSynonymWords:
				return Errorf(EINVALID, "synonyms.too_many_words", line(i), term, MaxSynonymWords)
			}
			key := strings.ToLower(term)
			if j, dup := seen[key]; dup {
				return Errorf(EINVALID, "synonyms.duplicate", term, line(j), line(i))
			}
			seen[key] = i
		}
	}
	return nil
}

// NormalizeSynonym trims a term and collapses the spaces inside it.
func NormalizeSynonym(term string) string {
	return strings.Join(strings.Fields(term), " ")
}

// ParseSynonyms reads the synonyms of one language as an admin writes
// them: one group a line, its terms separated by "=" or ","; blank lines
// and lines starting with "#" are skipped. Errors name the line.
func ParseSynonyms(text string) ([][]string, error) {
	var groups [][]string
	var lines []int // line of each group
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var g []string
		for _, term := range strings.FieldsFunc(line, func(r rune) bool { return r == '=' || r == ',' }) {
			if term = NormalizeSynonym(term); term != "" {
				g = append(g, term)
			}
		}
		groups, lines = append(groups, g), append(lines, n+1)
	}
	if err := ValidateSynonymGroups(groups, func(i int) int { return lines[i] }); err != nil {
		return nil, err
	}
	return groups, nil
}

// FormatSynonyms writes groups as ParseSynonyms reads them.
func FormatSynonyms(groups [][]string) string {
	var b strings.Builder
	for _, g := range groups {
		b.WriteString(strings.Join(g, " = "))
		b.WriteByte('\n')
	}
	return b.String()
}
