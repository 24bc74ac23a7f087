# Warden's build entry points. `make test` is what CI runs.
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: all build test lint vet staticcheck unit bench fuzz call

all: build

build:
	go build -o bin/warden ./cmd/warden

# The full test job: formatting, vet, staticcheck and every test under the race detector.
test: lint unit

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	GOOS=wasip1 GOARCH=wasm go vet ./sdk/guest/... ./examples/...
	go tool staticcheck ./...

unit:
	go test -race -count=1 -timeout 20m ./...

# Benchmarks whose results go to bench/RESULTS.md.
bench:
	bash bench/run.sh

# The main job for now: one sealed invoke of the hello example through the whole mediator.
call: build
	./bin/warden call examples/hello backend.greet '"Ada"'
