// Package web embeds the static files served under /web/: the stylesheet,
// the icons, and the build outputs app.wasm, app.wasm.br and app.wasm.gz
// (ignored by git; `make build` writes them before building the server).
package web

import "embed"

// Files holds every file in this folder.
//
//go:embed *
var Files embed.FS
