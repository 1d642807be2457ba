#!/usr/bin/env bash
# End-to-end test of deploy/slurm/ on a real single-node Slurm cluster on this machine.
#
#   scripts/slurm-test.sh            (as root, on Debian; about half a minute once installed)
#
# 1. installs Debian's slurm-wlm and munge if missing (apt-get), creates a munge key if missing;
# 2. starts munged (as user munge), writes /etc/slurm/slurm.conf for this host (NodeName =
#    hostname -s, CPUs and RealMemory from nproc and /proc/meminfo) and starts slurmctld and slurmd in
#    the foreground of background jobs — no systemd needed;
# 3. submits scenarios/heavy_machinery.toml (PATHS paths, seed SEED) through
#    deploy/slurm/submit.sh as a SHARDS-task array plus a dependent merge, waits for both, and
#    compares summary.json, policies.csv and timeseries.csv byte for byte with a single-machine
#    `pimsim run` of the same scenario, paths and seed;
#    At the same time a sweep: scenarios/sweep_release_vs_scrap.toml (17 runs: 12 points, the
#    base and 4 one-at-a-time runs, SWEEP_PATHS paths each) submitted with `submit.sh sweep` as a
#    SWEEP_SHARDS-task array plus a dependent merge; sweep.csv, sweep_oat.csv, sweep.json and
#    report.html must equal a single-machine `pimsim sweep` byte for byte;
#    and a portfolio: the 300 parts of scenarios/history/ (fitted with `pimsim fit`, joined with
#    part_master.csv, template scenarios/portfolio_template.toml, PORTFOLIO_PATHS paths per part)
#    submitted with `submit.sh portfolio` as a PORTFOLIO_SHARDS-task array plus a dependent merge;
#    portfolio.csv, portfolio_parts.csv, portfolio.json and report.html must equal a
#    single-machine `pimsim portfolio` byte for byte;
# 4. the failure path: the same run with task 2 made to fail (a wrapper around pimsim) must end
#    in a FAILED merge job (exit code 2, "missing shards [2] of 4") instead of a hang, while a
#    merge submitted with afterok instead must be stuck (PENDING, DependencyNeverSatisfied); then
#    `submit.sh --rerun DIR 2` re-runs that task and a new merge, which must match byte for byte;
# 5. always (trap EXIT) cancels its jobs and stops the daemons it started, by process id. On any
#    failure it prints slurmctld.log, slurmd.log and the jobs' output, and exits non-zero.
#
# Idempotent: run it again and it reuses the installed packages and the munge key, rewrites its
# own slurm.conf (it refuses to touch one it did not write), clears the old slurmctld state and
# starts from empty work directories. It refuses to run if a slurmctld or slurmd is already
# running (stop it first); a munged that is already running is used and left running.
#
# Environment: PATHS (default 20000), SHARDS (4), SEED (7), SWEEP_PATHS (500), SWEEP_SHARDS (3),
# PORTFOLIO_PATHS (200), PORTFOLIO_SHARDS (3),
# PIMSIM (a pimsim binary; default:
# cargo build --release, then target/release/pimsim), SLURM_TEST_SCENARIO (default
# scenarios/heavy_machinery.toml), SLURM_TEST_DIR (/tmp/pimsim-slurm-test), SLURM_TEST_TIMEOUT
# (seconds to wait for a run's jobs, default 300). The binary and the scenario are copied into
# SLURM_TEST_DIR first, so that a rebuild or an edit during the test changes nothing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
PATHS=${PATHS:-20000}
SHARDS=${SHARDS:-4}
SEED=${SEED:-7}
SWEEP_PATHS=${SWEEP_PATHS:-500}
SWEEP_SHARDS=${SWEEP_SHARDS:-3}
SWEEP_SCENARIO_SRC=scenarios/sweep_release_vs_scrap.toml
PORTFOLIO_PATHS=${PORTFOLIO_PATHS:-200}
PORTFOLIO_SHARDS=${PORTFOLIO_SHARDS:-3}
WORK=${SLURM_TEST_DIR:-/tmp/pimsim-slurm-test}
TIMEOUT=${SLURM_TEST_TIMEOUT:-300}
case $WORK in /tmp/?* | /var/tmp/?* | /work/?*/?*) ;; *) echo "slurm-test: SLURM_TEST_DIR must be a directory of its own under /tmp, /var/tmp or /work/X/ (it is emptied): $WORK" >&2; exit 2 ;; esac
SCENARIO_SRC=${SLURM_TEST_SCENARIO:-scenarios/heavy_machinery.toml}
CONF=/etc/slurm/slurm.conf
MARKER="# written by pimsim scripts/slurm-test.sh"
LOG_DIR=/var/log/slurm
start_time=$SECONDS

