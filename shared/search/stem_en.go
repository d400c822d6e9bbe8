package search

// The English stemmer is Snowball's Porter2 algorithm,
// https://snowballstem.org/algorithms/english/stemmer.html.

var enException1 = map[string]string{
	"skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
	"idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
	"singly": "singl", "sky": "sky", "news": "news", "howe": "howe",
	"atlas": "atlas", "cosmos": "cosmos", "bias": "bias", "andes": "andes",
}

var enException2 = map[string]bool{
	"inning": true, "outing": true, "canning": true, "herring": true,
	"earring": true, "proceed": true, "exceed": true, "succeed": true,
}

var (
	enStep1a = []string{"sses", "ied", "ies", "s", "us", "ss"}
	enStep1b = []string{"eed", "eedly", "ed", "edly", "ing", "ingly"}
	enStep2  = []string{"tional", "enci", "anci", "abli", "entli", "izer", "ization",
		"ational", "ation", "ator", "alism", "aliti", "alli", "fulness", "ousli",
		"ousness", "iveness", "iviti", "biliti", "bli", "ogi", "fulli", "lessli", "li"}
	enStep2Repl = map[string]string{"tional": "tion", "enci": "ence", "anci": "ance",
		"abli": "able", "entli": "ent", "izer": "ize", "ization": "ize",
		"ational": "ate", "ation": "ate", "ator": "ate", "alism": "al", "aliti": "al",
		"alli": "al", "fulness": "ful", "ousli": "ous", "ousness": "ous",
		"iveness": "ive", "iviti": "ive", "biliti": "ble", "bli": "ble", "fulli": "ful",
		"lessli": "less"}
	enStep3     = []string{"tional", "ational", "alize", "icate", "iciti", "ical", "ful", "ness", "ative"}
	enStep3Repl = map[string]string{"tional": "tion", "ational": "ate", "alize": "al",
		"icate": "ic", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
	enStep4 = []string{"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
		"ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion"}
)

// enVowel reports whether c is an English vowel; 'Y' (a consonant y) is not.
func enVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// enRegions returns Porter2's R1 and R2 start offsets.
func enRegions(b []byte) (p1, p2 int) {
	after := func(from int) int {
		i := from
		for i < len(b) && !enVowel(b[i]) {
			i++
		}
		for i < len(b) && enVowel(b[i]) {
			i++
		}
		if i < len(b) {
			return i + 1
		}
		return len(b)
	}
	s := string(b)
	switch {
	case len(s) >= 5 && s[:5] == "gener", len(s) >= 5 && s[:5] == "arsen":
		p1 = 5
	case len(s) >= 6 && s[:6] == "commun":
		p1 = 6
	default:
		p1 = after(0)
	}
	p2 = after(p1)
	return p1, p2
}

// stemEnglish applies Porter2 to a lower-case ASCII word.
func stemEnglish(w string) string {
	if s, ok := enException1[w]; ok {
		return s
	}
	if len(w) < 3 {
		return w
	}
	b := []byte(w)
	// Prelude.
	if b[0] == '\'' {
		b = b[1:]
	}
	if len(b) > 0 && b[0] == 'y' {
		b[0] = 'Y'
	}
	for i := 1; i < len(b); i++ {
		if b[i] == 'y' && enVowel(b[i-1]) {
			b[i] = 'Y'
		}
	}
	p1, p2 := enRegions(b)

	// Step 0.
	switch {
	case hasSuffix(b, "'s'"):
		b = b[:len(b)-3]
	case hasSuffix(b, "'s"):
		b = b[:len(b)-2]
	case hasSuffix(b, "'"):
		b = b[:len(b)-1]
	}

	// Step 1a.
	switch longestSuffix(b, enStep1a) {
	case "sses":
		b = b[:len(b)-2]
	case "ied", "ies":
		if len(b) > 4 {
			b = replaceSuffix(b, 3, "i")
		} else {
			b = replaceSuffix(b, 3, "ie")
		}
	case "s":
		for i := 0; i < len(b)-2; i++ {
			if enVowel(b[i]) {
				b = b[:len(b)-1]
				break
			}
		}
	}
	if enException2[string(b)] {
		return string(b)
	}

	// Step 1b.
	switch suf := longestSuffix(b, enStep1b); suf {
	case "eed", "eedly":
		if len(b)-len(suf) >= p1 {
			b = replaceSuffix(b, len(suf), "ee")
		}
	case "ed", "edly", "ing", "ingly":
		stem := b[:len(b)-len(suf)]
		hasVowel := false
		for _, c := range stem {
			if enVowel(c) {
				hasVowel = true
				break
			}
		}
		if !hasVowel {
			break
		}
		b = stem
		switch {
		case hasSuffix(b, "at"), hasSuffix(b, "bl"), hasSuffix(b, "iz"):
			b = append(b, 'e')
		case len(b) >= 2 && b[len(b)-1] == b[len(b)-2] && isEnDouble(b[len(b)-1]):
			b = b[:len(b)-1]
		case len(b) <= p1 && enShortv(b):
			b = append(b, 'e')
		}
	}

	// Step 1c.
	if n := len(b); n > 2 && (b[n-1] == 'y' || b[n-1] == 'Y') && !enVowel(b[n-2]) {
		b[n-1] = 'i'
	}

	// Step 2.
	if suf := longestSuffix(b, enStep2); suf != "" && len(b)-len(suf) >= p1 {
		pre := b[:len(b)-len(suf)]
		switch suf {
		case "ogi":
			if hasSuffix(pre, "l") {
				b = replaceSuffix(b, 3, "og")
			}
		case "li":
			if len(pre) > 0 && isEnLiEnding(pre[len(pre)-1]) {
				b = pre
			}
		default:
			b = replaceSuffix(b, len(suf), enStep2Repl[suf])
		}
	}

	// Step 3.
	if suf := longestSuffix(b, enStep3); suf != "" && len(b)-len(suf) >= p1 {
		if suf == "ative" {
			if len(b)-len(suf) >= p2 {
				b = b[:len(b)-len(suf)]
			}
		} else {
			b = replaceSuffix(b, len(suf), enStep3Repl[suf])
		}
	}

	// Step 4.
	if suf := longestSuffix(b, enStep4); suf != "" && len(b)-len(suf) >= p2 {
		pre := b[:len(b)-len(suf)]
		if suf != "ion" || hasSuffix(pre, "s") || hasSuffix(pre, "t") {
			b = pre
		}
	}

	// Step 5.
	if n := len(b); n > 0 {
		switch b[n-1] {
		case 'e':
			if n-1 >= p2 || (n-1 >= p1 && !enShortv(b[:n-1])) {
				b = b[:n-1]
			}
		case 'l':
			if n-1 >= p2 && n >= 2 && b[n-2] == 'l' {
				b = b[:n-1]
			}
		}
	}

	// Postlude.
	for i, c := range b {
		if c == 'Y' {
			b[i] = 'y'
		}
	}
	return string(b)
}

// enShortv is Snowball's shortv: b ends in a short syllable.
func enShortv(b []byte) bool {
	n := len(b)
	if n >= 3 {
		c := b[n-1]
		if !enVowel(c) && c != 'w' && c != 'x' && c != 'Y' && enVowel(b[n-2]) && !enVowel(b[n-3]) {
			return true
		}
	}
	return n == 2 && enVowel(b[0]) && !enVowel(b[1])
}

// isEnDouble reports whether cc is one of Porter2's doubles (bb dd ff gg mm
// nn pp rr tt).
func isEnDouble(c byte) bool {
	switch c {
	case 'b', 'd', 'f', 'g', 'm', 'n', 'p', 'r', 't':
		return true
	}
	return false
}

// isEnLiEnding reports whether c may precede a removable "li".
func isEnLiEnding(c byte) bool {
	switch c {
	case 'c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't':
		return true
	}
	return false
}
