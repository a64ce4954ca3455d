#!/usr/bin/env bash
# Run Mote's benchmarks against their peers; print a markdown report and save
# it under bench/results/. Builds nothing: `make bench` built everything.
#
# usage: bench/run.sh [BUILD_DIR]        (default _build)
#
# Knobs (environment), for quick looks; the committed results use defaults:
#   BENCH_REPS=7          rounds; each round runs every program once
#   BENCH_ECHO_MS=2000    measured window per echo run (after the warm-up)
#   BENCH_WARMUP_MS=500   echo warm-up, not counted
#   BENCH_CONNS="1 100"   echo connection counts
#   BENCH_QUICK=1         fiber benchmarks with a tenth of the iterations
#   BENCH_OUT=FILE        where to write the report
#                         (default bench/results/YYYY-MM-DD-fibers-echo.md)
#   BENCH_SOURCE=TEXT     what was built, for the report (default: the git
#                         commit here, and whether the tree has changes)
set -euo pipefail

cd "$(dirname "$0")/.."
B=${1:-_build}
REPS=${BENCH_REPS:-7}
ECHO_MS=${BENCH_ECHO_MS:-2000}
WARM_MS=${BENCH_WARMUP_MS:-500}
CONNS=${BENCH_CONNS:-"1 100"}
OUT=${BENCH_OUT:-bench/results/$(date +%F)-fibers-echo.md}
QUICK=
if [ -n "${BENCH_QUICK:-}" ]; then QUICK=--quick; fi
CMD="./bench/run.sh $*"

BIN=$B/obj/bench
for p in "$BIN/fibers" "$BIN/peer_ucontext" "$BIN/echo_load" \
    "$BIN/peer_epoll_echo" "$B/bin/echo"; do
    if [ ! -x "$p" ]; then
        echo "run.sh: $p missing; run 'make bench'" >&2
        exit 2
    fi
done

TMP=$(mktemp -d)
RAW=$TMP/raw   # "metric value": every sample of every run
RUNS=$TMP/runs # one line per echo run, see echo_run
SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
cleanup() {
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
: >"$RAW"
: >"$RUNS"

log() { echo "run.sh: $*" >&2; }

# ---- Echo: one server, one load run --------------------------------------------

# A port below the ephemeral range (32768+ on Linux), so the load
# generator's own connections can never be holding it, and nobody listens.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))
        if [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
            echo "$port"
            return
        fi
    done
}

# echo_run SERVER(mote|peer) CONNS ROUND: appends to $RUNS
#   ROUND SERVER CONNS RT_PER_SEC SAME_CPU_PCT SERVER_NS_PER_RT LOAD_CPU_PCT
echo_run() {
    local srv=$1 n=$2 round=$3 try port out
    for try in 1 2 3; do
        port=$(free_port)
        if [ "$srv" = mote ]; then
            "$B/bin/echo" --listen="127.0.0.1:$port" 2>"$TMP/server.log" &
        else
            "$BIN/peer_epoll_echo" "$port" 2>"$TMP/server.log" &
        fi
        SERVER_PID=$!
        if out=$("$BIN/echo_load" "$port" "$n" "$WARM_MS" "$ECHO_MS" \
            "$SERVER_PID" 2>"$TMP/load.log"); then
            stop_server
            echo "$out" | awk -v r="$round" -v s="$srv" -v n="$n" '
                { v[$1] = $2 }
                END {
                    print r, s, n, v["rt_per_sec"],
                        ("same_cpu_pct" in v) ? v["same_cpu_pct"] : -1,
                        ("server_ns_per_rt" in v) ? v["server_ns_per_rt"] : -1,
                        v["load_cpu_pct"]
                }' >>"$RUNS"
            return 0
        fi
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            # The server is up, so the load generator found a real fault.
            stop_server
            cat "$TMP/load.log" "$TMP/server.log" >&2
            log "echo benchmark failed ($srv, $n connections)"
            exit 1
        fi
        # A server that died at once lost a race for the port: try another.
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
        log "$srv server did not start on port $port (try $try):"
        cat "$TMP/server.log" >&2
    done
    exit 1
}

# ---- Run everything, interleaved -------------------------------------------------

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
for r in $(seq 1 "$REPS"); do
    log "round $r/$REPS: fibers"
    if ! "$BIN/fibers" $QUICK >>"$RAW" 2>"$TMP/fibers.log"; then
        cat "$TMP/fibers.log" >&2
        log "fibers failed"
        exit 1
    fi
    if ! "$BIN/peer_ucontext" $QUICK >>"$RAW"; then
        log "peer_ucontext failed"
        exit 1
    fi
    for n in $CONNS; do
        log "round $r/$REPS: echo, $n connection(s)"
        # Alternate who goes first, so a drift in machine load does not
        # always favour the same side.
        if [ $((r % 2)) -eq 1 ]; then
            echo_run mote "$n" "$r"
            echo_run peer "$n" "$r"
        else
            echo_run peer "$n" "$r"
            echo_run mote "$n" "$r"
        fi
    done
done
ELAPSED=$(($(date +%s) - START))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# ---- Medians -----------------------------------------------------------------------

# Echo runs become samples too. Each is filed under "all" and under its
# placement: "1cpu" if the server and the load generator were mostly seen
# on the same CPU, "2cpu" otherwise ("unk" if it could not be seen).
awk '{
    place = $5 < 0 ? "unk" : ($5 >= 50 ? "1cpu" : "2cpu")
    split("all " place, modes, " ")
    for (i = 1; i <= 2; i++) {
        k = "echo_" $2 "_c" $3 "_" modes[i]
        print k "_rt", $4
        if ($6 >= 0) print k "_nsrt", $6
        print k "_loadcpu", $7
    }
}' "$RUNS" >>"$RAW"
# Paired ratios: Mote / peer within a round (measured back to back).
awk '{ rt[$1, $2, $3] = $4; key[$1, $3] = 1 }
    END {
        for (k in key) {
            split(k, a, SUBSEP)
            if (rt[a[1], "peer", a[2]] > 0)
                print "echo_pair_c" a[2],
                    rt[a[1], "mote", a[2]] / rt[a[1], "peer", a[2]]
        }
    }' "$RUNS" >>"$RAW"

