"""Where numba keeps the kernels' compiled code: a folder keyed on what the code froze in.

Numba caches each compiled function on disk and checks only the timestamp of
the function's own file, while the kernels here call each other across files and
freeze ``model.fast.tables``' arrays into their code. ``configure()`` therefore
points numba at a folder named after ``tables.digest()`` (the tables' values and
every kernel file's bytes), under ``NUMBA_CACHE_DIR`` if set, else beside this
package when it is writable, else in the temporary folder. It must run before
the first kernel module is imported; ``model.fast.__init__`` does that. It
imports numba and ``model.fast.tables`` only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numba

from model.fast import tables

_folder: Path | None = None


def configure() -> Path:
    """Set numba's cache folder for the kernels about to be compiled; return it."""
    global _folder
    here = Path(__file__).resolve().parent
    base_env = os.environ.get("NUMBA_CACHE_DIR")
    if base_env:
        base = Path(base_env)
    elif os.access(here, os.W_OK):
        base = here / "__pycache__"
    else:
        base = Path(tempfile.gettempdir()) / "toxicity-numba-cache"
    folder = base / f"kernels-{tables.digest()}"
    numba.config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]  # set by numba at run time
    _folder = folder
    return folder


def compiled() -> bool:
    """Return whether the configured folder already holds compiled kernels (a start will load, not compile)."""
    return _folder is not None and any(_folder.rglob("*.nbi"))
