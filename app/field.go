package app

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// option is one choice of a select: the value the app works with and the
// label people read. A blank value means "none" or "all".
type option struct{ value, label string }

// inputValue is the value of the input, textarea or select an event came
// from. Every select's handler reads its choice here, never the element's
// value property directly: go-app v10.1.11 drops an empty attribute
// (attributes.Set keeps "" for none), so Option().Value("") — "All",
// "Not sure", "Unassigned" — has no value attribute, and the browser's value
// of such an option is its label. An option without the attribute is
// therefore the blank one.
func inputValue(ctx app.Context) string {
	return elementValue(ctx.JSSrc())
}

// browserOnline is navigator.onLine (true where there is no browser).
func browserOnline() bool {
	if !app.IsClient {
		return true
	}
	return app.Window().Get("navigator").Get("onLine").Bool()
}

func elementValue(el app.Value) string {
	if el.Get("tagName").String() == "SELECT" {
		i := el.Get("selectedIndex").Int()
		if i < 0 {
			return ""
		}
		if opt := el.Get("options").Index(i); !opt.Call("hasAttribute", "value").Bool() {
			return ""
		}
	}
	return el.Get("value").String()
}
