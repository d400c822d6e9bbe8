package search

// Stem returns the Snowball stem of the folded word w for lang: the Spanish
// stemmer for "es" (and "es-*"), the English (Porter2) stemmer otherwise.
// Words that are not plain lower-case ASCII letters (after Fold) are
// returned unchanged.
func Stem(lang, w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < 'a' || c > 'z') && c != '\'' {
			return w
		}
	}
	if normLang(lang) == "es" {
		return stemSpanish(w)
	}
	return stemEnglish(w)
}

// hasSuffix reports whether b ends with s.
func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// longestSuffix returns the longest entry of list that b ends with, or "".
func longestSuffix(b []byte, list []string) string {
	best := ""
	for _, s := range list {
		if len(s) > len(best) && hasSuffix(b, s) {
			best = s
		}
	}
	return best
}

// longestSuffixFrom is longestSuffix restricted to suffixes that start at or
// after position limit (Snowball's setlimit).
func longestSuffixFrom(b []byte, list []string, limit int) string {
	best := ""
	for _, s := range list {
		if len(s) > len(best) && len(b)-len(s) >= limit && hasSuffix(b, s) {
			best = s
		}
	}
	return best
}

// replaceSuffix returns b with its last n bytes replaced by s.
func replaceSuffix(b []byte, n int, s string) []byte {
	return append(b[:len(b)-n], s...)
}
