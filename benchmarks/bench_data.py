"""Benchmark: `swdkit data prepare` against a plain sequential read of a So2Sat-size file.

Writes a So2Sat-format float64 file (sen1 (N,32,32,8), sen2 (N,32,32,10), label (N,17); 147,592
bytes a sample; 20,000 samples = 2.95 GB) into a temporary folder, then, in the same run and
each in a fresh subprocess, measures:

- ``raw read``: the file's bytes read front to back in 16 MiB pieces (the storage ceiling);
- ``h5py read``: every dataset read with h5py in blocks of ``--block-size`` rows;
- ``prepare``: :func:`swdkit.data.io.prepare` (all classes) writing the lesson cache.

Speeds are MB/s over the source file's size (1 MB = 10^6 bytes). Each is measured with the
file dropped from the page cache first (``cold``: ``posix_fadvise(DONTNEED)`` on this file
only) and with it cached (``warm``); the table gives the median of ``--repeats`` runs, the
CPU MB/s column the same over CPU seconds (user + system; steadier than wall time on a shared
machine). Peak memory is the subprocess's peak resident set size (``VmHWM``: anonymous memory
and mapped file pages), interpreter and imports included (the ``imports only`` row shows that
baseline). The file and the cache are deleted
at the end.

    .venv/bin/python benchmarks/bench_data.py [--samples 20000] [--repeats 3] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SAMPLE_BYTES = 147_592


def write_file(path: Path, n: int, *, seed: int = 0, block: int = 1000) -> None:
    """A So2Sat-layout float64 file of ``n`` samples (a repeated random block, random labels)."""
    import h5py
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    s1 = rng.standard_normal((block, 32, 32, 8)) * 0.05
    s2 = rng.uniform(0.0, 0.5, (block, 32, 32, 10))
    with h5py.File(path, "w") as f:
        d1 = f.create_dataset("sen1", (n, 32, 32, 8), dtype="f8")
        d2 = f.create_dataset("sen2", (n, 32, 32, 10), dtype="f8")
        f["label"] = np.eye(17)[rng.integers(0, 17, n)]
        for lo in tqdm(range(0, n, block), desc="writing test file", unit="block"):
            hi = min(n, lo + block)
            d1[lo:hi], d2[lo:hi] = s1[:hi - lo], s2[:hi - lo]


def drop_from_cache(path: Path) -> None:
    """Ask the kernel to forget this file's cached pages (affects no other file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def warm_cache(path: Path) -> None:
    with open(path, "rb") as f:
        while f.read(16 << 20):
            pass


def peak_rss_bytes() -> int:
    """This process's peak resident set size. ``VmHWM`` starts afresh at exec; ``ru_maxrss``
    does not (a child would report its parent's peak), so it is only the fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(kind: str, path: Path, out: Path, block_size: int) -> dict:
    """Run one measurement in this process; return wall and CPU seconds and peak RSS (bytes)."""
    import h5py

    from swdkit.data.io._prepare import prepare

    cpu0 = time.process_time()
    start = time.perf_counter()
    if kind == "raw":
        buf = bytearray(16 << 20)
        with open(path, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass
    elif kind == "h5py":
        with h5py.File(path, "r") as f:
            n = f["label"].shape[0]
            for lo in range(0, n, block_size):
                for name in ("sen1", "sen2", "label"):
                    f[name][lo:lo + block_size]
    elif kind == "prepare":
        prepare(path, out, block_size=block_size, progress=False)
    elif kind != "imports":
        raise ValueError(f"unknown measurement {kind!r}")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu0,
            "max_rss": peak_rss_bytes()}


def run_child(kind: str, path: Path, out: Path, block_size: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--file", str(path), "--out", str(out),
           "--block-size", str(block_size)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--block-size", type=int, default=1024)
    parser.add_argument("--dir", default=None, help="where to put the test file (default /tmp)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--file", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, Path(args.file), Path(args.out), args.block_size)))
        return 0

    need = args.samples * SAMPLE_BYTES * 1.2
    work = Path(tempfile.mkdtemp(prefix="swdkit-bench-data-", dir=args.dir))
    try:
        free = shutil.disk_usage(work).free
        if free < need:
            raise SystemExit(f"{work} has {free / 1e9:.1f} GB free; the benchmark needs "
                             f"{need / 1e9:.1f} GB")
        path = work / "training.h5"
        t0 = time.perf_counter()
        write_file(path, args.samples)
        drop_from_cache(path)
        size = path.stat().st_size
        print(f"wrote {path} ({args.samples:,} samples, {size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t0:.1f} s")
        results: dict[tuple[str, str], list[dict]] = {}
        for _ in range(args.repeats):
            for state in ("cold", "warm"):
                for kind in ("raw", "h5py", "prepare"):
                    drop_from_cache(path) if state == "cold" else warm_cache(path)
                    shutil.rmtree(work / "cache", ignore_errors=True)
                    r = run_child(kind, path, work / "cache", args.block_size)
                    results.setdefault((kind, state), []).append(r)
        baseline = run_child("imports", path, work / "cache", args.block_size)
        cache_size = (work / "cache" / "training.h5").stat().st_size
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def speed(kind: str, state: str, key: str = "seconds") -> float:
        return size / 1e6 / statistics.median(r[key] for r in results[(kind, state)])

    print(f"\nmedian of {args.repeats} runs; MB/s over the source file's {size / 1e6:,.0f} MB; "
          f"block {args.block_size} rows; cache written: {cache_size / 1e6:,.0f} MB")
    print(f"{'measurement':<14}{'cache':<7}{'MB/s':>9}{'vs raw':>9}{'vs h5py':>9}"
          f"{'CPU MB/s':>10}{'peak RSS MiB':>14}")
    for state in ("cold", "warm"):
        for kind in ("raw", "h5py", "prepare"):
            rss = max(r["max_rss"] for r in results[(kind, state)]) / 2**20
            vs_raw = speed(kind, state) / speed("raw", state)
            vs_h5 = speed(kind, state) / speed("h5py", state)
            print(f"{kind + ' read' if kind != 'prepare' else kind:<14}{state:<7}"
                  f"{speed(kind, state):>9.0f}{vs_raw:>9.2f}{vs_h5:>9.2f}"
                  f"{speed(kind, state, 'cpu_seconds'):>10.0f}{rss:>14.0f}")
    print(f"{'imports only':<14}{'':<7}{'':>37}{baseline['max_rss'] / 2**20:>14.0f}")
    print("all runs (MB/s): " + "; ".join(
        f"{kind} {state} " + "/".join(f"{size / 1e6 / r['seconds']:.0f}" for r in runs)
        for (kind, state), runs in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
