package i18n

func init() {
	register("en", map[string]string{
		"nav.signin":             "Sign in",
		"nav.signin_again":       "Sign in again",
		"nav.agent":              "Agent queue",
		"signin.title":           "Sign in",
		"signin.intro":           "Sign in to follow your tickets from any device. Help articles and troubleshooting work without an account.",
		"signin.email":           "E-mail address",
		"signin.password":        "Password",
		"signin.submit":          "Sign in",
		"signin.offline":         "Cannot reach the server. Signing in needs a connection; everything after works offline.",
		"signin.needs_network":   "You are offline. Signing in needs a connection.",
		"signin.again":           "Sign in again as %v: nothing you did on this device is lost.",
		"signin.signed_in_title": "Your account",
		"signin.signed_in_as":    "Signed in as %v (%v), %v.",
		"signin.signout":         "Sign out",
		"signin.pending_signout": "%v changes have not reached the server yet. Connect and let them sync before signing out, so they are not lost.",
		"signin.other_pending":   "%v has changes on this device that have not been sent. Sign in as %[1]v to send them first.",
	})
	register("es", map[string]string{
		"nav.signin":             "Iniciar sesión",
		"nav.signin_again":       "Volver a iniciar sesión",
		"nav.agent":              "Cola de agente",
		"signin.title":           "Iniciar sesión",
		"signin.intro":           "Inicia sesión para seguir tus tickets desde cualquier dispositivo. Los artículos de ayuda y la resolución guiada funcionan sin cuenta.",
		"signin.email":           "Correo electrónico",
		"signin.password":        "Contraseña",
		"signin.submit":          "Iniciar sesión",
		"signin.offline":         "No se puede contactar con el servidor. Iniciar sesión necesita conexión; lo demás funciona sin ella.",
		"signin.needs_network":   "Estás sin conexión. Iniciar sesión necesita conexión.",
		"signin.again":           "Vuelve a iniciar sesión como %v: no se pierde nada de lo que hiciste en este dispositivo.",
		"signin.signed_in_title": "Tu cuenta",
		"signin.signed_in_as":    "Sesión iniciada como %v (%v), %v.",
		"signin.signout":         "Cerrar sesión",
		"signin.pending_signout": "%v cambios aún no han llegado al servidor. Conéctate y deja que se sincronicen antes de cerrar sesión, para no perderlos.",
		"signin.other_pending":   "%v tiene cambios en este dispositivo sin enviar. Inicia sesión como %[1]v para enviarlos primero.",
	})
}
