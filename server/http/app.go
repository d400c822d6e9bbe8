package http

import (
	"net/http"
	"strconv"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	_ "embed"

	outpost "outpost/app"
	"outpost/shared/i18n"
)

//go:embed worker.js
var workerJS string

// appHandler returns go-app's handler, configured for offline use: local
// icons, a version that changes only when the web files do, the service
// worker in worker.js, and app.wasm served by webFiles.
func (s *Server) appHandler() http.Handler {
	outpost.Routes(outpost.Prerender(prerenderData{store: s.Sync.Store, search: s.search, log: s.Log, categories: s.Sync.Categories}))
	h := &goapp.Handler{
		Name:            "Outpost",
		ShortName:       "Outpost",
		Title:           "Outpost",
		Description:     i18n.T("en", "app.tagline"),
		Lang:            "en",
		BackgroundColor: "#f6f8fa",
		ThemeColor:      "#1f5f8b",
		LoadingLabel:    "Outpost {progress}%",
		Icon: goapp.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-512.png",
			SVG:      "/web/icon.svg",
		},
		Styles:                []string{"/web/app.css"},
		Scripts:               []string{"/web/attach.js"}, // the image shrinker (app/attach_wasm.go)
		CacheableResources:    []string{"/web/icon.svg"},
		Resources:             s.web,
		Version:               s.web.version,
		WasmContentLength:     strconv.Itoa(s.web.wasmLen),
		ServiceWorkerTemplate: workerJS,
	}
	return notFoundPages(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { // web.go
		if !isAsset(r.URL.Path) {
			// Pages carry data, which changes without the app version
			// changing: never answer them 304 on go-app's version ETag.
			r.Header.Del("If-None-Match")
		}
		h.ServeHTTP(w, r)
	}))
}
