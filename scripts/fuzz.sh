#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ for a bounded time, one after another, and prints the
# executions, time, coverage and corpus size of each. Not part of CI: results are recorded by
# hand in docs/reliability.md.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, every target)
#   scripts/fuzz.sh 300 scenario                          (one target for five minutes)
#
# Toolchain. cargo fuzz passes `-Zsanitizer=address` and other unstable flags to rustc, which
# a stable toolchain refuses unless RUSTC_BOOTSTRAP=1 is set. On this project's machines
# (stable 1.95, and no other toolchain can be fetched) this works, and is what the script does:
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target>
# It builds and runs with AddressSanitizer: the stable toolchain ships librustc-stable_rt.asan.a,
# so nothing else is needed. With a nightly toolchain the variable does no harm.
# FUZZ_SANITIZER=none builds without ASan (`--sanitizer none`: faster; finds panics, aborts,
# timeouts and out-of-memory, which is what matters for code without `unsafe`). Not tried here:
# it needs a full rebuild of the instrumented dependencies (about ten minutes).
#
# The first build compiles ssync-core, ssync-sim and the check crates in release with coverage
# instrumentation: 10 to 25 minutes on two busy cores; later builds only what changed.
#
# Each target writes new inputs to fuzz/corpus/<target>/ (not committed) and starts from the
# committed seeds in fuzz/seeds/<target>/ and the dictionary fuzz/dicts/<target>.dict. A
# crash stops that target and leaves its input in fuzz/artifacts/<target>/; the script goes
# on with the next one and exits non-zero at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
shift || true
all_targets=(triage_alert www_authenticate odata_decode scenario bundle_facts)
if [ $# -eq 0 ]; then targets=("${all_targets[@]}"); else targets=("$@"); fi
sanitizer="${FUZZ_SANITIZER:-address}"

# Largest input per target: big enough for the largest seed, small enough to stay fast.
max_len() {
    case "$1" in
        scenario) echo 16384 ;;
        bundle_facts) echo 32768 ;;
        odata_decode) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (about a minute)…" >&2
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
echo "building the fuzz targets (release, sanitizer: $sanitizer)…" >&2
cargo fuzz build --sanitizer "$sanitizer"

logs="$root/fuzz/target/logs"
mkdir -p "$logs"
summary=()
failed=0
for t in "${targets[@]}"; do
    corpus="fuzz/corpus/$t"
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    log="$logs/$t.log"
    echo "fuzzing $t for ${seconds}s…" >&2
    status=ok
    # -jobs/-workers are left at 1: the machine has two cores and others build on it.
    if ! cargo fuzz run --sanitizer "$sanitizer" "$t" "$corpus" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$t")" -dict="fuzz/dicts/$t.dict" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        status=CRASH
        failed=1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
    took="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1 || true)"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)"
    files="$(find "$corpus" -type f | wc -l)"
    summary+=("$(printf '%-18s %-6s %12s %8s %10s %7s %8s' "$t" "$status" "${execs:-?}" "${took:-?}" "${rate:-?}" "${cov:-?}" "$files")")
    if [ "$status" = CRASH ]; then
        grep -E "panicked at|ERROR: (libFuzzer|AddressSanitizer)|Test unit written to" "$log" >&2 || true
    fi
done

printf '\n%-18s %-6s %12s %8s %10s %7s %8s\n' target result executions seconds exec/s cov corpus
printf '%s\n' "${summary[@]}"
echo "logs: $logs" >&2
exit "$failed"
