// Package searchcorpus generates the corpus the search benchmarks and
// result checks use: seeded, reproducible IT help articles in English and
// Spanish (about 60/40), built from an IT vocabulary (devices and their
// models, applications, errors and error codes, host names, offices,
// steps, commands), with Markdown bodies of a few hundred words; and the
// queries typed against them (exact, with a typo, prefixes, Spanish without
// accents). shared/search's tests and the in-browser benchmark in e2e both
// use it, so they measure the same thing.
package searchcorpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// Doc is one generated article, in the JSON the benchmarks hand to the
// engines.
type Doc struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
	Body     string   `json:"body"`
}

// Query is one query, typed in the language of the UI (Lang), with what
// kind of typing it imitates.
type Query struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
	Kind string `json:"kind"` // exact, typo, prefix, noaccent (Spanish without accents)
}

// pair is a phrase in English and in Spanish.
type pair struct{ en, es string }

func (p pair) in(lang string) string {
	if lang == "es" {
		return p.es
	}
	return p.en
}

var (
	corpusDevices = []pair{
		{"printer", "impresora"}, {"laptop", "portátil"}, {"monitor", "monitor"},
		{"docking station", "base de conexión"}, {"keyboard", "teclado"}, {"mouse", "ratón"},
		{"webcam", "cámara web"}, {"headset", "auriculares"}, {"scanner", "escáner"},
		{"projector", "proyector"}, {"smartphone", "teléfono móvil"}, {"tablet", "tableta"},
		{"router", "router"}, {"access point", "punto de acceso"}, {"hard drive", "disco duro"},
		{"USB stick", "memoria USB"}, {"badge reader", "lector de tarjetas"},
		{"desk phone", "teléfono de escritorio"}, {"label printer", "impresora de etiquetas"},
		{"barcode scanner", "lector de códigos de barras"}, {"external display", "pantalla externa"},
		{"battery", "batería"}, {"charger", "cargador"}, {"touchpad", "panel táctil"},
		{"fingerprint reader", "lector de huellas"}, {"network switch", "conmutador de red"},
		{"thin client", "cliente ligero"}, {"file server", "servidor de archivos"},
		{"UPS", "SAI"}, {"conference room display", "pantalla de la sala de reuniones"},
		{"speakerphone", "altavoz de conferencia"}, {"graphics tablet", "tableta gráfica"},
		{"SIM card", "tarjeta SIM"}, {"power adapter", "adaptador de corriente"},
	}
	corpusApps = []string{
		"Outlook", "Teams", "Excel", "Word", "PowerPoint", "OneDrive", "SharePoint", "SAP GUI",
		"Salesforce", "Chrome", "Firefox", "Edge", "Zoom", "Citrix Workspace", "Adobe Acrobat",
		"AutoCAD", "Slack", "Jira", "Confluence", "GlobalProtect", "AnyConnect", "BitLocker",
		"Windows Update", "Company Portal", "Okta Verify", "Microsoft Authenticator", "1Password",
		"Visual Studio Code", "Power BI", "Dynamics 365", "Webex", "Thunderbird", "LibreOffice",
		"FortiClient", "Tableau", "Notepad++", "7-Zip", "VLC", "PuTTY", "WinSCP", "KeePass",
	}
	corpusErrors = []pair{
		{"paper jam", "atasco de papel"}, {"no signal", "sin señal"}, {"access denied", "acceso denegado"},
		{"certificate expired", "certificado caducado"}, {"disk full", "disco lleno"},
		{"blue screen", "pantalla azul"}, {"connection timed out", "tiempo de espera agotado"},
		{"driver not found", "controlador no encontrado"}, {"account locked", "cuenta bloqueada"},
		{"password expired", "contraseña caducada"}, {"sync failed", "error de sincronización"},
		{"no internet access", "sin acceso a internet"}, {"low toner", "tóner bajo"},
		{"device not recognized", "dispositivo no reconocido"}, {"mailbox full", "buzón lleno"},
		{"license not valid", "licencia no válida"}, {"update failed", "actualización fallida"},
		{"battery not charging", "la batería no carga"}, {"microphone not working", "el micrófono no funciona"},
		{"screen flickering", "la pantalla parpadea"}, {"slow performance", "rendimiento lento"},
		{"cannot print", "no se puede imprimir"}, {"VPN disconnects", "la VPN se desconecta"},
		{"Wi-Fi drops", "el Wi-Fi se cae"}, {"two-factor code rejected", "código de doble factor rechazado"},
		{"file is locked", "el archivo está bloqueado"}, {"out of memory", "memoria insuficiente"},
		{"DNS lookup failed", "fallo de resolución DNS"}, {"sign-in loop", "bucle de inicio de sesión"},
		{"no sound", "sin sonido"}, {"overheating", "sobrecalentamiento"}, {"keeps freezing", "se congela"},
		{"won't turn on", "no enciende"}, {"prints blank pages", "imprime páginas en blanco"},
		{"calendar not updating", "el calendario no se actualiza"}, {"shared drive missing", "falta la unidad compartida"},
	}
	corpusStopCodes = []string{
		"IRQL_NOT_LESS_OR_EQUAL", "CRITICAL_PROCESS_DIED", "KERNEL_DATA_INPAGE_ERROR",
		"PAGE_FAULT_IN_NONPAGED_AREA", "SYSTEM_SERVICE_EXCEPTION", "DPC_WATCHDOG_VIOLATION",
		"ERR_CONNECTION_RESET", "ERR_CERT_DATE_INVALID", "ERR_NAME_NOT_RESOLVED", "ERR_PROXY_CONNECTION_FAILED",
	}
	corpusCategories = []pair{
		{"hardware", "hardware"}, {"network", "red"}, {"accounts", "cuentas"}, {"email", "correo"},
		{"printing", "impresión"}, {"software", "software"}, {"security", "seguridad"},
		{"phones", "teléfonos"}, {"meetings", "reuniones"}, {"storage", "almacenamiento"},
	}
	corpusBrands = []struct {
		name   string
		series []string
	}{
		{"HP", []string{"LaserJet", "OfficeJet", "EliteBook", "ProBook", "EliteDesk", "ZBook"}},
		{"Dell", []string{"Latitude", "OptiPlex", "Precision", "XPS", "UltraSharp", "WD"}},
		{"Lenovo", []string{"ThinkPad", "ThinkCentre", "ThinkVision", "IdeaPad", "ThinkStation"}},
		{"Canon", []string{"imageRUNNER", "PIXMA", "i-SENSYS", "imageFORMULA"}},
		{"Epson", []string{"WorkForce", "EcoTank", "EB"}},
		{"Brother", []string{"HL", "MFC", "QL", "ADS"}},
		{"Logitech", []string{"MX", "Brio", "Rally", "Zone", "C"}},
		{"Jabra", []string{"Evolve", "Speak", "Engage", "PanaCast"}},
		{"Poly", []string{"Voyager", "Studio", "CCX", "Sync"}},
		{"Cisco", []string{"Catalyst", "Meraki", "IP Phone", "Webex Desk"}},
		{"Ubiquiti", []string{"UniFi", "EdgeRouter", "AmpliFi"}},
		{"Samsung", []string{"Galaxy", "ViewFinity", "Odyssey"}},
		{"Apple", []string{"MacBook Pro", "MacBook Air", "iPhone", "iPad", "iMac"}},
		{"Zebra", []string{"ZT", "ZD", "DS", "TC"}},
		{"Xerox", []string{"VersaLink", "AltaLink", "WorkCentre"}},
		{"Ricoh", []string{"IM", "SP", "MP"}},
		{"Kyocera", []string{"ECOSYS", "TASKalfa"}},
		{"Microsoft", []string{"Surface Pro", "Surface Laptop", "Surface Hub"}},
	}
	corpusOffices = []string{
		"Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Zaragoza", "Málaga", "Lisbon", "Porto",
		"London", "Dublin", "Berlin", "Munich", "Paris", "Lyon", "Milan", "Amsterdam", "Brussels",
		"Mexico City", "Guadalajara", "Monterrey", "Bogotá", "Medellín", "Lima", "Santiago", "Buenos Aires",
		"Córdoba", "Montevideo", "Quito", "San José", "Austin", "Toronto", "Miami", "Panamá",
	}
	corpusCommands = []string{
		"ipconfig /flushdns", "gpupdate /force", "sfc /scannow", "netsh winsock reset",
		"DISM /Online /Cleanup-Image /RestoreHealth", "lpstat -p", "sudo killall -HUP mDNSResponder",
		"Get-Printer | Format-Table", "chkdsk C: /f", "ping -n 20 gateway", "tracert intranet",
		"nslookup portal", "klist purge", "dsregcmd /status", "Restart-Service Spooler",
		"powercfg /batteryreport", "manage-bde -status", "systemctl restart NetworkManager",
	}
)

