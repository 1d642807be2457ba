"""``Scenario``: a scenario file read and validated."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Union

from . import _native
from ._errors import Problem, _warn

__all__ = ["Scenario", "PathLike"]

PathLike = Union[str, "os.PathLike[str]"]


class Scenario:
    """A scenario, read and validated as ``pimsim check`` validates a file: every problem is
    reported at once as a :class:`~pimsim.ScenarioError` (a ``ValueError``) with the file,
    line, column, key and value of each; warnings are issued as
    :class:`~pimsim.ScenarioWarning` and kept in :attr:`warnings`.

    Make one with :meth:`from_file`, :meth:`from_toml` or :meth:`from_dict`; change fields by
    their dotted names with :meth:`with_overrides`. A scenario is immutable.

    >>> s = pimsim.Scenario.from_file("scenarios/heavy_machinery.toml")
    >>> s.with_overrides({"demand.retirement_scale_years": 12}).policies[0]
    'hold'
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_native.Scenario") -> None:
        """Use :meth:`from_file`, :meth:`from_toml` or :meth:`from_dict`."""
        if not isinstance(native, _native.Scenario):
            raise TypeError("use Scenario.from_file, Scenario.from_toml or Scenario.from_dict")
        self._native = native

    @classmethod
    def _made(cls, native: "_native.Scenario") -> "Scenario":
        _warn(native.warnings, stacklevel=4)
        return cls(native)

    @classmethod
    def from_file(cls, path: PathLike) -> "Scenario":
        """Reads and validates the scenario file ``path`` (TOML), as ``pimsim check PATH``.

        A ``[sweep]`` table is kept (see :func:`pimsim.sweep`) but not part of the scenario.
        Raises :class:`~pimsim.ScenarioError` for a bad or unreadable file.
        """
        return cls._made(_native.Scenario.from_file(os.fspath(path)))

    @classmethod
    def from_toml(cls, text: str, name: PathLike = "scenario.toml") -> "Scenario":
        """Validates scenario ``text`` (TOML); ``name`` is the file name messages cite (lines
        and columns refer to ``text``) and gives the default ``scenario.name`` (its stem)."""
        return cls._made(_native.Scenario.from_toml(text, os.fspath(name)))

    @classmethod
    def from_dict(cls, tables: Mapping[str, Any], name: PathLike = "scenario.toml") -> "Scenario":
        """A scenario from a dictionary of its tables, as the TOML file would have them::

            Scenario.from_dict({
                "scenario": {"horizon_years": 10},
                "part": {"unit_cost": 100.0, "on_hand": 50},
                "demand": {"model": "constant", "rate": 5.0},
                "costs": {"holding_rate": 0.2, "shortage_penalty": 500.0},
                "policy": [{"name": "hold", "kind": "hold"}],
            })

        Values are ``bool``, ``int``, ``float``, ``str``, lists and dicts (NumPy scalars too);
        ``None`` is refused (leave a key out for its default). The dictionary is written as
        TOML (:attr:`text`) and validated as a file named ``name``.
        """
        return cls._made(_native.Scenario.from_dict(dict(tables), os.fspath(name)))

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Scenario":
        """This scenario with fields set by dotted name, as in ``[sweep]`` tables and parts
        files, validated again::

            s.with_overrides({"demand.half_life_years": 8, "policy.scrap-60.retain": 40})

        ``[[policy]]`` and ``[[partner]]`` elements are chosen by name
        (``partner.dealers.reliability``) or by 0-based index (``"policy[1].retain"``); a key
        may set a field the file leaves at its default. A ``[sweep]`` table is dropped. Raises
        :class:`~pimsim.ScenarioError` naming the key for an unknown field or a bad value.
        """
        return Scenario._made(self._native.with_overrides(dict(overrides)))

    def without_sweep(self) -> "Scenario":
        """This scenario without its ``[sweep]`` table: the base scenario of the sweep."""
        return Scenario._made(self._native.with_overrides({}))

    @property
    def text(self) -> str:
        """The scenario's TOML text."""
        return self._native.text

    @property
    def path(self) -> str:
        """The file it was read from, or the name it was given."""
        return self._native.path

    @property
    def name(self) -> str:
        """``scenario.name`` (by default the file's stem)."""
        return self._native.name

    @property
    def policies(self) -> List[str]:
        """The policies' names in order; the first is the baseline of every comparison."""
        return list(self._native.policies)

    @property
    def has_sweep(self) -> bool:
        """Whether the text has a ``[sweep]`` table (run it with :func:`pimsim.sweep`)."""
        return self._native.has_sweep

    @property
    def warnings(self) -> List[Problem]:
        """Legal but suspicious values found by the validation."""
        return [Problem._from_dict(p) for p in self._native.warnings]

    def to_dict(self) -> Dict[str, Any]:
        """The scenario's text as a dictionary of tables (as written: defaults are not filled
        in; ``summary["scenario"]`` of a run has them all)."""
        return self._native.to_dict()

    def __repr__(self) -> str:
        return f"Scenario(name={self.name!r}, path={self.path!r}, policies={self.policies!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and (self.text, self.path) == (other.text, other.path)

    def __hash__(self) -> int:
        return hash((self.text, self.path))
