#!/usr/bin/env bash
# hostedgate's benchmark: one run, one machine, one binary.
#
#   bash bench/run.sh                                   # the full run (about 10 minutes)
#   DURATION=2s N_DISTINCT=20000 REPEAT=1 bash bench/run.sh   # a quick check
#
# It builds cmd/hostedgate and bench/load once, then measures a bare Caddy route
# (`respond "ok" 200`, its own process, the same binary) and hostedgate's routes, one scenario
# at a time, each repeated REPEAT times interleaved with the bare baseline (bare, scenario,
# bare, scenario, ...), and prints a Markdown table of the medians. Last, it sends N_DISTINCT
# register requests from as many distinct client addresses and compares the gateway's VmRSS
# with the bare Caddy's after the same number of requests.
#
# Knobs (environment):
#   DURATION=10s       measured time per run (plus a 1s uncounted warm-up)
#   CONCURRENCY=32     keep-alive clients
#   REPEAT=3           runs per scenario and per baseline; the table shows medians
#   N_DISTINCT=1000000 requests (and distinct client addresses) of the RSS scenario (e)
#   SKIP_POSTGRES=1    skip (d2), the PostgreSQL store
#   BENCH_POSTGRES_DSN default postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#
# Ports: 127.0.0.1:18100-18105, admin 127.0.0.1:12100-12105. Progress goes to stderr, the
# report to stdout. Everything started here is stopped on exit; the PostgreSQL schema of the
# run is dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-32}
REPEAT=${REPEAT:-3}
N_DISTINCT=${N_DISTINCT:-1000000}
SKIP_POSTGRES=${SKIP_POSTGRES:-0}
PG_DSN=${BENCH_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
WARMUP=${WARMUP:-1s}
export GOFLAGS=${GOFLAGS:--buildvcs=false}

HOST=127.0.0.1
PORT_BARE=18100 ADMIN_BARE=12100
PORT_READ=18101 ADMIN_READ=12101
PORT_BOLT=18102 ADMIN_BOLT=12102
PORT_PG=18103 ADMIN_PG=12103
PORT_RSS=18104 ADMIN_RSS=12104
PORT_BARE_RSS=18105 ADMIN_BARE_RSS=12105

KEY="bench-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
BAD_KEY="not-the-machine-key"
SCHEMA="bench_$(date +%s)_$$"

work=$(mktemp -d "${TMPDIR:-/tmp}/hostedgate-bench.XXXXXX")
results="$work/results.jsonl"
: >"$results"
pids=()
pg_used=0

log() { echo "bench: $*" >&2; }

stop_pid() {
	local pid=$1
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local keep=() p
	for p in ${pids[@]+"${pids[@]}"}; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	pids=(${keep[@]+"${keep[@]}"})
}

cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		stop_pid "$p"
	done
	if [ "$pg_used" = 1 ] && command -v psql >/dev/null; then
		psql -q "$PG_DSN" -c "DROP SCHEMA IF EXISTS \"$SCHEMA\" CASCADE" >/dev/null 2>&1 ||
			log "could not drop schema $SCHEMA"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { curl -s -o /dev/null --max-time 1 "http://$HOST:$1/" 2>/dev/null; }

# start NAME PORT ADMIN READY_PATH: runs the binary on $work/NAME/Caddyfile with its own
# XDG directories; sets started_pid.
start() {
	local name=$1 port=$2 admin=$3 ready=$4 dir="$work/$1"
	local p
	for p in "$port" "$admin"; do
		if port_in_use "$p"; then
			log "port $p is already in use: stop what holds it"
			exit 1
		fi
	done
	mkdir -p "$dir/data" "$dir/config"
	XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" HOSTED_MACHINE_KEY="$KEY" \
		BENCH_DATABASE_URL="$PG_DSN" \
		"$work/hostedgate" run --config "$dir/Caddyfile" --adapter caddyfile >"$dir/log" 2>&1 &
	started_pid=$!
	pids+=("$started_pid")
	for _ in $(seq 1 200); do
		if curl -s -o /dev/null --max-time 1 "http://$HOST:$port$ready" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$started_pid" 2>/dev/null; then
			tail -30 "$dir/log" >&2
			log "$name did not start"
			exit 1
		fi
		sleep 0.1
	done
	tail -30 "$dir/log" >&2
	log "$name did not answer on :$port within 20s"
	exit 1
}

# global options: admin address, no autosave, optional extra lines
globals() {
	cat <<EOF
{
	auto_https off
	admin $HOST:$1
	persist_config off
	$2
}
EOF
}

bare_caddyfile() { # ADMIN PORT [extra global lines]
	globals "$1" "${3:-}"
	cat <<EOF

:$2 {
	bind $HOST
	respond "ok" 200
}
EOF
}

gateway_caddyfile() { # ADMIN PORT "global lines" "hosted_solution lines"
	globals "$1" "$3"
	cat <<EOF

:$2 {
	bind $HOST
	hosted_solution {
		machine_key {env.HOSTED_MACHINE_KEY}
		base_domain example.com
		request_rate {
			off
		}
$4
	}
}
EOF
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# load ARGS...: runs the load tool with the common flags; prints its JSON line (a failed
# request counts as an error; a crashed tool yields a line with one error).
load() {
	local out
	out=$("$work/load" -c "$CONCURRENCY" "$@") || true
	if [ -z "$out" ]; then
		out='{"name":"failed","requests":0,"errors":1,"seconds":0,"rps":0,"p50_ms":0,"p99_ms":0}'
	fi
	echo "$out"
}

# record SCENARIO ROLE REP JSON
record() {
	jq -c --arg s "$1" --arg role "$2" --argjson rep "$3" '. + {scenario: $s, role: $role, rep: $rep}' <<<"$4" >>"$results"
	log "$1 ($2, run $3): $4"
}

bare_run() { # SCENARIO REP
	record "$1" bare "$2" "$(load -name bare -d "$DURATION" -warmup "$WARMUP" -url "http://$HOST:$PORT_BARE/" -expect 200 -contains ok)"
}

# scenario ID LABEL LOAD-ARGS...: REPEAT times bare then the scenario.
labels=()
scenario() {
	local id=$1 label=$2 rep
	shift 2
	labels+=("$id"$'\t'"$label")
	for rep in $(seq 1 "$REPEAT"); do
		bare_run "$id" "$rep"
		# {r} in the arguments is the repetition, so names stay unique across repetitions.
		local args=() a
		for a in "$@"; do args+=("${a//\{r\}/$rep}"); done
		record "$id" test "$rep" "$(load -name "$id" -d "$DURATION" -warmup "$WARMUP" "${args[@]}")"
	done
}

# seed URL BODY: registers one portal, or fails the run.
seed() {
	if ! "$work/load" -name seed -c 1 -n 1 -warmup 0 -m POST -key "$KEY" -url "$1/api/portal/register" \
		-body "$2" -expect 200 >/dev/null; then
		log "seeding a portal at $1 failed"
		exit 1
	fi
}

register_body() { # NAME-TEMPLATE (no trailing digit: see the note on variants below)
	printf '{"portalName":"%s","firstName":"Bench","lastName":"Load","email":"%s@example.com","language":"en","timeZoneName":"UTC"}' "$1" "$1"
}

# ---------------------------------------------------------------------------------------------

log "building cmd/hostedgate and bench/load"
go build -o "$work/hostedgate" ./cmd/hostedgate
go build -o "$work/load" ./bench/load

cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "# hostedgate benchmark"
echo
echo "- machine: $(nproc) CPUs ($cpu), $(uname -sr), $(awk '/^MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
echo "- $(go version), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' (with local changes)')"
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- DURATION=$DURATION (after a $WARMUP warm-up) CONCURRENCY=$CONCURRENCY REPEAT=$REPEAT N_DISTINCT=$N_DISTINCT; load generator on the same machine (bench/load, keep-alive HTTP/1.1)"
echo

# The bare baseline: its own process, the same binary, up for the whole throughput part.
mkdir -p "$work/bare"
bare_caddyfile "$ADMIN_BARE" "$PORT_BARE" >"$work/bare/Caddyfile"
start bare "$PORT_BARE" "$ADMIN_BARE" /
bare_pid=$started_pid

# (a) (b) (c): one gateway on the bolt store with one existing portal.
mkdir -p "$work/read"
gateway_caddyfile "$ADMIN_READ" "$PORT_READ" "" "		store bolt" >"$work/read/Caddyfile"
start read "$PORT_READ" "$ADMIN_READ" /api/portal/test
read_pid=$started_pid
READ="http://$HOST:$PORT_READ"
seed "$READ" "$(register_body benchexisting)"

scenario a "(a) GET portal/get, bad token → 403" \
	-url "$READ/api/portal/get?portalName=benchexisting" -key "$BAD_KEY" -expect 403 -contains "Authorization invalid"
scenario b1 "(b1) POST validateportalname, taken name → 400" \
	-m POST -url "$READ/api/portal/validateportalname" -body '{"portalName":"benchexisting"}' -expect 400 -contains portalNameExist
scenario b2 "(b2) POST validateportalname, free name → 200" \
	-m POST -url "$READ/api/portal/validateportalname" -body '{"portalName":"benchfreename"}' -expect 200 -contains portalNameReadyToRegister
scenario c "(c) GET portal/get?portalName=, signed → 200" \
	-url "$READ/api/portal/get?portalName=benchexisting" -key "$KEY" -expect 200 -contains benchexisting
stop_pid "$read_pid"

# (d1) register on bolt: unique names, no password, the load's address exempt from the limits.
# Names end in a letter: register lists the taken names sharing the name's prefix with its
# trailing digits removed, so "bench{n}" would make every registration scan all earlier ones.
mkdir -p "$work/bolt"
gateway_caddyfile "$ADMIN_BOLT" "$PORT_BOLT" "" "		store bolt
		exempt_clients $HOST" >"$work/bolt/Caddyfile"
start bolt "$PORT_BOLT" "$ADMIN_BOLT" /api/portal/test
bolt_pid=$started_pid
scenario d1 "(d1) POST register, unique names, bolt → 200" \
	-m POST -url "http://$HOST:$PORT_BOLT/api/portal/register" -key "$KEY" \
	-body "$(register_body 'd1r{r}n{n}x')" -expect 200 -contains '"tenant"'
stop_pid "$bolt_pid"

# (d2) the same on PostgreSQL, in a schema of this run's own.
pg_note=""
if [ "$SKIP_POSTGRES" = 1 ]; then
	pg_note="(d2) skipped: SKIP_POSTGRES=1"
elif command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
	pg_note="(d2) skipped: PostgreSQL on 127.0.0.1:5432 is not ready"
else
	mkdir -p "$work/pg"
	gateway_caddyfile "$ADMIN_PG" "$PORT_PG" "" "		store postgres {
			dsn {env.BENCH_DATABASE_URL}
			schema $SCHEMA
		}
		exempt_clients $HOST" >"$work/pg/Caddyfile"
	pg_used=1
	start pg "$PORT_PG" "$ADMIN_PG" /api/portal/test
	pg_pid=$started_pid
	scenario d2 "(d2) POST register, unique names, postgres → 200" \
		-m POST -url "http://$HOST:$PORT_PG/api/portal/register" -key "$KEY" \
		-body "$(register_body 'd2r{r}n{n}x')" -expect 200 -contains '"tenant"'
	stop_pid "$pg_pid"
fi
stop_pid "$bare_pid"

# ---- the table ----
labels_json=$(printf '%s\n' "${labels[@]}" | jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {id: .[0], label: .[1]})')
rows=$(jq -r -s --argjson labels "$labels_json" '
	def median: sort | if length == 0 then 0 elif length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	. as $all
	| ($all | map(select(.role == "bare"))) as $bare
	| (["bare Caddy `respond \"ok\" 200`", ($bare | map(.rps) | median), ($bare | map(.p50_ms) | median),
	    ($bare | map(.p99_ms) | median), 1, ($bare | map(.errors) | add // 0), ($bare | map(.rps) | median)] | @tsv),
	  ($labels[] | .id as $id | .label as $lab
	   | ($all | map(select(.scenario == $id and .role == "test"))) as $t
	   | ($all | map(select(.scenario == $id and .role == "bare")) | map(.rps) | median) as $b
	   | [$lab, ($t | map(.rps) | median), ($t | map(.p50_ms) | median), ($t | map(.p99_ms) | median),
	      (if $b > 0 then ($t | map(.rps) | median) / $b else 0 end), ($t | map(.errors) | add // 0), $b] | @tsv)
' "$results")

echo "## Throughput (median of $REPEAT)"
echo
echo "| scenario | requests/s | p50 ms | p99 ms | ratio to bare |"
echo "|---|---:|---:|---:|---:|"
awk -F'\t' '{ printf "| %s | %.0f | %.3f | %.3f | %.3f |\n", $1, $2, $3, $4, $5 }' <<<"$rows"
echo
echo "- ratio to bare: the scenario's median requests/s over the median of the bare runs interleaved with it:"
awk -F'\t' 'NR > 1 { split($1, w, " "); printf "%s %.0f; ", w[1], $7 } END { print "" }' <<<"$rows" | sed 's/; $//; s/^/  bare requests\/s next to /'
echo "- p50/p99: medians of the runs' own percentiles."
echo "- hostedgate scenarios run with \`request_rate { off }\`: the request-rate limit (10/s, burst 60 per client) would refuse a benchmark from one address. (d1) and (d2) also list 127.0.0.1 in \`exempt_clients\` (the attempt limit allows 10 registrations per client in 5 minutes); register is sent without a password (no argon2id hash)."
echo "- (d1) and (d2) include the store's durable commit per registration (bbolt fsync, PostgreSQL commit)."
[ -n "$pg_note" ] && echo "- $pg_note"
errs=$(awk -F'\t' '$6 > 0 { printf "%s: %d errors; ", $1, $6 }' <<<"$rows")
if [ -n "$errs" ]; then
	echo "- **errors** (answers other than the expected status and body): ${errs%; }"
fi
echo

# ---- (e) RSS under a million distinct client addresses ----
log "(e) RSS: $N_DISTINCT distinct client addresses against register"
mkdir -p "$work/rss"
gateway_caddyfile "$ADMIN_RSS" "$PORT_RSS" "servers {
		trusted_proxies static $HOST/32
	}" "		store bolt
		max_portals 1" >"$work/rss/Caddyfile"
start rss "$PORT_RSS" "$ADMIN_RSS" /api/portal/test
rss_pid=$started_pid
RSS_URL="http://$HOST:$PORT_RSS"
seed "$RSS_URL" "$(register_body rssexisting)"
gw_rss0=$(rss_kb "$rss_pid")
gw_json=$(load -name e-gateway -n "$N_DISTINCT" -warmup 0 -distinct-ips -m POST -key "$KEY" \
	-url "$RSS_URL/api/portal/register" -body "$(register_body 'rssname{n}x')" -expect 400 -contains portalsCountTooMuch)
gw_rss1=$(rss_kb "$rss_pid")
log "(e) gateway: $gw_json"
stop_pid "$rss_pid"

mkdir -p "$work/bare_rss"
bare_caddyfile "$ADMIN_BARE_RSS" "$PORT_BARE_RSS" "servers {
		trusted_proxies static $HOST/32
	}" >"$work/bare_rss/Caddyfile"
start bare_rss "$PORT_BARE_RSS" "$ADMIN_BARE_RSS" /
bare_rss_pid=$started_pid
bare_rss0=$(rss_kb "$bare_rss_pid")
bare_json=$(load -name e-bare -n "$N_DISTINCT" -warmup 0 -distinct-ips -m POST \
	-url "http://$HOST:$PORT_BARE_RSS/api/portal/register" -body "$(register_body 'rssname{n}x')" -expect 200 -contains ok)
bare_rss1=$(rss_kb "$bare_rss_pid")
log "(e) bare: $bare_json"
stop_pid "$bare_rss_pid"

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "## (e) RSS after $N_DISTINCT register requests from $N_DISTINCT distinct client addresses"
echo
echo "| process | VmRSS at start MiB | VmRSS after MiB | requests/s | errors |"
echo "|---|---:|---:|---:|---:|"
echo "| bare Caddy \`respond \"ok\" 200\` | $(mib "$bare_rss0") | $(mib "$bare_rss1") | $(jq -r '.rps' <<<"$bare_json") | $(jq -r '.errors' <<<"$bare_json") |"
echo "| hostedgate register → 400 portalsCountTooMuch | $(mib "$gw_rss0") | $(mib "$gw_rss1") | $(jq -r '.rps' <<<"$gw_json") | $(jq -r '.errors' <<<"$gw_json") |"
echo
awk -v g="$gw_rss1" -v b="$bare_rss1" -v g0="$gw_rss0" -v b0="$bare_rss0" 'BEGIN {
	printf "- VmRSS ratio hostedgate / bare after the run: %.2f (growth during the run: hostedgate %.1f MiB, bare %.1f MiB)\n", g / b, (g - g0) / 1024, (b - b0) / 1024
}'
echo "- the gateway trusts X-Forwarded-For from 127.0.0.1 (\`servers { trusted_proxies static 127.0.0.1/32 }\`), has \`max_portals 1\` and one portal, and the attempt limit on (defaults: 10 per 5m, max_keys 100000): every request passes the field and name checks, is counted for its own address, and is refused with 400 portalsCountTooMuch without creating a portal. The bare Caddy gets the same requests (same trusted_proxies) on its respond route."
