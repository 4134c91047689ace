"""Shared schemas of API v1: strict inputs, dates, error bodies, the statuses each kind of route answers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, get_args

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
)
from pydantic import Strict as StrictType
from pydantic_core import PydanticCustomError, core_schema

from bredvid.core.choices import SupportKind as SupportKindChoice
from bredvid.people.models import IdentityKindChoice, ProtectionLevel
from bredvid.people.validators import has_unprintable


@dataclass(frozen=True)
class OneOf:
    """The values of a model's choices (or any str enum), read when the schema is built.

    `Annotated[str, OneOf(Model.Status)]` is validated as a `Literal` of the values (so the 422 names
    the allowed values) and documented as an OpenAPI `enum`; a choice added to the model is in the API
    at once. `blank`: "" also, meaning "any" in a filter or "none" in a body.
    """

    choices: type[Enum]
    blank: bool = False

    @property
    def values(self) -> list[str]:
        return [""] * self.blank + [str(member.value) for member in self.choices]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.literal_schema(self.values)


IdentityKind = Annotated[str, OneOf(IdentityKindChoice)]
Protection = Annotated[str, OneOf(ProtectionLevel)]
SupportKind = Annotated[str, OneOf(SupportKindChoice)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.I
)


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic's lax mode would read 0 (or "0") as 1970-01-01, a timestamp."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "date must be YYYY-MM-DD")


def _iso_datetime(value: Any) -> Any:
    """Only an ISO 8601 date and time (an offset is optional), never a number of seconds."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        return value
    raise PydanticCustomError("datetime_format", "datetime must be ISO 8601")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]

#: JSON body values as JSON types them: true/false (not 0 or "yes"), integers (not "3"), numbers
#: (not "1.5"). Query parameters, which are text, keep pydantic's parsing.
Bool = StrictBool
Int = StrictInt
Float = Annotated[float, StrictType()]


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL cannot store it) and no unpaired surrogate (no encoding can)."""
    return "\x00" not in text and not any("\ud800" <= char <= "\udfff" for char in text)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


def _allows_none(annotation: Any) -> bool:
    return annotation is None or type(None) in get_args(annotation)


class Clean(Schema):
    """Every input (body or query): `null` only where the type says so, text that can be stored.

    A field typed without `None` but defaulting to it is optional and refuses `null` (a query
    parameter left out; a PATCH field left as it is); the schema does not offer `null` for it.
    """

    model_config = ConfigDict(json_schema_extra=_no_null_defaults)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if (
            value is None
            and info.field_name
            and not _allows_none(cls.model_fields[info.field_name].annotation)
        ):
            raise PydanticCustomError("null_refused", "the field cannot be null")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and not _storable(text) for text in texts):
            raise PydanticCustomError("string_unstorable", "text holds NUL or an unpaired surrogate")
        return value


class Strict(Clean):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_defaults)


class Patch(Strict):
    """A partial change: a field left out stays as it is.

    Fields that cannot be emptied are typed without `None`, so `null` is refused with a 422 and the
    schema does not offer it; their `None` default only marks them as optional (never validated).
    """


def _printable(value: str) -> str:
    if has_unprintable(value):
        raise PydanticCustomError("string_unprintable", "text holds a control character")
    return value


#: A name or an identity number: one line of printable text (the model refuses the same).
Printable = Annotated[str, AfterValidator(_printable)]


class PersonIn(Strict):
    identity_number: Printable = Field(
        min_length=1, max_length=20, description="ÅÅÅÅMMDD-NNNN or a reserve number"
    )
    identity_kind: IdentityKind = "personnummer"
    birth_date: IsoDate | None = Field(None, description="Required for reserve numbers; derived otherwise")
    first_name: Printable = Field(min_length=1, max_length=100)
    last_name: Printable = Field(min_length=1, max_length=100)
    street_address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=6)
    city: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    languages: str = Field("", max_length=200)
    needs_interpreter: Bool = False
    protection_level: Protection = "none"


class PersonPatch(Patch):
    identity_number: Printable = Field(None, min_length=1, max_length=20)  # type: ignore[assignment]
    identity_kind: IdentityKind = None  # type: ignore[assignment]
    birth_date: IsoDate | None = Field(None, description="null: derive it from the identity number again")
    first_name: Printable = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    last_name: Printable = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    street_address: str = Field(None, max_length=200)  # type: ignore[assignment]
    postal_code: str = Field(None, max_length=6)  # type: ignore[assignment]
    city: str = Field(None, max_length=100)  # type: ignore[assignment]
    phone: str = Field(None, max_length=30)  # type: ignore[assignment]
    email: str = Field(None, max_length=254)  # type: ignore[assignment]
    languages: str = Field(None, max_length=200)  # type: ignore[assignment]
    needs_interpreter: Bool = None  # type: ignore[assignment]
    protection_level: Protection = None  # type: ignore[assignment]


class PersonOut(Schema):
    id: uuid.UUID
    identity_kind: IdentityKind
    identity_number: str
    birth_date: date
    first_name: str
    last_name: str
    street_address: str | None = Field(description="null when the address is protected from you")
    postal_code: str | None
    city: str | None
    address_hidden: bool
    phone: str
    email: str
    languages: str
    needs_interpreter: bool
    protection_level: Protection
    created_at: datetime
    updated_at: datetime


class Message(Schema):
    detail: str


class FieldError(Schema):
    field: str
    loc: list[str | int]
    message: str
    type: str | None


class ValidationErrors(Schema):
    detail: list[FieldError]


# ---------------------------------------------------------------------------
# The statuses a route answers besides its success (the OpenAPI `responses`).
# ---------------------------------------------------------------------------
#: Every route: 400 a request Django cannot read (too many query parameters), 401 no or a bad token,
#: 403 the role may not, 404 not found or another municipality's, 422 a parameter or field refused.
ERRORS: dict[int, Any] = {400: Message, 401: Message, 403: Message, 404: Message, 422: ValidationErrors}
#: A route with a JSON body: also 400 a body that is not JSON, 413 a body over the size limit.
BODY_ERRORS: dict[int, Any] = {**ERRORS, 413: Message}
#: A route that changes a workflow's state: also 409, not allowed in the object's current state.
STATE_ERRORS: dict[int, Any] = {**ERRORS, 409: Message}
#: Both: a body and a state change.
CHANGE_ERRORS: dict[int, Any] = {**BODY_ERRORS, 409: Message}
