#!/usr/bin/env bash
# Submit one pimsim run, sweep or portfolio to Slurm: a job array of SHARDS tasks
# (pimsim-array.sbatch, task K runs shard K of SHARDS) and a merge job (pimsim-merge.sbatch) that
# starts when every task has ended.
#
#   deploy/slurm/submit.sh [run|sweep] SCENARIO PATHS SHARDS OUTDIR   a new run (default) or sweep
#   deploy/slurm/submit.sh portfolio TEMPLATE PATHS SHARDS OUTDIR PARTS.csv...   a new portfolio
#   deploy/slurm/submit.sh --rerun OUTDIR TASKS                      re-run tasks (e.g. 3 or 2,5-7)
#                                                                    of it with the same inputs,
#                                                                    and merge again
#
# `run` cuts one scenario's PATHS paths into SHARDS slices of path blocks; `sweep` cuts the runs
# of a scenario with a [sweep] table (its points, then its base and one-at-a-time runs, each of
# PATHS paths) into SHARDS slices of whole runs; `portfolio` cuts the parts of the parts files
# (joined on `part`, simulated against TEMPLATE with PATHS paths each) into SHARDS slices of
# parts. SHARDS may exceed the number of runs or parts (the extra tasks have nothing to do and
# write an empty partial).
#
# OUTDIR (on a file system that every node sees) gets:
#   input/     the scenario (template and parts files) and the pimsim binary, copied at submission, so that every task —
#              and any later re-run — uses the same ones even if the originals change meanwhile
#   shards/    partial-KKKK-of-NNNN.json, one per task
#   result/    written by the merge job: summary.json, policies.csv, timeseries.csv and
#              report.html for a run; sweep.csv, sweep_oat.csv, sweep.json and report.html for
#              a sweep; portfolio.csv, portfolio_parts.csv, portfolio.json and report.html for a
#              portfolio — the files of a single-machine `pimsim run` / `sweep` / `portfolio`
#   logs/      shard-K-jobJ.out for each task, merge-jobJ.out for each merge
#   job.env    the run's parameters (read by --rerun); jobs.log: every submission's job ids
#
# Environment variables (all optional):
#   SEED                      seed of the run (default: the scenario's simulation.seed)
#   THREADS                   threads per task (default: the task's --cpus-per-task)
#   MAX_RUNNING               at most this many tasks at once (sbatch --array=0-(N-1)%MAX_RUNNING)
#   PIMSIM                    the pimsim binary (default: pimsim on PATH, else this repository's
#                             target/release/pimsim)
#   PIMSIM_SBATCH_ARGS        extra sbatch options for the array, e.g. "--partition=short
#                             --cpus-per-task=4 --time=00:30:00" (split at spaces)
#   PIMSIM_MERGE_SBATCH_ARGS  extra sbatch options for the merge job
# Slurm's own SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ... apply to both jobs.
#
# The merge depends on the array with afterany (not afterok, which waits forever if one task
# fails); `pimsim merge` refuses an incomplete set of shards with exit code 2, so a failed task
# shows up as a failed merge job whose log names the missing shards.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
prog=${0##*/}

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
die() {
  echo "$prog: error: $*" >&2
  exit 2
}
is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
no_comma() {
  # sbatch --export separates variables with commas
  case $2 in *,*) die "$1 must not contain a comma (sbatch --export): $2" ;; esac
}

command -v sbatch >/dev/null || die "sbatch not found: run this on a Slurm login node"

# sbatch's job id from --parsable output ("ID" or "ID;CLUSTER").
submit() {
  local out
  out=$(sbatch --parsable "$@") || return 1
  echo "${out%%;*}"
}

# Submits array tasks $1 (an --array spec) of the run described by job.env, then the merge.
submit_jobs() {
  local tasks=$1 array_id merge_id extra merge_extra
  read -r -a extra <<<"${PIMSIM_SBATCH_ARGS:-}"
  read -r -a merge_extra <<<"${PIMSIM_MERGE_SBATCH_ARGS:-}"
  local env="ALL,COMMAND=${COMMAND:-run},SCENARIO=$SCENARIO,PATHS=$PATHS,SHARDS=$SHARDS"
  env+=",SHARD_DIR=$SHARD_DIR,PIMSIM=$PIMSIM,PARTS=${PARTS:-}"
  env+=",SEED=${SEED:-},THREADS=${THREADS:-}"
  array_id=$(submit --array="$tasks${MAX_RUNNING:+%$MAX_RUNNING}" --job-name="pimsim-$NAME" \
    --output="$RUN_DIR/logs/shard-%a-job%A.out" --export="$env" \
    "${extra[@]}" "$here/pimsim-array.sbatch") || die "sbatch of the array failed"
  merge_id=$(submit --dependency="afterany:$array_id" --job-name="pimsim-$NAME-merge" \
    --output="$RUN_DIR/logs/merge-job%j.out" \
    --export="ALL,SHARD_DIR=$SHARD_DIR,RESULT_DIR=$RESULT_DIR,PIMSIM=$PIMSIM,ARRAY_JOB_ID=$array_id,RUN_DIR=$RUN_DIR,SUBMIT_SH=$here/submit.sh" \
    "${merge_extra[@]}" "$here/pimsim-merge.sbatch") ||
    die "sbatch of the merge failed; the array $array_id is queued: merge by hand with
  $PIMSIM merge $SHARD_DIR --out $RESULT_DIR"
  echo "$(date -Is) ${COMMAND:-run}: array $array_id tasks $tasks of $SHARDS, merge $merge_id" >>"$RUN_DIR/jobs.log"
  printf 'ARRAY_JOB_ID=%s\nMERGE_JOB_ID=%s\n' "$array_id" "$merge_id" >"$RUN_DIR/last-submit.env"
  local files="summary.json, policies.csv, timeseries.csv"
  [ "${COMMAND:-run}" = sweep ] && files="sweep.csv, sweep_oat.csv, sweep.json"
  [ "${COMMAND:-run}" = portfolio ] && files="portfolio.csv, portfolio_parts.csv, portfolio.json"
  cat <<EOF
submitted ${COMMAND:-run}: array job $array_id (tasks $tasks of $SHARDS shards) and merge job $merge_id (afterany)
  watch:    squeue -j $array_id,$merge_id
  logs:     $RUN_DIR/logs/
  results:  $RESULT_DIR/ ($files, report.html) once job $merge_id has ended
  re-run a failed task K:  $here/submit.sh --rerun $RUN_DIR K
EOF
}

