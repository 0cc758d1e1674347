#!/usr/bin/env bash
# The web face's figures (issue 32): a data dir of N synthetic records
# (internal/recordgen: 50 sites, English and Arabic, three years), served by
# presscrawl serve; the latency of /api/search and of the search page, one
# client and 20 at once, and the server's memory idle and under the load
# (internal/servebench).
#
#   scripts/servebench.sh            # 100,000 records (made once, ~3 min, in /tmp/servebench-100000)
#   N=10000 scripts/servebench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DIR=${DIR:-/tmp/servebench-$N}
PORT=${PORT:-8090}
go build -o /tmp/servebench-presscrawl ./cmd/presscrawl
if [ ! -f "$DIR/records.db" ]; then
  echo "== making $N records in $DIR"
  go run ./internal/recordgen -n "$N" -data-dir "$DIR"
  /tmp/servebench-presscrawl stats --data-dir "$DIR" --by language >/dev/null # the search index up to date
fi
echo "== $(nproc) cores; $(du -sh "$DIR" | cut -f1) data dir"
/tmp/servebench-presscrawl serve --data-dir "$DIR" --addr "127.0.0.1:$PORT" 2>/tmp/servebench-serve.log &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/assets/app.css" >/dev/null 2>&1 && break; sleep 0.1; done
go run ./internal/servebench -url "http://127.0.0.1:$PORT/" -pid "$PID"
