package i18n

// Messages of operating the server: metrics, readiness, backups.
var areaOps = area{
	en: map[string]string{
		"ops.admin_only": "Only administrators can see the server's metrics.",
		"ops.not_ready":  "The server is not ready: %v.",
	},
	es: map[string]string{
		"ops.admin_only": "Solo los administradores pueden ver las métricas del servidor.",
		"ops.not_ready":  "El servidor no está listo: %v.",
	},
}
