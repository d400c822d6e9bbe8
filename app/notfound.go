package app

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// NotFoundPath is the page the server renders, with status 404, for an
// address no route knows (server/http/app.go).
const NotFoundPath = "/not-found"

// notFoundPage says, in the app's own layout, that there is nothing at
// this address, and offers the way home.
type notFoundPage struct{ page }

func (p *notFoundPage) OnMount(ctx app.Context) { p.mountPage(ctx, func(app.Context) {}) }

func (p *notFoundPage) Render() app.UI {
	l := p.lang
	return p.frame(app.Section().ID("not-found").Class("empty-page").Body(
		app.H1().Text(t(l, "notfound.title")),
		app.P().Text(t(l, "notfound.p")),
		app.P().Body(app.A().ID("not-found-home").Class("button").Href("/").Text(t(l, "notfound.home"))),
	))
}