say() { echo "== $*"; }
die() {
  echo "slurm-test: FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts slurmctld, slurmd and munged)"
[ "$SHARDS" -ge 3 ] || die "SHARDS must be >= 3 (the failure test makes task 2 fail)"

# --- cleanup: always, by process id ---------------------------------------------------------
MUNGED_PID="" CTLD_PID="" SLURMD_PID="" POLICY_RC=""
JOBS=()
stop_pid() { # name pid
  local name=$1 pid=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "   $name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  echo "   stopped $name (pid $pid)"
}
dump_logs() {
  echo "---------------- debugging output ----------------"
  local f
  local logs=("$WORK/daemons/"*.out)
  # The Slurm logs only once this run has started the daemons (before, they are an old run's).
  [ -z "$CTLD_PID" ] || logs=("$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" "${logs[@]}")
  for f in "${logs[@]}"; do
    [ -f "$f" ] || continue
    echo "----- $f (last 80 lines)"
    tail -n 80 "$f"
  done
  for f in "$WORK"/*/logs/*.out; do
    [ -f "$f" ] || continue
    echo "----- $f"
    cat "$f"
  done
  if [ -n "$CTLD_PID" ] && kill -0 "$CTLD_PID" 2>/dev/null; then
    echo "----- sinfo -R; squeue"
    sinfo -R 2>&1 || true
    squeue 2>&1 || true
  fi
}
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [ "$rc" -eq 0 ] || dump_logs
  if [ ${#JOBS[@]} -gt 0 ] && [ -n "$CTLD_PID" ] && kill -0 "$CTLD_PID" 2>/dev/null; then
    scancel "${JOBS[@]}" 2>/dev/null
    # Let slurmd end the cancelled jobs' steps before it is stopped itself.
    for _ in $(seq 1 50); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  say "stopping the daemons this script started"
  # A job's slurmstepd outlives "done with job" by a moment (its socket in the spool directory
  # shows it); stopping slurmd and slurmctld under it would leave it behind, retrying.
  if [ -n "$SLURMD_PID" ] && kill -0 "$SLURMD_PID" 2>/dev/null; then
    for _ in $(seq 1 75); do
      compgen -G "/var/spool/slurmd/${node:-}_*" >/dev/null || break
      sleep 0.2
    done
  fi
  stop_pid slurmd "$SLURMD_PID"
  stop_pid slurmctld "$CTLD_PID"
  stop_pid munged "$MUNGED_PID"
  # Any slurmstepd left is a step of the slurmd above (the script refuses to start if another
  # slurmd runs): give it 10 s to end, then stop it by its pid.
  local stepds=() p _
  for _ in $(seq 1 50); do
    stepds=()
    for p in /proc/[0-9]*; do
      [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] && stepds+=("${p#/proc/}")
    done
    [ ${#stepds[@]} -gt 0 ] || break
    sleep 0.2
  done
  for p in "${stepds[@]}"; do stop_pid slurmstepd "$p"; done
  [ -z "$POLICY_RC" ] || rm -f "$POLICY_RC"
  if [ "$rc" -eq 0 ]; then
    echo "slurm-test: passed in $((SECONDS - start_time)) s"
  else
    echo "slurm-test: FAILED (exit code $rc) after $((SECONDS - start_time)) s" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. packages and munge key --------------------------------------------------------------
# Fresh work directories (they hold the previous run's daemon and job output).
rm -rf "$WORK"
mkdir -p "$WORK/daemons"

say "packages"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
if installed slurm-wlm && installed munge; then
  echo "   slurm-wlm and munge already installed"
else
  # No daemon may be started by the packages' scripts: this script starts its own, by pid.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    POLICY_RC=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
    chmod 755 "$POLICY_RC"
  fi
  t=$SECONDS
  # A fresh machine's mirrors can be slow or flaky: three attempts, each bounded in time.
  for attempt in 1 2 3; do
    if timeout 180 apt-get update -qq >"$WORK/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=120 \
        slurm-wlm munge >>"$WORK/apt.log" 2>&1; then
      break
    fi
    cat "$WORK/apt.log"
    [ "$attempt" -lt 3 ] || die "apt-get install slurm-wlm munge failed 3 times"
    echo "   apt-get failed (attempt $attempt), retrying in $((attempt * 10)) s"
    sleep $((attempt * 10))
  done
  [ -z "$POLICY_RC" ] || rm -f "$POLICY_RC"
  POLICY_RC=""
  echo "   installed slurm-wlm and munge in $((SECONDS - t)) s"
fi
echo "   $(slurmctld -V)"
id slurm >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurm
id munge >/dev/null 2>&1 || die "user munge missing after installing munge"

if [ ! -s /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile=/etc/munge/munge.key
  else
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  echo "   created /etc/munge/munge.key"
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key

# --- 2. munged, slurm.conf, slurmctld, slurmd -----------------------------------------------

say "munged"
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "   a munged is already running: using it (and leaving it running)"
else
  rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock /run/munge/munged.pid
  setpriv --reuid=munge --regid=munge --init-groups -- \
    munged --foreground </dev/null >"$WORK/daemons/munged.out" 2>&1 &
  MUNGED_PID=$!
  for _ in $(seq 1 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break
    kill -0 "$MUNGED_PID" 2>/dev/null || die "munged exited at start"
    sleep 0.1
  done
  munge -n </dev/null | unmunge >/dev/null || die "munge does not work"
  echo "   munged pid $MUNGED_PID"
fi

say "slurm.conf"
node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
real_mem=$((mem_mb * 95 / 100)) # slurmd drains a node that has less than RealMemory
if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
  die "$CONF exists and was not written by this script: not touching a real cluster's configuration"
fi
mkdir -p /etc/slurm
# From shared/slurm/slurm.conf.example: a minimal single-node Slurm for a container (no systemd,
# no cgroups, no accounting).
cat >"$CONF" <<EOF
$MARKER
# A throw-away single-node test cluster; this file is rewritten on every run of the script.
ClusterName=pimsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MaxArraySize=1001
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
echo "   $CONF: NodeName=$node CPUs=$cpus RealMemory=$real_mem"
install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld "$LOG_DIR" /run/slurm
install -d -o root -g root -m 0755 /var/spool/slurmd
# Logs of this run only.
rm -f "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log"

say "slurmctld and slurmd"
for d in slurmctld slurmd; do
  if pid=$(cat "/run/slurm/$d.pid" 2>/dev/null) && [ -n "$pid" ] &&
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$d" ]; then
    die "$d is already running (pid $pid), not started by this run: stop it first (kill $pid)"
  fi
done
# -c: start from an empty state (no jobs or node states of an earlier run); -D: foreground, so
# that $! is the daemon's own pid.
slurmctld -D -c </dev/null >"$WORK/daemons/slurmctld.out" 2>&1 &
CTLD_PID=$!
slurmd -D </dev/null >"$WORK/daemons/slurmd.out" 2>&1 &
SLURMD_PID=$!
echo "   slurmctld pid $CTLD_PID, slurmd pid $SLURMD_PID"
state=""
for i in $(seq 1 300); do
  kill -0 "$CTLD_PID" 2>/dev/null || die "slurmctld exited at start"
  kill -0 "$SLURMD_PID" 2>/dev/null || die "slurmd exited at start"
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  if [ "$i" = 100 ] && [[ $state =~ ^(down|drain|drng|inval) ]]; then
    scontrol update nodename="$node" state=resume || true
  fi
  sleep 0.2
done
[ "$state" = idle ] || die "node $node is not idle after 60 s (sinfo says: ${state:-nothing})"
echo "   node $node idle after $((SECONDS - start_time)) s"

# --- 3. pimsim, the single-machine reference ------------------------------------------------
say "pimsim"
if [ -n "${PIMSIM:-}" ]; then
  pimsim=$(command -v "$PIMSIM") || die "PIMSIM=$PIMSIM not found"
else
  cargo build --release --quiet
  pimsim=$repo/target/release/pimsim
fi
# Private copies: the binary under target/ may be rebuilt, the scenario edited, while the jobs run.
mkdir -p "$WORK/bin" "$WORK/input"
cp "$pimsim" "$WORK/bin/pimsim"
pimsim=$WORK/bin/pimsim
SCENARIO=$WORK/input/$(basename "$SCENARIO_SRC")
cp "$SCENARIO_SRC" "$SCENARIO"
SWEEP_SCENARIO=$WORK/input/$(basename "$SWEEP_SCENARIO_SRC")
cp "$SWEEP_SCENARIO_SRC" "$SWEEP_SCENARIO"
echo "   $("$pimsim" --version) ($pimsim)"
t=$SECONDS
"$pimsim" run "$SCENARIO" --paths "$PATHS" --seed "$SEED" --out "$WORK/single" --quiet >/dev/null
echo "   single-machine run: $PATHS paths, seed $SEED in $((SECONDS - t)) s"
t=$SECONDS
"$pimsim" sweep "$SWEEP_SCENARIO" --paths "$SWEEP_PATHS" --seed "$SEED" --out "$WORK/single-sweep" \
  --quiet >/dev/null
echo "   single-machine sweep: $SWEEP_PATHS paths per run, seed $SEED in $((SECONDS - t)) s"
TEMPLATE=$WORK/input/portfolio_template.toml
cp scenarios/portfolio_template.toml "$TEMPLATE"
cp scenarios/history/part_master.csv "$WORK/input/part_master.csv"
"$pimsim" fit scenarios/history/history.csv --out "$WORK/input/fits" --quiet >/dev/null
PARTS_FILES=("$WORK/input/fits/parts.csv" "$WORK/input/part_master.csv")
t=$SECONDS
"$pimsim" portfolio "${PARTS_FILES[@]}" --template "$TEMPLATE" --paths "$PORTFOLIO_PATHS" \
  --seed "$SEED" --out "$WORK/single-portfolio" --quiet >/dev/null
echo "   single-machine portfolio: 300 parts, $PORTFOLIO_PATHS paths per part, seed $SEED in $((SECONDS - t)) s"

# Waits for the merge job of run directory $1 to end; sets STATE and EXIT of the merge job.
wait_run() {
  local dir=$1 deadline=$((SECONDS + TIMEOUT)) line
  # shellcheck source=/dev/null
  source "$dir/last-submit.env"
  JOBS+=("$ARRAY_JOB_ID" "$MERGE_JOB_ID")
  while :; do
    line=$(scontrol -o show job "$MERGE_JOB_ID" 2>/dev/null) || die "slurmctld forgot job $MERGE_JOB_ID"
    STATE=$(sed -n 's/.* JobState=\([^ ]*\).*/\1/p' <<<"$line")
    EXIT=$(sed -n 's/.* ExitCode=\([^ ]*\).*/\1/p' <<<"$line")
    case $STATE in
    PENDING | RUNNING | CONFIGURING | COMPLETING | REQUEUED | RESIZING | SUSPENDED) ;;
    *) return 0 ;;
    esac
    if grep -q 'Reason=DependencyNeverSatisfied' <<<"$line"; then
      die "merge job $MERGE_JOB_ID hangs: DependencyNeverSatisfied"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "merge job $MERGE_JOB_ID still $STATE after $TIMEOUT s"
    sleep 0.5
  done
}
# The array's task states: "K:STATE:EXIT ..." sorted by K.
task_states() {
  scontrol -o show job "$1" | awk '{
    delete f
    for (i = 1; i <= NF; i++) { eq = index($i, "="); if (eq) f[substr($i, 1, eq - 1)] = substr($i, eq + 1) }
    print f["ArrayTaskId"] ":" f["JobState"] ":" f["ExitCode"]
  }' | sort -n | tr '\n' ' '
}
# Compares the files of a merged run (or, with a second argument, sweep or portfolio) with the
# single run's.
same_as_single() {
  local f ok=0 single=$WORK/single files=(summary.json policies.csv timeseries.csv)
  if [ "${2:-}" = sweep ]; then
    single=$WORK/single-sweep files=(sweep.csv sweep_oat.csv sweep.json report.html)
  elif [ "${2:-}" = portfolio ]; then
    single=$WORK/single-portfolio files=(portfolio.csv portfolio_parts.csv portfolio.json report.html)
  fi
  for f in "${files[@]}"; do
    if cmp "$single/$f" "$1/$f"; then
      echo "   $f: identical ($(wc -c <"$1/$f") bytes)"
    else
      ok=1
    fi
  done
  return $ok
}

