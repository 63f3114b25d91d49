"""The real So2Sat LCZ42 files: where they are, fetching them (resumable), checking them.

Source: the Technical University of Munich (TUM) library hosts the data set (mediaTUM, DOI
10.14459/2018MP1454690, licence CC-BY-4.0). Version 2 (training, validation, testing) is the
dataserv share ``m1483140``; version 3 (folders random/, block/, culture_10/) is ``m1613658``.
The HTTPS download address of one file in those shares has the form

    https://dataserv.ub.tum.de/s/m1483140/download?path=%2F&files=training.h5

(as used by public projects, e.g. the LULC benchmark tables and the umlaut pipeline notes); the
same files are documented at ``ftp://m1483140:m1483140@dataserv.ub.tum.de/<file>`` and
``ftp://m1613658:m1613658@dataserv.ub.tum.de/<folder>/<file>`` (torchgeo's So2Sat dataset
documentation). The version-3 HTTPS form below follows the same share pattern but could not be
checked from here (no internet), so every URL is a parameter (``--base-url``). The md5 sums are
those published for the files (also listed by torchgeo); see ../shared/SO2SAT.md.

Downloads go to ``<name>.part`` and resume from its size with an HTTP ``Range`` request after an
interruption (within one run, up to ``retries`` times, and across runs); the finished file is
checked against its md5 and only then renamed to its final name. Checking files already in
place is :mod:`swdkit.data.io._verify`.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from swdkit._progress import show_progress


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its path under the data folder, md5 and size in bytes (if known)."""

    relpath: str
    md5: str
    size: int | None = None


_TRAIN_V2 = ("702bc6a9368ebff4542d791e53469244", 52_006_404_720)
FILES: dict[str, tuple[RemoteFile, ...]] = {
    "2": (RemoteFile("training.h5", *_TRAIN_V2),
          RemoteFile("validation.h5", "71cfa6795de3e22207229d06d6f8775d", 3_559_773_496),
          RemoteFile("testing.h5", "e81426102b488623a723beab52b31a8a")),
    "3_random": (RemoteFile("random/training.h5", "94e2e2e667b406c2adf61e113b42204e"),
                 RemoteFile("random/testing.h5", "1e15c425585ce816342d1cd779d453d8")),
    "3_block": (RemoteFile("block/training.h5", "a91d6150e8b059dac86105853f377a11"),
                RemoteFile("block/testing.h5", "6414af1ec33ace417e879f9c88066d47")),
    "3_culture_10": (RemoteFile("culture_10/training.h5", *_TRAIN_V2),
                     RemoteFile("culture_10/testing.h5", "58335ce34ca3a18424e19da84f2832fc")),
}
# "3" downloads the three version-3 scenarios.
DOWNLOAD_VERSIONS = ("2", "3", "3_random", "3_block", "3_culture_10")
BASE_URLS = {
    "2": "https://dataserv.ub.tum.de/s/m1483140/download?path=%2F{dir}&files={file}",
    "3": "https://dataserv.ub.tum.de/s/m1613658/download?path=%2F{dir}&files={file}",
}
LANDING_PAGES = {"2": "https://mediatum.ub.tum.de/1459256?show_id=1483140",
                 "3": "https://mediatum.ub.tum.de/1613658"}
FTP_PATTERNS = {"2": "ftp://m1483140:m1483140@dataserv.ub.tum.de/{relpath}",
                "3": "ftp://m1613658:m1613658@dataserv.ub.tum.de/{relpath}"}
CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """A download that cannot go on; the message says what happened and what to do."""


def files_for(version: str) -> tuple[RemoteFile, ...]:
    """The published files of ``version`` (``"3"`` means all three version-3 scenarios)."""
    if version not in DOWNLOAD_VERSIONS:
        raise ValueError(f"version={version!r} is unknown; choose one of {DOWNLOAD_VERSIONS}")
    if version == "3":
        return FILES["3_random"] + FILES["3_block"] + FILES["3_culture_10"]
    return FILES[version]


def file_url(base_url: str, relpath: str) -> str:
    """The URL of ``relpath``: ``base_url`` with ``{dir}`` and ``{file}`` filled in (URL-quoted),
    or, without placeholders, ``base_url/relpath``."""
    folder, _, name = relpath.rpartition("/")
    if "{file}" in base_url:
        return base_url.format(dir=urllib.parse.quote(folder, safe=""),
                               file=urllib.parse.quote(name, safe=""))
    return base_url.rstrip("/") + "/" + urllib.parse.quote(relpath)


def md5_of(path: str | os.PathLike, *, progress: bool = True) -> str:
    """The md5 hex digest of a file, read in 8 MiB pieces with a progress bar."""
    from tqdm.auto import tqdm

    path = Path(path)
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f, tqdm(total=path.stat().st_size, unit="B", unit_scale=True,
                                     desc=f"md5 {path.name}",
                                     disable=not show_progress(progress)) as bar:
        while piece := f.read(8 << 20):
            digest.update(piece)
            bar.update(len(piece))
    return digest.hexdigest()


def manual_steps(version: str, out: Path) -> str:
    """How to fetch ``version`` by hand, for when the host cannot be reached from here."""
    major = "3" if version.startswith("3") else "2"
    names = ", ".join(f.relpath for f in files_for(version))
    ftp = FTP_PATTERNS[major].format(relpath=files_for(version)[0].relpath)
    return (f"To fetch So2Sat LCZ42 version {version} by hand:\n"
            f"  1. on a machine with internet, open {LANDING_PAGES[major]}"
            f"{' (DOI 10.14459/2018MP1454690)' if major == '2' else ''} and download {names};\n"
            f"     or, resumable, from a shell: wget -c '{ftp}' (and likewise the others);\n"
            f"  2. copy them into {out}, keeping those relative paths;\n"
            f"  3. run `swdkit data verify {out}` to check their md5 sums;\n"
            f"  4. optionally `swdkit data prepare {out} {out}_lesson` to keep only the lesson "
            f"channels.\n"
            f"Or rerun with --base-url pointing at a mirror you can reach.")


