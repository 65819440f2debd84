"""Licence and default use of every multilingual set, as ``../shared/data-multilingual/PROVENANCE.md`` states them.

The same ``SourceInfo`` record as the English sets (``training.loaders.sources``):
``licence`` is a short form of what the source states, ``commercial_use_ok`` is
False only where the licence forbids commercial use, and ``default_excluded`` is
why a default model must leave the set out. A set whose licence is missing or
unverified says so in ``licence``; it is not excluded for that alone, as with the
English sets that state none.
"""

from __future__ import annotations

from training.loaders.sources import SourceInfo

MULTILINGUAL_SOURCE_INFO: dict[str, SourceInfo] = {
    "de-germeval2018": SourceInfo("CC BY 4.0"),
    "de-gahd": SourceInfo("CC BY 4.0"),
    "hi-en-trac1": SourceInfo("Apache-2.0"),
    "pt-toldbr": SourceInfo("CC BY-SA 4.0"),
    "pt-offcombr": SourceInfo("none stated"),
    "ko-beep": SourceInfo("CC BY-SA 4.0"),
    "zh-cold": SourceInfo("Apache-2.0"),
    "id-ibrohim2019": SourceInfo(
        "CC BY-NC-SA 4.0",
        commercial_use_ok=False,
        default_excluded="non-commercial licence (CC BY-NC-SA 4.0)",
    ),
    "fr-mlma": SourceInfo("MIT"),
    "ar-mlma": SourceInfo("MIT"),
    "ar-lhsab": SourceInfo("none stated"),
    "ar-osact2020": SourceInfo(
        "not verified: the third-party mirror states none; LLMeBench's metadata says CC BY 4.0 (unchecked)"
    ),
    "ja-inspection-toxic": SourceInfo("Apache-2.0"),
    "ru-distorted-toxicity": SourceInfo("MIT (stated in the data statement; no LICENSE file)"),
}


def multilingual_default_excluded() -> dict[str, str]:
    """Return the multilingual sets a default model leaves out, each with the reason."""
    return {name: info.default_excluded for name, info in MULTILINGUAL_SOURCE_INFO.items() if info.default_excluded}
