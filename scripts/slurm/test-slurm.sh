#!/usr/bin/env bash
# End-to-end check of running a study across shards, on a real scheduler: brings up a single-node SLURM cluster on
# this machine (munge + slurmctld + slurmd, configured from the machine's own hostname, CPUs and memory, everything
# in a temporary folder, daemons stopped and the folder removed at the end), submits a small network-size study as
# a job array of 4 shards (scripts/slurm/study.sbatch) with a merge job that waits for them, and compares the merged
# results with the single-process run (scripts/slurm/compare-runs.js). Then the same with GNU parallel. Installs
# slurm-wlm, munge and parallel (Debian packages) when missing. Every wait is bounded. Prints one line
# "SLURM CHECK: PASS|FAIL ..." and exits non-zero on any failure or difference.
#   scripts/slurm/test-slurm.sh            (from anywhere; root or sudo; a built dist/, else it builds)
# Environment: SLURM_TEST_TIMEOUT (seconds for the array and merge jobs, default 300), KEEP=1 keeps the folder,
# MI_CLI overrides the command that runs the CLI (default: node dist/cli.js).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
start=$(date +%s)
timeout_s=${SLURM_TEST_TIMEOUT:-300}
shards=4
study=network-size
study_args=(--experiments 3 --sizes 2 3 4) # 9 models, k = 4 among them: unequal jobs for the assignment to balance

say() { printf '[test-slurm] %s\n' "$*"; }
result="FAIL (stopped early)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- packages, only when missing
need=()
command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
command -v parallel >/dev/null 2>&1 || need+=(parallel)
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ -n "${MI_CLI:-}" ]; then
  read -r -a cli <<<"$MI_CLI"
else
  [ -f dist/cli.js ] || npm run --silent build
  cli=(node "$root/dist/cli.js")
fi