def _content_total(resp: object, have: int) -> int | None:
    """Total file size from Content-Range (``bytes a-b/total``) or Content-Length + ``have``."""
    content_range = resp.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].strip().isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = resp.headers.get("Content-Length")
    return have + int(length) if length and length.isdigit() else None


def fetch_resumable(url: str, part: Path, *, expected_size: int | None = None, retries: int = 5,
                    timeout: float = 60.0, progress: bool = True) -> Path:
    """Download ``url`` into ``part``, resuming from ``part``'s size with HTTP Range requests.

    A server that ignores Range (answers 200) makes the download restart from zero; a 416
    answer to a resume means ``part`` already holds the whole file. A connection that breaks
    after data started to flow is retried (resuming) up to ``retries`` times; a host that
    cannot be reached at all fails at once.

    Raises:
        DownloadError: the host cannot be reached, answers an HTTP error, or keeps breaking.
    """
    from tqdm.auto import tqdm

    failures = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        if expected_size is not None and have >= expected_size:
            return part
        headers = {"User-Agent": "swdkit (So2Sat LCZ42 downloader)"}
        if have:
            headers["Range"] = f"bytes={have}-"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                        timeout=timeout) as resp:
                resumed = have > 0 and resp.status == 206
                start = have if resumed else 0
                if resumed and not resp.headers.get("Content-Range", "").startswith(
                        f"bytes {have}-"):
                    raise DownloadError(f"{url} answered a resume from byte {have} with "
                                        f"Content-Range {resp.headers.get('Content-Range')!r}; "
                                        f"delete {part} and download again")
                total = _content_total(resp, start)
                part.parent.mkdir(parents=True, exist_ok=True)
                with open(part, "ab" if resumed else "wb") as out, tqdm(
                        total=total, initial=start, unit="B", unit_scale=True,
                        desc=part.name.removesuffix(".part"),
                        disable=not show_progress(progress)) as bar:
                    while piece := resp.read(CHUNK):
                        out.write(piece)
                        bar.update(len(piece))
                got = part.stat().st_size
            if total is None or got >= total:
                return part
            raise ConnectionError(f"the connection closed after {got:,} of {total:,} bytes")
        except urllib.error.HTTPError as err:
            if err.code == 416 and have:
                return part
            if err.code < 500 or failures >= retries:
                raise DownloadError(f"{url} answered HTTP {err.code} {err.reason}") from err
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            reached = part.exists() and part.stat().st_size > have
            if (failures == 0 and not reached) or failures >= retries:
                reason = getattr(err, "reason", err)
                raise DownloadError(f"cannot download {url}: {reason}") from err
        failures += 1
        time.sleep(min(10.0, 0.25 * 2 ** failures))


def download(version: str, out: str | os.PathLike, *, base_url: str | None = None,
             splits: list[str] | None = None, retries: int = 5, timeout: float = 60.0,
             progress: bool = True) -> list[Path]:
    """Fetch the So2Sat files of ``version`` into ``out``, resumable and md5-checked.

    Args:
        version: ``"2"``, ``"3"`` (all version-3 scenarios), ``"3_random"``, ``"3_block"`` or
            ``"3_culture_10"``.
        out: destination folder; files keep their published relative paths.
        base_url: a URL pattern with ``{dir}`` and ``{file}``, or a plain prefix to which the
            relative path is appended; default: the TUM dataserv share of the version.
        splits: only files whose name starts with one of these (e.g. ``["validation"]``).
        retries, timeout: per file, see :func:`fetch_resumable`.

    Returns:
        The paths of the verified files. A file already present with the right md5 is kept;
        one with a wrong md5 is an error (nothing is overwritten).

    Raises:
        DownloadError: the host cannot be reached (the message gives the manual steps) or a
            downloaded file fails its md5 check (the ``.part`` file is kept for inspection).
        ValueError: unknown version or split, or a file in place with a wrong md5.
    """
    out = Path(out).expanduser()
    wanted = [f for f in files_for(version)
              if not splits or Path(f.relpath).stem in splits]
    if splits and not wanted:
        raise ValueError(f"splits={splits} match no file of version {version}; files: "
                         f"{[f.relpath for f in files_for(version)]}")
    base = base_url or BASE_URLS["3" if version.startswith("3") else "2"]
    if urllib.parse.urlsplit(file_url(base, "x.h5")).scheme not in ("http", "https"):
        raise ValueError(f"base_url {base!r} is not http(s); for FTP use wget -c by hand. "
                         + manual_steps(version, out))
    done = []
    for remote in wanted:
        dest = out / remote.relpath
        if dest.exists():
            found = md5_of(dest, progress=progress)
            if found != remote.md5:
                raise ValueError(f"{dest} exists but its md5 is {found}, not {remote.md5}; move "
                                 "it away (it is left untouched) and download again")
            done.append(dest)
            continue
        part = dest.with_name(dest.name + ".part")
        url = file_url(base, remote.relpath)
        try:
            fetch_resumable(url, part, expected_size=remote.size, retries=retries,
                            timeout=timeout, progress=progress)
        except DownloadError as err:
            raise DownloadError(f"{err}.\n{manual_steps(version, out)}") from err
        found = md5_of(part, progress=progress)
        if found != remote.md5:
            raise DownloadError(f"{part} downloaded but its md5 is {found}, expected "
                                f"{remote.md5}; delete it and download again")
        os.replace(part, dest)
        done.append(dest)
    return done
