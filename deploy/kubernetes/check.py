#!/usr/bin/env python3
"""Checks pimsim-indexed-job.yaml without a cluster.

    python3 deploy/kubernetes/check.py [PIMSIM] [SCENARIO]

1. parses it as YAML (PyYAML) and checks its shape: an RWX PersistentVolumeClaim, an Indexed Job
   whose `completions` equals its `--shards`, a suspended merge Job, mounts that exist;
2. runs the containers' exact arguments on this machine: every index K with
   JOB_COMPLETION_INDEX=K (only --paths is lowered to 20000, /results and /scenario are mapped to
   a temporary directory and SCENARIO), then the merge, and compares summary.json, policies.csv
   and timeseries.csv byte for byte with a single `pimsim run` of the same paths and seed.

PIMSIM defaults to target/release/pimsim, SCENARIO to scenarios/heavy_machinery.toml. Needs python3
with PyYAML. It does not check the manifest against the Kubernetes API schema (no cluster here).
"""

import filecmp
import os
import pathlib
import subprocess
import sys
import tempfile

import yaml

here = pathlib.Path(__file__).resolve().parent
repo = here.parent.parent
pimsim = sys.argv[1] if len(sys.argv) > 1 else str(repo / "target/release/pimsim")
scenario = sys.argv[2] if len(sys.argv) > 2 else str(repo / "scenarios/heavy_machinery.toml")
manifest = here / "pimsim-indexed-job.yaml"

docs = [d for d in yaml.safe_load_all(manifest.read_text()) if d]
by_kind = {(d["kind"], d["metadata"]["name"]): d for d in docs}
pvc = by_kind[("PersistentVolumeClaim", "pimsim-results")]
shards = by_kind[("Job", "pimsim-shards")]
merge = by_kind[("Job", "pimsim-merge")]
assert pvc["spec"]["accessModes"] == ["ReadWriteMany"], "shards on several nodes need RWX"
spec = shards["spec"]
assert spec["completionMode"] == "Indexed"
shard_args = spec["template"]["spec"]["containers"][0]["args"]
option = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in shard_args if "=" in a}
n = int(option["--shards"])
assert n == spec["completions"], f"--shards={n} but completions={spec['completions']}"
assert "--shard-from-env" in shard_args
assert merge["spec"]["suspend"] is True, "the merge must wait (suspended) for the shards"
merge_args = merge["spec"]["template"]["spec"]["containers"][0]["args"]
for job in (shards, merge):
    pod = job["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in pod["containers"][0]["volumeMounts"]:
        assert mount["name"] in volumes, f"{job['metadata']['name']}: no volume {mount['name']}"
    claim = volumes["results"]["persistentVolumeClaim"]["claimName"]
    assert claim == pvc["metadata"]["name"]
print(f"{manifest.name}: {len(docs)} documents, shape ok (N = {n})")

with tempfile.TemporaryDirectory() as tmp:

    def local(arg):
        if arg.startswith("--paths="):
            return "--paths=20000"
        return arg.replace("/scenario/scenario.toml", scenario).replace("/results", tmp)

    for k in range(n):
        # As in a pod: only JOB_COMPLETION_INDEX (a SLURM_ARRAY_TASK_ID here would take its place).
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
        env["JOB_COMPLETION_INDEX"] = str(k)
        subprocess.run([pimsim, *map(local, shard_args)], check=True, env=env)
    merged = [pimsim, *map(local, merge_args)]
    subprocess.run(merged, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = pathlib.Path(local(next(a for a in merge_args if a.startswith("--out="))).split("=", 1)[1])
    single = [pimsim, "run", scenario, "--paths=20000", "--out", f"{tmp}/single", "--quiet"]
    if "--seed" in option:
        single.append("--seed=" + option["--seed"])
    subprocess.run(single, check=True, stdout=subprocess.DEVNULL)
    for name in ("summary.json", "policies.csv", "timeseries.csv"):
        if not filecmp.cmp(f"{tmp}/single/{name}", out / name, shallow=False):
            sys.exit(f"FAILED: merged {name} differs from the single run")
    print(f"the Jobs' arguments, run locally ({n} indexes + merge, 20000 paths): "
          "byte-identical to a single run")
