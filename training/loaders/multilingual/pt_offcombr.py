"""OffComBR (de Pelle & Moreira 2017): comments on a Brazilian news site, offensive or not.

OffComBR-2 holds every comment labelled by at least two of three judges;
OffComBR-3 is its subset on which all three agreed. Mapping:

- TOXICITY: 1 for ``yes`` (offensive; cursing is the commonest kind), 0 for ``no``.
- Weight: 1.0 for a comment that is also in OffComBR-3 with the same label
  (unanimous), 2/3 for one labelled by a two-to-one majority. The two files are
  read together so no comment is counted twice. One comment ("Idiota") appears
  twice in OffComBR-2 with both labels; both rows are yielded and the duplicate
  merge (``training.dataset.merge_duplicates``) makes its label unknown.
- Nothing else: the set has no finer labels.

Format (PROVENANCE, pt-offcombr): ARFF; after the ``@data`` line each record is
``yes,'<comment>'`` or ``no,'<comment>'`` on one line (the authors stripped
accents and quotes from the text). Files: the 80 % parts of ``OffComBR2.arff`` and
``OffComBR3.arff``, split by the same hash so a comment is on the same side in
both. Licence: none stated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from training.errors import DataFormatError
from training.loaders._io import find_file, read_lines
from training.records import Record

SOURCE = "pt-offcombr"
LANGUAGE = "pt"
APPROXIMATE: frozenset[str] = frozenset()
MAJORITY_WEIGHT = 2 / 3
"""Weight of a comment two of three judges labelled (a unanimous one weighs 1)."""
_RECORD = re.compile(r"(yes|no),'([^']*)'")


def read_arff(path: Path) -> Iterator[tuple[int, str, int]]:
    """Yield ``(line, comment, label)`` for every data line of one OffComBR ARFF file."""
    lines = read_lines(path)
    try:
        start = next(i for i, line in enumerate(lines) if line.strip().lower() == "@data")
    except StopIteration:
        raise DataFormatError(path, None, "no @data line") from None
    for number, line in enumerate(lines[start + 1 :], start + 2):
        if not line.strip():
            continue
        m = _RECORD.fullmatch(line.strip())
        if m is None:
            raise DataFormatError(path, number, "expected yes,'<comment>' or no,'<comment>'")
        yield number, m.group(2), int(m.group(1) == "yes")


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per comment of OffComBR-2, weighted by OffComBR-3's agreement."""
    unanimous_path = find_file(folder, "OffComBR3.arff.train-part.arff")
    unanimous = {text: label for _, text, label in read_arff(unanimous_path)}
    path = find_file(folder, "OffComBR2.arff.train-part.arff")
    for line, text, label in read_arff(path):
        if not text.strip():
            continue
        yield Record(
            text=text.strip(),
            source=SOURCE,
            labels={"TOXICITY": label},
            weight=1.0 if unanimous.get(text) == label else MAJORITY_WEIGHT,
            ref=f"{path.name}:{line}",
            language=LANGUAGE,
        )
