#!/usr/bin/env bash
# make demo: a first crawl with nothing to set up. Serves the synthetic news
# site on a free localhost port, crawls it into ./presscrawl-data, searches
# it, counts it by language, and says what to try next.
set -euo pipefail
cd "$(dirname "$0")/.."
site_bin=$(mktemp -d)/presscrawl-newssite
go build -o "$site_bin" ./internal/newssite/serve
log=$(mktemp)
"$site_bin" -english 300 -arabic 100 -addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
  [ -n "$url" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: the synthetic site did not start"; cat "$log"; exit 1; }
./presscrawl crawl --delay 0 "$url/"
./presscrawl search --limit 5 'regional affairs'
./presscrawl search --limit 5 language:ar
./presscrawl stats --by language
cat <<'NEXT'

Try next:
  ./presscrawl search --sort -date 'المحادثات'            # Arabic, newest first
  ./presscrawl show ID                                    # one whole record (ID from the first column)
  ./presscrawl stats --by month                           # records per month of publication
  ./presscrawl serve                                      # browse them: http://127.0.0.1:8080/
  ./presscrawl export --format csv --bom > articles.csv   # for pandas, R, Stata, Excel
  ./presscrawl crawl https://news-site.example/           # a real site: politely, robots.txt obeyed
NEXT
