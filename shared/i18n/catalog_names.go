package i18n

// Messages of display names (issue 16): the names of categories,
// subcategories and sites in each language, their refusals, and what the
// ticket form suggests while a requester types.
func init() {
	register("en", map[string]string{
		"names.blank":            "The name of %q in %v is blank or starts or ends with a space.",
		"names.too_long":         "A name of %q is longer than %v characters.",
		"names.control":          "A name of %q holds a control character.",
		"names.bad_lang":         "%q has a name in %q, a language this portal does not speak.",
		"sites.too_many":         "There are %v named sites; at most %v are allowed.",
		"sites.duplicate":        "The site %q is named twice.",
		"sites.admin_only":       "Only administrators can name sites.",
		"sites.name_required":    "Give the site a name in %v: people read it on the board and at the desk.",
		"sites.name_in":          "Name in %v",
		"names.lang.en":          "English",
		"names.lang.es":          "Spanish",
		"catadmin.name_required": "Give it a name in %v: people choose it by its name on the home page, the ticket form and the kiosk.",
		"catadmin.name_of":       "Name of %v in %v",
		"catadmin.new_sub_slug":  "Slug of the new subcategory of %v",
		"catadmin.slug_optional": "slug (optional, made from the English name)",
		"catadmin.slug_label":    "Slug",
	})
	register("es", map[string]string{
		"names.blank":            "El nombre de %q en %v está vacío o empieza o termina con un espacio.",
		"names.too_long":         "Un nombre de %q tiene más de %v caracteres.",
		"names.control":          "Un nombre de %q contiene un carácter de control.",
		"names.bad_lang":         "%q tiene un nombre en %q, un idioma que este portal no usa.",
		"sites.too_many":         "Hay %v sedes con nombre; se permiten como máximo %v.",
		"sites.duplicate":        "La sede %q tiene nombre dos veces.",
		"sites.admin_only":       "Solo los administradores pueden dar nombre a las sedes.",
		"sites.name_required":    "Ponle a la sede un nombre en %v: se lee en el panel y en el mostrador.",
		"sites.name_in":          "Nombre en %v",
		"names.lang.en":          "inglés",
		"names.lang.es":          "español",
		"catadmin.name_required": "Ponle un nombre en %v: se elige por su nombre en la página de inicio, el formulario de incidencias y el quiosco.",
		"catadmin.name_of":       "Nombre de %v en %v",
		"catadmin.new_sub_slug":  "Identificador de la nueva subcategoría de %v",
		"catadmin.slug_optional": "identificador (opcional, se hace con el nombre en inglés)",
		"catadmin.slug_label":    "Identificador",
	})
}
