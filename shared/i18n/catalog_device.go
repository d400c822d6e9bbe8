package i18n

func init() {
	register("en", map[string]string{
		"nav.device":             "This device",
		"device.title":           "This device",
		"device.not_durable":     "This browser gives Outpost no lasting storage (private mode?): what you do here is lost when the page closes.",
		"device.storage":         "Storage",
		"device.usage":           "%v used of %v this browser allows.",
		"device.usage_unknown":   "This browser does not say how much storage it allows.",
		"device.persisted":       "Your data is kept on this device even when it runs low on space.",
		"device.not_persisted":   "The browser may clear Outpost's data if the device runs low on space. Unsent changes would be lost.",
		"device.persist":         "Keep my data on this device",
		"device.pending":         "Waiting to be sent",
		"device.nothing_pending": "Nothing: everything you did has reached the server.",
		"device.pending_hint":    "These are sent in this order as soon as the server can be reached.",
		"device.m.ticket":        "New ticket: %v",
		"device.m.feedback":      "Feedback on the article %v",
		"device.m.search":        "A search that found nothing: %v",
	})
	register("es", map[string]string{
		"nav.device":             "Este dispositivo",
		"device.title":           "Este dispositivo",
		"device.not_durable":     "Este navegador no da almacenamiento duradero a Outpost (¿modo privado?): lo que hagas aquí se pierde al cerrar la página.",
		"device.storage":         "Almacenamiento",
		"device.usage":           "%v usados de los %v que permite este navegador.",
		"device.usage_unknown":   "Este navegador no indica cuánto almacenamiento permite.",
		"device.persisted":       "Tus datos se conservan en este dispositivo aunque se quede sin espacio.",
		"device.not_persisted":   "El navegador podría borrar los datos de Outpost si el dispositivo se queda sin espacio. Los cambios sin enviar se perderían.",
		"device.persist":         "Conservar mis datos en este dispositivo",
		"device.pending":         "Pendiente de enviar",
		"device.nothing_pending": "Nada: todo lo que hiciste ha llegado al servidor.",
		"device.pending_hint":    "Se envían en este orden en cuanto se pueda llegar al servidor.",
		"device.m.ticket":        "Ticket nuevo: %v",
		"device.m.feedback":      "Valoración del artículo %v",
		"device.m.search":        "Una búsqueda sin resultados: %v",
	})
}
