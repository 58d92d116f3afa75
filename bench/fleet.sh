#!/usr/bin/env bash
# Whole-process benchmark of `gen render --all` on synthetic fleets of
# N = 1, 10, 100, 1000 envs (one overlay per cluster, from `gen fleet`),
# each rendered to a fresh directory on a tmpfs, plus the built-in prod env
# alone. Prints a Markdown table: median wall time over RUNS runs, ms per
# env, peak RSS (one more run under /usr/bin/time), files and bytes
# written, `gen check` on the unchanged tree, and `cp -r` of the same tree
# (the I/O floor). The output is verified, so a fast wrong answer cannot
# pass: `gen check` must find the tree identical to the render (every file
# of which was parsed back before it was written), the file count must be
# the expected one, and every file must parse as YAML.
#   bench/fleet.sh                 # SIZES="1 10 100 1000" RUNS=5
#   SIZES="100" RUNS=9 bench/fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
# GEN=path/to/gen compares another build (e.g. a previous release) on the same run.
GEN="${GEN:-$PWD/target/release/gen}"
# A tmpfs: this machine's disk makes file-writing times swing 5×.
DEFAULT_DIR=/dev/shm/platgen-bench
[ -w /dev/shm ] || DEFAULT_DIR="${TMPDIR:-/tmp}/platgen-bench"
DIR="${BENCH_DIR:-$DEFAULT_DIR}"
RUNS="${RUNS:-5}"
rm -rf "$DIR" && mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
# Median wall time in ns of "$@" over RUNS runs, read from bash's own clock
# (no process is started to read it); $PREP runs, untimed, before each.
timed() {
  : > "$DIR/walls"
  for _ in $(seq "$RUNS"); do
    eval "${PREP:-:}"
    local t0=${EPOCHREALTIME/./}
    "$@"
    local t1=${EPOCHREALTIME/./}
    echo $(( (10#$t1 - 10#$t0) * 1000 )) >> "$DIR/walls"
  done
  median < "$DIR/walls"
}
# Every file parses as YAML 1.1 (PyYAML, as Helm and Argo CD read it).
parses() {
  python3 - "$1" <<'PY' || { echo "a rendered file does not parse" >&2; exit 1; }
import pathlib, sys
try:
    import yaml
except ImportError:
    print("note: PyYAML missing, files not parsed independently", file=sys.stderr)
    sys.exit(0)
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for f in pathlib.Path(sys.argv[1]).rglob("*.yaml"):
    list(yaml.load_all(f.read_text(), Loader=loader))
PY
}
rss_kb() { /usr/bin/time -f '%M' -o "$DIR/rss" "$@" && tail -1 "$DIR/rss"; }

echo "| workload | render: median wall | ms/env | peak RSS | files | bytes | \`gen check\` (unchanged) | \`cp -r\` of the tree |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row() { # name n cfg-args...
  local name=$1 n=$2; shift 2
  local out="$DIR/out"
  wall=$(PREP="rm -rf '$out'" timed "$GEN" render "$@" --out "$out" -q)
  rm -rf "$out"; rss=$(rss_kb "$GEN" render "$@" --out "$out" -q)
  files=$(find "$out" -type f -name '*.yaml' | wc -l)
  per_env=$(( files / n ))
  [ "$files" -eq $(( per_env * n )) ] && [ "$per_env" -gt 0 ] || { echo "wrong file count: $files" >&2; exit 1; }
  parses "$out"
  # Compare only: verify (with charts vendored) is timed on its own below.
  check=$(timed "$GEN" check "$@" --out "$out" --no-verify -q)
  cp_wall=$(PREP="rm -rf '$DIR/copy'" timed cp -r "$out" "$DIR/copy")
  bytes=$(du -sb "$out" | cut -f1)
  awk -v name="$name" -v n="$n" -v w="$wall" -v c="$check" -v cp="$cp_wall" -v rss="$rss" -v f="$files" -v b="$bytes" 'BEGIN {
    printf "| %s | %.3f s | %.2f | %.0f MB | %d | %.1f MB | %.3f s | %.3f s |\n", name, w/1e9, w/1e6/n, rss/1024, f, b/1e6, c/1e9, cp/1e9 }'
  rm -rf "$out" "$DIR/copy"
}

row "built-in prod env" 1 --env prod
for n in ${SIZES:-1 10 100 1000}; do
  "$GEN" fleet --count "$n" --out "$DIR/fleet-$n"
  row "fleet, N = $n" "$n" --all --config "$DIR/fleet-$n"
  rm -rf "$DIR/fleet-$n"
done

# The largest fleet again with every chart vendored (the pinned upstream
# packages and a charts.lock, as `gen vendor` leaves them), so every values
# file of every env is checked against its chart; beside it the same fleet
# unvendored. Superset is off in both (its chart is not among the upstream
# packages).
UPSTREAM="${PLATGEN_UPSTREAM:-$PWD/../shared/upstream}"
if [ -d "$UPSTREAM/charts" ]; then
  n=$(echo ${SIZES:-1 10 100 1000} | tr ' ' '\n' | sort -n | tail -1)
  fleet="$DIR/fleet-$n"
  "$GEN" fleet --count "$n" --out "$fleet"
  python3 - "$fleet/platform.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
assert "  superset:\n    release: superset\n" in s
open(p, "w").write(s.replace("  superset:\n    release: superset\n", "  superset:\n    enabled: false\n    release: superset\n", 1))
PY
  row "fleet, N = $n, Superset off, charts not vendored" "$n" --all --config "$fleet"
  mkdir -p "$fleet/charts"
  cp "$UPSTREAM"/charts/*.tgz "$fleet/charts/"
  python3 - "$fleet" <<'PY'
import hashlib, pathlib, re, sys
fleet = pathlib.Path(sys.argv[1])
text = (fleet / "platform.yaml").read_text()
pins = re.findall(r"    repository: (\S+)\n    chart: (\S+)\n    version: (\S+)\n", text)
out = ["charts:"]
for repo, chart, version in sorted(pins, key=lambda p: (p[1], p[2])):
    f = fleet / "charts" / f"{chart}-{version}.tgz"
    if not f.exists():
        continue
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    out += [f"- name: {chart}", f"  repository: {repo}", f'  version: "{version}"', f"  file: {f.name}", f"  digest: sha256:{digest}"]
assert len(out) == 1 + 7 * 5, out
(fleet / "charts.lock").write_text("\n".join(out) + "\n")
PY
  "$GEN" vendor --check --config "$fleet" -q
  row "fleet, N = $n, Superset off, 7 charts vendored" "$n" --all --config "$fleet"
  rm -rf "$fleet"
fi

# `gen verify --all` (every release rendered with its vendored chart by the
# real Helm, in parallel) of the built-in platform (from `gen init`, its 3
# envs) and of a vendored fleet of VERIFY_N envs, cold (an empty cache) and
# warm (nothing changed), beside the same `helm template` commands run one
# after another, and `gen check --no-verify` of the same tree; for the
# built-in platform, `gen diff --objects` of one edit beside `gen diff`.
HELM_BIN="${HELM:-$(command -v helm || echo "$PWD/.tools/bin/helm")}"
verify_row() { # name config-dir
  local name=$1 fleet=$2
  python3 - "$fleet" "$UPSTREAM/charts" <<'PY'
import hashlib, pathlib, re, shutil, sys
fleet, charts = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
p = fleet / "platform.yaml"
s = p.read_text().replace("  superset:\n    release: superset\n", "  superset:\n    enabled: false\n    release: superset\n", 1)
p.write_text(s)
(fleet / "charts").mkdir()
out = ["charts:"]
for repo, chart, version in sorted(re.findall(r"    repository: (\S+)\n    chart: (\S+)\n    version: (\S+)\n", s), key=lambda x: (x[1], x[2])):
    src = charts / f"{chart}-{version}.tgz"
    if not src.exists():
        continue
    shutil.copy(src, fleet / "charts")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    out += [f"- name: {chart}", f"  repository: {repo}", f'  version: "{version}"', f"  file: {src.name}", f"  digest: sha256:{digest}"]
(fleet / "charts.lock").write_text("\n".join(out) + "\n")
PY
  "$GEN" render --all --config "$fleet" --out "$DIR/vout" -q
  # The same helm template commands, one after another.
  python3 - "$DIR/vout" "$fleet/charts" "$HELM_BIN" > "$DIR/sequential.sh" <<'PY'
import pathlib, shlex, sys
import yaml
out, charts, helm = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
for app in sorted(out.glob("*/apps/*.yaml")):
    d = yaml.safe_load(app.read_text())
    for src in d["spec"].get("sources") or []:
        if "chart" not in src:
            continue
        values = app.parent.parent / "values" / app.name
        pkg = charts / f"{src['chart']}-{src['targetRevision']}.tgz"
        print(" ".join(shlex.quote(a) for a in [helm, "template", src["helm"]["releaseName"], str(pkg), "--namespace", d["spec"]["destination"]["namespace"], "--include-crds", "-f", str(values)]) + " > /dev/null")
PY
  local releases sequential cold warm check
  releases=$(wc -l < "$DIR/sequential.sh")
  sequential=$(RUNS=1 timed bash "$DIR/sequential.sh")
  "$GEN" verify --all --config "$fleet" --cache "$DIR/vcache" -q || { echo "gen verify failed" >&2; exit 1; }
  cold=$(PREP="rm -rf '$DIR/vcache'" timed "$GEN" verify --all --config "$fleet" --cache "$DIR/vcache" -q)
  warm=$(timed "$GEN" verify --all --config "$fleet" --cache "$DIR/vcache" -q)
  check=$(timed "$GEN" check --all --config "$fleet" --out "$DIR/vout" --no-verify -q)
  awk -v name="$name" -v r="$releases" -v s="$sequential" -v c="$cold" -v w="$warm" -v k="$check" 'BEGIN {
    printf "| %s (%d releases, 7 charts vendored) | %.3f s | %.3f s (%.2f×) | %.3f s | %.3f s (%.1f×) |\n", name, r, s/1e9, c/1e9, c/s, w/1e9, k/1e9, w/k }'
  if [ "${3:-}" = objects ] && command -v git > /dev/null; then
    # `gen diff --objects` of one edit (prod's Kafka controllers 3 → 5,
    # one release on each side rendered twice), beside `gen diff`.
    git -C "$fleet" init -q && git -C "$fleet" add . \
      && git -C "$fleet" -c user.name=bench -c user.email=bench@localhost commit -qm vendored
    python3 - "$fleet/envs/prod.yaml" <<'PY'
import pathlib, sys
p = pathlib.Path(sys.argv[1])
p.write_text(p.read_text().replace("components:\n", "components:\n  kafka:\n    controller:\n      replicas: 5\n", 1))
PY
    local plain objects
    plain=$(timed sh -c "'$GEN' diff --base HEAD --config '$fleet' > /dev/null; [ \$? -eq 1 ]")
    objects=$(timed sh -c "'$GEN' diff --base HEAD --objects --config '$fleet' > '$DIR/objects.txt'; [ \$? -eq 1 ]")
    grep -q 'helm:kafka  StatefulSet/data-platform/kafka-controller' "$DIR/objects.txt" \
      || { echo "gen diff --objects did not show the StatefulSet" >&2; cat "$DIR/objects.txt" >&2; exit 1; }
    OBJECTS_ROW=$(awk -v n="$name" -v p="$plain" -v o="$objects" 'BEGIN {
      printf "| %s: prod'"'"'s Kafka controllers 3 → 5 | %.3f s | %.3f s |", n, p/1e9, o/1e9 }')
  fi
  rm -rf "$fleet" "$DIR/vout" "$DIR/vcache" "$DIR/sequential.sh" "$DIR/objects.txt"
}
if [ -d "$UPSTREAM/charts" ] && [ -x "$HELM_BIN" ] && [ "${VERIFY_N:-10}" -gt 0 ]; then
  vn="${VERIFY_N:-10}"
  echo
  echo "| workload | helm template, one after another | \`gen verify\` cold | warm | \`gen check --no-verify\` (unchanged; warm ÷ check) |"
  echo "|---|---:|---:|---:|---:|"
  "$GEN" init "$DIR/builtin" -q
  OBJECTS_ROW=""
  verify_row "built-in platform, 3 envs" "$DIR/builtin" objects
  "$GEN" fleet --count "$vn" --out "$DIR/verify-$vn"
  verify_row "fleet, N = $vn" "$DIR/verify-$vn"
  if [ -n "$OBJECTS_ROW" ]; then
    echo
    echo "| workload | \`gen diff --base HEAD\` | \`gen diff --base HEAD --objects\` (Helm on both sides, twice) |"
    echo "|---|---:|---:|"
    echo "$OBJECTS_ROW"
  fi
fi

# `gen diff --base HEAD` of a fleet in Git where one overlay changed, beside
# `gen check` of the same fleet's tree: unchanged envs are not rendered.
if command -v git > /dev/null; then
  echo
  echo "| workload | \`gen diff --base HEAD\` (one overlay changed) | \`gen check\` (unchanged) |"
  echo "|---|---:|---:|"
  for n in ${SIZES:-1 10 100 1000}; do
    repo="$DIR/repo-$n"
    "$GEN" fleet --count "$n" --out "$repo/fleet"
    git -C "$repo" init -q && git -C "$repo" add fleet \
      && git -C "$repo" -c user.name=bench -c user.email=bench@localhost commit -qm fleet
    "$GEN" render --all --config "$repo/fleet" --out "$DIR/out" -q
    # sed reads to the end: head would close the pipe on sort (SIGPIPE under pipefail).
    one=$(find "$repo/fleet/envs" -name '*.yaml' | sort | sed -n 1p)
    printf '\n# changed\ncapacity: null\nchecks: { deadlineSeconds: 301 }\n' >> "$one"
    set +e
    "$GEN" diff --base HEAD --config "$repo/fleet" > "$DIR/diff.txt"
    rc=$?
    set -e
    [ "$rc" -eq 1 ] && grep -q '1 env changed' "$DIR/diff.txt" \
      || { echo "gen diff did not find the one change (exit $rc)" >&2; cat "$DIR/diff.txt" >&2; exit 1; }
    diff_wall=$(timed sh -c "'$GEN' diff --base HEAD --config '$repo/fleet' > /dev/null; [ \$? -eq 1 ]")
    git -C "$repo" checkout -q -- fleet
    check=$(timed "$GEN" check --all --config "$repo/fleet" --out "$DIR/out" -q)
    awk -v n="$n" -v d="$diff_wall" -v c="$check" 'BEGIN {
      printf "| fleet, N = %d | %.3f s | %.3f s |\n", n, d/1e9, c/1e9 }'
    rm -rf "$repo" "$DIR/out"
  done
fi
