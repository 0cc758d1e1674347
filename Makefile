# presscrawl developer commands. `make test` is the one command that runs
# every test; CI (.ci/run) calls it.

GO ?= go
PKGS := ./...

.PHONY: all build test lint unit devset bench crawlbench demo

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
	$(GO) test ./extract -run 'TestDevSet|TestLanguageDetector' -count=1 -v -devset.worst 25 -devset.compare

## bench: extraction speed side by side (parse floor, plain go-readability, go-trafilatura, ours)
bench:
	$(GO) test ./extract -run '^$$' -bench DevSet -benchmem -count 6 | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest bench.txt

## crawlbench: local crawls of 1,000 and 10,000 synthetic articles: pages/s and peak RSS
## (the site runs in its own process; needs GNU time at /usr/bin/time)
crawlbench:
	$(GO) build -o /tmp/presscrawl-bench ./cmd/presscrawl
	$(GO) build -o /tmp/newssite-bench ./internal/newssite/serve
	@for n in 1000 10000; do \
	  /tmp/newssite-bench -english $$n -arabic 0 -addr 127.0.0.1:8089 >/dev/null & pid=$$!; sleep 1; \
	  rm -rf /tmp/presscrawl-bench-$$n; echo "== $$n articles"; \
	  /usr/bin/time -f "peak RSS %M KiB, wall %e s" /tmp/presscrawl-bench crawl --data-dir /tmp/presscrawl-bench-$$n --delay 0 --progress-interval 0 http://127.0.0.1:8089/ 2>&1 | grep -E "crawl finished|peak RSS"; \
	  kill $$pid; wait $$pid 2>/dev/null || true; \
	done

## demo: a first crawl with nothing to set up: serve the synthetic news site on
## localhost, crawl it into ./presscrawl-data, then search it
demo: build
	$(GO) build -o /tmp/presscrawl-newssite ./internal/newssite/serve
	@/tmp/presscrawl-newssite -english 300 -arabic 100 -addr 127.0.0.1:8089 & pid=$$!; sleep 1; \
	./presscrawl crawl --delay 0 http://127.0.0.1:8089/; rc=$$?; \
	kill $$pid; wait $$pid 2>/dev/null || true; \
	[ $$rc -eq 0 ] && ./presscrawl search --limit 5 'regional affairs' && ./presscrawl search --limit 5 language:ar
