"""Test helpers for the data tests: tiny So2Sat-layout files, a local HTTP server, a fake
synthetic generator. Not a test module (no ``test_`` prefix)."""

from __future__ import annotations

import http.server
import threading
import types
from pathlib import Path

import h5py
import numpy as np

# Planted values: every (sample, channel, row, column) gets its own number, exact in float32.
#   sen2[i, y, x, k] = 1e5 * i + 1e4 * k + 100 * y + x
#   sen1[i, y, x, k] = 1e5 * i + 1e4 * (k + 20) + 100 * y + x
_YX = 100.0 * np.arange(32)[:, None] + np.arange(32)[None, :]


def planted_sen2(i: int, k: int) -> np.ndarray:
    """The (32, 32) image that sample ``i``, Sentinel-2 band ``k`` holds."""
    return 1e5 * i + 1e4 * k + _YX


def planted_sen1(i: int, k: int) -> np.ndarray:
    """The (32, 32) image that sample ``i``, Sentinel-1 channel ``k`` holds."""
    return 1e5 * i + 1e4 * (k + 20) + _YX


def write_so2sat(path: Path, classes: np.ndarray | list[int], *, dtype: str = "f8",
                 city: np.ndarray | None = None, attrs: dict | None = None,
                 planted: bool = True) -> Path:
    """Write a So2Sat-layout file whose row ``i`` has So2Sat class ``classes[i]``.

    With ``planted=False`` the image datasets are created but never written (HDF5 allocates no
    space for them and reads return zeros), which makes large but tiny-on-disk files.
    """
    classes = np.asarray(classes)
    n = len(classes)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        s1 = f.create_dataset("sen1", (n, 32, 32, 8), dtype=dtype)
        s2 = f.create_dataset("sen2", (n, 32, 32, 10), dtype=dtype)
        if planted:
            for i in range(n):
                s1[i] = np.stack([planted_sen1(i, k) for k in range(8)], axis=-1)
                s2[i] = np.stack([planted_sen2(i, k) for k in range(10)], axis=-1)
        f["label"] = np.eye(17, dtype=dtype)[classes]
        if city is not None:
            f["city"] = np.asarray(city, dtype=np.int64)
        for key, value in (attrs or {}).items():
            f.attrs[key] = value
    return path


def write_random_so2sat(path: Path, classes: np.ndarray | list[int], *, seed: int,
                        eo_offset: float = 0.0, attrs: dict | None = None) -> Path:
    """A So2Sat-layout file with random values (EO ~ U(0, 0.5) + offset, SAR ~ heavy-tailed)."""
    rng = np.random.default_rng(seed)
    n = len(classes)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f["sen2"] = rng.uniform(0, 0.5, (n, 32, 32, 10)) + eo_offset
        amplitude = rng.lognormal(0.0, 1.0, (n, 1, 1, 1))
        f["sen1"] = amplitude * rng.standard_normal((n, 32, 32, 8))
        f["label"] = np.eye(17)[np.asarray(classes)]
        for key, value in (attrs or {}).items():
            f.attrs[key] = value
    return path


class FakeServer:
    """An HTTP server on 127.0.0.1 serving ``files`` (url path -> bytes).

    ``mode`` is ``"range"`` (honours Range), ``"ignore-range"`` (always 200 with everything)
    or ``"break-once"`` (the first GET of each path sends the full Content-Length but only half
    the body, then closes; later GETs honour Range). ``requests`` logs (path, Range header).
    """

    def __init__(self, files: dict[str, bytes], mode: str = "range") -> None:
        self.files, self.mode = files, mode
        self.requests: list[tuple[str, str | None]] = []
        self._broken: set[str] = set()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "no such file")
                    return
                start = 0
                if rng and server.mode != "ignore-range":
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                payload = body[start:]
                if server.mode == "break-once" and self.path not in server._broken:
                    server._broken.add(self.path)
                    self.wfile.write(payload[:len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def fake_synthetic_module(*, n_classes_written: tuple[int, ...] = (2, 5, 6, 7)
                          ) -> types.ModuleType:
    """A fast stand-in for the generator: ``make_synthetic`` writes tiny random files
    with ``generator``, ``seed`` and size attributes and records its calls in ``module.calls``;
    ``synthetic_matches`` compares those attributes."""
    module = types.ModuleType("swdkit.data.synthetic._make")
    module.DEFAULT_N_TRAIN, module.DEFAULT_N_VAL, module.DEFAULT_N_TEST = 3, 2, 2
    module.calls = []

    def make_synthetic(root, *, n_train, n_val, n_test, seed=0, progress=True):
        module.calls.append({"root": Path(root), "n_train": n_train, "n_val": n_val,
                             "n_test": n_test, "seed": seed})
        for offset, (name, per_class) in enumerate(
                (("training", n_train), ("validation", n_val), ("testing", n_test))):
            labels = np.repeat(n_classes_written, per_class)
            write_random_so2sat(Path(root) / f"{name}.h5", labels, seed=seed + offset,
                                attrs={"generator": "fake", "seed": seed, "n_train": n_train,
                                       "n_val": n_val, "n_test": n_test})
        return Path(root)

    def synthetic_matches(root, *, n_train, n_val, n_test, seed):
        expected = {"generator": "fake", "seed": seed, "n_train": n_train, "n_val": n_val,
                    "n_test": n_test}
        for name in ("training", "validation", "testing"):
            try:
                with h5py.File(Path(root) / f"{name}.h5", "r") as f:
                    if any(f.attrs.get(k) != v for k, v in expected.items()):
                        return False
            except OSError:
                return False
        return True

    module.make_synthetic = make_synthetic
    module.synthetic_matches = synthetic_matches
    return module


def install_fake_synthetic(monkeypatch) -> types.ModuleType:
    """Make the fake the generator for one test: the library reaches the generator as
    ``from swdkit.data import synthetic``, which reads the package attribute. The real
    subpackage is imported first, so that the attribute exists (whatever ran before) and is
    put back after the test."""
    import swdkit.data
    import swdkit.data.synthetic  # noqa: F401  (binds swdkit.data.synthetic)

    fake = fake_synthetic_module()
    monkeypatch.setattr(swdkit.data, "synthetic", fake)
    return fake
