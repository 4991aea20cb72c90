#!/usr/bin/env bash
# End-to-end test of `somnia submit slurm` on a real Slurm: one node (this machine, on
# localhost), its daemons started here and stopped at the end, nothing left behind.
#
#   scripts/slurm_e2e.sh                 # as root; CI runs it after `cargo test --release`
#   scripts/slurm_e2e.sh --cluster-only  # stop after the cluster's smoke check
#
# Stages: install slurm-wlm and munge from Debian if missing, start munged (or reuse a
# working one), write a private slurm.conf, start slurmctld and slurmd, prove the cluster with
# a 4-task array and a dependent job, then submit examples/05_derived_arms.sleep's sweep with
# `somnia submit slurm`, wait for it, check `somnia status`, compare the merged sweep.csv
# byte for byte with a local `somnia sweep`, delete one run and check that a resubmission
# redoes exactly that one; then cancel a long run part way (as a time limit would) and check
# that it ends interrupted, is named by `somnia status`, and is redone by a resubmission.
#
# Everything it makes lives in ${SLURM_E2E_DIR:-/tmp/somnia-slurm-e2e}, cleared at start. The
# daemons it started (and only those) are stopped by pid on exit, failure or interrupt.
# Slurm reads the private config through SLURM_CONF (daemons and client commands alike);
# /etc/slurm is not touched.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER_ONLY=0
case ${1:-} in
  "") ;;
  --cluster-only) CLUSTER_ONLY=1 ;;
  *)
    echo "usage: $0 [--cluster-only]" >&2
    exit 2
    ;;
