"""The shapes of the intake API's requests and answers: the OpenAPI schema is made from them.

Lengths and choices are the models' own; a text carries no control character (PostgreSQL refuses
a NUL, and none belongs in a name or a fact). What the schema cannot say (a date of birth before
the reception, a reception not in the future, a phone number's form…) is the entry point's rule,
the same as the intake form's, and comes back as a 422 with the field's place."""

import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from cases.models import Relative, Situation
from cases.models.people import Sex
from intake.models import SignalementState

REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"  # a path segment of the status's URL
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and line breaks allowed


def text(max_length: int, *, required: bool = True) -> StringConstraints:
    """A text's bounds, for ``Annotated[str, text(...)]``."""
    return StringConstraints(min_length=1 if required else 0, max_length=max_length, pattern=NO_CONTROL)


def _iso_date(value):
    """A date as JSON carries it, ``AAAA-MM-JJ``: not a number of seconds, not a date-time."""
    if not isinstance(value, str) or len(value) != 10:
        raise PydanticCustomError("date_type", "date expected")
    return value


Date = Annotated[datetime.date, BeforeValidator(_iso_date)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class RelativeIn(Strict):
    relation: Relative.Relation = Field(..., description="Lien avec le jeune.")
    last_name: Annotated[str, text(100)]
    first_name: Annotated[str, text(100)]
    phone: Annotated[str, text(20, required=False)] = ""
    email: Annotated[str, text(254, required=False)] = ""
    address: Annotated[str, text(200, required=False)] = ""
    parental_authority: StrictBool = False


class YoungPersonIn(Strict):
    last_name: Annotated[str, text(100)]
    first_name: Annotated[str, text(100)]
    birth_date: Date
    sex: Sex
    commune: Annotated[str, text(100)]
    address: Annotated[str, text(200, required=False)] = ""
    situation: Situation = Situation.UNKNOWN


class SignalementIn(Strict):
    source_reference: Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=REFERENCE)] \
        = Field(..., description="La référence du signalement chez la source (numéro de fiche du CNAPR…).")
    received_on: Date = Field(..., description="Date de réception par la source.")
    facts: Annotated[str, text(2000)] = Field(..., description="Les faits signalés, factuels.")
    orientation_note: Annotated[str, text(1000, required=False)] = ""
    young_person: YoungPersonIn
    relatives: list[RelativeIn] = Field(default_factory=list, max_length=10)


# What the source sent, and where to read its state: nothing of the cellule's file it went on (a young
# person already followed, maybe on another source's signalement, is the cellule's to know).
class SignalementOut(Schema):
    source_reference: str = Field(..., description="La référence du signalement chez la source.")
    url: str = Field(..., description="L'adresse de son état dans l'API.")


class StatusOut(Schema):
    source_reference: str
    state: SignalementState = Field(..., description="Reçu par la cellule, ou suivi clôturé : rien des étapes "
                                                     "du suivi.")
    state_label: str
    registered_at: datetime.datetime = Field(..., description="Quand la cellule l'a reçu par l'API.")
    closed_on: datetime.date | None = Field(..., description="La date de clôture du suivi, s'il est clôturé.")


class ProblemError(Schema):
    pointer: str
    detail: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemError] = Field(default_factory=list)
