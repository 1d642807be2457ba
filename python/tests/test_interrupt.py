"""Long calls release the GIL and stop promptly on Ctrl-C (KeyboardInterrupt), writing
nothing."""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import pimsim

# How long after the interrupt the call must have raised: the job is polled every 50 ms and
# stops within one block of paths; the bound leaves room for a busy 2-core machine.
PROMPT = 2.0


@pytest.fixture(autouse=True)
def python_handles_sigint():
    """Ctrl-C raises KeyboardInterrupt only where Python handles SIGINT. A process started
    with SIGINT ignored (a background job of a non-interactive shell, `nohup`, some CI
    runners) keeps it ignored, and `_thread.interrupt_main()` then does nothing: these tests
    would wait for an interrupt that never comes. They install Python's own handler for their
    duration, as an interactive interpreter has it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        # None: a handler not installed from Python, which cannot be put back from here.
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def long_calls(scenarios):
    heavy = scenarios / "heavy_machinery.toml"
    master = scenarios / "history" / "part_master.csv"
    return {
        # Each would take many minutes to finish.
        "run": lambda progress: pimsim.run(heavy, paths=10**8, progress=progress),
        "sweep": lambda progress: pimsim.sweep(
            scenarios / "sweep_release_vs_scrap.toml", paths=10**8, progress=progress
        ),
        "optimize": lambda progress: pimsim.optimize(heavy, paths=10**7, progress=progress),
        "portfolio": lambda progress: pimsim.portfolio(
            master, scenarios / "portfolio_template.toml", paths=10**6, progress=progress
        ),
    }


@pytest.mark.parametrize("name", ["run", "sweep", "optimize", "portfolio"])
def test_keyboard_interrupt_stops_a_long_call_promptly(scenarios, name):
    call = long_calls(scenarios)[name]
    seen = []
    interrupted = []

    def interrupt():
        interrupted.append(time.monotonic())
        _thread.interrupt_main()

    timer = threading.Timer(1.0, interrupt)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            call(lambda done, total, unit, label: seen.append((done, total)))
        raised = time.monotonic()
    finally:
        timer.cancel()
    assert interrupted, "the call ended before the interrupt"
    assert raised - interrupted[0] < PROMPT, f"stopped {raised - interrupted[0]:.2f} s after Ctrl-C"
    assert raised - started < 1.0 + PROMPT
    # It was working, and far from done.
    assert seen and all(done < total for done, total in seen[-1:])


def test_the_gil_is_released_while_a_run_works(scenarios):
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    scenario = pimsim.Scenario.from_file(scenarios / "heavy_machinery.toml")
    counter = threading.Thread(target=count)
    timer = threading.Timer(1.0, _thread.interrupt_main)
    counter.start()
    try:
        start = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            pimsim.run(scenario, paths=10**8)
        end = time.monotonic()
    finally:
        timer.cancel()
        stop.set()
        counter.join()
    during = [t for t in ticks if start + 0.1 < t < end - 0.1]
    # Python code ran all along the run (about 1 ms a tick), not just before and after it.
    assert len(during) > 100, len(during)
    assert max(b - a for a, b in zip(during, during[1:])) < 0.5


CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import pimsim
    # Python's own handler, also when this process was started with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    scenario = pimsim.Scenario.from_file(sys.argv[1])
    print("ready", flush=True)
    started = time.monotonic()
    try:
        pimsim.run(scenario, paths=10**8).write(sys.argv[2])
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.3f} s", flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_sigint_stops_a_run_in_a_process_and_nothing_is_written(tmp_path, scenarios):
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(scenarios / "heavy_machinery.toml"), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
        ended = time.monotonic()
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 3, stderr
    assert stdout.startswith("interrupted after ")
    assert ended - sent < PROMPT + 0.5  # the process's exit included
    assert not out.exists()
    assert os.listdir(tmp_path) == []