# --- the happy path: a run, a sweep and a portfolio, submitted together ----------------------
say "Slurm: a run ($SHARDS tasks), a sweep ($SWEEP_SHARDS) and a portfolio ($PORTFOLIO_SHARDS) as arrays, each + dependent merge"
t=$SECONDS
PIMSIM=$pimsim SEED=$SEED MAX_RUNNING=2 deploy/slurm/submit.sh "$SCENARIO" "$PATHS" "$SHARDS" "$WORK/run"
PIMSIM=$pimsim SEED=$SEED \
  deploy/slurm/submit.sh sweep "$SWEEP_SCENARIO" "$SWEEP_PATHS" "$SWEEP_SHARDS" "$WORK/sweep"
PIMSIM=$pimsim SEED=$SEED deploy/slurm/submit.sh portfolio "$TEMPLATE" "$PORTFOLIO_PATHS" \
  "$PORTFOLIO_SHARDS" "$WORK/portfolio" "${PARTS_FILES[@]}"
wait_run "$WORK/run"
echo "   run tasks: $(task_states "$ARRAY_JOB_ID")"
echo "   run merge job $MERGE_JOB_ID: $STATE, exit code $EXIT, $((SECONDS - t)) s after submission"
[ "$STATE" = COMPLETED ] && [ "$EXIT" = 0:0 ] || die "merge job $MERGE_JOB_ID ended $STATE ($EXIT)"
same_as_single "$WORK/run/result" || die "merged result differs from the single-machine run"
wait_run "$WORK/sweep"
echo "   sweep tasks: $(task_states "$ARRAY_JOB_ID")"
echo "   sweep merge job $MERGE_JOB_ID: $STATE, exit code $EXIT, $((SECONDS - t)) s after submission"
[ "$STATE" = COMPLETED ] && [ "$EXIT" = 0:0 ] || die "merge job $MERGE_JOB_ID ended $STATE ($EXIT)"
same_as_single "$WORK/sweep/result" sweep || die "merged sweep differs from the single-machine sweep"
wait_run "$WORK/portfolio"
echo "   portfolio tasks: $(task_states "$ARRAY_JOB_ID")"
echo "   portfolio merge job $MERGE_JOB_ID: $STATE, exit code $EXIT, $((SECONDS - t)) s after submission"
[ "$STATE" = COMPLETED ] && [ "$EXIT" = 0:0 ] || die "merge job $MERGE_JOB_ID ended $STATE ($EXIT)"
same_as_single "$WORK/portfolio/result" portfolio ||
  die "merged portfolio differs from the single-machine portfolio"
