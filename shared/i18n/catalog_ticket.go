package i18n

func init() {
	register("en", map[string]string{
		"name.reply":             "reply",
		"auth.cross_origin":      "This request came from another site and was refused.",
		"auth.bad_request":       "Send an e-mail address and a password.",
		"ticket.bad_op_id":       "The change ID %q is not a valid ID.",
		"ticket.reply_required":  "Write something before sending.",
		"ticket.bad_assignee":    "Assignee %q is not a valid user ID.",
		"ticket.not_found":       "There is no ticket %v, or it is not yours to see.",
		"ticket.no_assignee":     "There is no agent with the ID %v.",
		"ticket.op_exists":       "This change was already recorded.",
		"ticket.reply_kept":      "Your reply could not be added: %v Your text was kept as a new ticket draft.",
		"ticket.change_refused":  "A change to a ticket was refused: %v",
		"client.bound_elsewhere": "This device was registered by another account. Sign in as that account, or sign out to start afresh.",
		"ticket.other_drafts":    "You have %v other unsent drafts:",
	})
	register("es", map[string]string{
		"name.reply":             "respuesta",
		"auth.cross_origin":      "Esta petición venía de otro sitio y se rechazó.",
		"auth.bad_request":       "Envía una dirección de correo y una contraseña.",
		"ticket.bad_op_id":       "El ID del cambio %q no es válido.",
		"ticket.reply_required":  "Escribe algo antes de enviar.",
		"ticket.bad_assignee":    "El responsable %q no es un ID de usuario válido.",
		"ticket.not_found":       "No existe el ticket %v, o no puedes verlo.",
		"ticket.no_assignee":     "No hay ningún agente con el ID %v.",
		"ticket.op_exists":       "Este cambio ya estaba registrado.",
		"ticket.reply_kept":      "No se pudo añadir tu respuesta: %v Guardamos tu texto como borrador de un ticket nuevo.",
		"ticket.change_refused":  "Se rechazó un cambio en un ticket: %v",
		"client.bound_elsewhere": "Otra cuenta registró este dispositivo. Inicia sesión con esa cuenta, o cierra la sesión para empezar de nuevo.",
		"ticket.other_drafts":    "Tienes %v borradores más sin enviar:",
	})
}
