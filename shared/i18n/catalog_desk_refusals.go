package i18n

// Messages of refusals at the concierge desk and the kiosk: a visit the
// server did not change, a check-in it did not take, a kiosk that may no
// longer check visitors in.
var areaDeskRefusals = area{
	en: map[string]string{
		"desk.refused":          "Not done for %v: %v",
		"desk.refused_dismiss":  "Dismiss",
		"kiosk.checkin_refused": "Check-in %v did not reach the desk: %v Please tell a member of staff.",
		"kiosk.cannot_checkin":  "This kiosk cannot check visitors in now: %v Please go to the help desk.",
	},
	es: map[string]string{
		"desk.refused":          "No se hizo para %v: %v",
		"desk.refused_dismiss":  "Cerrar",
		"kiosk.checkin_refused": "El registro %v no llegó al mostrador: %v Avise a alguien del personal.",
		"kiosk.cannot_checkin":  "Este quiosco no puede registrar visitantes ahora: %v Acuda al mostrador de soporte.",
	},
}