cluster_secs=$((SECONDS - t))

# --- 4. the failure path --------------------------------------------------------------------
say "failure path: task 2 fails, the merge must fail (not hang)"
cat >"$WORK/bin/pimsim-failing-task-2" <<EOF
#!/bin/sh
# Test wrapper: array task 2 fails until $WORK/heal exists.
if [ "\${SLURM_ARRAY_TASK_ID:-}" = 2 ] && [ ! -e "$WORK/heal" ]; then
  echo "slurm-test: task 2 made to fail" >&2
  exit 3
fi
exec "$pimsim" "\$@"
EOF
chmod +x "$WORK/bin/pimsim-failing-task-2"
t=$SECONDS
PIMSIM=$WORK/bin/pimsim-failing-task-2 SEED=$SEED \
  deploy/slurm/submit.sh "$SCENARIO" "$PATHS" "$SHARDS" "$WORK/fail" >/dev/null
# Why submit.sh uses afterany: the same merge made to depend on the array with afterok.
# shellcheck source=/dev/null
source "$WORK/fail/last-submit.env"
afterok_id=$(sbatch --parsable --dependency="afterok:$ARRAY_JOB_ID" \
  --output="$WORK/fail/logs/afterok-merge-job%j.out" \
  --export="ALL,SHARD_DIR=$WORK/fail/shards,RESULT_DIR=$WORK/fail/result-afterok,PIMSIM=$pimsim" \
  deploy/slurm/pimsim-merge.sbatch)
