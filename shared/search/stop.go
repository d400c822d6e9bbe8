package search

// stopWords holds, per language, the folded function words that are dropped
// from documents and queries.
var stopWords = map[string]map[string]bool{
	"en": wordSet(`a about above after again against all also am an and any are as at
		be because been before being below between both but by can cannot could
		d did didn do does doesn doing don during each either few for from further
		had has have having he her here hers herself him himself his how i if in into
		is isn it its itself just ll m me more most my myself no nor not now of off
		on once only or other our ours ourselves out over own re s same she should
		so some such t than that the their theirs them themselves then there these
		they this those through to too under until up very ve was wasn we were
		what when where which while who whom why will with won would you your
		yours yourself yourselves`),
	"es": wordSet(`a al algo algunas algunos ante antes aqui cada como con contra cual
		cuando de del desde donde durante e el ella ellas ellos en entre era eran
		es esa esas ese eso esos esta estan estar estas este esto estos fue fueron
		ha han hasta hay he la las le les lo los mas me mi mis mucho muchos muy
		nada ni no nos nosotras nosotros o os otra otras otro otros para pero poco
		por porque que quien quienes se sea ser si sin sobre son su sus tambien
		tanto te ti tiene todo todos tu tus u un una unas uno unos usted ustedes
		vosotros y ya yo`),
}

// wordSet splits a whitespace-separated list into a set.
func wordSet(list string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range Tokenize(list) {
		m[w] = true
	}
	return m
}

// IsStopWord reports whether the folded word w is a stop word in lang ("en"
// or "es"; any other language uses the English list).
func IsStopWord(lang, w string) bool {
	return stopWords[normLang(lang)][w]
}

// normLang maps a language tag to "en" or "es": "es", "es-MX" and "ES"
// give "es"; everything else gives "en".
func normLang(lang string) string {
	if len(lang) >= 2 && (lang[0] == 'e' || lang[0] == 'E') && (lang[1] == 's' || lang[1] == 'S') &&
		(len(lang) == 2 || lang[2] == '-' || lang[2] == '_') {
		return "es"
	}
	return "en"
}
