package i18n

// Messages of the hardening work (issue 15): device keys, sequence
// jumps, busy sign-ins, quotas and connection caps.
var areaSecurity = area{
	en: map[string]string{
		"wire.bad_device_key": "The hello message has no valid device key.",
		"client.bad_key":      "This device's key does not match the one it was registered with. Sign out and in again to start afresh.",
		"wire.seq_jump":       "A change's sequence number %v jumps too far past the last one, %v.",
		"auth.busy":           "Too many sign-ins are being checked right now. Try again in %v seconds.",
		"ws.too_many":         "Too many connections from this account or address. Close a tab or a device and try again.",
		"ws.hello_late":       "The hello message did not arrive in time.",
		"quota.exceeded":      "Too many changes of this kind from your address. Try again later.",
	},
	es: map[string]string{
		"wire.bad_device_key": "El saludo no lleva una clave de dispositivo válida.",
		"client.bad_key":      "La clave de este dispositivo no coincide con la que se registró. Cierra la sesión y vuelve a entrar para empezar de nuevo.",
		"wire.seq_jump":       "El número de secuencia %v de un cambio salta demasiado lejos del último, %v.",
		"auth.busy":           "Ahora mismo se comprueban demasiados inicios de sesión. Inténtalo de nuevo en %v segundos.",
		"ws.too_many":         "Demasiadas conexiones de esta cuenta o dirección. Cierra una pestaña o un dispositivo e inténtalo de nuevo.",
		"ws.hello_late":       "El saludo no llegó a tiempo.",
		"quota.exceeded":      "Demasiados cambios de este tipo desde tu dirección. Inténtalo más tarde.",
	},
}