esac
D=${SLURM_E2E_DIR:-/tmp/somnia-slurm-e2e}
case $D in
  /*) ;;
  *) D=$PWD/$D ;;
esac
D=${D%/}
if [[ -z $D || $D == / || $D == "$ROOT" || $D == /tmp || $D == "$HOME" ]]; then
  echo "slurm-e2e: refusing to use '$D' as the state dir (it is cleared at start)" >&2
  exit 2
fi
NODE=$(hostname -s)
export SLURM_CONF=$D/etc/slurm.conf
PORTS=(6817 6818)

started=$SECONDS
log() { printf 'slurm-e2e: [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  printf 'slurm-e2e: FAIL: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------
# Processes: the daemons this run started, by name and pid. Leftovers of an earlier run that
# was killed before its trap ran are found through the pid files it left in $D/pids and
# stopped only when /proc says that pid is still that daemon with this state dir.
declare -A DAEMON_PID=()
JOBS=()

alive() {
  local pid=$1 stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

stop_pid() {
  local name=$1 pid=$2 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "slurm-e2e: $name ($pid) did not stop in 10 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
  fi
  wait "$pid" 2>/dev/null || true
}

stop_leftovers() {
  local f name pid jobs i
  for name in slurmctld slurmd munged; do
    f=$D/pids/$name.pid
    [[ -e $f ]] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || continue
    if alive "$pid" && [[ $(cmdline "$pid") == *"$name"*"$D/"* ]]; then
      if [[ $name == slurmctld && -f $SLURM_CONF ]]; then
        # Its jobs first (the whole cluster is that run's): slurmstepd outlives slurmd.
        jobs=$(squeue -h -o %A 2>/dev/null | sort -u | paste -sd' ' - || true)
        if [[ -n $jobs ]]; then
          log "cancelling jobs $jobs left by an earlier run"
          # shellcheck disable=SC2086
          scancel $jobs 2>/dev/null || true
          for ((i = 0; i < 50; i++)); do
            [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
            sleep 0.2
          done
        fi
      fi
      log "stopping $name ($pid) left running by an earlier run"
      stop_pid "$name" "$pid"
    fi
  done
}

start_daemon() { # name command...
  local name=$1
  shift
  "$@" >"$D/log/$name.stderr" 2>&1 &
  DAEMON_PID[$name]=$!
  echo "$!" >"$D/pids/$name.pid"
}

print_logs() {
  local f
  for f in "$D"/log/*; do
    [[ -s $f ]] || continue
    echo "----- $f (last 40 lines)" >&2
    tail -n 40 "$f" >&2 || true
  done
}

cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  set +e
  if ((${#JOBS[@]})) && [[ -n ${DAEMON_PID[slurmctld]:-} ]] && alive "${DAEMON_PID[slurmctld]}"; then
    # Jobs still queued or running when the script stops are cancelled before the daemons go
    # (slurmstepd outlives slurmd otherwise).
    if [[ -n $(squeue -h -j "$(IFS=,; echo "${JOBS[*]}")" -o %i 2>/dev/null) ]]; then
      scancel "${JOBS[@]}" 2>/dev/null
      for ((i = 0; i < 50; i++)); do
        [[ -z $(squeue -h -j "$(IFS=,; echo "${JOBS[*]}")" -o %i 2>/dev/null) ]] && break
        sleep 0.2
      done
    fi
  fi
  ((rc != 0)) && print_logs
  for name in slurmd slurmctld munged; do
    [[ -n ${DAEMON_PID[$name]:-} ]] || continue
    stop_pid "$name" "${DAEMON_PID[$name]}"
    rm -f "$D/pids/$name.pid"
  done
  if ((rc == 0)); then
    log "passed"
  else
    echo "slurm-e2e: failed (exit $rc); state, logs and job output are in $D" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
log "state dir $D, node $NODE"
if [[ $(id -u) != 0 ]]; then fail "must run as root (it installs packages and starts slurmd)"; fi
mkdir -p "$D"
stop_leftovers
rm -rf "${D:?}"/*
mkdir -p "$D"/{etc,log,pids,state,spool,run,smoke}

# ---------------------------------------------------------------------------------------
need=(sbatch squeue sinfo scontrol scancel slurmctld slurmd munged munge unmunge)
missing=()
for b in "${need[@]}"; do command -v "$b" >/dev/null || missing+=("$b"); done
if ((${#missing[@]})); then
  log "installing slurm-wlm and munge (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  pkgs=(slurm-wlm munge)
  if ! apt-get install -y --no-install-recommends "${pkgs[@]}" >"$D/log/apt.txt" 2>&1; then
    log "apt-get install failed; apt-get update and again"
    apt-get update >>"$D/log/apt.txt" 2>&1 || { cat "$D/log/apt.txt" >&2; fail "apt-get update failed"; }
    apt-get install -y --no-install-recommends "${pkgs[@]}" >>"$D/log/apt.txt" 2>&1 ||
      { tail -n 30 "$D/log/apt.txt" >&2; fail "apt-get install slurm-wlm munge failed"; }
  fi
  for b in "${need[@]}"; do command -v "$b" >/dev/null || fail "$b still missing after the install"; done
fi
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
log "slurm-wlm $(pkg_version slurm-wlm), munge $(pkg_version munge)"

# ---------------------------------------------------------------------------------------
# munge. The package creates /etc/munge/munge.key; a fresh machine without one gets a new
# key. munged refuses to run as root with a key owned by munge, so it runs as munge.
munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if munge_works; then
  log "munged already running and working: reused (left running)"
else
  if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null ||
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0700 "$D/munge"
  # --force: a socket left by a munged that died is taken over (none is working: checked
  # above). The pid file in $D marks this munged as ours for stop_leftovers.
  start_daemon munged setpriv --reuid=munge --regid=munge --init-groups -- \
    /usr/sbin/munged --foreground --force --pid-file="$D/munge/munged.pid"
  for ((i = 0; i < 100; i++)); do
    munge_works && break
    alive "${DAEMON_PID[munged]}" || break
    sleep 0.1
  done
  munge_works || fail "munged did not start: $(cat "$D/log/munged.stderr")"
  log "munged started (pid ${DAEMON_PID[munged]})"
fi

# ---------------------------------------------------------------------------------------
# The node as slurmd itself sees it (`slurmd -C`: CPUs, boards, sockets, cores, threads),
# so slurmd has no topology to correct; CPUs from nproc when that fails. RealMemory a little
# under MemTotal: slurmd drains a node whose configured memory is more than it finds.
cpus=$(nproc)
hw=$(slurmd -C 2>/dev/null | head -n 1 | grep -Eo '(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=[0-9]+' | paste -sd' ' - || true)
[[ $hw == *CPUs=* ]] || hw="CPUs=$cpus"
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)
if [[ $mem_kb =~ ^[0-9]+$ ]] && ((mem_kb > 2 * 1024 * 1024)); then
  mem_mb=$((mem_kb * 9 / 10 / 1024))
else
  mem_mb=1024
fi
cat >"$SLURM_CONF" <<EOF
# Written by scripts/slurm_e2e.sh: a one-node cluster on localhost, nothing outside $D.
ClusterName=somnia-e2e
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${PORTS[0]}
SlurmdPort=${PORTS[1]}
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (a container may have none usable), no accounting daemon.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MaxArraySize=1001
SchedulerType=sched/backfill
# CR_CPU: one array task per CPU, whatever the core/thread layout; memory is checked
# against RealMemory but not consumed (a job without --mem would otherwise take it all).
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# A job whose dependency can never be met is cancelled instead of pending forever; batch
# jobs are scheduled as soon as they are submitted or a CPU frees (the default waits 3 s).
SchedulerParameters=kill_invalid_depend,batch_sched_delay=0
NodeName=$NODE NodeAddr=127.0.0.1 $hw RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
log "wrote $SLURM_CONF ($NODE: $hw RealMemory=$mem_mb)"

# ---------------------------------------------------------------------------------------
port_listening() { # TCP port $1 has a listener (ss, or /proc/net/tcp where iproute2 is missing)
  if command -v ss >/dev/null; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    awk -v p="$(printf ':%04X' "$1")" '$4 == "0A" && substr($2, length($2) - 4) == p {f = 1} END {exit !f}' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null
  fi
}
for port in "${PORTS[@]}"; do
  for ((i = 0; i < 150; i++)); do
    port_listening "$port" || break
    ((i == 0)) && log "waiting for port $port to be free"
    sleep 0.2
  done
  if port_listening "$port"; then
    ss -Hltnp "sport = :$port" >&2 || true
    fail "port $port is still in use after 30 s (another Slurm on this machine?)"
  fi
done

start_daemon slurmctld slurmctld -D -f "$SLURM_CONF"
start_daemon slurmd slurmd -D -f "$SLURM_CONF" -N "$NODE"
log "slurmctld (pid ${DAEMON_PID[slurmctld]}) and slurmd (pid ${DAEMON_PID[slurmd]}) started"

daemons_alive() {
  local name
  for name in slurmctld slurmd; do
    alive "${DAEMON_PID[$name]}" || fail "$name (pid ${DAEMON_PID[$name]}) died"
  done
}

deadline=$((SECONDS + 60))
state=
while :; do
  daemons_alive
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
  [[ $state == idle ]] && break
  if [[ $state == drain* || $state == down ]]; then
    sinfo -R >&2 || true
    fail "node $NODE is $state (the reason is above; slurmd.log below)"
  fi
  if ((SECONDS >= deadline)); then
    sinfo -R >&2 || true
    fail "node $NODE not idle after 60 s (state '${state:-no answer}')"
  fi
  sleep 0.3
done
log "node $NODE idle"

# ---------------------------------------------------------------------------------------
# Jobs. wait_jobs polls squeue until none of the ids is queued or running (no sacct: no
# accounting), then check_jobs reads each job's (each array task's) final state from
# scontrol, which keeps finished jobs for MinJobAge (300 s).
submit() { # sbatch args... -> JOB_ID (not in $(...): JOBS must see it)
  JOB_ID=$(sbatch --parsable "$@") || fail "sbatch $* failed"
  JOB_ID=${JOB_ID%%;*}
  JOBS+=("$JOB_ID")
}

wait_jobs() { # timeout-seconds id...
  local limit=$1 out
  shift
  local ids
  ids=$(IFS=,; echo "$*")
  local deadline=$((SECONDS + limit))
  while :; do
    daemons_alive
    if ! out=$(squeue -h -j "$ids" -o '%i %T %r' 2>&1); then
      case $out in
        *"Invalid job id"*) out= ;;
        *) fail "squeue -j $ids: $out" ;;
      esac
    fi
    [[ -z $out ]] && return 0
    if ((SECONDS >= deadline)); then
      echo "$out" >&2
      show_job_logs "$@"
      fail "jobs $ids not finished after $limit s"
    fi
    sleep 0.5
  done
}

show_job_logs() { # id...
  local id f
  for id in "$@"; do
    scontrol -o show job "$id" 2>/dev/null | grep -o 'StdOut=[^ ]*' | sed 's/^StdOut=//' | sort -u |
      while read -r f; do
        [[ -f $f ]] || continue
        echo "----- job log $f" >&2
        tail -n 40 "$f" >&2
      done
  done
}

check_jobs() { # id...
  local id bad
  for id in "$@"; do
    bad=$(scontrol -o show job "$id" 2>&1 | grep -v 'JobState=COMPLETED' |
      grep -o 'JobId=[^ ]*\|ArrayTaskId=[^ ]*\|JobName=[^ ]*\|JobState=[^ ]*\|ExitCode=[^ ]*\|Reason=[^ ]*' |
      paste -sd' ' - || true)
    if [[ -n $bad ]]; then
      show_job_logs "$@"
      fail "job $id did not complete: $bad"
    fi
  done
}

# Smoke check: a 4-task array (two at a time on two CPUs) and a job that depends on it.
cat >"$D/smoke/task.sh" <<'EOF'
#!/bin/bash
set -eu
dir=$1 k=$SLURM_ARRAY_TASK_ID
touch "$dir/running.$k"
sleep 1
ls "$dir"/running.* | wc -l >"$dir/overlap.$k"
echo "task $k of job $SLURM_ARRAY_JOB_ID on $(hostname -s)" >"$dir/done.$k"
sleep 0.3
rm -f "$dir/running.$k"
EOF
cat >"$D/smoke/after.sh" <<'EOF'
#!/bin/bash
set -eu
dir=$1
for k in 0 1 2 3; do test -f "$dir/done.$k"; done
echo ok >"$dir/after"
EOF
common=(--chdir="$D/smoke" --partition=debug --ntasks=1 --cpus-per-task=1 --mem=64M --time=00:02:00)
submit "${common[@]}" --job-name=smoke --array=0-3 --output="$D/smoke/%x-%A_%a.out" \
  "$D/smoke/task.sh" "$D/smoke"
array=$JOB_ID
submit "${common[@]}" --job-name=smoke-after --dependency="afterany:$array" \
  --output="$D/smoke/%x-%j.out" "$D/smoke/after.sh" "$D/smoke"
after=$JOB_ID
log "smoke: array job $array (4 tasks), dependent job $after"
wait_jobs 60 "$array" "$after"
check_jobs "$array" "$after"
[[ $(cat "$D/smoke/after" 2>/dev/null) == ok ]] || fail "the dependent job did not see the 4 tasks' output"
overlap=$(cat "$D/smoke"/overlap.* | sort -n | tail -n 1)
((overlap >= 2)) || fail "array tasks ran one at a time (CPUs=$cpus): the node's CPUs are not all schedulable"
log "smoke: 4 tasks done (up to $overlap at once), dependent job ran after them"
((CLUSTER_ONLY)) && exit 0

# ---------------------------------------------------------------------------------------
# somnia on the cluster.
cd "$ROOT"
log "cargo build --release"
cargo build --release --quiet
# Where cargo put it: CARGO_TARGET_DIR (relative to the project, as cargo reads it) or target/.
target=${CARGO_TARGET_DIR:-target}
[[ $target == /* ]] || target=$ROOT/$target
SOMNIA=$target/release/somnia
[[ -x $SOMNIA ]] || fail "cargo build --release made no $SOMNIA"
"$SOMNIA" submit --help >/dev/null 2>&1 || fail "$SOMNIA submit --help failed"

PROTO=examples/05_derived_arms.sleep
SWEEP=with_sleep
OUT=$D/sweep
LOCAL=$D/local
SUBMIT=("$SOMNIA" submit slurm "$PROTO" --sweep "$SWEEP" --out "$OUT" --partition debug
  --time 00:05:00 --mem 1G --chunk 3)

# Submits, prints the output to $D/log/$1.txt, sets ARRAY_JOB and MERGE_JOB.
somnia_submit() {
  local tag=$1 out
  if ! out=$("${SUBMIT[@]}" 2>&1); then
    echo "$out" >&2
    fail "somnia submit slurm failed"
  fi
  echo "$out" >"$D/log/$tag.txt"
  # The ids as somnia recorded them (slurm/submission.json), not parsed from its prose.
  local record=$OUT/slurm/submission.json
  ARRAY_JOB=$(grep -Eo '"array_job": *"?[0-9]+' "$record" 2>/dev/null | grep -Eo '[0-9]+$' || true)
  MERGE_JOB=$(grep -Eo '"merge_job": *"?[0-9]+' "$record" 2>/dev/null | grep -Eo '[0-9]+$' || true)
  if [[ -z $ARRAY_JOB || -z $MERGE_JOB ]]; then
    echo "$out" >&2
    cat "$record" >&2 || true
    fail "could not read the array and merge job ids from $record"
  fi
  grep -qF "array job $ARRAY_JOB" <<<"$out" || {
    echo "$out" >&2
    fail "somnia submit did not print the array job id $ARRAY_JOB it recorded"
  }
  JOBS+=("$ARRAY_JOB" "$MERGE_JOB")
}

somnia_logs() {
  local f
  for f in "$OUT"/slurm/*; do
    [[ -f $f && $f != *.sbatch ]] || continue
    echo "----- $f" >&2
    tail -n 40 "$f" >&2
  done
}

wait_somnia() { # tag
  wait_jobs 120 "$ARRAY_JOB" "$MERGE_JOB"
  if ! (check_jobs "$ARRAY_JOB" "$MERGE_JOB"); then
    somnia_logs
    fail "$1: the sweep's jobs did not all complete"
  fi
}

log "somnia: dry run"
"$SOMNIA" submit slurm "$PROTO" --sweep "$SWEEP" --out "$D/dry" --chunk 3 --dry-run >"$D/log/dry-run.txt" 2>&1 ||
  { cat "$D/log/dry-run.txt" >&2; fail "somnia submit slurm --dry-run failed"; }
[[ -f $D/dry/manifest.json ]] || fail "--dry-run wrote no manifest.json"
ls "$D"/dry/slurm/*.sbatch >/dev/null 2>&1 || fail "--dry-run wrote no slurm/*.sbatch"
[[ -z $(squeue -h -o %i) ]] || fail "--dry-run submitted jobs: $(squeue -h)"

somnia_submit submit
log "somnia: array job $ARRAY_JOB, merge job $MERGE_JOB"
wait_somnia "first submission"
tasks=$(scontrol -o show job "$ARRAY_JOB" | grep -c 'ArrayTaskId=' || true)
((tasks >= 4)) || fail "array job $ARRAY_JOB ran $tasks tasks; --chunk 3 over 12 runs should make 4"
log "somnia: $tasks array tasks and the merge job completed"

if ! "$SOMNIA" status "$OUT" >"$D/log/status.txt" 2>&1; then
  cat "$D/log/status.txt" >&2
  somnia_logs
  fail "somnia status $OUT does not say complete"
fi
[[ -f $OUT/sweep.csv ]] || fail "no $OUT/sweep.csv after the merge job"
log "somnia: status complete"

log "somnia: the same sweep locally"
"$SOMNIA" sweep "$PROTO" --sweep "$SWEEP" --out "$LOCAL" -q >"$D/log/local.txt" 2>&1 ||
  { tail -n 40 "$D/log/local.txt" >&2; fail "local somnia sweep failed"; }
cmp "$OUT/sweep.csv" "$LOCAL/sweep.csv" || {
  diff "$OUT/sweep.csv" "$LOCAL/sweep.csv" | head -n 20 >&2
  fail "sweep.csv from Slurm differs from the local one"
}
log "somnia: sweep.csv from Slurm is byte for byte the local one"

# Resume: one run deleted, status names it, a resubmission redoes it, the merge matches again.
victim=
for f in "$OUT"/*/outcome.json; do
  [[ -f $f ]] && victim=$(basename "$(dirname "$f")")
