# presscrawl developer commands. `make test` is the one command that runs
# every test; CI (.ci/run) calls it.

GO ?= go
PKGS := ./...

.PHONY: all build test lint unit devset bench

all: build

build:
	$(GO) build -o presscrawl ./cmd/presscrawl

## test: formatting and vet checks, then every test (race detector on)
test: lint unit

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -count=1 $(PKGS)

## devset: extraction quality on ../shared/datasets/trafilatura-eval, with the worst pages
devset:
	$(GO) test ./extract -run TestDevSet -count=1 -v -devset.worst 25

## bench: extraction speed side by side (parse floor, plain go-readability, ours)
bench:
	$(GO) test ./extract -run '^$$' -bench DevSet -benchmem -count 6 | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest bench.txt
