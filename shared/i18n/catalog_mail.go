package i18n

var areaMail = area{
	en: map[string]string{
		"mail.hello":          "Hello %v,",
		"mail.subject":        "Your IT ticket: %v",
		"mail.ticket":         "Ticket: %v",
		"mail.ticket_updated": "There is news on the ticket the help desk filed for you.",
		"mail.reply_from":     "%v wrote:",
		"mail.status":         "Its status is now: %v.",
	},
	es: map[string]string{
		"mail.hello":          "Hola, %v:",
		"mail.subject":        "Su ticket de TI: %v",
		"mail.ticket":         "Ticket: %v",
		"mail.ticket_updated": "Hay novedades en el ticket que el soporte abrió para usted.",
		"mail.reply_from":     "%v escribió:",
		"mail.status":         "Su estado ahora es: %v.",
	},
}
