#!/usr/bin/env bash
# Whole-process runs of gwlint against its peers on generated configurations, with hyperfine
# (or a loop of `date +%s%N` when hyperfine is missing). Prints the times and the ratios.
#
#   bench/compare.sh            # all sets; peers that are not installed are skipped
#   RUNS=20 bench/compare.sh    # more runs per command
#
# Peers: crossplane (`pip install crossplane`, parse only, all files in one Python process),
# gixy-ng (`pip install gixy-ng`), `nginx -t`, `haproxy -c`.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
cargo build --release --quiet --bin gwlint --example genconf
GW=$PWD/target/release/gwlint
GEN=$PWD/target/release/examples/genconf
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }

# The sets.
mkdir -p "$W/one/logs" "$W/fleet" "$W/big/logs" "$W/ha"
"$GEN" nginx-lines 1000 > "$W/one/nginx.conf"
for i in $(seq -w 1 500); do
  mkdir -p "$W/fleet/site$i"
  "$GEN" nginx 900 "$i" > "$W/fleet/site$i/nginx.conf"
done
# A test suite's cases: 500 unrelated complete configurations that all listen on
# 127.0.0.1:8080-8083 and send to 127.0.0.1:8081-8083, all in one directory, and the same
# files one per directory (suite/apart/caseNNN/, as the fleet) and one level deeper
# (suite/deep/caseNNN/nginx/: not one deployment even by their directories).
mkdir -p "$W/suite/one"
for i in $(seq -w 1 500); do
  "$GEN" nginx-loopback 900 "$i" > "$W/suite/one/case$i.conf"
  mkdir -p "$W/suite/apart/case$i" "$W/suite/deep/case$i/nginx"
  cp "$W/suite/one/case$i.conf" "$W/suite/apart/case$i/nginx.conf"
  cp "$W/suite/one/case$i.conf" "$W/suite/deep/case$i/nginx/nginx.conf"
done
"$GEN" nginx 50M > "$W/big/nginx.conf"
"$GEN" haproxy 1M > "$W/ha/haproxy.cfg"
cat > "$W/crossplane_all.py" <<'PY'
import sys, crossplane
for path in sys.argv[1:]:
    crossplane.parse(path, single=True)
PY
FLEET=$(find "$W/fleet" -name nginx.conf | sort)

# time NAME CMD...: mean seconds of RUNS runs (hyperfine, else a date loop).
declare -A MEAN
time_it() {
  local name=$1 runs=$2; shift 2
  local mean
  if have hyperfine; then
    hyperfine --style none --warmup 1 --runs "$runs" -N --ignore-failure \
      --export-json "$W/h.json" "$*" >/dev/null 2>&1 ||
    hyperfine --style none --warmup 1 --runs "$runs" --ignore-failure \
      --export-json "$W/h.json" "$*" >/dev/null
    mean=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$W/h.json")
  else
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    mean=$(python3 -c "print(($end-$start)/1e9/$runs)")
  fi
  MEAN[$name]=$mean
  printf '%-34s %10.2f ms\n' "$name" "$(python3 -c "print($mean*1e3)")"
}
ratio() { # ratio A B: how many times faster A is than B
  if [[ -n "${MEAN[$1]:-}" && -n "${MEAN[$2]:-}" ]]; then
    printf '  %-32s %8.1fx faster than %s\n' "$1" "$(python3 -c "print(${MEAN[$2]}/${MEAN[$1]})")" "$2"
  fi
}

echo "== one 1,000-line nginx config ($(wc -c < "$W/one/nginx.conf") bytes)"
time_it "gwlint 1000 lines" "$RUNS" "$GW" --format concise "$W/one/nginx.conf"
have nginx && time_it "nginx -t 1000 lines" "$RUNS" nginx -q -t -p "$W/one" -c "$W/one/nginx.conf" -e /dev/null
have crossplane && time_it "crossplane 1000 lines" "$RUNS" python3 "$W/crossplane_all.py" "$W/one/nginx.conf"
have gixy && time_it "gixy-ng 1000 lines" "$RUNS" gixy "$W/one/nginx.conf"

echo "== 500 nginx configs, $(cat $FLEET | wc -c) bytes in all, one run each"
time_it "gwlint 500 configs" "$RUNS" "$GW" --format concise "$W/fleet"
# shellcheck disable=SC2086
have crossplane && time_it "crossplane 500 configs" "$RUNS" python3 "$W/crossplane_all.py" $FLEET
# shellcheck disable=SC2086
have gixy && time_it "gixy-ng 500 configs" 3 gixy $FLEET

echo "== 500 unrelated configs on the same loopback ports: one directory vs one directory each"
time_it "gwlint suite, one directory" "$RUNS" "$GW" --format concise "$W/suite/one"
time_it "gwlint suite, 500 directories" "$RUNS" "$GW" --format concise "$W/suite/apart"
time_it "gwlint suite, 500 nested dirs" "$RUNS" "$GW" --format concise "$W/suite/deep"
for set in "one directory" "500 directories" "500 nested dirs"; do
  python3 -c "print(f'  per config, {\"$set\"}: {${MEAN[gwlint suite, $set]}/500*1e6:.0f} us')"
done
python3 -c "print(f'  one directory / 500 directories: {${MEAN[gwlint suite, one directory]}/${MEAN[gwlint suite, 500 directories]}:.2f}x (target: at most 1.3x)')"
chains=$("$GW" --format concise --select GW7 "$W/suite/one" | grep -c '\[GW7' || true)
echo "  chain findings in the one directory: $chains (the cases are alternatives: 0)"

echo "== one 50 MB nginx config"
time_it "gwlint 50 MB" "$RUNS" "$GW" --format concise "$W/big/nginx.conf"
have nginx && time_it "nginx -t 50 MB" 1 nginx -q -t -p "$W/big" -c "$W/big/nginx.conf" -e /dev/null
have crossplane && time_it "crossplane 50 MB" 1 python3 "$W/crossplane_all.py" "$W/big/nginx.conf"
/usr/bin/time -f "%M" -o "$W/rss" "$GW" --format concise "$W/big/nginx.conf" >/dev/null 2>&1 || true
python3 -c "import os; rss=int(open('$W/rss').read().split()[-1])*1024; n=os.path.getsize('$W/big/nginx.conf'); print(f'  gwlint 50 MB: {n/1e6/${MEAN[gwlint 50 MB]}:.0f} MB/s, peak memory {rss/1e6:.0f} MB = {rss/n:.1f}x the input')"

echo "== one 1 MB HAProxy config"
time_it "gwlint haproxy 1 MB" "$RUNS" "$GW" --format concise "$W/ha/haproxy.cfg"
have haproxy && time_it "haproxy -c 1 MB" "$RUNS" haproxy -q -c -f "$W/ha/haproxy.cfg"

echo "== ratios"
ratio "gwlint 1000 lines" "nginx -t 1000 lines"
ratio "gwlint 1000 lines" "crossplane 1000 lines"
ratio "gwlint 1000 lines" "gixy-ng 1000 lines"
ratio "gwlint 500 configs" "crossplane 500 configs"
ratio "gwlint 500 configs" "gixy-ng 500 configs"
ratio "gwlint 50 MB" "nginx -t 50 MB"
ratio "gwlint 50 MB" "crossplane 50 MB"
ratio "gwlint haproxy 1 MB" "haproxy -c 1 MB"
