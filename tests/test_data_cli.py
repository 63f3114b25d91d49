"""``swdkit data``: synthetic, download, verify, prepare through the real command parser."""

from __future__ import annotations

import hashlib
import socket

import h5py
import numpy as np
import pytest
from so2sat_fakes import FakeServer, install_fake_synthetic, write_so2sat

from swdkit import data
from swdkit.cli import build_parser, main
from swdkit.data.io import _download as so2sat_files
from swdkit.data.io._download import RemoteFile

BLOB = b"so2sat validation bytes " * 500


@pytest.fixture
def fake_synthetic(monkeypatch):
    fake = install_fake_synthetic(monkeypatch)
    return fake


def test_data_group_lists_its_actions(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["data", "--help"])
    out = capsys.readouterr().out
    for action in ("synthetic", "download", "verify", "prepare"):
        assert action in out
    with pytest.raises(SystemExit) as err:
        main(["data"])
    assert err.value.code == 2


def test_synthetic_uses_the_generator_defaults_and_given_sizes(tmp_path, fake_synthetic, capsys):
    assert main(["data", "synthetic", "--out", str(tmp_path / "a")]) == 0
    assert main(["data", "synthetic", "--out", str(tmp_path / "b"), "--seed", "4",
                 "--n-train", "5", "--n-val", "1", "--n-test", "2"]) == 0
    assert fake_synthetic.calls == [
        {"root": tmp_path / "a", "n_train": 3, "n_val": 2, "n_test": 2, "seed": 0},
        {"root": tmp_path / "b", "n_train": 5, "n_val": 1, "n_test": 2, "seed": 4}]
    assert len(data.load_split(tmp_path / "b", "training", classes="lowrise")) == 20  # 4 x 5
    assert "made: synthetic set in" in capsys.readouterr().out


def test_synthetic_if_missing_keeps_a_matching_set(tmp_path, fake_synthetic, capsys):
    args = ["data", "synthetic", "--out", str(tmp_path), "--if-missing"]
    assert main(args) == 0 and main(args) == 0
    assert len(fake_synthetic.calls) == 1
    assert "kept (already there, same settings)" in capsys.readouterr().out
    assert main([*args, "--seed", "1"]) == 0
    assert len(fake_synthetic.calls) == 2, "another seed makes it again"


