#!/usr/bin/env bash
# A real OpenSearch node in one JVM, from Maven Central, for the archive
# tests and for trying presscrawl's Elasticsearch backend without Docker
# (Elasticsearch 8's HTTP module is not on Maven Central; OpenSearch serves
# the same REST API for everything presscrawl uses). OpenSearch 2.19 by
# default; OPENSEARCH_VERSION=3.9.0 for OpenSearch 3 (needs Java 21 or newer:
# JAVA_HOME, or the newest JDK in /usr/lib/jvm).
#
#   scripts/esnode.sh build              resolve and compile (once; ~30 s)
#   scripts/esnode.sh classpath          print the node's Java classpath
#   scripts/esnode.sh java               print the java binary that runs it
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
version="${OPENSEARCH_VERSION:-2.19.6}"
major="${version%%.*}"

# javaMajor prints the major version of the java binary $1.
javaMajor() {
	"$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1
}

# pickJava prints a java binary able to run this OpenSearch: 17 or newer
# for 2.x, 21 or newer for 3.x.
pickJava() {
	local want=17 j
	[ "$major" -ge 3 ] && want=21
	for j in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
		[ -n "$j" ] && [ -x "$j" ] || continue
		if [ "$(javaMajor "$j")" -ge "$want" ] 2>/dev/null; then
			echo "$j"
			return
		fi
	done
	echo "esnode: OpenSearch $version needs Java $want or newer; none found (set JAVA_HOME)" >&2
	exit 1
}

if [ "$major" -ge 3 ]; then
	# OpenSearch 3 renamed its modules' plugin classes: a source of its own
	src="$proj/src3/main/java" target="$proj/target-$version" release=21
else
	src="$proj/src/main/java" target="$proj/target" release=17
	[ "$version" = 2.19.6 ] || target="$proj/target-$version"
fi

build() {
	if [ -f "$target/classes/presscrawl/EsNode.class" ] && [ -d "$target/lib" ] &&
		[ "$target/classes/presscrawl/EsNode.class" -nt "$src/presscrawl/EsNode.java" ] &&
		[ "$target/lib" -nt "$proj/pom.xml" ]; then
		return
	fi
	command -v mvn >/dev/null || { echo "esnode: needs Maven (apt-get install maven)" >&2; exit 1; }
	local java
	java="$(pickJava)"
	rm -rf "$target/lib"
	JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")" mvn -q -B -f "$proj/pom.xml" package dependency:copy-dependencies \
		-Dopensearch.version="$version" -Dmaven.compiler.release="$release" -Desnode.target="$target" -Desnode.src="$src" \
		-DoutputDirectory="$target/lib" -DincludeScope=runtime >&2
	touch "$target/lib"
}

case "${1:-}" in
build) build ;;
classpath)
	build
	echo "$target/classes:$target/lib/*"
	;;
java) pickJava ;;
up)
	build
	port="${2:-9200}"
	home="${3:-$root/.esnode}"
	mkdir -p "$home"
	if [ -f "$home/pid" ] && kill -0 "$(cat "$home/pid")" 2>/dev/null; then
		echo "esnode: already running (pid $(cat "$home/pid"))" >&2
		exit 1
	fi
	nohup "$(pickJava)" -Xms512m -Xmx512m -cp "$target/classes:$target/lib/*" presscrawl.EsNode "$home" "$port" \
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
	sed -n 2,17p "$0" >&2
	exit 2
	;;
esac
