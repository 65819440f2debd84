"""OpenAI's moderation request, response and error bodies as pydantic models, with examples.

``input`` is one of three shapes; the branch is picked by the input's shape (a
string, an array whose first item is an object, any other array) so that an error
names only what is wrong with that shape. The branch names pydantic puts in an
error's location are in ``BRANCHES``; ``errors`` leaves them out of ``param``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictStr, Tag

from service.openai.mapping import CATEGORIES, NAMES

BRANCHES = ("one_string", "string_array", "part_array")
COVERED = frozenset(c.name for c in CATEGORIES if c.attributes)  # by the shipped model; for the example only

INSULT = "You are a pathetic idiot and nobody here wants to read your garbage."
FRIENDLY = "Thanks for the thoughtful reply, I hadn't considered the budget side of this."
THREAT = "Say that again and I will find you and hurt you."

EXAMPLES: dict[str, dict[str, Any]] = {
    "string": {"summary": "One string", "value": {"input": INSULT}},
    "strings": {
        "summary": "An array of strings, a model name echoed",
        "value": {"input": [FRIENDLY, THREAT], "model": "omni-moderation-latest"},
    },
    "parts": {
        "summary": "Text parts, flagged at the high_recall preset",
        "value": {"input": [{"type": "text", "text": INSULT}], "model": "high_recall"},
    },
}


class ImageURL(BaseModel):
    """Where an image is; images are refused (this service moderates text)."""

    url: StrictStr = Field(description="A URL or a data URL.")


class Part(BaseModel):
    """One item of a multi-modal input: `{"type": "text", "text"}` (an `image_url` part is refused with 400)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text", "image_url"] = Field(description="`text`; `image_url` is refused with a 400.")
    text: StrictStr | None = Field(default=None, description="The text to classify (a `text` part).")
    image_url: ImageURL | None = Field(default=None, description="An image (refused: text only).")


def _shape(value: Any) -> str:
    if isinstance(value, str):
        return BRANCHES[0]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return BRANCHES[2]
    return BRANCHES[1]


Input = Annotated[
    Annotated[StrictStr, Tag(BRANCHES[0])]
    | Annotated[list[StrictStr], Tag(BRANCHES[1])]
    | Annotated[list[Part], Tag(BRANCHES[2])],
    Discriminator(_shape),
]


class ModerationRequest(BaseModel):
    """Classify one text or several."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLES["strings"]["value"]]})

    input: Input = Field(
        description='A string, an array of strings or an array of `{"type": "text", "text"}` parts: at '
        "most `TOXICITY_MAX_BATCH` items (default 1,000), each at most `TOXICITY_MAX_TEXT_BYTES` of UTF-8 "
        "(default 20 KB) and not empty. Results keep this order.",
    )
    model: StrictStr | None = Field(
        default=None,
        max_length=256,
        description="Echoed in the response. A preset name of the loaded model (`high_precision`, `balanced`, "
        "`high_recall`; see `GET /v1/model`) or a threshold profile of this server's sets the thresholds behind "
        "`flagged`; any other name uses the API key's profile (`TOXICITY_KEY_PROFILES`), else the model's "
        "default thresholds.",
    )


class ModerationResult(BaseModel):
    """The verdict on one input."""

    flagged: bool = Field(description="Whether any category is flagged.")
    categories: dict[str, bool] = Field(
        description="Each of the thirteen categories: flagged or not. Categories the model does not cover are "
        "always `false` (see `GET /v1/model`)."
    )
    category_scores: dict[str, float] = Field(
        description="Each category's score in [0, 1]: the calibrated probability of its attributes; `0.0` "
        "for categories the model does not cover."
    )
    category_applied_input_types: dict[str, list[Literal["text", "image"]]] = Field(
        description='`["text"]` for a category the model scores, `[]` for one it does not cover.'
    )


class ModerationResponse(BaseModel):
    """One result per input, in order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "modr-5f0c2a9e1b7d4c3e8a6f9d2b1c0e7a4d",
                    "model": "omni-moderation-latest",
                    "results": [
                        {
                            "flagged": True,
                            "categories": {name: name == "harassment" for name in NAMES},
                            "category_scores": {name: 0.99 if name == "harassment" else 0.0 for name in NAMES},
                            "category_applied_input_types": {
                                name: ["text"] if name in COVERED else [] for name in NAMES
                            },
                        }
                    ],
                }
            ]
        }
    )

    id: str = Field(description="`modr-` and 32 hex digits, new for every request.")
    model: str = Field(description="The `model` you sent, else the loaded model's version.")
    results: list[ModerationResult]


class OpenAIErrorBody(BaseModel):
    """What went wrong, as OpenAI reports it."""

    message: str = Field(description="What is wrong, naming the field and the limit.")
    type: str = Field(description="`invalid_request_error`, `requests` (rate limit) or `server_error`.")
    param: str | None = Field(description="The offending field, e.g. `input[2]`, or null.")
    code: str | None = Field(description="A stable code, e.g. `input_too_long`, `invalid_api_key`.")


class OpenAIErrorResponse(BaseModel):
    """OpenAI's error shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "message": "input[1] is 25000 bytes of UTF-8; the limit is 20480 (TOXICITY_MAX_TEXT_BYTES)",
                        "type": "invalid_request_error",
                        "param": "input[1]",
                        "code": "input_too_long",
                    }
                }
            ]
        }
    )

    error: OpenAIErrorBody
