"""A run's folder beside its output: which chunks are committed, of which input, with which options.

``OUTPUT.partial/`` holds ``state.json`` and, per committed chunk, its output
rows (``0000042.out``) and rejects (``0000042.rej``). A chunk is committed when its
two files are renamed into place and ``state.json`` (replaced atomically) counts
it, in that order: a run killed at any point leaves only whole chunks counted,
and a chunk written but not yet counted is written again on resume. Each file is
fsynced before its rename and the folder after, so the order also holds after a
power loss (the disk may otherwise keep a renamed ``state.json`` and lose the parts
it counts, and ``--resume`` would skip their rows). The final
output and rejects are assembled from the parts, then the folder is removed.

``--resume`` compares the fingerprint: the input's path, size, modification time
and the sha256 of its first and last MiB, the options that shape the output
(columns, formats, chunk size, text limit, thresholds) and the model's version
and sha256. Any difference refuses to resume, naming it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from bulk.errors import BulkError
from bulk.rows import Done
from bulk.writers import replace_durably, sync

STATE_VERSION = 1
EDGE = 1 << 20


def partial_folder(output: Path) -> Path:
    """Return the folder that holds ``output``'s unfinished run."""
    return output.with_name(output.name + ".partial")


def fingerprint(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Return what identifies the input file and the options of a run."""
    st = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        digest.update(f.read(EDGE))
        if st.st_size > EDGE:
            f.seek(max(EDGE, st.st_size - EDGE))
            digest.update(f.read(EDGE))
    return {
        "input": str(path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "edges_sha256": digest.hexdigest(),
        **options,
    }


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, even across a power loss (fsync, rename, fsync the folder)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    replace_durably(tmp, path)


class RunState:
    """The committed chunks of one run and their counts, kept in ``OUTPUT.partial/``."""

    def __init__(self, output: Path, print_: dict[str, Any], attributes: tuple[str, ...], resume: bool) -> None:
        self.folder = partial_folder(output)
        self.file = self.folder / "state.json"
        self.fingerprint = print_
        self.resumed = False
        if self.folder.exists() and not resume:
            raise BulkError(
                f"{self.folder} holds an unfinished run for this OUTPUT: add --resume to continue it, "
                "or delete that folder to start over"
            )
        if self.folder.exists():
            self._load()
            self.resumed = True
            self.rows_before = int(self.counts["rows"])
            return
        self.rows_before = 0
        self.committed = 0
        self.seconds = 0.0
        self.counts: dict[str, Any] = {
            "rows": 0,
            "scored": 0,
            "rejected": 0,
            "flagged": dict.fromkeys(attributes, 0),
            "reasons": {},
        }
        self.folder.mkdir(parents=True)
        sync(self.folder.parent)
        self._save()

    def _load(self) -> None:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"state version {data.get('version')!r}, expected {STATE_VERSION}")
            before = data["fingerprint"]
            self.committed, self.seconds, self.counts = int(data["committed"]), float(data["seconds"]), data["counts"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BulkError(f"--resume: cannot read {self.file} ({exc}); delete {self.folder} to start over") from None
        changed = [
            f"{key} was {before.get(key)!r}, is now {value!r}"
            for key, value in self.fingerprint.items()
            if before.get(key) != value
        ]
        if changed:
            raise BulkError(
                "--resume refused: the input or the options differ from the run in "
                f"{self.folder} ({'; '.join(changed)}); run as before, or delete that folder to start over"
            )

    def _save(self) -> None:
        state = {
            "version": STATE_VERSION,
            "fingerprint": self.fingerprint,
            "committed": self.committed,
            "seconds": self.seconds,
            "counts": self.counts,
        }
        _write_atomic(self.file, json.dumps(state, indent=1).encode())

    def part(self, index: int, suffix: str) -> Path:
        """Return the path of chunk ``index``'s output (``out``) or rejects (``rej``)."""
        return self.folder / f"{index:07d}.{suffix}"

    def commit(self, done: Done, seconds: float) -> None:
        """Write one chunk's parts, then count it in the state file: the chunk is then committed."""
        if done.index != self.committed:
            raise RuntimeError(f"chunk {done.index} committed out of order (expected {self.committed})")
        _write_atomic(self.part(done.index, "out"), done.out)
        _write_atomic(self.part(done.index, "rej"), done.rejects)
        c = self.counts
        c["rows"] += done.rows
        c["scored"] += done.scored
        c["rejected"] += done.rejected
        for name, n in zip(c["flagged"], done.flagged, strict=False):
            c["flagged"][name] += n
        for code, n in done.reasons.items():
            c["reasons"][code] = c["reasons"].get(code, 0) + n
        self.committed += 1
        self.seconds += seconds
        self._save()

    def parts(self, suffix: str) -> list[Path]:
        """Return every committed chunk's part of one kind, in order."""
        return [self.part(i, suffix) for i in range(self.committed)]

    def remove(self) -> None:
        """Delete the run's folder (after the final files are in place)."""
        shutil.rmtree(self.folder)
