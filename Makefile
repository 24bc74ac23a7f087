# Warden's build entry points. `make test` is what CI runs.
export PATH := /usr/local/go/bin:$(PATH)
# Builds do not depend on where the checkout is: a fresh clone reuses what
# Go's cache holds from another (without it, every package of the tree is
# compiled again, for the race detector too: minutes per clone).
export GOFLAGS := -trimpath $(GOFLAGS)

.PHONY: all build test lint unit bench call demo fuzz

all: build

# bin/warden, the webview program its plugin windows run in
# (bin/warden-webview: the only binary that links WebKitGTK), and the web
# process extension, bin/webext/libwarden-webext.so (without it every
# invoke is relayed by the webview process: slower).
build:
	go build -o bin/warden ./cmd/warden
	go build -o bin/warden-webview ./cmd/warden-webview
	go run ./cmd/warden-webext bin/webext >/dev/null

# The full test job: formatting, vet, staticcheck and every test; all under
# the race detector but the end-to-end package (see unit).
test: lint unit

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./... $(GUEST)
	GOOS=wasip1 GOARCH=wasm go vet $(GUEST) ./examples/feeds/backend ./examples/files/backend ./examples/hello/backend ./examples/notes/backend
	go tool staticcheck ./... $(GUEST)

# Every package's tests under the race detector, except cmd/warden's: its
# end-to-end tests drive real WebKitGTK windows and warden processes (the
# test binary itself), ten times slower under the detector, and what they
# exercise (host, isolation, plugins/...) is race-tested in those packages.
# They run without it, after the others. Without a display the tests run
# under Xvfb. GORACE keeps each race-built process (test binaries and the
# processes they start) from sleeping a second at exit. The window tests
# save their screenshots (the manager's views) in test-output/screenshots.
# WARDEN_TEST_CACHE
# is a directory the run's test binaries share (built example backends,
# compiled wasm: see internal/plugintest), removed afterwards.
E2E_PKG := github.com/wardenhq/warden/cmd/warden
# The guest SDK is its own module (plugins' backends require it alone);
# Warden's go.mod replaces it with ./sdk/guest, so it is named by path.
GUEST := github.com/wardenhq/warden/sdk/guest/...
unit:
	@set -e; cache=$$(mktemp -d); trap 'rm -rf "$$cache"' EXIT; \
	export WARDEN_TEST_CACHE="$$cache" GORACE=atexit_sleep_ms=0 WARDEN_SCREENSHOTS="$(CURDIR)/test-output/screenshots"; \
	x=; if [ -z "$$DISPLAY" ]; then x='xvfb-run -a -s "-screen 0 1280x720x24"'; fi; \
	eval $$x go test -race -count=1 -timeout 25m $$(go list ./... | grep -vx '$(E2E_PKG)') $(GUEST); \
	eval $$x go test -count=1 -timeout 25m $(E2E_PKG)

# Every fuzz target in the repository, one at a time, for FUZZTIME each
# (make fuzz FUZZTIME=1m). scripts/fuzz.sh finds the targets itself, so new
# ones are included. An input that makes a target fail is saved by Go under
# that package's testdata/fuzz/<FuzzName>/: commit it with the fix, and
# `make test` replays it from then on (go test runs every saved input of a
# fuzz target as a regular test).
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# Benchmarks whose results go to bench/RESULTS.md.
bench:
	bash bench/run.sh

# The main job: the example plugins in their own windows (under Xvfb when
# there is no display), driven like a user would, with a screenshot.
demo: build
	./bin/warden demo

# One sealed invoke of the hello example through the whole mediator.
call: build
	./bin/warden call examples/hello backend.greet '"Ada"'
