// Command wasm is Outpost's browser app, built to web/app.wasm. It holds only
// the client: the server, Badger and flag handling stay out of the browser's
// download (see e2e's dependency test).
package main

import (
	_ "time/tzdata" // the SLA calendar's zone, offline: the browser has no zoneinfo

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	outpost "outpost/app"
)

func main() {
	outpost.Routes(outpost.Start())
	app.RunWhenOnBrowser()
}
