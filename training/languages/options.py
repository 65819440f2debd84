"""``toxicity train``'s language options: ``--languages``, ``--multilingual-dir``, and multilingual set names.

``--languages all`` (the default when the shared sets are read) trains every
language with commercially usable data in ``--multilingual-dir``; ``none`` trains
English only; ``de,pt,hi-Latn`` those languages. ``--source`` and
``--exclude-source`` take the names of both registries: the English sets'
(``training.loaders``) and the multilingual ones' (``MULTILINGUAL_SOURCES``).
Each registry reads the names given in it, or its default sets when none is.
A set left out of the default model (a non-commercial licence) is trained on
only when named.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.languages import ENGLISH, normalise_tag
from training.errors import TrainingError
from training.langeval.designs import Caps
from training.languages.bundle import LanguageSet
from training.loaders.multilingual import MULTILINGUAL_SOURCES, SOURCE_LANGUAGE

DEFAULT_MULTILINGUAL = Path(__file__).resolve().parents[2].parent / "shared" / "data-multilingual"
KNOWN = sorted({*SOURCE_LANGUAGE.values(), "hi"})
"""Languages some multilingual set is in (``hi-en-trac1`` yields both ``hi-Latn`` and ``hi``)."""


def parse_languages(text: str) -> frozenset[str] | None:
    """Return the tags of ``--languages`` (``None`` for ``all``), or raise naming the unknown ones."""
    value = text.strip()
    if value == "all":
        return None
    if value == "none":
        return frozenset()
    tags = [normalise_tag(t) if t.strip().lower() != "hi-latn" else "hi-Latn" for t in value.split(",") if t.strip()]
    if not tags:
        raise argparse.ArgumentTypeError("--languages: expected all, none or a comma-separated list such as de,pt")
    unknown = [t for t in tags if t not in KNOWN]
    if unknown:
        extra = " (English is always trained)" if ENGLISH in unknown else ""
        raise argparse.ArgumentTypeError(
            f"--languages: no multilingual set is in {', '.join(unknown)}{extra}; known: {', '.join(KNOWN)}"
        )
    return frozenset(tags)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the language options to ``toxicity train``."""
    g = p.add_argument_group("languages")
    g.add_argument(
        "--languages",
        type=parse_languages,
        default=None,
        metavar="all|none|TAG,...",
        help="sub-models to train beside English: all (default, when the shared sets are read), none, or tags "
        f"such as de,pt,hi-Latn (known: {', '.join(KNOWN)})",
    )
    g.add_argument(
        "--multilingual-dir",
        type=Path,
        default=DEFAULT_MULTILINGUAL,
        help="folder of the multilingual sets (default: %(default)s)",
    )


def split_sources(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Move multilingual names out of ``args.source``/``args.exclude_source``; return them (named, excluded)."""
    named = [n for n in args.source if n in MULTILINGUAL_SOURCES]
    excluded = [n for n in args.exclude_source if n in MULTILINGUAL_SOURCES]
    args.source = [n for n in args.source if n not in MULTILINGUAL_SOURCES]
    args.exclude_source = [n for n in args.exclude_source if n not in MULTILINGUAL_SOURCES]
    return named, excluded


def languages_for(
    args: argparse.Namespace, reads_shared: bool, caps: Caps, progress: Callable[[str], None] | None
) -> tuple[LanguageSet | None, list[str]]:
    """Train the sub-models the options ask for; return them (``None``: English only) and notices."""
    from training.languages.run import train_languages

    named, excluded = getattr(args, "multilingual_sources", ([], []))
    asked: Any = args.languages
    explicit = asked is not None or bool(named)
    if asked is not None and not asked:
        return None, []
    if not explicit and not reads_shared:
        return None, []
    folder: Path = args.multilingual_dir
    if not folder.is_dir():
        if explicit or folder != DEFAULT_MULTILINGUAL:
            raise TrainingError(f"--multilingual-dir {folder} is not a folder; languages were asked for")
        return None, [f"no multilingual data at {folder}: trained English only"]
    try:
        result = train_languages(
            folder,
            asked,
            caps,
            sources=named,
            exclude=excluded,
            validation_fraction=args.validation_fraction,
            n_jobs=args.jobs,
            progress=progress,
        )
    except (ValueError, FileNotFoundError) as exc:
        raise TrainingError(str(exc)) from None
    return result, []
