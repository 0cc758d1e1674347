#!/usr/bin/env bash
# The cost of delivering to the archive during a crawl (issue 13): crawls of
# one pre-generated synthetic site into the local index alone and with
# --index elasticsearch, alternating, RUNS times each, with pages/s, peak
# RSS, and the ratio archive/local of each pair.
#
#   scripts/archivebench.sh [ARTICLES]   (default 10000; RUNS=2)
#
# The archive is ES_URL, or an OpenSearch node started here by
# scripts/esnode.sh on port 19200 (it shares the machine's cores with the
# crawl, as a laptop's docker compose does). Needs GNU time and bc.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${RUNS:-2}
work=${BENCH_DIR:-/tmp/presscrawl-archivebench}
rm -rf "$work" && mkdir -p "$work"
go build -o "$work/presscrawl" ./cmd/presscrawl
go build -o "$work/site" ./internal/newssite/serve
es=${ES_URL:-}
if [ -z "$es" ]; then
  es=$(scripts/esnode.sh up 19200 "$work/esnode")
  trap 'scripts/esnode.sh down "$work/esnode"' EXIT
fi
port=18090
url=http://127.0.0.1:$port/
"$work/site" -english "$n" -arabic 0 -pregenerate -addr 127.0.0.1:$port >"$work/site.log" 2>&1 &
site_pid=$!
trap 'kill $site_pid 2>/dev/null; [ -z "${ES_URL:-}" ] && scripts/esnode.sh down "$work/esnode"' EXIT
for _ in $(seq 1 600); do grep -q "synthetic news site" "$work/site.log" 2>/dev/null && break; sleep 0.1; done

crawl() { # $1 label, $2 data dir, rest: flags; prints pages/s
  local label=$1 dir=$2; shift 2
  /usr/bin/time -f "%M %e" -o "$work/time" "$work/presscrawl" crawl --delay 0 --progress-interval 0 --data-dir "$dir" "$@" "$url" 2>"$work/crawl.log" || { cat "$work/crawl.log" >&2; exit 1; }
  read -r rss wall <"$work/time"
  fetched=$(grep -o 'fetched [0-9]*' "$work/crawl.log" | head -1 | cut -d' ' -f2)
  rate=$(echo "$fetched / $wall" | bc -l)
  printf "%-28s fetched %7d  wall %6.1f s  %6.0f pages/s  peak RSS %4d MB  %s\n" "$label" "$fetched" "$wall" "$rate" $((rss / 1024)) \
    "$(grep -o 'archive: delivered.*' "$work/crawl.log" || true)" >&2
  echo "$rate"
}

echo "== $n articles, archive $es" >&2
for i in $(seq 1 "$runs"); do
  l=$(crawl "local index only" "$work/local-$i")
  a=$(crawl "with --index elasticsearch" "$work/es-$i" --index elasticsearch --es-url "$es" --es-index "bench-$i-$$")
  printf "  run %d: archive/local %.2f\n" "$i" "$(echo "$a / $l" | bc -l)" >&2
done