// Sentence templates: {d} device, {a} app, {e} error, {c} error code, {m}
// model, {o} office, {h} host name, {n} a number, {x} command.
var corpusSentences = map[string][]string{
	"en": {
		"Users in the {o} office report that the {d} shows {e} after the latest update.",
		"The message {c} appears when you open {a} on a {m}.",
		"This usually happens when the {d} lost its connection to {h} during a restart.",
		"If several people on the same floor see {e}, the problem is probably on the server side and not on your {d}.",
		"Most of the time the cause is an outdated driver, a cached password or a cable that is not fully seated.",
		"On a {m} the setting is under Settings > Devices; on older models it is in the Control Panel.",
		"The {d} keeps a log of recent errors; the last {n} entries are enough for the service desk.",
		"Since the migration to the new domain, {a} may ask for your credentials every {n} minutes.",
		"Before you start, save your work and close {a} and any other open documents.",
		"The {d} in meeting rooms is managed centrally, so do not change its network settings yourself.",
		"After a firmware upgrade the {m} can take up to {n} minutes to restart completely.",
		"If you work from home, connect to the VPN first so that {a} can reach {h}.",
		"Error {c} means that the certificate of {h} is not trusted by your computer.",
		"Battery life on the {m} drops sharply when the screen brightness stays at maximum.",
		"Shared printers are published by {h}; the queue name matches the floor and room number.",
		"The security team blocks USB storage on managed laptops, so an unknown stick shows {e}.",
		"Temporary files in {a} can grow to several gigabytes and slow the whole computer down.",
		"A red light on the {d} means a hardware fault; an orange light means it is waiting for a network address.",
		"When the {d} is connected through the docking station, try a direct cable to rule out the dock.",
		"We replaced the {m} fleet in {o} last year, so the old drivers are no longer supported.",
		"Ticket statistics show that {e} is one of the most frequent problems reported this quarter.",
		"Keep the serial number of your {d} at hand; it is printed on a label underneath.",
	},
	"es": {
		"Los usuarios de la oficina de {o} indican que la {d} muestra {e} después de la última actualización.",
		"El mensaje {c} aparece al abrir {a} en un {m}.",
		"Normalmente ocurre cuando el equipo pierde la conexión con {h} durante un reinicio.",
		"Si varias personas de la misma planta ven {e}, el problema está en el servidor y no en su equipo.",
		"La causa más habitual es un controlador antiguo, una contraseña guardada o un cable mal conectado.",
		"En un {m} la opción está en Configuración > Dispositivos; en modelos anteriores, en el Panel de control.",
		"El dispositivo guarda un registro de errores recientes; las últimas {n} entradas bastan para el centro de soporte.",
		"Desde la migración al nuevo dominio, {a} puede pedir sus credenciales cada {n} minutos.",
		"Antes de empezar, guarde su trabajo y cierre {a} y cualquier otro documento abierto.",
		"Los equipos de las salas de reuniones se gestionan de forma centralizada: no cambie su configuración de red.",
		"Después de actualizar el firmware, el {m} puede tardar hasta {n} minutos en reiniciarse por completo.",
		"Si trabaja desde casa, conéctese primero a la VPN para que {a} pueda llegar a {h}.",
		"El error {c} significa que su ordenador no confía en el certificado de {h}.",
		"La autonomía de la batería del {m} baja mucho si el brillo de la pantalla se queda al máximo.",
		"Las impresoras compartidas se publican en {h}; el nombre de la cola indica la planta y la sala.",
		"El equipo de seguridad bloquea el almacenamiento USB en los portátiles gestionados, por eso aparece {e}.",
		"Los archivos temporales de {a} pueden ocupar varios gigabytes y ralentizar todo el equipo.",
		"Una luz roja indica una avería de hardware; una luz naranja indica que espera una dirección de red.",
		"Si el equipo está conectado a través de la base de conexión, pruebe con un cable directo.",
		"El año pasado sustituimos los {m} de {o}, así que los controladores antiguos ya no tienen soporte.",
		"Las estadísticas de incidencias muestran que {e} es uno de los problemas más frecuentes de este trimestre.",
		"Tenga a mano el número de serie del dispositivo; está impreso en una etiqueta en la parte inferior.",
	},
}

