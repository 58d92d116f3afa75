#!/usr/bin/env bash
# Whole-process benchmark of `gen render --all` on synthetic fleets of
# N = 1, 10, 100, 1000 envs (one overlay per cluster), each rendered to a
# fresh directory on a tmpfs. Prints a Markdown table: median wall time,
# ms per env, peak RSS, files and bytes written; and `gen check` on the
# unchanged tree. The output is verified: `gen check` must find the tree
# identical to the render (every file of which was parsed back before it was
# written) and the file count must be the expected one.
#   bench/fleet.sh                 # SIZES="1 10 100 1000" RUNS=5
#   SIZES="100" RUNS=9 bench/fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
GEN="$PWD/target/release/gen"
DIR="${BENCH_DIR:-/dev/shm/platgen-bench}"
RUNS="${RUNS:-5}"
rm -rf "$DIR" && mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

now() { date +%s%N; }
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

echo "| N envs | render: median wall | ms/env | peak RSS | files | bytes | check (unchanged tree) |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in ${SIZES:-1 10 100 1000}; do
  "$GEN" fleet --count "$n" --out "$DIR/fleet-$n"
  : > "$DIR/walls"; rss=0
  for r in $(seq "$RUNS"); do
    out="$DIR/out-$n-$r"
    t0=$(now)
    /usr/bin/time -f '%M' -o "$DIR/rss" "$GEN" render --all --config "$DIR/fleet-$n" --out "$out" -q
    echo $(( $(now) - t0 )) >> "$DIR/walls"
    m=$(tail -1 "$DIR/rss"); [ "$m" -gt "$rss" ] && rss=$m
    [ "$r" -gt 1 ] && rm -rf "$out"
  done
  out="$DIR/out-$n-1"
  per_env=$(find "$out/c0001" -type f | wc -l)
  files=$(find "$out" -type f | wc -l)
  [ "$files" -eq $(( per_env * n )) ] || { echo "wrong file count: $files" >&2; exit 1; }
  : > "$DIR/checks"
  for r in $(seq "$RUNS"); do
    t0=$(now)
    "$GEN" check --all --config "$DIR/fleet-$n" --out "$out" -q
    echo $(( $(now) - t0 )) >> "$DIR/checks"
  done
  wall=$(median < "$DIR/walls"); check=$(median < "$DIR/checks")
  bytes=$(du -sb "$out" | cut -f1)
  awk -v n="$n" -v w="$wall" -v c="$check" -v rss="$rss" -v f="$files" -v b="$bytes" 'BEGIN {
    printf "| %d | %.3f s | %.2f | %.0f MB | %d | %.1f MB | %.3f s |\n", n, w/1e9, w/1e6/n, rss/1024, f, b/1e6, c/1e9 }'
  rm -rf "$out" "$DIR/fleet-$n"
done