afterok_id=${afterok_id%%;*}
JOBS+=("$afterok_id")
wait_run "$WORK/fail"
echo "   tasks: $(task_states "$ARRAY_JOB_ID")"
echo "   merge job $MERGE_JOB_ID: $STATE, exit code $EXIT, $((SECONDS - t)) s after submission"
merge_log="$WORK/fail/logs/merge-job$MERGE_JOB_ID.out"
[ "$STATE" = FAILED ] && [ "$EXIT" = 2:0 ] || die "expected the merge job to fail with exit code 2"
grep -F "missing shards [2] of $SHARDS" "$merge_log" || die "no 'missing shards [2]' in $merge_log"
[ ! -e "$WORK/fail/result/summary.json" ] || die "a failed merge wrote summary.json"
for _ in $(seq 1 60); do
  line=$(scontrol -o show job "$afterok_id")
  grep -q 'Reason=DependencyNeverSatisfied' <<<"$line" && break
  sleep 0.5
done
afterok_state=$(grep -o 'JobState=[^ ]* Reason=[^ ]*' <<<"$line")
echo "   an afterok merge (job $afterok_id) instead: $afterok_state (it would wait forever)"
[ "$afterok_state" = "JobState=PENDING Reason=DependencyNeverSatisfied" ] ||
  die "expected the afterok merge to be stuck in PENDING (DependencyNeverSatisfied)"
scancel "$afterok_id"

say "re-run of task 2: submit.sh --rerun $WORK/fail 2"
touch "$WORK/heal"
t=$SECONDS
deploy/slurm/submit.sh --rerun "$WORK/fail" 2 >/dev/null
wait_run "$WORK/fail"
echo "   tasks: $(task_states "$ARRAY_JOB_ID")"
echo "   merge job $MERGE_JOB_ID: $STATE, exit code $EXIT, $((SECONDS - t)) s after submission"
[ "$STATE" = COMPLETED ] && [ "$EXIT" = 0:0 ] || die "merge after the re-run ended $STATE ($EXIT)"
same_as_single "$WORK/fail/result" || die "result after the re-run differs from the single-machine run"

say "all checks passed: run, sweep and portfolio arrays + merges in $cluster_secs s; whole test in $((SECONDS - start_time)) s"