var corpusSteps = map[string][]string{
	"en": {
		"Restart the {d} and wait until the status light is steady.",
		"Unplug the power cable, wait {n} seconds and plug it back in.",
		"Open {a} and go to **Settings > Accounts**.",
		"Sign out of {a}, then sign in again with your company account.",
		"Run `{x}` in a terminal opened as administrator.",
		"Check that the cable between the {d} and the wall socket is firmly connected.",
		"Update the driver from the Company Portal (search for *{m}*).",
		"Clear the cache of {a}: close it, delete the temporary folder and open it again.",
		"Reconnect to the Wi-Fi network `CORP-{o}` and accept the certificate of {h}.",
		"Remove the {d} from the list of devices and add it again.",
		"Replace the toner or ink cartridge if the indicator shows it is empty.",
		"Enable two-factor authentication again in Okta Verify if the code is rejected.",
		"Reset your password at the self-service portal; the new one must have {n} characters or more.",
		"If the problem persists, open a ticket and attach the error code {c} and a photo of the screen.",
		"Disconnect the docking station, connect the {d} directly and test again.",
		"Install the pending updates from Windows Update and restart twice.",
	},
	"es": {
		"Reinicie el dispositivo y espere hasta que la luz de estado quede fija.",
		"Desenchufe el cable de alimentación, espere {n} segundos y vuelva a enchufarlo.",
		"Abra {a} y vaya a **Configuración > Cuentas**.",
		"Cierre la sesión de {a} y vuelva a iniciarla con su cuenta de la empresa.",
		"Ejecute `{x}` en una terminal abierta como administrador.",
		"Compruebe que el cable entre el equipo y el enchufe está bien conectado.",
		"Actualice el controlador desde el Portal de empresa (busque *{m}*).",
		"Borre la caché de {a}: ciérrelo, elimine la carpeta temporal y vuelva a abrirlo.",
		"Vuelva a conectarse a la red Wi-Fi `CORP-{o}` y acepte el certificado de {h}.",
		"Quite el dispositivo de la lista de dispositivos y vuelva a añadirlo.",
		"Sustituya el tóner o el cartucho de tinta si el indicador muestra que está vacío.",
		"Active de nuevo la autenticación de doble factor en Okta Verify si el código es rechazado.",
		"Restablezca su contraseña en el portal de autoservicio; la nueva debe tener {n} caracteres o más.",
		"Si el problema continúa, abra una incidencia y adjunte el código de error {c} y una foto de la pantalla.",
		"Desconecte la base de conexión, conecte el dispositivo directamente y vuelva a probar.",
		"Instale las actualizaciones pendientes desde Windows Update y reinicie dos veces.",
	},
}