work=$(mktemp -d /tmp/mi-slurm.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/munge" "$work/munge-key" "$work/state" "$work/spool" "$work/logs"
chmod 755 "$work/munge" # munged wants its socket's folder open to all, its key's closed
chmod 700 "$work/munge-key"
jobs_submitted=""

stop_pid() { # stop a daemon we started, by its pid file; bounded wait, then SIGKILL
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  $SUDO kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  $SUDO kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  if [ -n "$jobs_submitted" ]; then scancel $jobs_submitted 2>/dev/null; sleep 1; fi
  stop_pid "$work/slurmd.pid"
  stop_pid "$work/slurmctld.pid"
  stop_pid "$work/munge/munged.pid"
  if [ "$rc" -ne 0 ]; then
    for f in "$work"/logs/* "$work/slurmctld.log" "$work/slurmd.log" "$work/munge/munged.log"; do
      [ -f "$f" ] && { echo "--- $f (last 20 lines)"; tail -n 20 "$f"; }
    done
  fi
  if [ -n "${KEEP:-}" ]; then say "kept $work"; else $SUDO rm -rf "$work"; fi
  echo "SLURM CHECK: $result; $(($(date +%s) - start)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { result="FAIL ($*)"; say "$result"; exit 1; }
wait_for() { # wait_for SECONDS WHAT COMMAND...: polls every second until COMMAND succeeds
  local limit=$1 what=$2
  shift 2
  for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "$what not within $limit s"
}

# --- munge: a fresh key and a private socket (the machine's own munge, if any, is left alone)
mungekey --create --keyfile="$work/munge-key/munge.key"
chmod 400 "$work/munge-key/munge.key"
socket=$work/munge/munge.socket
$SUDO munged --key-file="$work/munge-key/munge.key" --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
wait_for 10 "munged answering" bash -c "munge -n --socket='$socket' | unmunge --socket='$socket'"

# --- slurm.conf from the machine itself (slurmd -C: hostname, CPUs, sockets, cores, memory), free ports
node_line=$(slurmd -C | head -n 1)
host=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node_line")
[ -n "$host" ] || fail "slurmd -C gave no NodeName: $node_line"
read -r ctld_port slurmd_port < <(node -e '
  const net = require("node:net");
  const free = () => new Promise((r) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
  (async () => { let a = await free(), b = await free(); while (b === a) b = await free(); console.log(a, b); })();')
cat >"$work/slurm.conf" <<CONF
ClusterName=mitest
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
PlugStackConfig=$work/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
MailProg=/bin/true
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
: >"$work/plugstack.conf"
export SLURM_CONF=$work/slurm.conf
say "single-node cluster: $node_line (ports $ctld_port, $slurmd_port)"
$SUDO slurmctld -f "$SLURM_CONF" -i
wait_for 20 "slurmctld answering" scontrol ping
$SUDO slurmd -f "$SLURM_CONF" -N "$host"
wait_for 30 "node $host idle" bash -c "sinfo -h -n '$host' -o %T | grep -qx idle"

# --- the study as an array of shards, and a merge job that runs once every shard has succeeded
sbatch_out=$(sbatch --parsable --array=0-$((shards - 1)) --chdir="$root" --output="$work/logs/shard-%A_%a.out" \
  scripts/slurm/study.sbatch "$study" "$work/slurm" "$shards" "${study_args[@]}")
array_job=${sbatch_out%%;*}
merge_out=$(sbatch --parsable --dependency=afterok:"$array_job" --kill-on-invalid-dep=yes --chdir="$root" \
  --output="$work/logs/merge.out" --job-name=mi-merge --wrap "${cli[*]} merge $work/slurm")
merge_job=${merge_out%%;*}
jobs_submitted="$array_job $merge_job"
say "submitted array job $array_job ($shards shards) and merge job $merge_job (afterok)"

# The single-process run, meanwhile: the reference the merged records must equal.
"${cli[@]}" run "$study" "${study_args[@]}" --workers 0 --out "$work/single" >/dev/null 2>"$work/logs/single.err" || fail "single-process run (see logs/single.err)"

waited=0
while [ -n "$(squeue -h --jobs="$array_job,$merge_job" -o %i 2>/dev/null)" ]; do
  [ "$waited" -ge "$timeout_s" ] && fail "jobs still queued or running after $timeout_s s: $(squeue -h --jobs="$array_job,$merge_job" -o '%i %T %r' | tr '\n' ' ')"
  sleep 2
  waited=$((waited + 2))
done
states=$(scontrol -o show job "$array_job" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
merge_state=$(scontrol -o show job "$merge_job" | grep -o 'JobState=[A-Z_]*')
say "array tasks: $states; merge: $merge_state"
[ "$(scontrol -o show job "$array_job" | grep -c 'JobState=COMPLETED')" -eq "$shards" ] || fail "not every array task completed: $states"
[ "$merge_state" = "JobState=COMPLETED" ] || fail "merge job: $merge_state"
jobs_submitted=""
node scripts/slurm/compare-runs.js "$work/single" "$work/slurm" || fail "SLURM shards merged differ from the single-process run"

# --- the same on one workstation with GNU parallel
parallel --will-cite --halt now,fail=1 -j 2 "${cli[@]}" run "$study" --shard {}/"$shards" --out "$work/parallel" \
  "${study_args[@]}" --workers 0 --resume --yes ::: $(seq 0 $((shards - 1))) >/dev/null 2>"$work/logs/parallel.err" || fail "GNU parallel shards (see logs/parallel.err)"
"${cli[@]}" merge "$work/parallel" >/dev/null 2>>"$work/logs/parallel.err" || fail "merge of the GNU parallel shards"
node scripts/slurm/compare-runs.js "$work/single" "$work/parallel" || fail "GNU parallel shards merged differ from the single-process run"

result="PASS ($shards SLURM array shards and $shards GNU parallel shards of $study ${study_args[*]}, merged, equal the single-process run)"