done
[[ -n $victim ]] || fail "no run folder with outcome.json in $OUT"
rm -rf "${OUT:?}/$victim"
if "$SOMNIA" status "$OUT" >"$D/log/status-missing.txt" 2>&1; then
  cat "$D/log/status-missing.txt" >&2
  fail "somnia status exits 0 with run $victim deleted"
fi
grep -qF -- "$victim" "$D/log/status-missing.txt" || {
  cat "$D/log/status-missing.txt" >&2
  fail "somnia status does not name the deleted run $victim"
}
log "somnia: run $victim deleted, status names it"

somnia_submit resubmit
log "somnia: resubmitted: array job $ARRAY_JOB, merge job $MERGE_JOB"
wait_somnia "resubmission"
"$SOMNIA" status "$OUT" >"$D/log/status-resumed.txt" 2>&1 ||
  { cat "$D/log/status-resumed.txt" >&2; somnia_logs; fail "somnia status not complete after the resubmission"; }
[[ -f $OUT/$victim/outcome.json ]] || fail "the resubmission did not write $victim again"
"$SOMNIA" merge "$OUT" >"$D/log/merge.txt" 2>&1 ||
  { cat "$D/log/merge.txt" >&2; fail "somnia merge $OUT failed"; }
cmp "$OUT/sweep.csv" "$LOCAL/sweep.csv" || {
  diff "$OUT/sweep.csv" "$LOCAL/sweep.csv" | head -n 20 >&2
  fail "sweep.csv after the resubmission differs from the local one"
}
log "somnia: resumed sweep.csv is byte for byte the local one"

