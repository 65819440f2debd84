"""A run's thresholds (a preset or a profile) and its end: final files, the summary JSON and line.

The summary says how many rows were read, scored and rejected (and checks that
rows = scored + rejected), the rejects by reason, how many rows each attribute
flagged (with a preset or profile), the thresholds, the seconds (across resumed
runs too) and the model. It is written beside the output as ``NAME.summary.json``
and told in one line on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulk.errors import BulkError
from bulk.formats import Kind
from bulk.state import RunState
from bulk.writers import assemble, replace_durably
from model import ToxicityModel
from model.profiles import ProfileError, read

if TYPE_CHECKING:
    from bulk.run import Options


def thresholds_for(
    model: ToxicityModel, preset: str | None, profile: str | None, profiles_file: Path | None
) -> dict[str, float] | None:
    """Return each scored attribute's threshold under the preset or profile, or None for neither."""
    presets = model.presets()
    if preset is not None:
        if preset not in presets:
            raise BulkError(f"--preset {preset!r}: model {model.version} has presets {', '.join(presets) or 'none'}")
        return {a: presets[preset].get(a, t) for a, t in model.thresholds().items()}
    if profile is None:
        return None
    if profiles_file is None:
        raise BulkError("--profile needs --profiles-file: the TOML file that defines it")
    try:
        profiles = read(profiles_file)
    except ProfileError as exc:
        raise BulkError(str(exc)) from None
    if profile not in profiles:
        raise BulkError(f"--profile {profile!r}: {profiles_file} defines {', '.join(profiles)}")
    chosen = profiles[profile]
    if chosen.preset is not None and chosen.preset not in presets:
        raise BulkError(f"profile {profile!r} picks preset {chosen.preset!r}, which model {model.version} lacks")
    return chosen.resolve(model)


def finish(
    opts: Options,
    state: RunState,
    out_kind: Kind,
    rejects: Path,
    summary_path: Path,
    workers: int,
    thresholds: dict[str, float] | None,
) -> dict[str, Any]:
    """Assemble the output and rejects from the committed chunks, write the summary, remove the run's folder."""
    c = state.counts
    if c["rows"] != c["scored"] + c["rejected"]:
        raise RuntimeError(f"rows {c['rows']} != scored {c['scored']} + rejected {c['rejected']}")
    assemble(state.parts("out"), opts.output, out_kind.format)
    assemble(state.parts("rej"), rejects, "jsonl")
    seconds = state.seconds
    summary = {
        "input": str(opts.input),
        "output": str(opts.output),
        "rejects": str(rejects),
        "rows": c["rows"],
        "scored": c["scored"],
        "rejected": c["rejected"],
        "rows_equal_scored_plus_rejected": True,
        "rejected_by_reason": dict(sorted(c["reasons"].items())),
        "flagged": c["flagged"] if thresholds is not None else None,
        "thresholds": thresholds,
        "seconds": round(seconds, 3),
        "rows_per_second": round(c["rows"] / seconds, 1) if seconds > 0 else None,
        "workers": workers,
        "resumed": state.resumed,
        "rows_committed_before_resume": state.rows_before,
        "model": state.fingerprint["model_version"],
    }
    tmp = summary_path.with_name(f".{summary_path.name}.tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    replace_durably(tmp, summary_path)
    state.remove()
    flagged = ""
    if thresholds is not None:
        flagged = "; flagged " + ", ".join(f"{a} {n:,}" for a, n in c["flagged"].items())
    print(
        f"{opts.output}: {c['rows']:,} rows = {c['scored']:,} scored + {c['rejected']:,} rejected ({rejects})"
        f"{flagged}; {seconds:.1f} s; summary {summary_path}",
        file=sys.stderr,
    )
    return summary
