# Deposit Desk — two commands matter: `make run` and `make test`.
# Everything they need is installed here (apt packages, Go toolchain, modules),
# cached under the user's cache dir so reruns are quick.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := run

CACHE      := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/depositdesk
export GOMODCACHE := $(CACHE)/gomod
export GOCACHE    := $(CACHE)/gobuild
# Build tags of every build, test and package (scripts/package.sh hands them
# to fyne package, whose own -tags would override these). no_emoji leaves
# out Fyne's colour emoji font, which Fyne parses again for every text style
# and the desk never draws from (decision 68).
export GOTAGS     := no_emoji
export GOFLAGS    := -mod=readonly -tags=$(GOTAGS)
export GOTOOLCHAIN := local
export LANG       := en_US.UTF-8
export CGO_ENABLED := 1
# btcd, btcctl and geth for the chain tests (scripts/nodes.sh installs them once).
export DEPOSITDESK_NODE_BIN := $(CACHE)/nodes-bin

GO  = $(shell scripts/go.sh)
BIN := bin

.PHONY: run test bench lint build package package-check screenshots token openapi deps-gui deps-test deps-nodes

## run: install what the app needs, build it and start it (SQLite in the user config dir; first run opens the setup wizard)
run: build
	$(BIN)/depositdesk $(ARGS)

## build: build the desktop app and the CLI into bin/
build: deps-gui
	$(GO) build -o $(BIN)/depositdesk ./cmd/depositdesk
	$(GO) build -o $(BIN)/depositctl ./cmd/depositctl

## test: install what tests need and run every test (SQLite, a throwaway Postgres cluster, btcd and geth nodes, bitcoinjs-lib, UI)
test: deps-test deps-nodes
	$(GO) vet ./...
	@echo "== core, storage, the intake API and PSBTs signed by bitcoinjs-lib (race detector; storetest cases and API tests under sqlite and postgres)"
	$(GO) test -race -count=1 -timeout 20m -v ./core/... ./storage/... ./internal/... ./intake/... ./interop/...
	@echo "== CLI and UI"
	$(GO) test -count=1 -timeout 20m ./cmd/... ./ui/...
	@echo "== every benchmark of make bench at small sizes (-short), so none rots: a row of the table left empty fails"
	GO=$(GO) $(GO) run ./bench/run -short

## bench: every figure of docs/benchmarks.md measured in one run (1,000,000 records on SQLite and on Postgres, each beside its baseline) and the table written there
bench: deps-test deps-nodes
	GO=$(GO) $(GO) run ./bench/run

## package: installers into dist/, named and versioned by FyneApp.toml: a signed Windows MSI, a Debian .deb, the Linux .tar.xz, SHA256SUMS (macOS is built on a Mac: docs/packaging.md)
package:
	@scripts/deps.sh package
	GO=$(GO) scripts/package.sh

## package-check: package, then check it: signatures, the MSI's tables and files, the .deb's control and contents, the installed app started under Xvfb to its first-run wizard (dist/package-check-wizard.png)
package-check: package
	GO=$(GO) scripts/package-check.sh

## screenshots: render the pages under Xvfb into assets/screenshots/ (README, operator guide)
screenshots:
	@scripts/deps.sh screens
	GO=$(GO) scripts/screenshots.sh

## token: recompile the ERC-20 test token (solc-js from npm) after editing Token.sol
token:
	scripts/token.sh

## openapi: write the intake API's OpenAPI 3.1 document to docs/openapi.json (a test fails while it is stale)
openapi:
	$(GO) run ./cmd/depositctl openapi --out docs/openapi.json

## lint: go vet and gofmt
lint: deps-gui
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

deps-gui:
	@scripts/deps.sh gui

deps-test:
	@scripts/deps.sh test

deps-nodes:
	@GO=$(GO) scripts/nodes.sh >/dev/null
