"""Assemble sources into one de-duplicated, split training set.

- ``merge_duplicates`` folds records whose ``dedup_key`` matches (copies, retweets,
  TweetEval's re-release of OLID) into one: the first source wins and later ones
  only fill labels it lacks; labels that disagree become unknown.
- ``assign_split`` puts a record in validation when a hash of its group (its
  de-duplication key unless the source gives a group, such as a forum post) falls
  in the validation fraction. Equal groups always land on the same side, in every
  source, so no near-duplicate sits on both sides.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from training.loaders import SHARED_SOURCES, Loader, default_excluded
from training.records import Record, dedup_key


@dataclass(frozen=True, slots=True)
class DataFile:
    """One input file, recorded in the manifest."""

    path: str
    sha256: str
    bytes: int


@dataclass(slots=True)
class Corpus:
    """De-duplicated records with their split and provenance."""

    records: list[Record]
    keys: list[str]
    """De-duplication key per record (also the split group unless the record has one)."""
    validation: list[bool]
    files: list[DataFile]
    merged: Counter[tuple[str, str]] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    loaded: Counter[str] = field(default_factory=Counter)

    def part(self, validation: bool) -> tuple[list[Record], list[str]]:
        """Return the training (False) or validation (True) records and their keys."""
        picked = [(r, k) for r, k, v in zip(self.records, self.keys, self.validation, strict=True) if v is validation]
        return [r for r, _ in picked], [k for _, k in picked]

    def sources(self) -> list[str]:
        """Return source names in first-seen order."""
        return list(dict.fromkeys(r.source for r in self.records))


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_files(paths: Iterable[Path], root: Path | None = None) -> list[DataFile]:
    """Return path, sha256 and size of each file, paths relative to ``root`` if given."""
    out = []
    for path in sorted(set(paths)):
        shown = path.relative_to(root) if root and path.is_relative_to(root) else path
        out.append(DataFile(str(shown), sha256_file(path), path.stat().st_size))
    return out


def shared_loaders(
    data_dir: Path, names: Sequence[str] | None = None, exclude: Sequence[str] = ()
) -> list[tuple[str, Loader, Path]]:
    """Return ``(name, loader, folder)`` for the shared sources named, or else the default ones present.

    The default is every source present except those ``training.loaders.sources``
    leaves out of the default model (a non-commercial licence, a mixed-in test
    split); naming a source includes it all the same. ``exclude`` drops sources
    from either list.
    """
    if names:
        wanted = list(names)
    else:
        skipped = default_excluded()
        wanted = [n for n in SHARED_SOURCES if (data_dir / n).is_dir() and n not in skipped]
    unknown = [n for n in [*wanted, *exclude] if n not in SHARED_SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; known: {', '.join(SHARED_SOURCES)}")
    wanted = [n for n in wanted if n not in exclude]
    missing = [n for n in wanted if not (data_dir / n).is_dir()]
    if missing:
        raise FileNotFoundError(f"source folder(s) not found under {data_dir}: {missing}")
    return [(n, SHARED_SOURCES[n], data_dir / n) for n in wanted]


@dataclass(slots=True)
class Merged:
    """Result of ``merge_duplicates``: records, their keys, and what was folded."""

    records: list[Record]
    keys: list[str]
    merged: Counter[tuple[str, str]]
    conflicts: Counter[str]


def merge_duplicates(records: Iterable[Record]) -> Merged:
    """Fold records with equal ``dedup_key``, first source first."""
    kept: dict[str, Record] = {}
    merged: Counter[tuple[str, str]] = Counter()
    conflicts: Counter[str] = Counter()
    dropped: dict[str, set[str]] = {}
    for record in records:
        key = dedup_key(record.text)
        first = kept.get(key)
        if first is None:
            kept[key] = record
            continue
        merged[(first.source, record.source)] += 1
        labels = dict(first.labels)
        soft = dict(first.soft)
        label_weight = dict(first.label_weight)
        bad = dropped.setdefault(key, set())
        for name, value in record.labels.items():
            if name in bad:
                continue
            if name not in labels:
                labels[name] = value
                if name in record.soft:
                    soft[name] = record.soft[name]
                if name in record.label_weight:
                    label_weight[name] = record.label_weight[name]
            elif labels[name] != value:
                # Two annotations disagree on the same text: trust neither.
                del labels[name]
                soft.pop(name, None)
                label_weight.pop(name, None)
                bad.add(name)
                conflicts[first.source] += 1
        kept[key] = replace(first, labels=labels, soft=soft, label_weight=label_weight)
    pairs = [(k, r) for k, r in kept.items() if r.labels]
    return Merged([r for _, r in pairs], [k for k, _ in pairs], merged, conflicts)


def split_fraction(group: str) -> float:
    """Map a group key to a stable number in [0, 1)."""
    digest = hashlib.sha256(group.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(records: Sequence[Record], keys: Sequence[str], validation_fraction: float, seed: int) -> list[bool]:
    """Return, per record, whether it belongs to the validation split."""
    return [split_fraction(f"{seed}:{r.group or k}") < validation_fraction for r, k in zip(records, keys, strict=True)]


def build_corpus(
    sources: Sequence[tuple[str, Loader, Path]],
    extra: Sequence[tuple[str, Iterator[Record], Sequence[Path]]] = (),
    *,
    validation_fraction: float = 0.2,
    seed: int = 0,
    data_root: Path | None = None,
) -> Corpus:
    """Load every source, merge duplicates across them, and split into train/validation."""
    raw: list[Record] = []
    files: list[Path] = []
    loaded: Counter[str] = Counter()
    for name, loader, folder in sources:
        batch = list(loader(folder))
        loaded[name] = len(batch)
        raw.extend(batch)
        files.extend(p for p in sorted(folder.iterdir()) if p.is_file())
    for name, records, paths in extra:
        batch = list(records)
        # A file's rows carry the loader's source name (a table's file stem, "jigsaw-2018", ...).
        if batch:
            loaded.update(r.source for r in batch)
        else:
            loaded[name] = 0
        raw.extend(batch)
        files.extend(paths)
    folded = merge_duplicates(raw)
    return Corpus(
        records=folded.records,
        keys=folded.keys,
        validation=assign_split(folded.records, folded.keys, validation_fraction, seed),
        files=describe_files(files, data_root),
        merged=folded.merged,
        conflicts=folded.conflicts,
        loaded=loaded,
    )
