package i18n

// Messages of the blocked search expansions (app/kb_blocks.go, on the
// synonyms screen) and of config.save for them.
var areaRelated = area{
	en: map[string]string{
		"related.title":                   "Blocked expansions",
		"related.intro":                   "Search also adds related words to what readers type (from the articles' own vocabulary), and ranks first the articles readers said solved their search. Block a related word that leads astray, one a line: what readers type > the word not to add, e.g. printer > press.",
		"related.save":                    "Save blocked words",
		"related.block":                   "Block",
		"related.unblock":                 "Unblock",
		"related.learned_title":           "Learned searches",
		"related.learned_row":             "“%v” → %v, %v readers",
		"related.learned_empty":           "Nothing learned yet: a search counts once three devices said its article solved their problem.",
		"related.too_many_blocks":         "At most %v blocked words per language.",
		"related.too_many_learned_blocks": "At most %v blocked learned searches per language.",
		"related.bad_block":               "Line %v: %q is not one word.",
		"related.bad_block_line":          "Line %v: write a word, >, and the word not to add (printer > press).",
		"related.bad_learned_block":       "A blocked learned search needs its words and its article.",
	},
	es: map[string]string{
		"related.title":                   "Ampliaciones bloqueadas",
		"related.intro":                   "La búsqueda también añade palabras relacionadas a lo que escriben los lectores (del propio vocabulario de los artículos) y pone primero los artículos que los lectores dijeron que resolvieron su búsqueda. Bloquea una palabra relacionada que despista, una por línea: lo que escriben los lectores > la palabra que no se debe añadir, p. ej. impresora > prensa.",
		"related.save":                    "Guardar palabras bloqueadas",
		"related.block":                   "Bloquear",
		"related.unblock":                 "Desbloquear",
		"related.learned_title":           "Búsquedas aprendidas",
		"related.learned_row":             "«%v» → %v, %v lectores",
		"related.learned_empty":           "Aún no se ha aprendido nada: una búsqueda cuenta cuando tres dispositivos dijeron que su artículo resolvió su problema.",
		"related.too_many_blocks":         "Como máximo %v palabras bloqueadas por idioma.",
		"related.too_many_learned_blocks": "Como máximo %v búsquedas aprendidas bloqueadas por idioma.",
		"related.bad_block":               "Línea %v: %q no es una sola palabra.",
		"related.bad_block_line":          "Línea %v: escribe una palabra, > y la palabra que no se debe añadir (impresora > prensa).",
		"related.bad_learned_block":       "Una búsqueda aprendida bloqueada necesita sus palabras y su artículo.",
	},
}