if [ "${1:-}" = "--rerun" ]; then
  [ $# -eq 3 ] || usage
  RUN_DIR=$(cd "$2" 2>/dev/null && pwd) || die "no run directory $2"
  tasks=$3
  [ -r "$RUN_DIR/job.env" ] || die "$RUN_DIR/job.env not found: not a run directory of $prog"
  # shellcheck source=/dev/null
  source "$RUN_DIR/job.env"
  [[ $tasks =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] ||
    die "TASKS must be task ids such as 3 or 2,5-7 (got $tasks)"
  for k in ${tasks//[,-]/ }; do
    [ "$k" -lt "$SHARDS" ] || die "task $k does not exist: the run has $SHARDS shards (0..$((SHARDS - 1)))"
  done
  submit_jobs "$tasks"
  exit 0
fi

COMMAND=run
case ${1:-} in run | sweep | portfolio)
  COMMAND=$1
  shift
  ;;
esac
parts_args=()
if [ "$COMMAND" = portfolio ]; then
  [ $# -ge 5 ] || usage
  parts_args=("${@:5}")
  set -- "${@:1:4}"
  for f in "${parts_args[@]}"; do
    [ -r "$f" ] || die "cannot read parts file $f"
    case $(basename "$f") in *[[:space:],]*) die "a parts file name must not contain spaces or commas: $f" ;; esac
  done
fi
[ $# -eq 4 ] || usage
scenario_arg=$1 PATHS=$2 SHARDS=$3 out_arg=$4
[ -r "$scenario_arg" ] || die "cannot read scenario $scenario_arg"
is_count "$PATHS" || die "PATHS must be a whole number >= 1 (got $PATHS)"
is_count "$SHARDS" || die "SHARDS must be a whole number >= 1 (got $SHARDS)"
[ -z "${SEED:-}" ] || [[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a whole number (got $SEED)"
[ -z "${THREADS:-}" ] || [[ $THREADS =~ ^[0-9]+$ ]] || die "THREADS must be a whole number (got $THREADS)"
[ -z "${MAX_RUNNING:-}" ] || is_count "$MAX_RUNNING" || die "MAX_RUNNING must be a whole number >= 1"

# Array indices 0..SHARDS-1 must stay below the cluster's MaxArraySize (default 1001).
max_array=$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" { print $3 }' || true)
max_array=${max_array:-1001}
[ "$SHARDS" -le "$max_array" ] ||
  die "SHARDS=$SHARDS exceeds this cluster's MaxArraySize=$max_array (array indices 0..$((max_array - 1)))"

if [ -n "${PIMSIM:-}" ]; then
  bin=$(command -v "$PIMSIM") || die "PIMSIM=$PIMSIM not found"
elif bin=$(command -v pimsim); then
  :
elif [ -x "$repo/target/release/pimsim" ]; then
  bin=$repo/target/release/pimsim
else
  die "no pimsim binary: set PIMSIM, put pimsim on PATH, or cargo build --release in $repo"
fi
if [ "$COMMAND" != portfolio ]; then
  "$bin" check "$scenario_arg" >/dev/null || die "the scenario does not pass pimsim check (see above)"
fi

mkdir -p "$out_arg"
RUN_DIR=$(cd "$out_arg" && pwd)
for d in shards result; do
  if [ -n "$(ls -A "$RUN_DIR/$d" 2>/dev/null)" ]; then
    die "$RUN_DIR/$d is not empty: use a new OUTDIR (or --rerun $RUN_DIR TASKS to redo tasks of that run)"
  fi
done
no_comma OUTDIR "$RUN_DIR"
no_comma "this script's directory" "$here"
mkdir -p "$RUN_DIR/input" "$RUN_DIR/logs"
NAME=$(basename "$scenario_arg" .toml)
SCENARIO=$RUN_DIR/input/$(basename "$scenario_arg")
PIMSIM=$RUN_DIR/input/pimsim
cp "$scenario_arg" "$SCENARIO"
PARTS=
for f in "${parts_args[@]}"; do
  cp "$f" "$RUN_DIR/input/$(basename "$f")"
  PARTS+="${PARTS:+ }$RUN_DIR/input/$(basename "$f")"
done
cp "$bin" "$PIMSIM.tmp" && mv -f "$PIMSIM.tmp" "$PIMSIM"
no_comma SCENARIO "$SCENARIO"
SHARD_DIR=$RUN_DIR/shards
RESULT_DIR=$RUN_DIR/result
{
  echo "# pimsim $COMMAND submitted by $prog on $(date -Is); read by $prog --rerun"
  for v in COMMAND NAME SCENARIO PARTS PATHS SEED SHARDS THREADS PIMSIM RUN_DIR SHARD_DIR RESULT_DIR; do
    printf '%s=%q\n' "$v" "${!v:-}"
  done
} >"$RUN_DIR/job.env"

submit_jobs "0-$((SHARDS - 1))"
