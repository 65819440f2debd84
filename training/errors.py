"""Exceptions raised while loading data and training.

::

    TrainingError
    └── DataFormatError   a malformed file or row; names the file, the line and the problem
"""

from __future__ import annotations

from pathlib import Path


class TrainingError(Exception):
    """Root of every error the training package raises."""


class DataFormatError(TrainingError):
    """A dataset file or row that cannot be read."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")
