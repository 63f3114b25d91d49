"""Whether to draw progress bars (private).

Progress bars help in a terminal and in a live notebook, but an executed notebook stores only the
bar's first frame as text ("EO pretraining: 0%"), which is what a reader of the saved copy sees.
``swdkit notebooks`` therefore sets ``SWDKIT_NO_PROGRESS=1`` for the kernels it starts, and every
bar of swdkit asks :func:`show_progress` first.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

NO_PROGRESS_ENV = "SWDKIT_NO_PROGRESS"


def show_progress(requested: bool) -> bool:
    """``requested``, unless the environment variable ``SWDKIT_NO_PROGRESS`` is set to a value
    other than ``""`` or ``"0"`` (then False)."""
    return bool(requested) and os.environ.get(NO_PROGRESS_ENV, "") in ("", "0")


@contextlib.contextmanager
def no_progress_bars() -> Iterator[None]:
    """Within the block, ``SWDKIT_NO_PROGRESS=1`` (unless the caller set it already), so kernels
    and processes started there draw no bars; restored afterwards."""
    previous = os.environ.get(NO_PROGRESS_ENV)
    if previous is None:
        os.environ[NO_PROGRESS_ENV] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(NO_PROGRESS_ENV, None)
