"""de Gibert et al. 2018: sentences from the Stormfront forum, labelled for hate.

Mapping: IDENTITY_ATTACK 1 for ``hate``, 0 for ``noHate``. ``relation`` (hateful
only together with neighbouring sentences) and ``idk/skip`` carry no usable label
for a single sentence and are left out. TOXICITY stays unknown.

Sentences of one post share a ``group`` (the post id), so a split never puts one
post's sentences on both sides, unlike the authors' own sentence-level split.
Metadata rows without a sentence file are the authors' test sentences, withheld
from ``../shared`` (PROVENANCE section 8), and are skipped.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path

from training.errors import DataFormatError
from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "degibert-stormfront"
LABELS = ("hate", "noHate", "relation", "idk/skip")


def _sentences(path: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.isfile() or not member.name.startswith("all_files/"):
                    continue
                name = member.name.removeprefix("all_files/")
                if not name.endswith(".txt"):
                    raise DataFormatError(path, None, f"member {member.name!r} is not a .txt file")
                handle = tar.extractfile(member)
                if handle is None:
                    raise DataFormatError(path, None, f"member {member.name!r} cannot be read")
                try:
                    texts[name.removesuffix(".txt")] = handle.read().decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise DataFormatError(path, None, f"member {member.name!r}: invalid UTF-8: {exc.reason}") from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DataFormatError(path, None, f"unreadable tar archive: {exc}") from None
    return texts


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per labelled sentence present in ``sentences.tar.gz``."""
    meta = find_file(folder, "annotations_metadata.csv")
    texts = _sentences(find_file(folder, "sentences.tar"))
    labelled: set[str] = set()
    for row in read_rows(meta, ("file_id", "label")):
        file_id = row.need("file_id")
        label = row.choice("label", LABELS)
        labelled.add(file_id)
        if file_id not in texts or label not in ("hate", "noHate"):
            continue
        yield Record(
            text=texts[file_id],
            source=SOURCE,
            labels={"IDENTITY_ATTACK": int(label == "hate")},
            ref=f"{meta.name}:{row.line} file_id={file_id}",
            group=f"stormfront-post:{file_id.rsplit('_', 1)[0]}",
        )
    orphans = sorted(set(texts) - labelled)
    if orphans:
        raise DataFormatError(meta, None, f"{len(orphans)} sentence(s) lack a label, e.g. {orphans[0]}")
