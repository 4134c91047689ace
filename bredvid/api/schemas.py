from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

IdentityKind = Literal["personnummer", "samordningsnummer", "reserve"]
Protection = Literal["none", "sekretessmarkering", "skyddad_folkbokforing", "fingerade"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonIn(Strict):
    identity_number: str = Field(min_length=1, max_length=20, description="ÅÅÅÅMMDD-NNNN or a reserve number")
    identity_kind: IdentityKind = "personnummer"
    birth_date: date | None = Field(None, description="Required for reserve numbers; derived otherwise")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    street_address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=6)
    city: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    languages: str = Field("", max_length=200)
    needs_interpreter: bool = False
    protection_level: Protection = "none"


class PersonPatch(Strict):
    identity_number: str | None = Field(None, min_length=1, max_length=20)
    identity_kind: IdentityKind | None = None
    birth_date: date | None = None
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    street_address: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=6)
    city: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    languages: str | None = Field(None, max_length=200)
    needs_interpreter: bool | None = None
    protection_level: Protection | None = None


class PersonOut(Schema):
    id: uuid.UUID
    identity_kind: str
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
    protection_level: str
    created_at: datetime
    updated_at: datetime


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PersonOut]


class Message(Schema):
    detail: str


class FieldError(Schema):
    field: str
    loc: list[str | int]
    message: str
    type: str | None


class ValidationErrors(Schema):
    detail: list[FieldError]
