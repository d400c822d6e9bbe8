package i18n

// Messages of the search synonyms (app/kb_synonyms.go) and of config.save
// for them.
func init() {
	register("en", map[string]string{
		"synonyms.title":           "Search synonyms",
		"synonyms.nav":             "Synonyms",
		"synonyms.intro":           "Words and phrases your readers use for the same thing. A search for any of them also finds the pages that use the others, on every device, offline too.",
		"synonyms.format":          "One group a line, its terms separated by = or a comma, e.g. VPN = Outpost Connect. Lines starting with # are notes.",
		"synonyms.lang_en":         "English",
		"synonyms.lang_es":         "Spanish",
		"synonyms.admins_only":     "Only admins can change the search synonyms.",
		"synonyms.admin_only":      "Only admins can change the search synonyms.",
		"synonyms.save":            "Save synonyms",
		"synonyms.saved":           "Saved: it reaches the server at the next sync, then every device.",
		"synonyms.count":           "groups: %v",
		"synonyms.empty":           "No synonyms yet: searches match the words as typed, their forms and small typos.",
		"synonyms.too_many_groups": "At most %v groups per language.",
		"synonyms.one_term":        "Line %v has one term: a group needs two or more, separated by = or a comma.",
		"synonyms.too_many_terms":  "Line %v has more than %v terms.",
		"synonyms.bad_term":        "Line %v: %q is not a term (extra spaces or nothing at all).",
		"synonyms.term_too_long":   "Line %v has a term longer than %v characters.",
		"synonyms.too_many_words":  "Line %v: %q has more than %v words.",
		"synonyms.duplicate":       "%q is in line %v and in line %v: a term belongs to one group only.",
		"synonyms.gaps_link":       "Searches that found nothing often want a synonym: edit the search synonyms.",
	})
	register("es", map[string]string{
		"synonyms.title":           "Sinónimos de búsqueda",
		"synonyms.nav":             "Sinónimos",
		"synonyms.intro":           "Palabras y expresiones que tus lectores usan para lo mismo. Una búsqueda de cualquiera de ellas encuentra también las páginas que usan las demás, en todos los dispositivos, también sin conexión.",
		"synonyms.format":          "Un grupo por línea, sus términos separados por = o una coma, p. ej. móvil = celular = teléfono. Las líneas que empiezan por # son notas.",
		"synonyms.lang_en":         "Inglés",
		"synonyms.lang_es":         "Español",
		"synonyms.admins_only":     "Solo los administradores pueden cambiar los sinónimos de búsqueda.",
		"synonyms.admin_only":      "Solo los administradores pueden cambiar los sinónimos de búsqueda.",
		"synonyms.save":            "Guardar sinónimos",
		"synonyms.saved":           "Guardado: llegará al servidor en la próxima sincronización y luego a todos los dispositivos.",
		"synonyms.count":           "grupos: %v",
		"synonyms.empty":           "Aún no hay sinónimos: las búsquedas encuentran las palabras tal como se escriben, sus formas y pequeñas erratas.",
		"synonyms.too_many_groups": "Como máximo %v grupos por idioma.",
		"synonyms.one_term":        "La línea %v tiene un solo término: un grupo necesita dos o más, separados por = o una coma.",
		"synonyms.too_many_terms":  "La línea %v tiene más de %v términos.",
		"synonyms.bad_term":        "Línea %v: %q no es un término (espacios de más o nada).",
		"synonyms.term_too_long":   "La línea %v tiene un término de más de %v caracteres.",
		"synonyms.too_many_words":  "Línea %v: %q tiene más de %v palabras.",
		"synonyms.duplicate":       "%q está en la línea %v y en la línea %v: un término pertenece a un solo grupo.",
		"synonyms.gaps_link":       "Las búsquedas que no encontraron nada a menudo piden un sinónimo: edita los sinónimos de búsqueda.",
	})
}
