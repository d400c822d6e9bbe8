package i18n

// Messages of display names (issue 16): the names of categories,
// subcategories and sites in each language, their refusals, and what the
// ticket form suggests while a requester types.
func init() {
	register("en", map[string]string{
		"names.blank":      "The name of %q in %v is blank or starts or ends with a space.",
		"names.too_long":   "A name of %q is longer than %v characters.",
		"names.control":    "A name of %q holds a control character.",
		"names.bad_lang":   "%q has a name in %q, a language this portal does not speak.",
		"sites.too_many":   "There are %v named sites; at most %v are allowed.",
		"sites.duplicate":  "The site %q is named twice.",
		"sites.admin_only": "Only administrators can name sites.",
	})
	register("es", map[string]string{
		"names.blank":      "El nombre de %q en %v está vacío o empieza o termina con un espacio.",
		"names.too_long":   "Un nombre de %q tiene más de %v caracteres.",
		"names.control":    "Un nombre de %q contiene un carácter de control.",
		"names.bad_lang":   "%q tiene un nombre en %q, un idioma que este portal no usa.",
		"sites.too_many":   "Hay %v sedes con nombre; se permiten como máximo %v.",
		"sites.duplicate":  "La sede %q tiene nombre dos veces.",
		"sites.admin_only": "Solo los administradores pueden dar nombre a las sedes.",
	})
}