var corpusTitles = map[string][]string{
	"en": {
		"{D}: {e} on the {m}", "How to fix {e} in {a}", "Error {c} when opening {a}",
		"{D} shows {e} in the {o} office", "Set up the {m} for {a}", "{a}: {e} after an update",
		"Troubleshoot {e} on a {d}", "Replace the {d} of a {m}",
	},
	"es": {
		"{D}: {e} en el {m}", "Cómo solucionar {e} en {a}", "Error {c} al abrir {a}",
		"{D}: {e} en la oficina de {o}", "Configurar el {m} para {a}", "{a}: {e} tras una actualización",
		"Solucionar {e} en un dispositivo", "Sustituir la {d} de un {m}",
	},
}

var corpusSummaries = map[string][]string{
	"en": {
		"What to do when the {d} shows {e}: the usual causes and the steps that solve it in a few minutes.",
		"Steps to solve {e} in {a} on managed computers, and when to call the service desk.",
		"Why {c} appears and how to get {a} working again without losing your data.",
	},
	"es": {
		"Qué hacer cuando la {d} muestra {e}: las causas habituales y los pasos que lo resuelven en pocos minutos.",
		"Pasos para resolver {e} en {a} en los equipos gestionados, y cuándo llamar al centro de soporte.",
		"Por qué aparece {c} y cómo hacer que {a} vuelva a funcionar sin perder sus datos.",
	},
}

// corpusGen draws articles from a seeded generator.
type corpusGen struct {
	r      *rand.Rand
	models []string
	codes  []string
	hosts  []string
}

