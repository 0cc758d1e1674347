#!/usr/bin/env bash
# A real OpenSearch 2.19 node in one JVM, from Maven Central, for the
# archive tests and for trying presscrawl's Elasticsearch backend without
# Docker (Elasticsearch 8's HTTP module is not on Maven Central; OpenSearch
# serves the same REST API for everything presscrawl uses).
#
#   scripts/esnode.sh build              resolve and compile (once; ~30 s)
#   scripts/esnode.sh classpath          print the node's Java classpath
#   scripts/esnode.sh up [PORT] [HOME]   start it in the background (default
#                                        port 9200, home .esnode), wait for
#                                        cluster health yellow, print its URL
#   scripts/esnode.sh down [HOME]        stop it
#
# Needs Java 17 (a JDK) and Maven: apt-get install openjdk-17-jdk-headless maven
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proj="$here/esnode"
root="$(cd "$here/.." && pwd)"

build() {
	if [ -f "$proj/target/classes/presscrawl/EsNode.class" ] && [ -d "$proj/target/lib" ] &&
		[ "$proj/target/classes/presscrawl/EsNode.class" -nt "$proj/src/main/java/presscrawl/EsNode.java" ] &&
		[ "$proj/target/lib" -nt "$proj/pom.xml" ]; then
		return
	fi
	command -v mvn >/dev/null || { echo "esnode: needs Maven (apt-get install maven)" >&2; exit 1; }
	rm -rf "$proj/target/lib"
	mvn -q -B -f "$proj/pom.xml" package dependency:copy-dependencies \
		-DoutputDirectory="$proj/target/lib" -DincludeScope=runtime >&2
	touch "$proj/target/lib"
}

case "${1:-}" in
build) build ;;
classpath)
	build
	echo "$proj/target/classes:$proj/target/lib/*"
	;;
up)
	build
	port="${2:-9200}"
	home="${3:-$root/.esnode}"
	mkdir -p "$home"
	if [ -f "$home/pid" ] && kill -0 "$(cat "$home/pid")" 2>/dev/null; then
		echo "esnode: already running (pid $(cat "$home/pid"))" >&2
		exit 1
	fi
	nohup java -Xms512m -Xmx512m -cp "$proj/target/classes:$proj/target/lib/*" presscrawl.EsNode "$home" "$port" \
		>"$home/node.log" 2>&1 &
	echo $! >"$home/pid"
	for _ in $(seq 1 180); do
		if curl -fs "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
			echo "http://127.0.0.1:$port"
			exit 0
		fi
		kill -0 "$(cat "$home/pid")" 2>/dev/null || { echo "esnode: the node exited; see $home/node.log" >&2; tail -20 "$home/node.log" >&2; exit 1; }
		sleep 1
	done
	echo "esnode: no answer on port $port after 180 s; see $home/node.log" >&2
	exit 1
	;;
down)
	home="${2:-$root/.esnode}"
	[ -f "$home/pid" ] || { echo "esnode: not running" >&2; exit 0; }
	pid="$(cat "$home/pid")"
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$home/pid"
	;;
*)
	sed -n 2,15p "$0" >&2
	exit 2
	;;
esac
