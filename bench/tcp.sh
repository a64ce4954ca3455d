#!/usr/bin/env bash
# The TCP engine against the Linux kernel's TCP (bench/tcp_engine.c): two
# engines back to back in memory on one core vs the kernel over loopback,
# same run; writes bench/results/YYYY-MM-DD-tcp.md and prints it.
# usage: bench/tcp.sh [BUILD_DIR] [MB]   (after `make bench`)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-_build}
MB=${2:-512}
bin=$B/obj/bench/tcp_engine
[ -x "$bin" ] || { echo "tcp.sh: $bin missing; run 'make bench'" >&2; exit 2; }
out=${BENCH_OUT:-bench/results/$(date +%F)-tcp.md}
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
runs=()
for _ in 1 2 3 4 5; do runs+=("$("$bin" "$MB" | tr '\n' ' ')"); done
col() { # metric name -> the five values, sorted
  for r in "${runs[@]}"; do sed -n "s/.*$1 \([0-9.]*\).*/\1/p" <<< "$r"; done | sort -n
}
med() { col "$1" | sed -n 3p; }
{
  echo "# TCP engine vs Linux TCP ($(date +%F))"
  echo
  echo "- Machine: $cpu, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
  echo "- Mote: two engines back to back in one process, one core, $MB MB one way, no loss"
  echo "  (segment building, checksums both ways, ring copies, ACK processing; no I/O)."
  echo "- Peer: the kernel, a child process writing $MB MB to its parent over 127.0.0.1"
  echo "  (two processes, system calls, GSO): the ratio says whether the engine can keep"
  echo "  up, not that it beats Linux."
  echo "- Method: 5 runs, median. Command: \`make bench && bench/tcp.sh $B $MB\`"
  echo
  echo "| metric | median | all runs |"
  echo "|---|---|---|"
  for m in tcp_engine_gbps tcp_linux_loopback_gbps tcp_engine_ratio; do
    echo "| $m | $(med $m) | $(col $m | tr '\n' ' ') |"
  done
  timers=$B/obj/bench/tcp_timers
  if [ -x "$timers" ]; then
    echo
    echo "Timers (bench/tcp_timers.c): mean time of a tcp_tick with one due"
    echo "connection among N idle ones (a timer heap: should not grow with N)."
    echo
    echo "| idle connections | ns per tick |"
    echo "|---|---|"
    "$timers" | sed 's/idle=\([0-9]*\) ns_per_tick=\([0-9]*\)/| \1 | \2 |/'
  fi
} | tee "$out"