# Per metric: name, median, min, max, count.
sort -k1,1 -k2,2g "$RAW" | awk '
    function flush() {
        if (name == "") return
        m = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
        print name, m, v[1], v[k], k
    }
    $1 != name { flush(); name = $1; k = 0 }
    { v[++k] = $2 }
    END { flush() }' >"$TMP/med"

get() { awk -v m="$1" -v f="$2" '$1 == m { print $f; x = 1 }
    END { if (!x) print "" }' "$TMP/med"; }
med() { get "$1" 2; }
# fmt DECIMALS VALUE: "-" for a missing value
fmt() { awk -v d="$1" -v x="$2" 'BEGIN {
    if (x == "") print "-"; else printf "%.*f\n", d, x }'; }
# ratio A B: A / B to two places, "-" if either is missing
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }
# spread METRIC [DECIMALS]: "median [min-max]", or "-" if there is none
spread() {
    local d=${2:-0}
    if [ -z "$(med "$1")" ]; then
        echo "-"
    else
        echo "$(fmt "$d" "$(med "$1")") [$(fmt "$d" "$(get "$1" 3)")-$(fmt "$d" "$(get "$1" 4)")]"
    fi
}
count() { local c; c=$(get "$1" 5); echo "${c:-0}"; }

# ---- Report ------------------------------------------------------------------------

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
SOURCE=${BENCH_SOURCE:-}
if [ -z "$SOURCE" ]; then
    SOURCE="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "$(git status --porcelain -- src include apps bench 2>/dev/null)" ]; then
        SOURCE="$SOURCE plus uncommitted changes in src/include/apps/bench"
    fi
fi

echo_row() { # CONNS MODE LABEL
    local n=$1 mode=$2 label=$3
    local m="echo_mote_c${n}_$mode" p="echo_peer_c${n}_$mode" pair="-"
    if [ "$mode" = all ]; then
        pair=$(spread "echo_pair_c$n" 2)
    fi
    local mrt prt mns pns
    mrt=$(med "${m}_rt") prt=$(med "${p}_rt")
    mns=$(med "${m}_nsrt") pns=$(med "${p}_nsrt")
    printf '| %s | %s | %s / %s | %s | %s | **%s** | %s | %s | %s | %s | %s / %s |\n' \
        "$n" "$label" "$(count "${m}_rt")" "$(count "${p}_rt")" \
        "$(spread "${m}_rt")" "$(spread "${p}_rt")" "$(ratio "$mrt" "$prt")" \
        "$pair" "$(fmt 0 "$mns")" "$(fmt 0 "$pns")" "$(ratio "$pns" "$mns")" \
        "$(fmt 0 "$(med "${m}_loadcpu")")" "$(fmt 0 "$(med "${p}_loadcpu")")"
}

