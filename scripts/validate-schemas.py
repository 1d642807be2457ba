#!/usr/bin/env python3
"""Validates pimsim's JSON reports against the JSON Schemas in schema/.

    scripts/validate-schemas.py [--schema NAME] [REPORT.json ...]

Without arguments it checks the committed example reports: reports/*/summary.json,
reports/benchmark-optimize/optimize.json, reports/sweep_release_vs_scrap-sweep/sweep.json and
reports/history-portfolio/portfolio.json. A report given on the command line is checked against
the schema its file name names (summary.json, optimize.json, sweep.json, portfolio.json), or
against schema/NAME.schema.json with --schema NAME (summary, optimize, sweep or portfolio).

Exit code 0 when every report is valid; 1 when one is not (or cannot be read as JSON), with
the file, the JSON pointer of each failing value and what is wrong; 2 for a usage problem (no
`jsonschema` package, a missing or invalid schema, bad arguments).

Needs the `jsonschema` package (pip install jsonschema). The schemas are generated from the
Rust types by `PIMSIM_UPDATE_DOCS=1 cargo test --release --test integration schemas`.
"""

import argparse
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = ("summary", "optimize", "sweep", "portfolio")
DEFAULT_REPORTS = [
    "reports/*/summary.json",
    "reports/benchmark-optimize/optimize.json",
    "reports/sweep_release_vs_scrap-sweep/sweep.json",
    "reports/history-portfolio/portfolio.json",
]
# Errors shown per report; the rest are counted.
MAX_ERRORS = 20


def usage_error(message):
    print(f"validate-schemas: {message}", file=sys.stderr)
    sys.exit(2)


def pointer(path):
    """The JSON pointer of a path of keys and indices (RFC 6901)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "(the document itself)"


def as_json(value, limit=100):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alternative_index(error):
    """Which alternative of an anyOf/oneOf an error of its context belongs to."""
    return error.relative_schema_path[0] if error.relative_schema_path else None


def innermost(error):
    """The error to report for `error`: for a failed anyOf/oneOf, the reason of the closest
    alternative (the `null` of an optional value is not the one meant; then the deepest
    failing value), unless every alternative is a constant, which is reported as such."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        alternatives = error.validator_value
        constants = [a.get("const") for a in alternatives if "const" in a]
        nullable = any(a.get("type") == "null" for a in alternatives)
        if len(constants) + nullable == len(alternatives):
            return error, constants + ([None] if nullable else [])
        meant = [
            e
            for e in error.context
            if alternatives[alternative_index(e)].get("type") != "null"
        ] or list(error.context)
        error = max(meant, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    return error, None


def describe(error):
    """The JSON pointer of the failing value, and one line saying what is wrong with it and
    (when the schema describes the field) what the field is."""
    error, constants = innermost(error)
    where = pointer(error.absolute_path)
    v, value = error.validator, error.instance
    if constants is not None:
        what = f"{as_json(value)} is not one of " + ", ".join(as_json(c) for c in constants)
    elif v == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        what = f"{as_json(value)} is not of type " + " or ".join(expected)
    elif v == "required":
        missing = [k for k in error.validator_value if k not in value]
        what = "missing required field(s) " + ", ".join(as_json(k) for k in missing)
    elif v in ("minimum", "maximum"):
        limit = "below the minimum" if v == "minimum" else "above the maximum"
        what = f"{as_json(value)} is {limit} {error.validator_value}"
    elif v == "enum":
        allowed = ", ".join(as_json(c) for c in error.validator_value)
        what = f"{as_json(value)} is not one of {allowed}"
    elif v == "const":
        what = f"{as_json(value)} is not {as_json(error.validator_value)}"
    else:
        what = error.message
        if len(what) > 200:
            what = what[:199] + "…"
    line = f"{where}: {what}"
    field = error.schema.get("description") if isinstance(error.schema, dict) else None
    if field and v != "required":
        line += f"\n      (the field: {field if len(field) <= 160 else field[:159] + '…'})"
    return where, line


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser(
        description="Validate pimsim JSON reports against schema/*.schema.json."
    )
    parser.add_argument(
        "--schema",
        choices=SCHEMAS,
        help="the schema of every REPORT given (default: from each file's name)",
    )
    parser.add_argument("reports", nargs="*", metavar="REPORT.json")
    args = parser.parse_args()

    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        usage_error("needs the jsonschema package: pip install jsonschema")

    validators = {}
    for name in SCHEMAS:
        path = os.path.join(ROOT, "schema", f"{name}.schema.json")
        try:
            schema = load_json(path)
            Draft202012Validator.check_schema(schema)
        except (OSError, ValueError) as e:
            usage_error(f"{os.path.relpath(path, ROOT)}: cannot be read: {e}")
        except Exception as e:  # jsonschema.SchemaError
            usage_error(f"{os.path.relpath(path, ROOT)} is not a valid JSON Schema: {e}")
        validators[name] = Draft202012Validator(schema)

    # (path to open, path to show, schema name or None when the report is missing)
    reports = []
    if args.reports:
        for r in args.reports:
            name = args.schema or os.path.basename(r).removesuffix(".json")
            if name not in validators:
                usage_error(
                    f"{r}: which schema? Name the file summary.json, optimize.json, "
                    f"sweep.json or portfolio.json, or give --schema"
                )
            reports.append((r, r, name))
    else:
        for pattern in DEFAULT_REPORTS:
            found = sorted(glob.glob(os.path.join(ROOT, pattern)))
            if not found:
                print(f"FAIL {pattern}: no such report", file=sys.stderr)
                reports.append((pattern, pattern, None))
            for path in found:
                name = os.path.basename(path).removesuffix(".json")
                reports.append((path, os.path.relpath(path, ROOT), name))

    failed = 0
    for path, shown_path, name in reports:
        if name is None:
            failed += 1
            continue
        try:
            report = load_json(path)
        except (OSError, ValueError) as e:
            print(f"FAIL {shown_path}: cannot be read as JSON: {e}", file=sys.stderr)
            failed += 1
            continue
        errors = sorted(
            (describe(e) for e in validators[name].iter_errors(report)),
            key=lambda d: d[0],
        )
        if not errors:
            print(f"ok   {shown_path} (schema/{name}.schema.json)")
            continue
        failed += 1
        print(
            f"FAIL {shown_path}: {len(errors)} value(s) do not match schema/{name}.schema.json:",
            file=sys.stderr,
        )
        for _, line in errors[:MAX_ERRORS]:
            print(f"  {line}", file=sys.stderr)
        if len(errors) > MAX_ERRORS:
            print(f"  … and {len(errors) - MAX_ERRORS} more", file=sys.stderr)

    if failed:
        print(f"{failed} of {len(reports)} report(s) do not validate", file=sys.stderr)
        return 1
    print(f"all {len(reports)} report(s) validate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
