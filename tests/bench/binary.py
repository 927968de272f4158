"""The one-file binary's budgets: size, and time to the first ``/healthz`` 200 (fresh data dir,
then an existing store), with the CPU its processes used by then (the start-up an idle machine
would see; wall time on a shared machine includes waiting for a core). Also the CPU of
``--version`` and ``ctl --help`` from the binary, and how much of it the bootloader spends
unpacking itself before its Python starts."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tests.bench.hubproc import free_port

BINARY = Path(__file__).resolve().parents[2] / "dist" / "tcf-hub"


def first_200(binary: Path, home: str) -> tuple[float, float]:
    """Start ``binary serve`` with ``HOME=home``; wall and CPU seconds until /healthz is 200."""
    port = free_port()
    env = {**os.environ, "HOME": home}
    start = time.monotonic()
    process = subprocess.Popen(
        [str(binary), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tree = psutil.Process(process.pid)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None:
                    status = process.returncode
                    raise RuntimeError(f"{binary} serve exited with status {status}") from None
                time.sleep(0.02)
        wall = time.monotonic() - start
        cpu = 0.0
        for member in [tree, *tree.children(recursive=True)]:
            used = member.cpu_times()
            cpu += used.user + used.system + used.children_user + used.children_system
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return wall, cpu


def command_cpu(binary: Path, *args: str) -> tuple[float, float, float]:
    """CPU seconds of the bootloader before it starts its Python child (unpacking the archive
    to a temporary dir), CPU seconds of the whole command (both processes) and its wall time."""
    start = time.monotonic()
    process = subprocess.Popen([str(binary), *args], stdout=subprocess.DEVNULL)
    parent = psutil.Process(process.pid)
    unpack = float("nan")
    while process.poll() is None:
        try:
            children, used = parent.children(), parent.cpu_times()
        except psutil.NoSuchProcess:
            break
        if children:
            unpack = used.user + used.system
            break
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{binary} {' '.join(args)} exited with status {process.returncode}")
    return unpack, usage.ru_utime + usage.ru_stime, time.monotonic() - start


def run_commands(binaries: dict[str, Path], rounds: int) -> None:
    """Print the CPU of ``--version`` and ``ctl --help`` and the unpacking part of it."""
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _ in range(rounds):
        for args in (("--version",), ("ctl", "--help")):
            for name, binary in binaries.items():
                figures.setdefault((name, " ".join(args)), []).append(command_cpu(binary, *args))
    for (name, command), runs in figures.items():
        unpack, cpu, wall = zip(*runs, strict=True)
        print(
            f"binary ({name}), {command}: {min(cpu):.2f}–{max(cpu):.2f} s CPU of which unpacking "
            f"{min(unpack):.2f}–{max(unpack):.2f} s, {min(wall):.2f}–{max(wall):.2f} s wall"
        )


def run_binary(starts: int = 3, rounds: int = 3, baseline: Path | None = None) -> None:
    """Print the binary's size and, ``rounds`` times, ``starts`` start-up times (the first on a
    fresh data dir). With ``baseline`` (an older tree with its own ``dist/tcf-hub``), that
    binary is started too, alternating with this one in every round, so both see the same load.
    """
    if not BINARY.is_file():
        print("binary: dist/tcf-hub is not built (make package); skipped")
        return
    binaries = {"this": BINARY}
    if baseline is not None:
        old = baseline / "dist" / "tcf-hub"
        if not old.is_file():
            print(f"binary: {old} is not built; baseline skipped")
        else:
            binaries = {"baseline": old, "this": BINARY}
    for name, binary in binaries.items():
        print(f"binary ({name}): {binary.stat().st_size / 1e6:.1f} MB (budget 60 MB)")
    run_commands(binaries, rounds)
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        homes = {name: tempfile.TemporaryDirectory() for name in binaries}
        try:
            for run in range(starts):
                case = "fresh data dir" if run == 0 else "existing store"
                for name, binary in binaries.items():
                    wall, cpu = first_200(binary, homes[name].name)
                    figures.setdefault((name, case), []).append((wall, cpu))
                    print(
                        f"binary ({name}): first /healthz 200 after {wall:.2f} s wall, "
                        f"{cpu:.2f} s CPU ({case})"
                    )
        finally:
            for home in homes.values():
                home.cleanup()
    for (name, case), runs in sorted(figures.items(), key=lambda item: (item[0][1], item[0][0])):
        walls, cpus = [run[0] for run in runs], [run[1] for run in runs]
        print(
            f"binary ({name}), {case}: {min(walls):.2f}–{max(walls):.2f} s wall, "
            f"{min(cpus):.2f}–{max(cpus):.2f} s CPU over {len(runs)} starts"
        )
    print(f"binary: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
