"""Settings: one object, validated, and the README's table matches it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_settings() -> dict[str, str]:
    text = README.read_text()
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(TOXICITY_[A-Z_]+)` \| `([^`]*)` \|", section, flags=re.M)
    return dict(rows)


def test_readme_table_lists_every_setting_with_its_default() -> None:
    documented = readme_settings()
    fields = Settings.model_fields
    assert set(documented) == {f"TOXICITY_{name.upper()}" for name in fields}
    for name, info in fields.items():
        default = "" if info.default is None else str(info.default)
        assert documented[f"TOXICITY_{name.upper()}"] == default, name


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOXICITY_MAX_BATCH", "7")
    monkeypatch.setenv("TOXICITY_MODEL_PATH", "")
    s = Settings()
    assert s.max_batch == 7
    assert s.model_path is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_batch": 0}, "greater than or equal to 1"),
        ({"port": 70000}, "less than or equal to 65535"),
        ({"log_level": "loud"}, "Input should be"),
        ({"max_body_bytes": 2048, "max_text_bytes": 4096}, "must be at least max_text_bytes"),
        ({"no_such_setting": 1}, "Extra inputs are not permitted"),
        ({"trusted_proxies": "10.0.0.1, 10.0.0.0/33"}, "'10.0.0.0/33' is not an IP address or a CIDR network"),
        ({"body_read_timeout_seconds": 0}, "greater than 0"),
    ],
)
def test_invalid_settings_fail_clearly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**kwargs)  # type: ignore[arg-type]