# ---------------------------------------------------------------------------------------
# Stopped by Slurm part way, as at a time limit (Slurm sends SIGTERM, then SIGKILL after
# KillWait): the run ends `interrupted` with what it measured, status names it, a
# resubmission runs it again, and the merged table is the local one.
SLOW=$D/slow.sleep
cat >"$SLOW" <<EOF
// One run of about 20 s on this machine kind, long enough to be cancelled part way.
let wake_len = 2 epochs

dataset mnist = idx("$ROOT/data/mnist-10k") { scale 1/255 }
tasks pairs = split_classes(mnist, [0, 1], [2, 3]) { train_cap 1000 }

network mlp {
  input x 784
  layer h 256
  output y 10
  connect x -> h -> y { init uniform(-0.05, 0.05); bias off }
}

rule sgd = backprop { lr 0.01 }
phase learn(t: tasks) = wake { data t; plasticity sgd; length wake_len }

protocol slow {
  network mlp
  schedule {
    for t in pairs { learn(t) }
    measure accuracy(pairs)
  }
  expect final accuracy(pairs) > 0 %
}

sweep slow over wake_len in [1200 epochs] seeds 1
EOF
OUT=$D/stopped
SUBMIT=("$SOMNIA" submit slurm "$SLOW" --out "$OUT" --partition debug --time 00:05:00 --mem 1G)
somnia_submit stopped
log "stopped: array job $ARRAY_JOB, merge job $MERGE_JOB"
deadline=$((SECONDS + 60))
until compgen -G "$OUT/*.partial" >/dev/null; do
  daemons_alive
  ((SECONDS < deadline)) || { somnia_logs; fail "the slow run did not start within 60 s"; }
  sleep 0.2
