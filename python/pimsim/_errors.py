"""Problems with the input, and the exception and warning that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["Problem", "ScenarioError", "ScenarioWarning"]


@dataclass(frozen=True)
class Problem:
    """One problem with one value of an input, as ``pimsim check`` prints it.

    ``str(problem)`` is the command line's line, e.g.
    ``bad.toml:12:8: error: `demand.rate` = -1.0: must be a number ≥ 0 (orders per year)``.
    """

    severity: str
    """``"error"`` or ``"warning"``."""
    file: str
    """The file the value is in (or the name a text or data frame was given; ``""`` for an
    argument of the call)."""
    line: int
    """1-based line of the value (of its table when the key is missing); 0 when unknown."""
    column: int
    """1-based column, in characters; 0 when unknown."""
    key: str
    """The dotted key, e.g. ``demand.rate`` or ``policy[1].retain`` (for an argument of the
    call, its name: ``paths``, ``threads``, ``override``)."""
    value: Optional[str]
    """The bad value as written, when there is one."""
    message: str
    """What is wrong and what is allowed."""
    text: str = ""
    """The whole line as the command line prints it."""

    def __str__(self) -> str:
        if self.text:
            return self.text
        where = self.file or "<input>"
        if self.line:
            where = f"{where}:{self.line}:{self.column}"
        value = f" = {self.value}" if self.value is not None else ""
        return f"{where}: {self.severity}: `{self.key}`{value}: {self.message}"

    @classmethod
    def _from_dict(cls, d: Dict[str, Any]) -> "Problem":
        return cls(
            severity=d["severity"],
            file=d["file"],
            line=int(d["line"]),
            column=int(d["column"]),
            key=d["key"],
            value=d["value"],
            message=d["message"],
            text=d.get("text", ""),
        )


class ScenarioError(ValueError):
    """Input that cannot be used: a scenario, a CSV (or data frame), an argument, an output
    location (the command line's exit code 2).

    ``problems`` lists every problem found, each with its file, line, column, key, value and
    message, as the command line prints them; ``str(error)`` is what it prints. ``file``,
    ``line``, ``column``, ``key`` and ``value`` are those of the first problem (``None``
    when there is none: inputs that do not belong together, whose message says why).
    """

    problems: List[Problem]

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def _first(self, name: str) -> Any:
        return getattr(self.problems[0], name) if self.problems else None

    @property
    def file(self) -> Optional[str]:
        """The file of the first problem."""
        return self._first("file")

    @property
    def line(self) -> Optional[int]:
        """The line of the first problem (0: unknown)."""
        return self._first("line")

    @property
    def column(self) -> Optional[int]:
        """The column of the first problem (0: unknown)."""
        return self._first("column")

    @property
    def key(self) -> Optional[str]:
        """The dotted key of the first problem."""
        return self._first("key")

    @property
    def value(self) -> Optional[str]:
        """The bad value of the first problem, as written."""
        return self._first("value")

    def __str__(self) -> str:
        return self.message


class ScenarioWarning(UserWarning):
    """A legal but suspicious value (the command line prints these on standard error).

    ``problem`` is the :class:`Problem` with its file, line, column and key.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _scenario_error(message: str, problems: List[Dict[str, Any]]) -> ScenarioError:
    """Built by the native module for every input error."""
    return ScenarioError(message, [Problem._from_dict(p) for p in problems])


def _warn(problems: Sequence[Dict[str, Any]], stacklevel: int = 3, limit: Optional[int] = None) -> None:
    """Issues a :class:`ScenarioWarning` per problem (at most ``limit``, then one that says
    how many more)."""
    import warnings

    shown = problems if limit is None else problems[:limit]
    for p in shown:
        warnings.warn(ScenarioWarning(Problem._from_dict(p)), stacklevel=stacklevel)
    if limit is not None and len(problems) > limit:
        text = (
            f"… and {len(problems) - limit} more warnings of the parts' scenarios (the "
            "result's .warnings lists them)"
        )
        more = Problem("warning", "", 0, 0, "", None, text, text)
        warnings.warn(ScenarioWarning(more), stacklevel=stacklevel)