# A warning when other work had the machine: the figures then say more about
# how the kernel shared the CPUs than about either program.
BUSY=$(awk -v a="${LOAD_START%% *}" -v b="${LOAD_END%% *}" -v n="$(nproc)" \
    'BEGIN { if (a + 0 > n - 0.5 || b + 0 > n - 0.5) print "yes" }')

report() {
    cat <<EOF
# Benchmarks: fibers and echo, $(date +%F)
EOF
    if [ -n "$BUSY" ]; then
        cat <<EOF

> **Busy machine:** the 1-minute load average ($LOAD_START at the start,
> $LOAD_END at the end) was near or above the CPU count, so the benchmark
> processes shared CPUs with other work. Absolute figures are low and noisy;
> the ratios suffer less but are still noisier than usual.
EOF
    fi
    cat <<EOF

- Command: \`make bench\`, which runs \`$CMD\` after \`make all\`; this run took ${ELAPSED} s.
- Machine: $(nproc) CPUs (${CPU:-unknown CPU}), Linux $(uname -r), $(${CC:-gcc} --version | head -1). Shared with other work: load average $LOAD_START at the start, $LOAD_END at the end.
- Source: $SOURCE; default build (-O2).
- Method: $REPS rounds; each round runs the fiber benchmark, its peer, then
  each echo configuration once for Mote and once for the peer (which of the
  two goes first alternates by round). Figures are medians over all samples,
  with min-max in brackets where the spread matters.

## Fibers

Nanoseconds per operation, median of $(count mote_yield_ns) samples ($REPS
runs x 3 passes). Speed ratio = peer ns / Mote ns: above 1, Mote is faster.

| Operation | Mote ns | glibc ucontext ns | speed ratio |
|---|---:|---:|---:|
| Hand-off to another fiber. Mote: one \`mote_fiber_yield\` while two fibers ping-pong, i.e. fiber -> scheduler -> other fiber (2 register switches and run-queue work; while fibers stay runnable the scheduler polls the platform with \`epoll_wait(0)\` at most every 50 us). Peer: one \`swapcontext\` straight into the other context. | $(fmt 1 "$(med mote_yield_ns)") | $(fmt 1 "$(med uctx_swap_ns)") | **$(ratio "$(med uctx_swap_ns)" "$(med mote_yield_ns)")** |
| Same hand-off, peer shaped like Mote: fiber -> scheduler context -> other fiber, 2 \`swapcontext\` calls. | $(fmt 1 "$(med mote_yield_ns)") | $(fmt 1 "$(med uctx_swap_sched_ns)") | $(ratio "$(med uctx_swap_sched_ns)" "$(med mote_yield_ns)") |
| Create + run + join an empty fiber. Mote: \`mote_fiber_spawn\` (default 256 KiB stack, which the unix platform recycles) + \`mote_fiber_join\`. Peer: \`getcontext\` + \`makecontext\` on a preallocated 256 KiB stack + \`swapcontext\` in + return through \`uc_link\` (the join). | $(fmt 1 "$(med mote_spawn_join_ns)") | $(fmt 1 "$(med uctx_create_ns)") | **$(ratio "$(med uctx_create_ns)" "$(med mote_spawn_join_ns)")** |
| Same, with a new stack each time. Mote: 64 KiB stack, the size apps/echo gives each connection (the platform recycles released stacks of any size; a fresh one costs mmap + mprotect + munmap). Peer: 256 KiB stack from malloc/free. | $(fmt 1 "$(med mote_spawn64k_join_ns)") | $(fmt 1 "$(med uctx_create_malloc_ns)") | $(ratio "$(med uctx_create_malloc_ns)" "$(med mote_spawn64k_join_ns)") |

Where a Mote hand-off goes (same runs): the bare register switch
(\`core__ctx_switch\` between two raw contexts, no scheduler) takes
$(fmt 1 "$(med ctx_switch_ns)") ns; an \`epoll_wait(epfd, ..., 0)\`, which the
scheduler makes at most every 50 us while fibers stay runnable, takes
$(fmt 1 "$(med epoll_wait0_ns)") ns. glibc's
\`swapcontext\` makes an \`rt_sigprocmask\` system call on every switch, which
is most of its cost.

## Echo round trips

64-byte messages, exactly one outstanding per connection, every echo checked
byte for byte; ${WARM_MS} ms warm-up, then ${ECHO_MS} ms measured. Server and
load generator are separate processes on 127.0.0.1; nothing is pinned.

- Mote: \`apps/echo\` on the socket stack, one fiber per connection.
- Peer: \`bench/peer_epoll_echo\`, single-threaded level-triggered epoll, one
  recv + one send per wake-up, TCP_NODELAY, 16 KiB buffer.
- Load: \`bench/echo_load\`, a single-threaded epoll client.

Columns: RT/s = verified round trips per second, median [min-max] over the
runs; Mote/peer = ratio of those medians (the goal is at least 0.90);
paired = median [min-max] of the per-round ratios, Mote and peer measured
back to back; server ns/RT = the server process's CPU time (user + system,
from /proc/PID/schedstat) per round trip, which is its cost whichever
process was the bottleneck; cost ratio = peer ns/RT / Mote ns/RT (above 1,
Mote is cheaper); load CPU % = the load generator's own CPU use (near 100:
it, not the server, sets the pace).

Placement: with one connection the two processes take turns, and the kernel
either keeps them on one CPU or spreads them over two; on this VM a wake-up
across CPUs costs tens of microseconds, so the placement sets the rate far
more than either program does. \`echo_load\` samples where the server ran
every 5 ms; a run counts as "one CPU" if they were together in at least half
the samples. When both placements occurred, each gets its own row.

| Conns | Placement | Runs (Mote / peer) | Mote RT/s | peer RT/s | Mote/peer | paired | Mote server ns/RT | peer server ns/RT | cost ratio | load CPU % (Mote / peer) |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
    for n in $CONNS; do
        echo_row "$n" all "all"
        local modes
        modes=$(awk -v n="$n" '$3 == n {
            print ($5 < 0 ? "unk" : ($5 >= 50 ? "1cpu" : "2cpu")) }' \
            "$RUNS" | sort -u)
        if [ "$(echo "$modes" | wc -l)" -gt 1 ]; then
            for mode in $modes; do
                case $mode in
                1cpu) echo_row "$n" 1cpu "one CPU" ;;
                2cpu) echo_row "$n" 2cpu "two CPUs" ;;
                *) echo_row "$n" unk "unknown" ;;
                esac
            done
        fi
    done
    cat <<EOF

<details><summary>Every echo run</summary>

| Round | Server | Conns | RT/s | same CPU % | server ns/RT | load CPU % |
|---:|---|---:|---:|---:|---:|---:|
$(awk '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$RUNS")

</details>

<details><summary>All medians (metric, median, min, max, samples)</summary>

\`\`\`
$(awk '{ printf "%-28s %12.2f %12.2f %12.2f %3d\n", $1, $2, $3, $4, $5 }' "$TMP/med")
\`\`\`

</details>
EOF
}

mkdir -p "$(dirname "$OUT")"
report | tee "$OUT"
log "wrote $OUT"

# ---- The libraries' own benchmarks, each against its peer -------------------
# Each script writes its own table under bench/results/. BENCH_ONLY=fibers
# stops here (the fibers and echo tables only).
if [ "${BENCH_ONLY:-}" != fibers ]; then
    for script in crypto crypto_pk tcp tls tls_idle x509 x509_parse x509_gen \
        http https net net_tcp net_idle spt; do
        case $script in
        net | net_*)
            if [ "$(id -u)" -ne 0 ]; then
                log "skipping bench/$script.sh: needs root for its network namespace"
                continue
            fi
            ;;
        esac
        log "running bench/$script.sh"
        "./bench/$script.sh" "$B" || log "bench/$script.sh failed (status $?)"
    done
fi
