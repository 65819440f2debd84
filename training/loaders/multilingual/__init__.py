"""Loaders of the labelled sets in other languages (``../shared/data-multilingual``).

A registry of its own, apart from ``training.loaders.SHARED_SOURCES``, so the
English default model's training data does not change. Each module's docstring
gives its label mapping per attribute and why; every record carries its
``language`` (a BCP-47 tag). Per source:

- ``MULTILINGUAL_SOURCES``: folder name -> loader.
- ``SOURCE_LANGUAGE``: the language the set is in (``hi-en-trac1`` also yields
  ``hi`` for comments written mostly in Devanagari).
- ``MULTILINGUAL_PRIMARY``: the attribute the set was built to label.
- ``APPROXIMATE``: the attributes whose mapping is approximate (the set's label is
  near the attribute but not the same thing); a status rule may hold those back.
- ``MULTILINGUAL_SOURCE_INFO`` (``sources``): licence and default exclusion.

No set labels THREAT; every loader leaves it unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders import Loader
from training.loaders.multilingual import (
    ar_lhsab,
    ar_osact2020,
    de_gahd,
    de_germeval2018,
    hi_en_trac1,
    id_ibrohim2019,
    ja_inspection_toxic,
    ko_beep,
    mlma,
    pt_offcombr,
    pt_toldbr,
    ru_distorted_toxicity,
    zh_cold,
)
from training.loaders.multilingual.sources import MULTILINGUAL_SOURCE_INFO, multilingual_default_excluded
from training.records import Record

MULTILINGUAL_SOURCES: dict[str, Loader] = {
    "de-germeval2018": de_germeval2018.load,
    "de-gahd": de_gahd.load,
    "hi-en-trac1": hi_en_trac1.load,
    "pt-toldbr": pt_toldbr.load,
    "pt-offcombr": pt_offcombr.load,
    "ko-beep": ko_beep.load,
    "zh-cold": zh_cold.load,
    "id-ibrohim2019": id_ibrohim2019.load,
    "fr-mlma": mlma.load_fr,
    "ar-mlma": mlma.load_ar,
    "ar-lhsab": ar_lhsab.load,
    "ar-osact2020": ar_osact2020.load,
    "ja-inspection-toxic": ja_inspection_toxic.load,
    "ru-distorted-toxicity": ru_distorted_toxicity.load,
}

SOURCE_LANGUAGE: dict[str, str] = {
    "de-germeval2018": "de",
    "de-gahd": "de",
    "hi-en-trac1": "hi-Latn",
    "pt-toldbr": "pt",
    "pt-offcombr": "pt",
    "ko-beep": "ko",
    "zh-cold": "zh",
    "id-ibrohim2019": "id",
    "fr-mlma": "fr",
    "ar-mlma": "ar",
    "ar-lhsab": "ar",
    "ar-osact2020": "ar",
    "ja-inspection-toxic": "ja",
    "ru-distorted-toxicity": "ru",
}

MULTILINGUAL_PRIMARY: dict[str, str] = {
    "de-germeval2018": "TOXICITY",
    "de-gahd": "IDENTITY_ATTACK",
    "hi-en-trac1": "TOXICITY",
    "pt-toldbr": "TOXICITY",
    "pt-offcombr": "TOXICITY",
    "ko-beep": "TOXICITY",
    "zh-cold": "TOXICITY",
    "id-ibrohim2019": "TOXICITY",
    "fr-mlma": "TOXICITY",
    "ar-mlma": "TOXICITY",
    "ar-lhsab": "TOXICITY",
    "ar-osact2020": "TOXICITY",
    "ja-inspection-toxic": "TOXICITY",
    "ru-distorted-toxicity": "TOXICITY",
}

APPROXIMATE: dict[str, frozenset[str]] = {
    "de-germeval2018": de_germeval2018.APPROXIMATE,
    "de-gahd": de_gahd.APPROXIMATE,
    "hi-en-trac1": hi_en_trac1.APPROXIMATE,
    "pt-toldbr": pt_toldbr.APPROXIMATE,
    "pt-offcombr": pt_offcombr.APPROXIMATE,
    "ko-beep": ko_beep.APPROXIMATE,
    "zh-cold": zh_cold.APPROXIMATE,
    "id-ibrohim2019": id_ibrohim2019.APPROXIMATE,
    "fr-mlma": mlma.APPROXIMATE,
    "ar-mlma": mlma.APPROXIMATE,
    "ar-lhsab": ar_lhsab.APPROXIMATE,
    "ar-osact2020": ar_osact2020.APPROXIMATE,
    "ja-inspection-toxic": ja_inspection_toxic.APPROXIMATE,
    "ru-distorted-toxicity": ru_distorted_toxicity.APPROXIMATE,
}


def multilingual_loaders(
    data_dir: Path, names: list[str] | None = None, *, include_excluded: bool = False
) -> list[tuple[str, Loader, Path]]:
    """Return ``(name, loader, folder)`` for the sets named, or else every set present.

    Without names, sets a default model leaves out (a non-commercial licence) are
    skipped unless ``include_excluded``; a named set is always included. A named
    set that is unknown or whose folder is missing is an error naming it.
    """
    if names:
        unknown = [n for n in names if n not in MULTILINGUAL_SOURCES]
        if unknown:
            raise ValueError(f"unknown multilingual source(s) {unknown}; known: {', '.join(MULTILINGUAL_SOURCES)}")
        missing = [n for n in names if not (data_dir / n).is_dir()]
        if missing:
            raise FileNotFoundError(f"source folder(s) not found under {data_dir}: {missing}")
        wanted = list(names)
    else:
        skipped = set() if include_excluded else set(multilingual_default_excluded())
        wanted = [n for n in MULTILINGUAL_SOURCES if (data_dir / n).is_dir() and n not in skipped]
    return [(n, MULTILINGUAL_SOURCES[n], data_dir / n) for n in wanted]


def load_all(data_dir: Path, names: list[str] | None = None, *, include_excluded: bool = False) -> Iterator[Record]:
    """Yield the records of ``multilingual_loaders(...)``, source by source."""
    for _, loader, folder in multilingual_loaders(data_dir, names, include_excluded=include_excluded):
        yield from loader(folder)


__all__ = [
    "APPROXIMATE",
    "MULTILINGUAL_PRIMARY",
    "MULTILINGUAL_SOURCES",
    "MULTILINGUAL_SOURCE_INFO",
    "SOURCE_LANGUAGE",
    "load_all",
    "multilingual_default_excluded",
    "multilingual_loaders",
]
