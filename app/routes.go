package app

import (
	"sync"
	"sync/atomic"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How the app is wired. The WebAssembly main calls Start, which builds the
// Client (store, search index, engine, tab sync, notifications, uploader:
// start_wasm.go), then Routes(c), then app.RunWhenOnBrowser. The server
// calls Routes(Prerender(data)) before serving pages. Every page is built
// from the table below with the client it is given, and reaches the
// replica, the engine and the signed-in user through p.client; nothing
// else is shared between pages.
//
// Package-level mutable state in app/, all of it (everything else lives on
// the Client):
//
//   - routing (below): go-app's router is process-wide and builds pages
//     without a way to hand them anything, and it prerenders with
//     context.Background(), so the client pages are built with sits here.
//     Routes registers the table once (tests start several servers in one
//     process) and replaces the client on every call: the last server
//     started prerenders from its own store.
//
// Constant tables (weekOrder, monthKeys, answerStyle…) are never written.

// routing is what go-app's process-wide router needs from us.
var routing struct {
	once   sync.Once
	client atomic.Pointer[Client]
}

// route is one page: an exact path, or a regular expression when re is set,
// and how to build its component.
type route struct {
	path string
	re   bool
	page func(page) app.Composer
}

// routeTable is every page of the app, in one place. Exact paths are
// matched first; expressions in this order.
var routeTable = []route{
	{path: "/", page: func(p page) app.Composer { return &home{page: p} }},
	{path: `^/article/[a-z0-9-]{1,64}$`, re: true, page: func(p page) app.Composer { return &articlePage{page: p} }},
	{path: "/ticket/new", page: func(p page) app.Composer { return &ticketNew{page: p} }},
	{path: "/tickets", page: func(p page) app.Composer { return &ticketList{page: p} }},
	{path: `^/ticket/[0-9a-f-]{36}$`, re: true, page: func(p page) app.Composer { return &ticketPage{page: p} }},
	{path: "/device", page: func(p page) app.Composer { return &devicePage{page: p} }},
	{path: "/signin", page: func(p page) app.Composer { return &signinPage{page: p} }},
	{path: "/account", page: func(p page) app.Composer { return &accountPage{page: p} }},
	{path: "/troubleshoot", page: func(p page) app.Composer { return &troubleshootList{page: p} }},
	{path: `^/troubleshoot/[a-z0-9-]{1,64}$`, re: true, page: func(p page) app.Composer { return &troubleshootRun{page: p} }},
	// staff
	{path: "/agent", page: func(p page) app.Composer { return &agentQueue{page: p} }},
	{path: "/agent/dashboard", page: func(p page) app.Composer { return &dashboard{page: p} }},
	{path: "/desk", page: func(p page) app.Composer { return &deskPage{page: p} }},
	{path: "/kb/new", page: func(p page) app.Composer { return &kbEdit{page: p} }},
	{path: `^/kb/edit/[a-z0-9-]{1,64}$`, re: true, page: func(p page) app.Composer { return &kbEdit{page: p} }},
	{path: "/kb/report", page: func(p page) app.Composer { return &kbReport{page: p} }},
	{path: "/troubleshoot/new", page: func(p page) app.Composer { return &treeEdit{page: p} }},
	{path: `^/troubleshoot/edit/[a-z0-9-]{1,64}$`, re: true, page: func(p page) app.Composer { return &treeEdit{page: p} }},
	{path: "/troubleshoot/stats", page: func(p page) app.Composer { return &treeStatsPage{page: p} }},
	// admins
	{path: "/admin/sla", page: func(p page) app.Composer { return &slaAdmin{page: p} }},
	{path: "/admin/categories", page: func(p page) app.Composer { return &categoryAdmin{page: p} }},
	{path: "/admin/kiosks", page: func(p page) app.Composer { return &adminKiosks{page: p} }},
	{path: "/kb/synonyms", page: func(p page) app.Composer { return &synonymAdmin{page: p} }},
	// kiosks
	{path: "/kiosk", page: func(p page) app.Composer { return &kioskPage{page: p} }},
	{path: "/kiosk/board", page: func(p page) app.Composer { return &kioskBoard{page: p} }},
	{path: NotFoundPath, page: func(p page) app.Composer { return &notFoundPage{page: p} }},
}

// Routes registers every page, each built with c. The WebAssembly main
// passes the client Start returned, the server Prerender(its data); both
// register the same table, so a prerendered page and the page the app then
// shows are the same component.
func Routes(c *Client) {
	if c == nil {
		c = &Client{}
	}
	routing.client.Store(c)
	routing.once.Do(func() {
		for _, r := range routeTable {
			newPage := func() app.Composer { return r.page(page{client: routing.client.Load()}) }
			if r.re {
				app.RouteWithRegexp(r.path, newPage)
			} else {
				app.Route(r.path, newPage)
			}
		}
		// Every other address shows the not-found page in the browser, in
		// place of go-app's bare "404" screen. Only the browser gets it: the
		// server must still see such an address as unknown to answer 404.
		if app.IsClient {
			app.RouteWithRegexp(`^/`, func() app.Composer { return &notFoundPage{page: page{client: routing.client.Load()}} })
		}
	})
}