@pytest.mark.parametrize("args, message", [
    (["--n-train", "0"], "--n-train must be a positive integer, got 0; samples per class"),
    (["--n-test", "-2"], "--n-test must be a positive integer, got -2; samples per class"),
    (["--seed", "-1"], "--seed must be an integer >= 0, got -1"),
    (["--looks", "0"], "--looks must be a positive integer, got 0; independent looks averaged; "
                       "1 is single-look"),
    (["--twin", "-0.5"], "--twin must be a finite number >= 0, got -0.5; the twin set's relative "
                         "noise level, e.g. 0.1"),
    (["--scatterer-db", "loud"], "--scatterer-db must be a number of dB or 'none', got 'loud'"),
])
def test_synthetic_rejects_bad_numbers_in_one_line(tmp_path, fake_synthetic, capsys, args,
                                                   message):
    assert main(["data", "synthetic", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err == f"swdkit data: error: {message}\n"
    assert fake_synthetic.calls == []


def test_synthetic_radar_flags_parse():
    args = build_parser().parse_args(["data", "synthetic", "--looks", "4", "--twin", "0.1",
                                      "--scatterer-db", "-3"])
    assert (args.looks, args.twin, args.scatterer_db) == (4, 0.1, "-3")
    args = build_parser().parse_args(["data", "synthetic"])
    assert (args.looks, args.twin, args.scatterer_db) == (None, None, None)  # not given
    with pytest.raises(SystemExit) as exit_:  # a wrong type never reaches the library
        main(["data", "synthetic", "--looks", "1.5"])
    assert exit_.value.code == 2


def test_synthetic_radar_flags_reach_the_files(tmp_path, capsys):
    from swdkit.data.synthetic import read_attributes

    out = tmp_path / "twin"
    args = ["data", "synthetic", "--out", str(out), "--n-train", "1", "--n-val", "1",
            "--n-test", "1", "--looks", "4", "--twin", "0.1", "--if-missing"]
    assert main([*args, "--scatterer-db", "none"]) == 0
    for split in ("training", "validation", "testing"):
        attrs = read_attributes(out / f"{split}.h5")
        assert (attrs["looks"], attrs["twin"]) == (4, 0.1) and np.isnan(attrs["scatterer_db"])
    assert main([*args, "--scatterer-db", "None"]) == 0
    assert "kept (already there, same settings)" in capsys.readouterr().out
    assert main([*args, "--scatterer-db", "3"]) == 0
    assert "made: synthetic set in" in capsys.readouterr().out
    assert read_attributes(out / "training.h5")["scatterer_db"] == 3.0


def test_prepare_rejects_a_bad_block_size_in_one_line(tmp_path, capsys):
    write_so2sat(tmp_path / "src" / "training.h5", [0, 1])
    assert main(["data", "prepare", str(tmp_path / "src"), str(tmp_path / "out"),
                 "--block-size", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("swdkit data: error: block_size must be a positive integer, got 0")
    assert err.count("\n") == 1 and not (tmp_path / "out").exists()
    with pytest.raises(SystemExit) as exit_:  # a wrong type never reaches the library
        main(["data", "prepare", str(tmp_path / "src"), str(tmp_path / "out"),
              "--block-size", "1.5"])
    assert exit_.value.code == 2


def test_verify_exit_status(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(so2sat_files.FILES, "2", (
        RemoteFile("validation.h5", hashlib.md5(BLOB).hexdigest(), len(BLOB)),))
    (tmp_path / "validation.h5").write_bytes(BLOB)
    assert main(["data", "verify", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("checked 1 file(s) against their published md5: 1 verified, 0 bad; 0 not checked, "
            "0 missing") in out and out.startswith("ok ")
    assert main(["data", "verify", str(tmp_path / "validation.h5")]) == 0, "one file"
    assert "1 verified" in capsys.readouterr().out
    (tmp_path / "validation.h5").write_bytes(BLOB[:-1] + b"?")
    assert main(["data", "verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "BAD MD5" in out and "0 verified, 1 bad; 0 not checked, 0 missing" in out
    assert main(["data", "verify", str(tmp_path / "none")]) == 2
    assert "swdkit data download --version 2" in capsys.readouterr().err


def test_download_through_the_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(so2sat_files.FILES, "2", (
        RemoteFile("validation.h5", hashlib.md5(BLOB).hexdigest(), len(BLOB)),))
    with FakeServer({"/validation.h5": BLOB}) as server:
        assert main(["data", "download", "--version", "2", "--out", str(tmp_path),
                     "--base-url", server.url]) == 0
    assert (tmp_path / "validation.h5").read_bytes() == BLOB
    assert "ok (md5 verified)" in capsys.readouterr().out


def test_download_unreachable_host_prints_the_manual_steps(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["data", "download", "--version", "2", "--out", str(tmp_path),
                 "--base-url", f"http://127.0.0.1:{port}", "--split", "validation"])
    err = capsys.readouterr().err
    assert code == 1
    assert "https://mediatum.ub.tum.de/1459256?show_id=1483140" in err
    assert f"swdkit data verify {tmp_path}" in err
    assert not list(tmp_path.iterdir()), "nothing is created when nothing could be fetched"


def test_prepare_through_the_command(tmp_path, capsys):
    write_so2sat(tmp_path / "src" / "training.h5", np.arange(34) % 17)
    assert main(["data", "prepare", str(tmp_path / "src"), str(tmp_path / "out"),
                 "--classes", "2,5,6,7", "--block-size", "3"]) == 0
    assert "wrote" in capsys.readouterr().out
    with h5py.File(tmp_path / "out" / "training.h5", "r") as f:
        assert sorted(set(f["label"][:].tolist())) == [2, 5, 6, 7]
    np.testing.assert_array_equal(
        data.load_split(tmp_path / "out", "training", classes="lowrise").eo,
        data.load_split(tmp_path / "src", "training", classes="lowrise").eo)


def test_prepare_bad_classes_exit_2_listing_the_valid_ones(tmp_path, capsys):
    write_so2sat(tmp_path / "src" / "training.h5", [0, 1])
    assert main(["data", "prepare", str(tmp_path / "src"), str(tmp_path / "out"),
                 "--classes", "suburban"]) == 2
    assert "['all', 'lowrise', 'urban']" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_synthetic_without_out_goes_where_the_notebooks_look(tmp_path, fake_synthetic,
                                                              monkeypatch, capsys):
    monkeypatch.setenv("SWDKIT_DATA_DIR", str(tmp_path / "default"))
    assert main(["data", "synthetic", "--if-missing"]) == 0
    assert main(["data", "synthetic", "--if-missing"]) == 0
    assert [c["root"] for c in fake_synthetic.calls] == [tmp_path / "default"]
    assert data.default_data_dir() == tmp_path / "default"
    assert "kept (already there, same settings)" in capsys.readouterr().out


def test_verify_names_the_download_of_a_missing_version3_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(so2sat_files.FILES, "3_block", (
        RemoteFile("block/training.h5", "0" * 32),
        RemoteFile("block/testing.h5", hashlib.md5(BLOB).hexdigest())))
    (tmp_path / "block").mkdir()
    (tmp_path / "block" / "testing.h5").write_bytes(BLOB)
    for target in (tmp_path, tmp_path / "block"):
        assert main(["data", "verify", str(target)]) == 1
        out = capsys.readouterr().out
        assert "1 verified, 0 bad; 0 not checked, 1 missing" in out
        assert (f"swdkit data download --version 3_block --out {tmp_path} --split training"
                in out)
