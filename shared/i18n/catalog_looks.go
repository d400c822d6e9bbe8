package i18n

// Messages of the not-found page and of labels worded for the role that
// reads them (issue 16: a requester is "you", an agent's requester is
// "the requester").
var areaLooks = area{
	en: map[string]string{
		"notfound.title": "Page not found",
		"notfound.p":     "There is nothing at this address. It may have been mistyped, or the page has moved.",
		"notfound.home":  "Go to the help center",

		"ticket.rstatus.new":      "Received",
		"ticket.rstatus.open":     "In progress",
		"ticket.rstatus.pending":  "Waiting for your reply",
		"ticket.rstatus.resolved": "Resolved",
		"ticket.rstatus.closed":   "Closed",
		"kiosk.checkin_next":      "Nobody is waiting: check in and you are next.",
		"ticket.properties":       "Ticket details",
	},
	es: map[string]string{
		"notfound.title": "Página no encontrada",
		"notfound.p":     "No hay nada en esta dirección. Puede que esté mal escrita o que la página se haya movido.",
		"notfound.home":  "Ir al centro de ayuda",

		"ticket.rstatus.new":      "Recibido",
		"ticket.rstatus.open":     "En curso",
		"ticket.rstatus.pending":  "Esperando tu respuesta",
		"ticket.rstatus.resolved": "Resuelto",
		"ticket.rstatus.closed":   "Cerrado",
		"kiosk.checkin_next":      "No espera nadie: regístrese y será el siguiente.",
		"ticket.properties":       "Detalles del ticket",
	},
}
