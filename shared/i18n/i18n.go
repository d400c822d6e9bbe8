// Package i18n is Outpost's message catalog: every string a user reads goes
// through T, in English or Spanish. Error messages travel as keys (see
// shared.Error) and are translated at the edge, where the reader's language
// is known.
package i18n

import (
	"fmt"
	"strings"
)

// Default is the language used when none is known or asked for.
const Default = "en"

// T returns the message for key in lang, with args formatted into it as by
// fmt.Sprintf. A string argument that names a catalog entry "name.<arg>" is
// translated first, so errors can name fields ("title") in the reader's
// language. A key missing from lang falls back to English, then to the key.
func T(lang, key string, args ...any) string {
	msg, ok := catalog[lang][key]
	if !ok {
		msg, ok = catalog[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	named := make([]any, len(args)) // the caller's slice is not ours to change
	for i, a := range args {
		named[i] = a
		if s, isString := a.(string); isString {
			if name, found := catalog[lang]["name."+s]; found {
				named[i] = name
			}
		}
	}
	return fmt.Sprintf(msg, named...)
}

// Match returns the supported language that best fits a browser's
// preferences (navigator.languages or an Accept-Language header value), or
// Default.
func Match(prefs ...string) string {
	for _, p := range prefs {
		for _, part := range strings.Split(p, ",") {
			tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
			base := strings.SplitN(tag, "-", 2)[0]
			if _, ok := catalog[base]; ok {
				return base
			}
		}
	}
	return Default
}

// Keys returns every key of lang's catalog, for tests.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalog[lang]))
	for k := range catalog[lang] {
		keys = append(keys, k)
	}
	return keys
}

// area is one part of the product's messages in both languages. Each
// area keeps them in its own file (catalog_<area>.go), so areas grow
// without editing one shared literal; areas lists them all.
type area struct{ en, es map[string]string }

// areas is every area's messages, added to the common messages (catalog.go)
// when the package is initialized.
var areas = []area{
	areaAccount, areaAgent, areaAttach, areaAuth, areaCategories,
	areaDashboard, areaDashtable, areaDeskRefusals, areaDevice, areaExpand,
	areaFeedback, areaKb, areaKbedit, areaKiosk, areaLooks, areaMail,
	areaNames, areaNotify, areaOps, areaQuota, areaRelated, areaSecurity,
	areaSignin, areaSla, areaSynonyms, areaTicket, areaTree, areaTreeedit,
	areaTroubleshoot,
}

// catalog maps language → key → message: the common messages and every
// area's. A key defined twice panics at start-up: two areas must not
// fight over one.
var catalog = withAreas(common, areas)

func withAreas(c map[string]map[string]string, areas []area) map[string]map[string]string {
	add := func(lang string, msgs map[string]string) {
		m := c[lang]
		if m == nil {
			m = map[string]string{}
			c[lang] = m
		}
		for k, v := range msgs {
			if _, dup := m[k]; dup {
				panic("i18n: key " + k + " defined twice for " + lang)
			}
			m[k] = v
		}
	}
	for _, a := range areas {
		add("en", a.en)
		add("es", a.es)
	}
	return c
}
