#!/usr/bin/env bash
# Chooses the `src` protocol's knobs on a validation split carved out of the training data
# (never the test split): every configuration runs with --set held_out=10% --eval validation
# over the seeds given, and the mean final validation accuracy is printed.
#
#   scripts/tune_src.sh "1 2" "" "inc=0.016" "alpha_scale=30 inc=0.016" ...
#
# The first argument lists the seeds; each later argument is one configuration, a
# space-separated list of NAME=VALUE constants ("" is the protocol as written).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/somnia
cargo build --release --quiet
seeds=$1
shift
out=$(mktemp -d)
run() {
  local cfg=$1 seed=$2 tag=$3
  local sets=(--set held_out=10%)
  for kv in $cfg; do sets+=(--set "$kv"); done
  "$bin" run protocols/src_split_mnist.sleep --protocol src --seed "$seed" --quiet --force \
    --eval validation "${sets[@]}" --out "$out/$tag-$seed" >/dev/null 2>&1 || true
}
i=0
for cfg in "$@"; do
  for seed in $seeds; do
    run "$cfg" "$seed" "c$i" &
    # Two at a time: one per core.
    if (( $(jobs -r | wc -l) >= 2 )); then wait -n; fi
  done
  i=$((i + 1))
done
wait
i=0
for cfg in "$@"; do
  python3 - "$out" "c$i" "$cfg" "$seeds" <<'PY'
import json, sys, statistics
out, tag, cfg, seeds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
accs = []
for s in seeds:
    o = json.load(open(f"{out}/{tag}-{s}/outcome.json"))
    accs.append(o["final"]["accuracy"]["pairs"])
print(f"{statistics.mean(accs)*100:6.2f}  {' '.join(f'{a*100:5.1f}' for a in accs)}  {cfg or '(as written)'}")
PY
  i=$((i + 1))
done
