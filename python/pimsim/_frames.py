"""Data frames from pimsim's CSV files, and CSV text from callers' data frames.

Results are parsed from the exact bytes pimsim writes (``policies.csv``, ``sweep.csv``, …), so
a frame holds exactly the columns and values of the file: the same as ``pandas.read_csv`` of
the file the command line writes (numbers parsed exactly; an empty cell is missing;
name columns stay text). pandas is the default; polars when asked
(``frames="polars"``) and installed.
"""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal
from typing import Any, Iterable, List, Mapping, Sequence

__all__ = ["FRAME_KINDS", "check_kind", "read_csv", "from_records", "is_frame", "to_csv_text"]

FRAME_KINDS = ("pandas", "polars")


def check_kind(frames: str) -> str:
    """``frames`` if it is ``"pandas"`` or ``"polars"`` and that library can be imported."""
    if frames not in FRAME_KINDS:
        raise ValueError(f"frames = {frames!r}: expected \"pandas\" or \"polars\"")
    try:
        __import__(frames)
    except ImportError as e:
        raise ImportError(
            f"frames = {frames!r} needs the {frames} package: pip install {frames}"
        ) from e
    return frames


def _header(data: bytes) -> List[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8")
    return next(csv.reader([first]), [])


def read_csv(data: bytes, frames: str = "pandas", text_columns: Sequence[str] = ()) -> Any:
    """The data frame of a CSV file pimsim wrote; ``text_columns`` stay text."""
    header = _header(data) if data.strip() else []
    text = [c for c in text_columns if c in header]
    if frames == "polars":
        import polars as pl

        if not header:
            return pl.DataFrame()
        return pl.read_csv(
            io.BytesIO(data),
            schema_overrides={c: pl.String for c in text},
            infer_schema_length=None,
        )
    import pandas as pd

    if not header:
        return pd.DataFrame()
    # Numbers parsed exactly: pandas 3 does by default (and deprecates the option); before
    # it, only with float_precision="round_trip".
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(
        io.BytesIO(data),
        dtype={c: str for c in text},
        keep_default_na=False,
        na_values=[""],
        **exact,
    )


def from_records(records: Sequence[Mapping[str, Any]], columns: Sequence[str], frames: str = "pandas") -> Any:
    """A data frame of ``records`` (dicts) with ``columns`` in this order."""
    if frames == "polars":
        import polars as pl

        data = {c: [r.get(c) for r in records] for c in columns}
        return pl.DataFrame(data, strict=False)
    import pandas as pd

    return pd.DataFrame.from_records(list(records), columns=list(columns))


def is_frame(obj: Any) -> bool:
    """Whether ``obj`` is a pandas or polars data frame."""
    module = type(obj).__module__
    return (module.startswith("pandas") and hasattr(obj, "itertuples")) or (
        module.startswith("polars") and hasattr(obj, "iter_rows")
    )


def _missing(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    return type(x).__name__ in ("NAType", "NaTType")


def _number(x: float) -> str:
    """A float as pimsim writes it: the shortest text that reads back as the same number, in
    positional notation, without a trailing ``.0`` (``12``, ``0.25``, ``0.00001``)."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    s = format(Decimal(repr(x)), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _cell(x: Any) -> str:
    """A cell of a parts list or history, as a TOML value where it is one (see
    docs/portfolios.md): missing → empty (the template's value), booleans → ``true`` /
    ``false``, whole numbers as such, dates as ``YYYY-MM-DD``."""
    if _missing(x):
        return ""
    if hasattr(x, "dtype") and hasattr(x, "item"):  # NumPy scalars
        x = x.item()
        if _missing(x):
            return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return _number(x)
    if hasattr(x, "strftime") and hasattr(x, "year"):
        has_time = any(getattr(x, a, 0) for a in ("hour", "minute", "second", "microsecond"))
        return x.isoformat() if has_time else x.strftime("%Y-%m-%d")
    return str(x)


def _rows(frame: Any) -> "tuple[List[str], Iterable[Sequence[Any]]]":
    module = type(frame).__module__
    if module.startswith("polars"):
        return [str(c) for c in frame.columns], frame.iter_rows()
    # pandas: a named index (e.g. after set_index("part")) is a column too.
    names = [n for n in (frame.index.names or []) if n is not None]
    if names and not any(n in frame.columns for n in names):
        frame = frame.reset_index()
    return [str(c) for c in frame.columns], frame.itertuples(index=False, name=None)


def to_csv_text(frame: Any) -> str:
    """The CSV text of a caller's data frame (a parts list, a demand history), one row per
    line, cells as in :func:`_cell`."""
    columns, rows = _rows(frame)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(x) for x in row])
    return out.getvalue()