func newCorpusGen(seed uint64) *corpusGen {
	g := &corpusGen{r: rand.New(rand.NewPCG(seed, 0x6f7574706f7374))}
	for range 400 {
		b := corpusBrands[g.r.IntN(len(corpusBrands))]
		s := b.series[g.r.IntN(len(b.series))]
		code := fmt.Sprintf("%c%d", 'A'+rune(g.r.IntN(26)), 100+g.r.IntN(9900))
		if g.r.IntN(3) == 0 {
			code += []string{"dn", "dw", "x", " G2", " Gen 3", "s", "e", " Plus"}[g.r.IntN(8)]
		}
		g.models = append(g.models, b.name+" "+s+" "+code)
	}
	for range 500 {
		g.codes = append(g.codes, fmt.Sprintf("0x%08X", 0x80000000|g.r.Uint32()&0x0fffffff))
	}
	g.codes = append(g.codes, corpusStopCodes...)
	sites := []string{"mad", "bcn", "vlc", "svq", "bio", "lis", "lon", "dub", "ber", "mex", "bog", "lim", "scl", "bue"}
	kinds := []string{"srv", "prn", "fs", "dc", "vpn", "sql", "app", "wap", "sw"}
	for range 600 {
		g.hosts = append(g.hosts, fmt.Sprintf("%s-%s-%03d", kinds[g.r.IntN(len(kinds))], sites[g.r.IntN(len(sites))], g.r.IntN(300)))
	}
	return g
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// article returns article i.
func (g *corpusGen) article(i int) Doc {
	r := g.r
	lang := "en"
	if r.IntN(10) < 4 {
		lang = "es"
	}
	dev, app, errp, model := pick(r, corpusDevices), pick(r, corpusApps), pick(r, corpusErrors), pick(r, g.models)
	code, office, host := pick(r, g.codes), pick(r, corpusOffices), pick(r, g.hosts)
	fill := func(s string) string {
		var b strings.Builder
		for {
			k := strings.IndexByte(s, '{')
			if k < 0 {
				b.WriteString(s)
				return b.String()
			}
			b.WriteString(s[:k])
			end := strings.IndexByte(s[k:], '}') + k
			switch s[k+1 : end] {
			case "d":
				b.WriteString(dev.in(lang))
			case "D":
				d := dev.in(lang)
				b.WriteString(strings.ToUpper(d[:1]) + d[1:])
			case "a":
				b.WriteString(app)
			case "e":
				b.WriteString(errp.in(lang))
			case "c":
				b.WriteString(code)
			case "m":
				b.WriteString(model)
			case "o":
				b.WriteString(office)
			case "h":
				b.WriteString(host)
			case "n":
				fmt.Fprint(&b, 2+r.IntN(58))
			case "x":
				b.WriteString(pick(r, corpusCommands))
			}
			s = s[end+1:]
			// A sentence may mention other things of the same kind.
			if r.IntN(4) == 0 {
				switch r.IntN(4) {
				case 0:
					model = pick(r, g.models)
				case 1:
					host = pick(r, g.hosts)
				case 2:
					app = pick(r, corpusApps)
				case 3:
					code = pick(r, g.codes)
				}
			}
		}
	}
	paragraph := func(n int) string {
		ss := make([]string, n)
		for i := range ss {
			ss[i] = fill(pick(r, corpusSentences[lang]))
		}
		return strings.Join(ss, " ")
	}
	title := fill(pick(r, corpusTitles[lang]))
	summary := fill(pick(r, corpusSummaries[lang]))
	cat := pick(r, corpusCategories)
	tags := []string{dev.in(lang), app, errp.in(lang)}
	if r.IntN(2) == 0 {
		tags = append(tags, strings.SplitN(model, " ", 2)[0])
	}
	if r.IntN(3) == 0 {
		tags = append(tags, office)
	}

	h := map[string][4]string{
		"en": {"Symptoms", "Cause", "Steps", "More information"},
		"es": {"Síntomas", "Causa", "Pasos", "Más información"},
	}[lang]
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", h[0], paragraph(2+r.IntN(3)))
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, "> %s\n\n", fill(pick(r, corpusSentences[lang])))
	}
	fmt.Fprintf(&b, "## %s\n\n%s\n\n%s\n\n## %s\n\n", h[1], paragraph(2+r.IntN(3)), paragraph(1+r.IntN(3)), h[2])
	for n := range 4 + r.IntN(6) {
		fmt.Fprintf(&b, "%d. %s\n", n+1, fill(pick(r, corpusSteps[lang])))
	}
	if r.IntN(4) == 0 {
		b.WriteString("\n```\n" + pick(r, corpusCommands) + "\n```\n")
	}
	if r.IntN(4) == 0 {
		col := map[string][2]string{"en": {"Model", "Driver"}, "es": {"Modelo", "Controlador"}}[lang]
		fmt.Fprintf(&b, "\n| %s | %s |\n| --- | --- |\n", col[0], col[1])
		for range 2 + r.IntN(3) {
			fmt.Fprintf(&b, "| %s | %d.%d.%d |\n", pick(r, g.models), 1+r.IntN(30), r.IntN(10), r.IntN(999))
		}
	}
	fmt.Fprintf(&b, "\n## %s\n\n%s\n", h[3], paragraph(1+r.IntN(3)))
	return Doc{
		ID:   fmt.Sprintf("kb-%s-%05d", lang, i),
		Lang: lang, Title: title, Summary: summary, Category: cat.in(lang), Tags: tags, Body: b.String(),
	}
}

