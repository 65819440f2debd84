"""Worst-case text: 20 KB strings built to make text handling backtrack or blow up, timed per stage.

Each stage that splits, tokenises, explains or annotates text is timed on every
string below and on ordinary 20 KB comments (consecutive validation comments
joined) in the same run; the row gives the slowest string next to that baseline.
Every stage is linear in the text's length, so the slowest string should cost a
small multiple of an ordinary comment, never seconds. ``tests/security`` sends
the same strings through the HTTP routes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

SIZE = 20_000
"""Characters per string: at most 20 KB of UTF-8, the comment limit."""


def fill(unit: str, head: str = "", tail: str = "", size: int = SIZE) -> str:
    """Return ``head``, ``unit`` repeated, then ``tail``: ``size`` characters in all."""
    body = unit * (size // len(unit) + 1)
    return head + body[: size - len(head) - len(tail)] + tail


ADVERSARIAL = {
    "dots": fill(".", "a", "a"),  # the sentence pattern of issue 20
    "punctuation": fill("!?.,;", "a", "a"),
    "spaces": fill(" ", "a", "a"),
    "no-break spaces": fill("\u00a0", "a", "a", SIZE // 2),
    "one letter": fill("a"),
    "letter-dot": fill("a.", "url "),  # "url" wakes the URL pass: a chain of bare-domain labels
    "letter-hyphen": fill("a-", "url "),
    "e-mail run": fill("a", "@b.c ", "@"),
    "lines": fill("a\n"),
    "abbreviations": fill("e.g."),
    "leet": fill("a1"),
    "spaced letters": fill("i d "),
    "open tags": fill("<a "),  # unclosed markup, for the HTML converter
    "open attributes": fill('<a b="'),
}


def stages() -> dict[str, Callable[[str], Any]]:
    """Return each stage as a function of one text (the shipped model, warmed up)."""
    from model import load_model
    from model.sentences import split_sentences
    from service.perspective.html_text import html_to_text

    model = load_model()
    model.warm_up()

    def spans(text: str) -> Any:
        return model.score([text[a:b] for a, b in split_sentences(text)] or [text])

    return {
        "score (normalise, sentences, kernel)": lambda t: model.score([t]),
        "explain": model.explain,
        "span annotations (split, score each)": spans,
        "HTML to text": html_to_text,
    }


def cpu_ms(work: Callable[[str], Any], text: str) -> float:
    """Return the CPU milliseconds of one call."""
    start = time.process_time()
    work(text)
    return (time.process_time() - start) * 1000


def run(ordinary: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Time every stage on the adversarial strings and on the ``ordinary`` 20 KB comments."""
    out: dict[str, dict[str, Any]] = {}
    for stage, work in stages().items():
        work(ordinary[0])  # first-call set-up
        base = sorted(cpu_ms(work, t) for t in ordinary)[len(ordinary) // 2]
        times = {name: cpu_ms(work, text) for name, text in ADVERSARIAL.items()}
        worst = max(times, key=times.__getitem__)
        out[stage] = {"ordinary_ms": base, "worst_ms": times[worst], "worst": worst, "ratio": times[worst] / base}
        print(f"  worst case, {stage}: {out[stage]}", flush=True)
    return out
