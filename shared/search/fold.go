package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable maps lower-case Latin-1 Supplement and Latin Extended-A letters
// to their unaccented ASCII spelling.
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ð': "d", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'þ': "th", 'ß': "ss",
	'ā': "a", 'ă': "a", 'ą': "a", 'ć': "c", 'ĉ': "c", 'ċ': "c", 'č': "c",
	'ď': "d", 'đ': "d", 'ē': "e", 'ĕ': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ĝ': "g", 'ğ': "g", 'ġ': "g", 'ģ': "g", 'ĥ': "h", 'ħ': "h",
	'ĩ': "i", 'ī': "i", 'ĭ': "i", 'į': "i", 'ı': "i", 'ĳ': "ij", 'ĵ': "j", 'ķ': "k", 'ĸ': "k",
	'ĺ': "l", 'ļ': "l", 'ľ': "l", 'ŀ': "l", 'ł': "l",
	'ń': "n", 'ņ': "n", 'ň': "n", 'ŉ': "n", 'ŋ': "n",
	'ō': "o", 'ŏ': "o", 'ő': "o", 'œ': "oe", 'ŕ': "r", 'ŗ': "r", 'ř': "r",
	'ś': "s", 'ŝ': "s", 'ş': "s", 'š': "s", 'ţ': "t", 'ť': "t", 'ŧ': "t",
	'ũ': "u", 'ū': "u", 'ŭ': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ŵ': "w", 'ŷ': "y", 'ź': "z", 'ż': "z", 'ž': "z", 'ſ': "s",
}

// Fold returns s lower-cased with accents and other diacritics removed, so
// that "Contraseña" and "contrasena" compare equal. Letters of the Latin-1
// Supplement and Latin Extended-A blocks are mapped to plain ASCII, and
// combining marks (as in decomposed "e\u0301") are dropped. Everything else,
// including punctuation and spacing, is kept; invalid UTF-8 bytes become
// U+FFFD.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		foldRune(&b, r)
	}
	return b.String()
}

// foldRune appends the folded form of r to b.
func foldRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	if unicode.Is(unicode.Mn, r) {
		return
	}
	r = unicode.ToLower(r)
	if s, ok := foldTable[r]; ok {
		b.WriteString(s)
		return
	}
	b.WriteRune(r)
}

// isWordRune reports whether r is part of a word: a letter or a digit.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// token is one word of a text: its folded form and its byte span in the
// original text.
type token struct {
	term       string
	start, end int
	alias      bool // an extra term for words already counted
}

// tokenize splits text into runs of letters and digits (combining marks
// inside a run are kept with it) and folds each run.
func tokenize(text string) []token {
	return appendTokens(nil, text)
}

// appendTokens appends the tokens of text (see tokenize) to toks.
func appendTokens(toks []token, text string) []token {
	start := -1
	for i, r := range text {
		in := isWordRune(r) || (start >= 0 && unicode.Is(unicode.Mn, r))
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			toks = append(toks, token{term: Fold(text[start:i]), start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, token{term: Fold(text[start:]), start: start, end: len(text)})
	}
	return toks
}

// Tokenize splits s into runs of letters and digits and returns them folded
// (see Fold). "Wi-Fi: ¿Contraseña?" gives ["wi", "fi", "contrasena"].
func Tokenize(s string) []string {
	toks := tokenize(s)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.term
	}
	return out
}
