package search

// The Spanish stemmer is Snowball's,
// https://snowballstem.org/algorithms/spanish/stemmer.html, adapted to
// accent-folded input: suffixes are matched without accents, and the
// verb endings "ía", "ías", "ió", "ís", "aría", "arías", "ería", "erías",
// "iría", "irías" and the residual "í", whose unaccented spellings mostly end
// nouns ("batería", "memoria", "país"), are not removed. Since documents and
// queries are folded alike, "batería", "bateria" and "baterías" all stem to
// "bateri", where the official stemmer gives "bater" for the accented forms
// and "bateri" for the unaccented one.

// esExceptions are words whose Snowball stem is another common word's,
// so that a search for one finds the other: "ordenador" (computer, in
// Spain) would stem as "ordenar" (to sort) does, and every query naming
// the computer would find the pages on sorting files.
var esExceptions = map[string]string{
	"ordenador":   "ordenador",
	"ordenadores": "ordenador",
}

var (
	esPronouns = []string{"me", "se", "sela", "selo", "selas", "selos", "la", "le", "lo",
		"las", "les", "los", "nos"}
	esPronounHosts = []string{"iendo", "ando", "ar", "er", "ir", "yendo"}

	esStep1 = []string{
		"anza", "anzas", "ico", "ica", "icos", "icas", "ismo", "ismos", "able", "ables",
		"ible", "ibles", "ista", "istas", "oso", "osa", "osos", "osas", "amiento",
		"amientos", "imiento", "imientos",
		"adora", "ador", "acion", "adoras", "adores", "aciones", "ante", "antes",
		"ancia", "ancias",
		"logia", "logias",
		"ucion", "uciones",
		"encia", "encias",
		"amente",
		"mente",
		"idad", "idades",
		"iva", "ivo", "ivas", "ivos",
	}
	esStep2a = []string{"ya", "ye", "yan", "yen", "yeron", "yendo", "yo", "yas", "yes",
		"yais", "yamos"}
	esStep2b = []string{
		"en", "es", "eis", "emos",
		"arian", "aran", "aras", "ariais", "areis", "ariamos", "aremos",
		"ara", "are", "erian", "eran", "eras", "eriais", "ereis",
		"eriamos", "eremos", "era", "ere", "irian", "iran", "iras", "iriais", "ireis", "iriamos", "iremos", "ira", "ire", "aba", "ada", "ida",
		"ara", "iera", "ad", "ed", "id", "ase", "iese", "aste", "iste", "an", "aban",
		"ian", "aran", "ieran", "asen", "iesen", "aron", "ieron", "ado", "ido", "ando",
		"iendo", "ar", "er", "ir", "as", "abas", "adas", "idas", "aras", "ieras",
		"ases", "ieses", "ais", "abais", "iais", "arais", "ierais", "aseis",
		"ieseis", "asteis", "isteis", "ados", "idos", "amos", "abamos", "iamos", "imos",
		"aramos", "ieramos", "iesemos", "asemos",
	}
	esResidual = []string{"os", "a", "o", "e"}
)

// esVowel reports whether c is a (folded) Spanish vowel.
func esVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// esRegions returns the Spanish RV, R1 and R2 start offsets.
func esRegions(b []byte) (rv, p1, p2 int) {
	n := len(b)
	gopastV := func(i int) int {
		for ; i < n; i++ {
			if esVowel(b[i]) {
				return i + 1
			}
		}
		return -1
	}
	gopastC := func(i int) int {
		for ; i < n; i++ {
			if !esVowel(b[i]) {
				return i + 1
			}
		}
		return -1
	}
	rv = n
	if n >= 2 {
		r := -1
		switch {
		case esVowel(b[0]) && !esVowel(b[1]):
			r = gopastV(2)
		case esVowel(b[0]):
			r = gopastC(2)
		case !esVowel(b[1]):
			r = gopastV(2)
		case n >= 3:
			r = 3
		}
		if r >= 0 {
			rv = r
		}
	}
	p1, p2 = n, n
	if i := gopastV(0); i >= 0 {
		if j := gopastC(i); j >= 0 {
			p1 = j
			if k := gopastV(j); k >= 0 {
				if l := gopastC(k); l >= 0 {
					p2 = l
				}
			}
		}
	}
	return rv, p1, p2
}