// benchCorpus returns n articles; the same n and seed give the same corpus.
// Articles returns n generated articles, the same for the same seed.
func Articles(n int, seed uint64) []Doc {
	g := newCorpusGen(seed)
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = g.article(i)
	}
	return docs
}

// benchQueries draws n queries from the words of the corpus, as people type
// them: one to three words from an article's title, tags or body, lower
// case; about 25% with one typo (an edit in a word of 4+ letters), 15% cut
// short (search as you type), and Spanish ones often without accents.
// Queries returns n queries typed against docs, the same for the same
// seed. fold and stop are the search engine's accent folding and stop-word
// test (search.Fold, search.IsStopWord), passed in so this package does not
// import the engine it is used to test.
func Queries(docs []Doc, n int, seed uint64, fold func(string) string, stop func(lang, word string) bool) []Query {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b9))
	words := func(s, lang string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(s, func(c rune) bool {
			return !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0xC0)
		}) {
			if utf8.RuneCountInString(w) >= 3 && !stop(lang, fold(w)) {
				out = append(out, strings.ToLower(w))
			}
		}
		return out
	}
	var qs []Query
	for len(qs) < n {
		d := docs[r.IntN(len(docs))]
		var src string
		switch k := r.IntN(10); {
		case k < 6:
			src = d.Title
		case k < 8:
			src = strings.Join(d.Tags, " ")
		default:
			src = d.Body
		}
		ws := words(src, d.Lang)
		if len(ws) == 0 {
			continue
		}
		length := []int{1, 1, 2, 2, 2, 3}[r.IntN(6)]
		start := r.IntN(len(ws))
		end := min(len(ws), start+length)
		q := append([]string(nil), ws[start:end]...)
		kind := "exact"
		switch k := r.IntN(100); {
		case k < 25:
			var long []int
			for i, w := range q {
				if utf8.RuneCountInString(w) >= 4 && !strings.ContainsAny(w, "0123456789-") {
					long = append(long, i)
				}
			}
			if len(long) == 0 {
				continue // draw again: a typo needs a word of 4+ letters
			}
			i := long[r.IntN(len(long))]
			q[i] = typo(r, q[i])
			kind = "typo"
		case k < 40:
			last := []rune(q[len(q)-1])
			if len(last) < 4 {
				continue
			}
			q[len(q)-1] = string(last[:2+r.IntN(len(last)-2)])
			kind = "prefix"
		}
		text := strings.Join(q, " ")
		if d.Lang == "es" && kind != "typo" && text != fold(text) && r.IntN(2) == 0 {
			text = fold(text)
			kind = "noaccent"
		}
		qs = append(qs, Query{Text: text, Lang: d.Lang, Kind: kind})
	}
	return qs
}

// typo applies one random edit to w: a substitution by a neighbouring key,
// a deletion, a doubled letter or two letters swapped.
func typo(r *rand.Rand, w string) string {
	const rows = "qwertyuiop asdfghjkl zxcvbnm"
	rs := []rune(w)
	for {
		i := r.IntN(len(rs))
		out := append([]rune(nil), rs...)
		switch r.IntN(4) {
		case 0:
			k := strings.IndexRune(rows, rs[i])
			if k < 0 {
				continue
			}
			nb := k + 1
			if r.IntN(2) == 0 {
				nb = k - 1
			}
			if nb < 0 || nb >= len(rows) || rows[nb] == ' ' {
				continue
			}
			out[i] = rune(rows[nb])
		case 1:
			out = append(out[:i], out[i+1:]...)
		case 2:
			out = append(out[:i+1], out[i:]...)
		case 3:
			if i+1 >= len(rs) || rs[i] == rs[i+1] {
				continue
			}
			out[i], out[i+1] = out[i+1], out[i]
		}
		if s := string(out); s != w {
			return s
		}
	}
}