done
sleep 3
scancel "$ARRAY_JOB"
log "stopped: the run started; array job $ARRAY_JOB cancelled"
wait_jobs 120 "$ARRAY_JOB" "$MERGE_JOB"
if "$SOMNIA" status "$OUT" >"$D/log/status-stopped.txt" 2>&1; then
  cat "$D/log/status-stopped.txt" >&2
  fail "somnia status exits 0 after the run was cancelled"
fi
grep -q "interrupted" "$D/log/status-stopped.txt" || {
  cat "$D/log/status-stopped.txt" >&2
  somnia_logs
  fail "the cancelled run is not reported interrupted (was it killed before it could stop?)"
}
grep -q '"status": "interrupted"' "$OUT"/*/outcome.json ||
  fail "the cancelled run's outcome.json does not say interrupted"
log "stopped: the run ended interrupted with its outcome written; status names it"
somnia_submit restarted
wait_somnia "the resubmission of the cancelled run"
"$SOMNIA" status "$OUT" >"$D/log/status-restarted.txt" 2>&1 ||
  { cat "$D/log/status-restarted.txt" >&2; somnia_logs; fail "somnia status not complete after rerunning the cancelled run"; }
"$SOMNIA" sweep "$SLOW" --out "$D/slow-local" -q >"$D/log/slow-local.txt" 2>&1 ||
  { tail -n 40 "$D/log/slow-local.txt" >&2; fail "local somnia sweep of $SLOW failed"; }
cmp "$OUT/sweep.csv" "$D/slow-local/sweep.csv" || {
  diff "$OUT/sweep.csv" "$D/slow-local/sweep.csv" | head -n 20 >&2
  fail "sweep.csv after the cancelled run was redone differs from the local one"
}
log "stopped: rerun, merged, and byte for byte the local sweep.csv"
