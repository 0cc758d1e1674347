#!/usr/bin/env bash
# Crawls over many sites (issue 33): one server answers N sites by their
# Host (siteN.test; --resolve '*.test=127.0.0.1' sends every name to it, no
# DNS, loopback only), and one presscrawl crawls them all at the default
# politeness (--delay 1s, --parallelism 4):
#   1. 1,000 sites of 50 articles: pages/s beside the politeness bound
#      (sites x parallelism / delay), the server's politeness check (no host
#      given more than 4 requests within 1 s) and when each site's first
#      article was asked for (no site starves);
#   2. peak RSS at 100, 1,000 and 10,000 sites (5 articles each): memory per
#      site known.
#
#   scripts/scalebench.sh                 # both (~6 min on 2 cores)
#   PARTS=2 scripts/scalebench.sh         # the memory part only
# Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-/tmp/presscrawl-scalebench}
rm -rf "$work" && mkdir -p "$work"
go build -o "$work/presscrawl" ./cmd/presscrawl
go build -o "$work/sites" ./internal/manysites/serve
port=18090
PARTS=${PARTS:-12}

run() { # $1 sites, $2 articles
  "$work/sites" -sites "$1" -articles "$2" -addr 127.0.0.1:$port -seeds "$work/seeds" >"$work/sites.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do [ -s "$work/seeds" ] && break; sleep 0.1; done
  rm -rf "$work/data"
  /usr/bin/time -f "%e s wall, %U s user, %S s sys, peak RSS %M KB" -o "$work/time" \
    "$work/presscrawl" crawl --data-dir "$work/data" --resolve '*.test=127.0.0.1' --progress-interval 0 \
      --max-depth 2 $(cat "$work/seeds") >/dev/null 2>"$work/crawl.log" || { tail -5 "$work/crawl.log"; }
  kill -TERM $pid; wait $pid 2>/dev/null || true
  rm -f "$work/seeds"
  local stored
  stored=$(grep -o 'stored [0-9,]*' "$work/crawl.log" | tail -1)
  echo "-- $1 sites x $2 articles: $stored; $(cat "$work/time")"
  grep -v "^20" "$work/sites.log" || true
}

echo "== $(nproc) cores"
if [[ $PARTS == *1* ]]; then
  echo "== 1,000 sites x 50 articles, --delay 1s --parallelism 4: politeness bound 4,000 pages/s"
  run 1000 50
fi
if [[ $PARTS == *2* ]]; then
  echo "== memory by sites known (5 articles each)"
  for n in 100 1000 10000; do run "$n" 5; done
fi
