#!/usr/bin/env bash
# Crawl benchmarks (issue 6): local crawls of pre-generated synthetic sites,
# with extraction on and off, pages/s and peak RSS; then one process against
# three sharing a Redis crawl state, with the duplicate fetches the site saw.
#
#   scripts/crawlbench.sh [SIZES...]      (default: 10000 100000)
#
# First the extraction-only rate on the same pages and cores (the Go
# benchmark BenchmarkSyntheticExtraction); each local crawl then reports its
# rate as a share of it (the goal of issue 15: crawl/extraction-only), and
# its CPU time per page (user + system, GNU time).
#
# REDIS_SIZE sets the site size of the Redis part (default: the first size);
# SKIP_LOCAL=1 runs only the Redis part, SKIP_REDIS=1 only the local part.
#
# Needs GNU time (/usr/bin/time) and, for the Redis part, redis-server.
# The site runs in its own process with every article rendered ahead, so
# it is not the bottleneck; on a 2-core machine it still shares the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
work=${BENCH_DIR:-/tmp/presscrawl-crawlbench}
rm -rf "$work" && mkdir -p "$work"
go build -o "$work/presscrawl" ./cmd/presscrawl
go build -o "$work/site" ./internal/newssite/serve
port=18089
url=http://127.0.0.1:$port/

start_site() { # $1 articles
  "$work/site" -english "$1" -arabic 0 -pregenerate -addr 127.0.0.1:$port >"$work/site.log" 2>&1 &
  site_pid=$!
  for _ in $(seq 1 600); do grep -q "synthetic news site" "$work/site.log" 2>/dev/null && return; sleep 0.1; done
  echo "site did not start"; cat "$work/site.log"; exit 1
}
stop_site() { kill -TERM "$site_pid"; wait "$site_pid" 2>/dev/null || true; grep "served" "$work/site.log" || true; }

extract_rate=""
if [ "${SKIP_LOCAL:-}" != 1 ]; then
  extract_rate=$(go test ./cmd/presscrawl -run '^$' -bench SyntheticExtraction -benchtime 5000x -count 1 | awk '/pages\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "pages/s") print $i }')
  echo "extraction only (BenchmarkSyntheticExtraction, all cores): $extract_rate pages/s"
fi

crawl() { # $1 label, rest: crawl flags
  local label=$1; shift
  /usr/bin/time -f "%M %e %U %S" -o "$work/time" "$work/presscrawl" crawl --delay 0 --progress-interval 0 "$@" "$url" 2>"$work/crawl.log" || { cat "$work/crawl.log"; exit 1; }
  read -r rss wall user sys <"$work/time"
  fetched=$(grep -o 'fetched [0-9]*' "$work/crawl.log" | head -1 | cut -d' ' -f2)
  rate=$(echo "$fetched / $wall" | bc -l)
  share=""
  [ -n "$extract_rate" ] && share=$(printf "  %.2f of extraction-only" "$(echo "$rate / $extract_rate" | bc -l)")
  printf "%-34s fetched %7d  wall %7.1f s  %7.0f pages/s  CPU %.2f ms/page  peak RSS %4d MB%s\n" "$label" "$fetched" "$wall" "$rate" "$(echo "($user + $sys) * 1000 / $fetched" | bc -l)" $((rss / 1024)) "$share"
}

for n in "${sizes[@]}"; do
  [ "${SKIP_LOCAL:-}" = 1 ] && break
  echo "== $n articles"
  start_site "$n"
  crawl "extraction on" --data-dir "$work/on-$n"
  stop_site
  start_site "$n"
  crawl "extraction off (--no-extract)" --data-dir "$work/off-$n" --no-extract
  stop_site
  du -sh "$work/on-$n" "$work/off-$n" | sed 's/^/  data dir /'
done

if [ "${SKIP_REDIS:-}" != 1 ] && command -v redis-server >/dev/null; then
  n=${REDIS_SIZE:-${sizes[0]}}
  redis-server --port 16379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --logfile "$work/redis.log" --dir "$work"
  sleep 0.5
  for mode in on off; do
    flag=""; [ $mode = off ] && flag=--no-extract
    echo "== Redis: one process vs three, $n articles, extraction $mode"
    start_site "$n"
    crawl "1 process on Redis" --data-dir "$work/r1-$mode" --redis redis://127.0.0.1:16379/0 --crawl-name "bench1-$mode" $flag
    stop_site
    start_site "$n"
    t0=$(date +%s.%N)
    pids=()
    for i in 1 2 3; do
      /usr/bin/time -f "%M" -o "$work/time-$i" "$work/presscrawl" crawl --delay 0 --progress-interval 0 --data-dir "$work/r3-$mode-$i" --redis redis://127.0.0.1:16379/0 --crawl-name "bench3-$mode" $flag "$url" 2>"$work/r3-$i.log" &
      pids+=($!)
    done
    wait "${pids[@]}"
    t1=$(date +%s.%N)
    total=0
    for i in 1 2 3; do f=$(grep -o 'fetched [0-9]*' "$work/r3-$i.log" | cut -d' ' -f2); total=$((total + f)); echo "  process $i fetched $f, peak RSS $(( $(cat "$work/time-$i") / 1024 )) MB"; done
    printf "%-34s fetched %7d  wall %7.1f s  %7.0f pages/s\n" "3 processes on Redis" "$total" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$total / ($t1 - $t0)" | bc -l)"
    stop_site
    echo "  redis-server: $(redis-cli -p 16379 info memory | grep -E '^used_memory_peak_human' | tr -d '\r')"
  done
  redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
fi
