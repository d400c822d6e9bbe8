package i18n

// Messages of "what does a word expand to" (app/kb_expand.go, on the
// synonyms screen).
var areaExpand = area{
	en: map[string]string{
		"expand.title":        "What does a word expand to?",
		"expand.intro":        "Type what a reader would type to see what search adds to each word on this device: your synonyms, the related words of the articles' vocabulary with their weight (the reader's own word counts 1), and the searches readers confirmed. Block what leads astray; a blocked related word leaves the table when the server next rebuilds it, after a sync.",
		"expand.word":         "Word or words",
		"expand.lang":         "Language",
		"expand.no_words":     "Only common words (the, my, not…): search ignores them.",
		"expand.own":          "in %v pages as typed",
		"expand.not_in_pages": "in no page as typed",
		"expand.near":         "Also matches misspelt or typed on: %v",
		"expand.synonyms":     "Synonyms (weight 0.8): %v. Edit them above.",
		"expand.related":      "Related word %v, weight %v, in %v pages.",
		"expand.blocked_note": "Blocked: it goes after the next sync.",
		"expand.learned":      "Learned: %v.",
		"expand.nothing":      "Search adds nothing to this word.",
	},
	es: map[string]string{
		"expand.title":        "¿Qué añade la búsqueda a una palabra?",
		"expand.intro":        "Escribe lo que escribiría un lector para ver qué añade la búsqueda a cada palabra en este dispositivo: tus sinónimos, las palabras relacionadas del vocabulario de los artículos con su peso (la palabra del lector cuenta 1) y las búsquedas que los lectores confirmaron. Bloquea lo que despista; una palabra relacionada bloqueada sale de la tabla cuando el servidor la reconstruye, tras una sincronización.",
		"expand.word":         "Palabra o palabras",
		"expand.lang":         "Idioma",
		"expand.no_words":     "Solo palabras comunes (el, mi, no…): la búsqueda las ignora.",
		"expand.own":          "en %v páginas tal cual",
		"expand.not_in_pages": "en ninguna página tal cual",
		"expand.near":         "También coincide con errores o al escribir: %v",
		"expand.synonyms":     "Sinónimos (peso 0,8): %v. Edítalos arriba.",
		"expand.related":      "Palabra relacionada %v, peso %v, en %v páginas.",
		"expand.blocked_note": "Bloqueada: sale tras la próxima sincronización.",
		"expand.learned":      "Aprendida: %v.",
		"expand.nothing":      "La búsqueda no añade nada a esta palabra.",
	},
}
