package i18n

// Messages of the quotas on accounts, pulls and new connections (issue
// 15): the first argument is the seconds until the device tries again.
var areaQuota = area{
	en: map[string]string{
		"quota.account": "Too many changes from your account in a short time. They are kept on this device and sent again in %v seconds.",
		"quota.pulls":   "This device asked the server for updates too often. It tries again in %v seconds.",
		"quota.sockets": "Too many connections were opened from your network. This device tries again in %v seconds.",
	},
	es: map[string]string{
		"quota.account": "Demasiados cambios de tu cuenta en poco tiempo. Se guardan en este dispositivo y se vuelven a enviar dentro de %v segundos.",
		"quota.pulls":   "Este dispositivo pidió novedades al servidor demasiadas veces. Lo vuelve a intentar dentro de %v segundos.",
		"quota.sockets": "Se abrieron demasiadas conexiones desde tu red. Este dispositivo lo vuelve a intentar dentro de %v segundos.",
	},
}