// stemSpanish applies the Snowball Spanish stemmer to a folded lower-case
// ASCII word.
func stemSpanish(w string) string {
	if s, ok := esExceptions[w]; ok {
		return s
	}
	b := []byte(w)
	rv, p1, p2 := esRegions(b)

	// Step 0: attached pronoun.
	if pro := longestSuffix(b, esPronouns); pro != "" {
		pre := b[:len(b)-len(pro)]
		if host := longestSuffix(pre, esPronounHosts); host != "" && len(pre)-len(host) >= rv {
			if host != "yendo" || hasSuffix(pre[:len(pre)-len(host)], "u") {
				b = pre
			}
		}
	}

	// Step 1: standard suffix removal; else step 2a; else step 2b.
	if !esStep1Apply(&b, p1, p2) {
		if suf := longestSuffixFrom(b, esStep2a, rv); suf != "" && hasSuffix(b[:len(b)-len(suf)], "u") {
			b = b[:len(b)-len(suf)]
		} else if suf := longestSuffixFrom(b, esStep2b, rv); suf != "" {
			b = b[:len(b)-len(suf)]
			switch suf {
			case "en", "es", "eis", "emos":
				if hasSuffix(b, "gu") {
					b = b[:len(b)-1]
				}
			}
		}
	}

	// Step 3: residual suffix.
	if suf := longestSuffix(b, esResidual); suf != "" && len(b)-len(suf) >= rv {
		b = b[:len(b)-len(suf)]
		if suf == "e" && hasSuffix(b, "gu") && len(b)-1 >= rv {
			b = b[:len(b)-1]
		}
	}
	return string(b)
}

// esStep1Apply performs Spanish step 1 on *b and reports whether it removed
// or replaced an ending.
func esStep1Apply(b *[]byte, p1, p2 int) bool {
	w := *b
	suf := longestSuffix(w, esStep1)
	if suf == "" {
		return false
	}
	start := len(w) - len(suf)
	inR2 := func(i int) bool { return i >= p2 }
	// trim deletes an optional preceding ending s if it lies in R2.
	trim := func(s string) bool {
		if hasSuffix(w, s) && inR2(len(w)-len(s)) {
			w = w[:len(w)-len(s)]
			return true
		}
		return false
	}
	switch suf {
	case "adora", "ador", "acion", "adoras", "adores", "aciones", "ante", "antes", "ancia", "ancias":
		if !inR2(start) {
			return false
		}
		w = w[:start]
		trim("ic")
	case "logia", "logias":
		if !inR2(start) {
			return false
		}
		w = append(w[:start], "log"...)
	case "ucion", "uciones":
		if !inR2(start) {
			return false
		}
		w = append(w[:start], 'u')
	case "encia", "encias":
		if !inR2(start) {
			return false
		}
		w = append(w[:start], "ente"...)
	case "amente":
		if start < p1 {
			return false
		}
		w = w[:start]
		switch {
		case trim("iv"):
			trim("at")
		case trim("os"), trim("ic"), trim("ad"):
		}
	case "mente":
		if !inR2(start) {
			return false
		}
		w = w[:start]
		_ = trim("ante") || trim("able") || trim("ible")
	case "idad", "idades":
		if !inR2(start) {
			return false
		}
		w = w[:start]
		_ = trim("abil") || trim("ic") || trim("iv")
	case "iva", "ivo", "ivas", "ivos":
		if !inR2(start) {
			return false
		}
		w = w[:start]
		trim("at")
	default:
		if !inR2(start) {
			return false
		}
		w = w[:start]
	}
	*b = w
	return true
}
