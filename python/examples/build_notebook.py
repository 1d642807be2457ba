"""Builds a notebook from a jupytext "percent" script (``# %%`` code cells, ``# %% [markdown]``
markdown cells), without outputs, and optionally executes it.

    python examples/build_notebook.py examples/heavy_machinery.py            # writes .ipynb
    python examples/build_notebook.py examples/heavy_machinery.py --check    # is it up to date?
    python examples/build_notebook.py examples/heavy_machinery.py --execute OUT.ipynb

The script is the source (readable diffs); the ``.ipynb`` beside it is what Jupyter opens. With
jupytext installed, Jupyter opens the script as a notebook too. Needs nbformat (and nbclient
and ipykernel for ``--execute``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Tuple

import nbformat


def cells_of(script: str) -> List[Tuple[str, str]]:
    """(kind, source) of each cell; the header (jupytext's metadata) is dropped."""
    cells: List[Tuple[str, List[str]]] = []
    for line in script.splitlines():
        if line.startswith("# %%"):
            kind = "markdown" if "[markdown]" in line else "code"
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [l[2:] if l.startswith("# ") else l.lstrip("#") for l in lines]
        text = "\n".join(lines).strip("\n")
        out.append((kind, text))
    return out


def notebook_of(script: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, text) in enumerate(cells_of(script)):
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if the .ipynb is out of date")
    parser.add_argument("--execute", type=Path, metavar="OUT", help="execute it, write the result to OUT")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args()
    nb = notebook_of(args.script.read_text(encoding="utf-8"))
    target = args.script.with_suffix(".ipynb")
    if args.check:
        # Cell by cell (not byte for byte: nbformat's layout may change between versions).
        def cells(n: nbformat.NotebookNode) -> List[Tuple[str, str]]:
            return [(c.cell_type, c.source) for c in n.cells]

        if not target.is_file() or cells(nbformat.read(target, as_version=4)) != cells(nb):
            print(f"{target} is not what {args.script} gives: run python {sys.argv[0]} {args.script}")
            return 1
        print(f"{target} is up to date")
    elif not args.execute:
        target.write_text(render(nb), encoding="utf-8")
        print(f"wrote {target}")
    if args.execute:
        from nbclient import NotebookClient

        started = time.monotonic()
        client = NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(args.script.parent.resolve())}},
        )
        client.execute()
        args.execute.write_text(render(nb), encoding="utf-8")
        print(f"executed {len(nb.cells)} cells in {time.monotonic() - started:.1f} s; wrote {args.execute}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
