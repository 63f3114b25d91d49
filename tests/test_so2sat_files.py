"""swdkit.data.io._download, _verify and _prepare: download (resume, md5), verify, prepare."""

from __future__ import annotations

import hashlib
import socket
import time
import tracemalloc
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from so2sat_fakes import FakeServer, write_so2sat

from swdkit import data
from swdkit.data.io import _download as so2sat_files
from swdkit.data.io._download import DownloadError, RemoteFile, download, file_url
from swdkit.data.io._prepare import prepare
from swdkit.data.io._verify import verify, verify_passed

BLOBS = {"training.h5": bytes(range(256)) * 4000 + b"end of training",
         "validation.h5": b"validation" * 3000, "testing.h5": b"testing!" * 2000}


def _md5(blob: bytes) -> str:
    return hashlib.md5(blob).hexdigest()


@pytest.fixture
def fake_table(monkeypatch):
    """Point version 2 at the test blobs (their md5 and size)."""
    table = tuple(RemoteFile(name, _md5(blob), len(blob)) for name, blob in BLOBS.items())
    monkeypatch.setitem(so2sat_files.FILES, "2", table)
    monkeypatch.setattr(so2sat_files.time, "sleep", lambda s: None)
    return table


def _served() -> dict[str, bytes]:
    return {f"/{name}": blob for name, blob in BLOBS.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_file_url_patterns():
    pattern = so2sat_files.BASE_URLS["3"]
    assert file_url(pattern, "culture_10/testing.h5") == (
        "https://dataserv.ub.tum.de/s/m1613658/download?path=%2Fculture_10&files=testing.h5")
    assert file_url(so2sat_files.BASE_URLS["2"], "training.h5") == (
        "https://dataserv.ub.tum.de/s/m1483140/download?path=%2F&files=training.h5")
    assert file_url("http://mirror/so2sat/", "block/training.h5") == (
        "http://mirror/so2sat/block/training.h5")


def test_published_checksums_are_the_documented_ones():
    v2 = {f.relpath: f.md5 for f in so2sat_files.FILES["2"]}
    assert v2 == {"training.h5": "702bc6a9368ebff4542d791e53469244",
                  "validation.h5": "71cfa6795de3e22207229d06d6f8775d",
                  "testing.h5": "e81426102b488623a723beab52b31a8a"}
    assert so2sat_files.FILES["3_culture_10"][0].md5 == v2["training.h5"]
    assert len(so2sat_files.files_for("3")) == 6


def test_download_fetches_and_verifies(tmp_path, fake_table):
    with FakeServer(_served()) as server:
        paths = download("2", tmp_path, base_url=server.url, progress=False)
    assert [p.name for p in paths] == list(BLOBS)
    for name, blob in BLOBS.items():
        assert (tmp_path / name).read_bytes() == blob
    assert not list(tmp_path.glob("*.part"))
    assert all(rng is None for _, rng in server.requests)


def test_download_resumes_a_partial_file_with_a_range_request(tmp_path, fake_table):
    blob = BLOBS["training.h5"]
    (tmp_path / "training.h5.part").write_bytes(blob[:300_000])
    with FakeServer(_served()) as server:
        download("2", tmp_path, base_url=server.url, splits=["training"], progress=False)
    assert server.requests == [("/training.h5", "bytes=300000-")]
    assert (tmp_path / "training.h5").read_bytes() == blob


def test_download_recovers_from_a_connection_broken_mid_file(tmp_path, fake_table):
    blob = BLOBS["training.h5"]
    with FakeServer(_served(), mode="break-once") as server:
        download("2", tmp_path, base_url=server.url, splits=["training"], progress=False)
    assert server.requests == [("/training.h5", None), ("/training.h5", f"bytes={len(blob) // 2}-")]
    assert (tmp_path / "training.h5").read_bytes() == blob


def test_download_restarts_when_the_server_ignores_range(tmp_path, fake_table):
    (tmp_path / "validation.h5.part").write_bytes(b"stale bytes")
    with FakeServer(_served(), mode="ignore-range") as server:
        download("2", tmp_path, base_url=server.url, splits=["validation"], progress=False)
    assert (tmp_path / "validation.h5").read_bytes() == BLOBS["validation.h5"]


def test_download_with_a_complete_part_file_asks_once_and_finishes(tmp_path, fake_table):
    (tmp_path / "testing.h5.part").write_bytes(BLOBS["testing.h5"])
    with FakeServer(_served()) as server:
        download("2", tmp_path, base_url=server.url, splits=["testing"], progress=False)
    assert server.requests == []  # the known size says it is complete
    assert (tmp_path / "testing.h5").read_bytes() == BLOBS["testing.h5"]


def test_download_md5_mismatch_keeps_the_part_and_writes_no_file(tmp_path, fake_table):
    served = {**_served(), "/testing.h5": b"x" * len(BLOBS["testing.h5"])}
    with FakeServer(served) as server, pytest.raises(DownloadError, match="md5 is .* expected"):
        download("2", tmp_path, base_url=server.url, splits=["testing"], progress=False)
    assert not (tmp_path / "testing.h5").exists()
    assert (tmp_path / "testing.h5.part").exists()


def test_unreachable_host_fails_fast_with_the_manual_steps(tmp_path, fake_table):
    start = time.perf_counter()
    with pytest.raises(DownloadError) as err:
        download("2", tmp_path, base_url=f"http://127.0.0.1:{_free_port()}", progress=False)
    assert time.perf_counter() - start < 5
    msg = str(err.value)
    assert "mediatum.ub.tum.de" in msg and "wget -c" in msg
    assert f"swdkit data verify {tmp_path}" in msg and "--base-url" in msg


def test_http_error_and_bad_arguments(tmp_path, fake_table):
    with FakeServer({}) as server, pytest.raises(DownloadError, match="HTTP 404"):
        download("2", tmp_path, base_url=server.url, splits=["training"], progress=False)
    with pytest.raises(ValueError, match="version='1' is unknown"):
        download("1", tmp_path)
    with pytest.raises(ValueError, match="not http"):
        download("2", tmp_path, base_url="ftp://m1483140:m1483140@dataserv.ub.tum.de/")
    with pytest.raises(ValueError, match=r"splits=\['validation'\] match no file"):
        download("3_random", tmp_path, splits=["validation"])


def test_download_keeps_good_files_and_refuses_to_overwrite_bad_ones(tmp_path, fake_table):
    (tmp_path / "training.h5").write_bytes(BLOBS["training.h5"])
    (tmp_path / "validation.h5").write_bytes(b"my own file")
    with FakeServer(_served()) as server:
        download("2", tmp_path, base_url=server.url, splits=["training"], progress=False)
        with pytest.raises(ValueError, match="exists but its md5"):
            download("2", tmp_path, base_url=server.url, splits=["validation"], progress=False)
    assert server.requests == []
    assert (tmp_path / "validation.h5").read_bytes() == b"my own file"


# --- verify -------------------------------------------------------------------------------


def test_verify_reports_each_file(tmp_path, fake_table):
    (tmp_path / "training.h5").write_bytes(BLOBS["training.h5"])
    (tmp_path / "validation.h5").write_bytes(BLOBS["validation.h5"][:-1] + b"X")
    (tmp_path / "testing.h5").write_bytes(BLOBS["testing.h5"][:100])
    status = {r.path.name: r.status for r in verify(tmp_path, progress=False)}
    assert status == {"training.h5": "ok", "validation.h5": "md5", "testing.h5": "size"}


def test_verify_reports_generated_and_missing_files_and_needs_some_file(tmp_path):
    write_so2sat(tmp_path / "testing.h5", [0, 1], attrs={"generator": "swdkit.synthetic"})
    results = verify(tmp_path, progress=False)
    assert {r.path.name: r.status for r in results} == {
        "training.h5": "missing", "validation.h5": "missing", "testing.h5": "generated"}
    assert not verify_passed(results)
    with pytest.raises(FileNotFoundError, match="swdkit data download --version 2"):
        verify(tmp_path / "empty")


def test_verify_takes_a_file_or_a_version3_folder(tmp_path, monkeypatch, fake_table):
    blob = BLOBS["testing.h5"]
    monkeypatch.setitem(so2sat_files.FILES, "3_block", (
        RemoteFile("block/training.h5", "0" * 32), RemoteFile("block/testing.h5", _md5(blob))))
    (tmp_path / "block").mkdir()
    (tmp_path / "block" / "testing.h5").write_bytes(blob)
    (tmp_path / "training.h5").write_bytes(BLOBS["training.h5"])
    for target in (tmp_path / "block" / "testing.h5", tmp_path / "block"):
        results = verify(target, progress=False)
        assert [(r.path, r.status) for r in results][-1] == (tmp_path / "block" / "testing.h5",
                                                             "ok")
    assert [r.status for r in verify(tmp_path / "block", progress=False)] == ["missing", "ok"]
    assert [r.status for r in verify(tmp_path / "training.h5", progress=False)] == ["ok"]
    (tmp_path / "notes.h5").write_bytes(b"x")
    with pytest.raises(ValueError, match="not named like a published So2Sat file"):
        verify(tmp_path / "notes.h5")


# --- prepare ------------------------------------------------------------------------------

CLASSES = np.arange(60) % 17


def _same_split(a: data.Split, b: data.Split) -> None:
    np.testing.assert_array_equal(a.eo, b.eo)
    np.testing.assert_array_equal(a.sar, b.sar)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.class_names == b.class_names


@pytest.mark.parametrize("prepared_classes", ["all", "urban", [2, 5, 6, 7]])
def test_prepared_cache_reads_like_the_source(tmp_path, prepared_classes):
    write_so2sat(tmp_path / "src" / "training.h5", CLASSES, city=np.arange(60) // 6)
    out = prepare(tmp_path / "src", tmp_path / "cache", classes=prepared_classes, block_size=7,
                  progress=False)
    assert out == [tmp_path / "cache" / "training.h5"]
    for classes in ("lowrise", [2, 7]):
        _same_split(data.load_split(tmp_path / "cache", "training", classes=classes),
                    data.load_split(tmp_path / "src", "training", classes=classes))
    cached = data.load_split(tmp_path / "cache", "training", classes="lowrise", max_samples=5)
    direct = data.load_split(tmp_path / "src", "training", classes="lowrise", max_samples=5)
    _same_split(cached, direct)
    np.testing.assert_array_equal(cached.city, direct.city)
    with h5py.File(out[0], "r") as f:
        assert f["eo"].dtype == np.float32 and f["eo"].shape[1:] == (3, 32, 32)
        assert f["sar"].shape[1:] == (2, 32, 32) and f["label"].dtype == np.int64
        kept = data.resolve_classes(prepared_classes)
        np.testing.assert_array_equal(f["label"][:], [c for c in CLASSES if c in kept])
        assert tuple(f.attrs["class_indices"]) == kept


def test_cache_lacking_classes_says_which(tmp_path):
    write_so2sat(tmp_path / "src" / "training.h5", CLASSES)
    prepare(tmp_path / "src", tmp_path / "cache", classes="lowrise", progress=False)
    with pytest.raises(ValueError, match=r"prepared with classes \[2, 5, 6, 7\].*lacks classes "
                                         r"\[0, 1, 3, 4, 8, 9\]"):
        data.load_split(tmp_path / "cache", "training", classes="urban")


def test_prepare_a_whole_folder_keeps_relative_paths(tmp_path):
    for rel in ("training.h5", "validation.h5", "testing.h5", "block/testing.h5"):
        write_so2sat(tmp_path / "src" / rel, CLASSES[:20], planted=False)
    out = prepare(tmp_path / "src", tmp_path / "cache", progress=False)
    assert sorted(p.relative_to(tmp_path / "cache").as_posix() for p in out) == [
        "block/testing.h5", "testing.h5", "training.h5", "validation.h5"]
    assert len(data.load_split(tmp_path / "cache", "testing", version="3_block")) == 20


def test_prepare_single_file_to_a_named_cache(tmp_path):
    src = write_so2sat(tmp_path / "validation.h5", CLASSES[:10])
    out = prepare(src, tmp_path / "c" / "validation.h5", progress=False)
    assert out == [tmp_path / "c" / "validation.h5"]


def test_prepare_never_overwrites_a_source_or_foreign_file(tmp_path):
    src = write_so2sat(tmp_path / "training.h5", CLASSES[:10])
    before = src.read_bytes()
    with pytest.raises(ValueError, match="over its source"):
        prepare(src, tmp_path, progress=False)
    foreign = tmp_path / "out" / "training.h5"
    foreign.parent.mkdir()
    foreign.write_bytes(b"precious")
    with pytest.raises(ValueError, match="is not a swdkit cache; prepare will not overwrite"):
        prepare(src, tmp_path / "out", progress=False)
    assert src.read_bytes() == before and foreign.read_bytes() == b"precious"
    prepare(src, tmp_path / "cache", progress=False)
    prepare(src, tmp_path / "cache", classes="urban", progress=False)  # a cache may be replaced


def test_prepare_truncated_source_writes_nothing(tmp_path):
    src = write_so2sat(tmp_path / "src" / "training.h5", CLASSES)
    src.write_bytes(src.read_bytes()[:200_000])
    with pytest.raises(ValueError, match="truncated"):
        prepare(tmp_path / "src", tmp_path / "cache", progress=False)
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        prepare(tmp_path / "nowhere", tmp_path / "cache", progress=False)


def test_prepare_counts_nonfinite_values(tmp_path):
    src = write_so2sat(tmp_path / "training.h5", CLASSES[:10])
    with h5py.File(src, "r+") as f:
        f["sen1"][2, 0, 0, 2] = np.nan
    with pytest.warns(UserWarning, match="0 non-finite EO values and 1 non-finite SAR"):
        (out,) = prepare(src, tmp_path / "cache", progress=False)
    with h5py.File(out, "r") as f:
        assert f.attrs["nonfinite_replaced_sar"] == 1 and f["sar"][2, 0, 0, 0] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.load_split(tmp_path / "cache", "training", classes=CLASSES[:10].tolist())


def _peak_prepare_bytes(tmp_path: Path, n_rows: int) -> int:
    src = write_so2sat(tmp_path / f"big{n_rows}" / "training.h5", np.arange(n_rows) % 17,
                       planted=False)
    tracemalloc.start()
    prepare(src, tmp_path / f"cache{n_rows}", block_size=32, progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_prepare_memory_is_bounded_by_the_block_not_the_file(tmp_path):
    _peak_prepare_bytes(tmp_path, 20)  # warm-up: one-time imports and caches are not the point
    small, large = _peak_prepare_bytes(tmp_path, 300), _peak_prepare_bytes(tmp_path, 3000)
    per_row_source = 147_592
    assert large < 1.3 * small, (small, large)
    assert large < 0.02 * 3000 * per_row_source, "far below the file's size"
