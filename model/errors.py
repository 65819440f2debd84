"""Exceptions raised by the model core.

The service maps these to HTTP responses in one place; nothing else should need
to know about HTTP. The tree::

    ToxicityError
    ├── ArtifactError               the artifact cannot be used
    │   ├── ArtifactNotFound        no artifact at the path
    │   ├── ArtifactIntegrityError  sha256 or manifest does not match the file
    │   └── ArtifactVersionError    written by other library versions
    ├── InputError                  a request the model cannot score
    │   ├── CommentEmpty            empty or whitespace-only text
    │   ├── CommentTooLong          text longer than the byte limit
    │   ├── BatchTooLarge           more comments than the batch limit
    │   └── UnknownAttribute        an attribute name the model does not have
    └── ModelNotReady               no model loaded yet
"""

from __future__ import annotations


class ToxicityError(Exception):
    """Root of every error the model core raises."""


class ArtifactError(ToxicityError):
    """The model artifact cannot be loaded."""


class ArtifactNotFound(ArtifactError):
    """The artifact or its manifest is missing."""


class ArtifactIntegrityError(ArtifactError):
    """The artifact's bytes do not match its manifest."""


class ArtifactVersionError(ArtifactError):
    """The artifact was written with library versions that differ from ours."""


class InputError(ToxicityError):
    """Input the model refuses to score; carries the offending field and limit."""

    def __init__(self, message: str, *, field: str | None = None, limit: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.limit = limit


class CommentEmpty(InputError):
    """The comment text is empty or whitespace only."""


class CommentTooLong(InputError):
    """The comment text is longer than the configured byte limit."""


class BatchTooLarge(InputError):
    """The request holds more comments than the configured batch limit."""


class UnknownAttribute(InputError):
    """An attribute name that the model does not score."""


class ModelNotReady(ToxicityError):
    """No model is loaded yet."""
