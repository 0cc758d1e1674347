#!/usr/bin/env bash
# Rendering benchmarks (issue 31):
#  1. a site of application shells (every English article an empty #app an
#     inline script fills), crawled with --render auto and 2 tabs: rendered
#     pages per second, and peak memory: presscrawl's (GNU time) and
#     Chromium's, all its processes summed (sampled every 0.2 s);
#  2. the cost of --render auto on a site that needs no rendering: the same
#     crawl with --render never and auto, alternated RUNS times each.
#
#   scripts/renderbench.sh [SHELL_PAGES] [PLAIN_PAGES] [RUNS]   (default 300 5000 3)
#
# Needs Debian's chromium and GNU time. As root, Chromium runs without its
# sandbox (--render-no-sandbox): run it as another user to keep it.
set -euo pipefail
cd "$(dirname "$0")/.."
shells=${1:-300} plain=${2:-5000} runs=${3:-3}
work=${BENCH_DIR:-/tmp/presscrawl-renderbench}
rm -rf "$work" && mkdir -p "$work"
go build -o "$work/presscrawl" ./cmd/presscrawl
go build -o "$work/site" ./internal/newssite/serve
port=18091
url=http://127.0.0.1:$port/
nosandbox=(); [ "$(id -u)" = 0 ] && nosandbox=(--render-no-sandbox)

start_site() { # $@: site flags
  "$work/site" -arabic 0 -pregenerate -addr 127.0.0.1:$port "$@" >"$work/site.log" 2>&1 &
  site_pid=$!
  for _ in $(seq 1 600); do grep -q "synthetic news site" "$work/site.log" 2>/dev/null && return; sleep 0.1; done
  echo "site did not start"; cat "$work/site.log"; exit 1
}
stop_site() { kill -TERM "$site_pid"; wait "$site_pid" 2>/dev/null || true; }

echo "== $shells application shells, --render auto, 2 tabs ($(nproc) cores)"
start_site -english "$shells" -shells
peak=0
# PSS (proportional set size): each process's share of the pages it shares
# with the others, so the sum is what Chromium takes of the machine's memory
# (summing RSS would count its shared memory once per process).
( while sleep 0.2; do
    pss=0; procs=0
    for pid in $(pgrep -x chromium 2>/dev/null); do
      k=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0); pss=$((pss + ${k:-0})); procs=$((procs + 1))
    done
    echo "$pss $procs"
  done ) >"$work/chromium-pss" &
sampler=$!
/usr/bin/time -f "%M %e %U %S" -o "$work/time" "$work/presscrawl" crawl --data-dir "$work/shells" --delay 0 --progress-interval 0 \
  --render auto --render-tabs 2 "${nosandbox[@]}" "$url" 2>"$work/crawl.log" || { cat "$work/crawl.log"; exit 1; }
kill "$sampler" 2>/dev/null || true
stop_site
read -r rss wall user sys <"$work/time"
rendered=$(grep -o 'rendered in a browser: [0-9]*' "$work/crawl.log" | grep -o '[0-9]*$' || echo 0)
stored=$(grep -o 'stored [0-9]*' "$work/crawl.log" | head -1 | cut -d' ' -f2)
peak=$(sort -n "$work/chromium-pss" | tail -1 | cut -d' ' -f1)
procs=$(sort -n -k2 "$work/chromium-pss" | tail -1 | cut -d' ' -f2)
printf "rendered %d pages, stored %d, in %.1f s: %.1f rendered pages/s; peak RSS presscrawl %d MB; Chromium peak PSS %d MB (all its processes, %d at most)\n" \
  "$rendered" "$stored" "$wall" "$(echo "$rendered / $wall" | bc -l)" $((rss / 1024)) $((peak / 1024)) "$procs"
[ "$plain" -gt 0 ] || exit 0

echo "== $plain plain articles: --render never vs auto, $runs runs each, alternated"
start_site -english "$plain"
for i in $(seq 1 "$runs"); do
  for mode in never auto; do
    /usr/bin/time -f "%M %e %U %S" -o "$work/time" "$work/presscrawl" crawl --data-dir "$work/plain-$mode-$i" --delay 0 --progress-interval 0 \
      --render "$mode" "${nosandbox[@]}" "$url" 2>"$work/crawl.log" || { cat "$work/crawl.log"; exit 1; }
    read -r rss wall user sys <"$work/time"
    fetched=$(grep -o 'fetched [0-9]*' "$work/crawl.log" | head -1 | cut -d' ' -f2)
    printf "run %d  --render %-6s fetched %6d  wall %6.2f s  %6.0f pages/s  CPU %.3f ms/page  peak RSS %d MB  rendered %s\n" "$i" "$mode" "$fetched" "$wall" \
      "$(echo "$fetched / $wall" | bc -l)" "$(echo "($user + $sys) * 1000 / $fetched" | bc -l)" $((rss / 1024)) "$(grep -o 'rendered in a browser: [0-9]*' "$work/crawl.log" | grep -o '[0-9]*$' || echo 0)"
  done
done
stop_site
