package i18n

var areaNotify = area{
	en: map[string]string{
		"notify.unread":  "%v tickets with news",
		"notify.new":     "Updated",
		"notify.changed": "Your ticket was updated.",
		"notify.offer":   "Want a notification when support replies while Outpost is open?",
		"notify.enable":  "Notify me",
	},
	es: map[string]string{
		"notify.unread":  "%v tickets con novedades",
		"notify.new":     "Actualizado",
		"notify.changed": "Tu ticket se actualizó.",
		"notify.offer":   "¿Quieres un aviso cuando soporte responda mientras Outpost está abierto?",
		"notify.enable":  "Avisarme",
	},
}
