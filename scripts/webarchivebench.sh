#!/usr/bin/env bash
# Reading a CC-NEWS-shaped collection from disk and from a loopback HTTP
# server, side by side (issue 27): records/s, MB/s, peak RSS (GNU time).
# Usage: scripts/webarchivebench.sh [FILES] [RECORDS_PER_FILE]
# (default 4 x 8000: about 920 MB of gzip-per-record WARC, 4.6 GB of pages).
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-4}; records=${2:-8000}
dir=${BENCH_DIR:-/tmp/ccnews-$files-$records}
[ -f "$dir/warc.paths" ] || go run ./internal/ccnewsgen -files "$files" -records "$records" -out "$dir"
go build -o /tmp/presscrawl-bench ./cmd/presscrawl
go build -o /tmp/ccnewsgen ./internal/ccnewsgen
port=${BENCH_PORT:-18090}
/tmp/ccnewsgen -out "$dir" -serve 127.0.0.1:$port 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1
for par in 1 3; do
  rm -rf /tmp/wab-local /tmp/wab-remote
  echo "== local, $par file(s) at once"
  /usr/bin/time -f "peak RSS %M KB, %e s wall, %U s user" /tmp/presscrawl-bench reextract --data-dir /tmp/wab-local \
    --warc-parallel $par $(sed "s#^#--warc $dir/#" "$dir/warc.paths") 2>&1 | grep -v "^presscrawl: reading"
  echo "== remote (http://127.0.0.1:$port, streamed), $par file(s) at once"
  /usr/bin/time -f "peak RSS %M KB, %e s wall, %U s user" /tmp/presscrawl-bench reextract --data-dir /tmp/wab-remote \
    --warc-parallel $par --warc-list http://127.0.0.1:$port/warc.paths --warc-base http://127.0.0.1:$port/ 2>&1 | grep -v "^presscrawl: reading"
done
