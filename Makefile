# presscrawl developer commands. `make test` is the one command that runs
# every test; CI (.ci/run) calls it.

GO ?= go
PKGS := ./...

.PHONY: all build test lint unit devset-score test-opensearch3 devset bench crawlbench renderbench servebench archivebench extractbench extractmem demo es-up es-down

all: build

# -s -w: no symbol table or DWARF (debuggers' data): 67.6 -> 47.7 MB; stack
# traces, profiles and the version's build info are kept.
build:
	$(GO) build -ldflags="-s -w" -o presscrawl ./cmd/presscrawl

## test: formatting and vet checks, then every test: with the race detector,
## then the development-set scoring without it (no concurrency of its own,
## ten times slower under the detector), then the archive tests again on
## OpenSearch 3. Explicit timeouts: a hung test fails.
test: lint unit devset-score test-opensearch3

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -count=1 -timeout 25m $(PKGS)

devset-score:
	$(GO) test -count=1 -timeout 10m -run 'TestDevSet|TestLanguageDetectorOnDevSet|TestPublicationDatesOnLabels|TestPublicationDatesUntuned' ./extract
	$(GO) test -count=1 -timeout 10m -run 'TestGroupingOnLabelledSet|TestDevSetFormsNoGroups' ./stories

## test-opensearch3: the archive tests (index/elastic and the CLI's archive
## tests) on a real OpenSearch 3.9 node of their own (the unit tests ran them
## on 2.19 or on ES_URL); needs Java 21 or newer (JAVA_HOME or /usr/lib/jvm),
## skipped with a message without it, a failure under CI=true
OS3 := 3.9.0
ARCHIVE_CLI_TESTS := TestCrawlIntoArchive|TestIndexPushAndUnreachableArchive|TestArchiveOutageMidCrawl|TestArchiveKill9MidCrawl|TestKibanaSetupUsage|TestVersionsInArchive
test-opensearch3:
	@if ! OPENSEARCH_VERSION=$(OS3) scripts/esnode.sh java >/dev/null; then \
		if [ "$$CI" = true ]; then echo "test-opensearch3: no Java 21 under CI=true"; exit 1; fi; \
		echo "test-opensearch3: skipped (no Java 21 or newer)"; exit 0; fi; \
	env -u ES_URL OPENSEARCH_VERSION=$(OS3) $(GO) test -count=1 -timeout 15m ./index/elastic && \
	env -u ES_URL OPENSEARCH_VERSION=$(OS3) $(GO) test -count=1 -timeout 20m -run '$(ARCHIVE_CLI_TESTS)' ./cmd/presscrawl

## devset: extraction quality on ../shared/datasets/trafilatura-eval, with the worst pages
devset:
	$(GO) test ./extract -run 'TestDevSet|TestLanguageDetector' -count=1 -v -devset.worst 25 -devset.compare

## bench: extraction speed side by side (parse floor, plain go-readability, go-trafilatura, ours),
## then ours/readability page by page (median page and whole set; all pages and those of 100 KB+)
bench:
	$(GO) test ./extract -run '^$$' -bench DevSet -benchmem -count 6 | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest bench.txt
	$(GO) test ./extract -run '^$$' -bench AgainstReadability -benchtime 3x

## crawlbench: local crawls of 10,000 and 100,000 pre-generated synthetic articles, extraction on and
## off (pages/s, peak RSS), then one process against three sharing a Redis crawl state (duplicate fetches);
## needs GNU time and redis-server. The extraction-only rate on the same pages: make extractbench
crawlbench:
	scripts/crawlbench.sh 10000 100000

## renderbench: --render auto on a site of application shells (rendered pages/s, peak
## memory of presscrawl and Chromium with 2 tabs), then --render never vs auto on a
## site that needs no rendering; needs chromium and GNU time
renderbench:
	scripts/renderbench.sh 300 5000 3

## servebench: presscrawl serve over 100,000 synthetic records: p50/p95 of
## /api/search and of the search page, one client and 20 at once, and the
## server's memory idle and under the load
servebench:
	scripts/servebench.sh

## archivebench: a crawl of 10,000 synthetic articles into the local index
## alone and with delivery to the archive (ES_URL, or a node started here)
archivebench:
	scripts/archivebench.sh 10000

## es-up / es-down: a real OpenSearch 2.19 node on 127.0.0.1:9200 (JDK 17 and
## Maven; ES_PORT to choose the port): export ES_URL=http://127.0.0.1:9200
ES_PORT ?= 9200
es-up:
	scripts/esnode.sh up $(ES_PORT)

es-down:
	scripts/esnode.sh down

## extractmem: peak memory of extraction alone (a program linking only the extract
## package) over the 990 development-set pages in one process; needs GNU time
extractmem:
	$(GO) build -o /tmp/presscrawl-extractmem ./internal/extractmem
	/usr/bin/time -f "peak RSS %M KB, %e s" /tmp/presscrawl-extractmem ../shared/datasets/trafilatura-eval/pages/*.html.gz

extractbench:
	$(GO) test ./cmd/presscrawl -run '^$$' -bench SyntheticExtraction -benchtime 5000x -count 3

## demo: a first crawl with nothing to set up: serve the synthetic news site on
## a free localhost port, crawl it into ./presscrawl-data, search it, count it
## by language, and say what to try next
demo: build
	scripts/demo.sh
