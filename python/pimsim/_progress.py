"""Progress displays for long calls (``progress=True``): tqdm when it is installed (in a
notebook, its widget), else one line on standard error; or a caller's function."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Optional, Union

__all__ = ["ProgressCallback", "ProgressArg", "display_for", "call"]

ProgressCallback = Callable[[int, int, str, Optional[str]], None]
"""``callback(done, total, unit, label)``: ``done`` of ``total`` ``unit`` (``"paths"``,
``"point-paths"``, ``"parts"``) of the current stretch of work; ``label`` says what the
stretch is, when that helps (``"hold: pass 2, 17 quantities"``). A job may start several
stretches in turn (the optimiser's passes)."""

ProgressArg = Union[bool, ProgressCallback, None]


class _Display:
    """Turns the native module's events into ``start`` / ``advance`` / ``close`` calls."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0
        self.unit = ""
        self.label: Optional[str] = None

    def __call__(self, kind: str, value: int, unit: Optional[str], label: Optional[str]) -> None:
        if kind == "start":
            if self.unit:
                self.ended()
            self.done, self.total, self.unit, self.label = 0, int(value), unit or "", label
            self.started()
        else:
            self.done += int(value)
            self.advanced(int(value))

    def started(self) -> None:  # pragma: no cover - overridden
        pass

    def ended(self) -> None:
        """The current stretch ends (another starts)."""

    def advanced(self, n: int) -> None:  # pragma: no cover - overridden
        pass

    def close(self) -> None:
        pass


class _Callback(_Display):
    def __init__(self, callback: ProgressCallback) -> None:
        super().__init__()
        self.callback = callback

    def started(self) -> None:
        self.callback(self.done, self.total, self.unit, self.label)

    def advanced(self, n: int) -> None:
        self.callback(self.done, self.total, self.unit, self.label)


class _Tqdm(_Display):
    def __init__(self, tqdm: Any) -> None:
        super().__init__()
        self.tqdm = tqdm
        self.bar: Any = None

    def ended(self) -> None:
        self.close()

    def started(self) -> None:
        self.bar = self.tqdm(total=self.total, unit=f" {self.unit}", desc=self.label, unit_scale=True)

    def advanced(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _Line(_Display):
    """``\\r``-updated line on standard error, at most five times a second."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__()
        self.stream = stream if stream is not None else sys.stderr
        self.shown = 0.0
        self.open = False

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < 0.2:
            return
        self.shown = now
        pct = 100.0 * self.done / self.total if self.total else 100.0
        label = f"{self.label}: " if self.label else ""
        self.stream.write(f"\r{label}{self.done:,}/{self.total:,} {self.unit} ({pct:.0f} %)")
        self.stream.flush()
        self.open = True

    def ended(self) -> None:
        self.close()

    def started(self) -> None:
        self._show(force=True)

    def advanced(self, n: int) -> None:
        self._show()

    def close(self) -> None:
        if self.open:
            self._show(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self.open = False


def display_for(progress: ProgressArg) -> Optional[_Display]:
    """The display for a call's ``progress`` argument: None for False/None; tqdm (else a line
    on standard error) for True; the caller's function otherwise."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return _Line()
        return _Tqdm(tqdm)
    if callable(progress):
        return _Callback(progress)
    raise TypeError(f"progress = {progress!r}: expected True, False or a function(done, total, unit, label)")


def call(function: Any, progress: ProgressArg, *args: Any, **kwargs: Any) -> Any:
    """``function(*args, progress=display, **kwargs)`` with the display for ``progress``,
    closed afterwards (also when the call raises)."""
    display = display_for(progress)
    try:
        return function(*args, progress=display, **kwargs)
    finally:
        if display is not None:
            display.close()
