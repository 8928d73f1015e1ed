"""The entry point of a case note and its attachments."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cases import attachments as files
from cases.actions.base import Check, lock, record, require_text, runs, validate
from cases.models import Case, CaseNote, NoteAttachment, Visibility
from cases.notifications import notify_note
from cases.rules import CaseRight
from organisation import policy
from organisation.models import Membership, Role
from organisation.policy import Actor

MAX_ATTACHMENTS = 5
NOTE = Check("Ajouter une note", CaseRight.EDIT_CASE)
PARTNER_NOTE = Check("Écrire une note de partenaire", CaseRight.PARTNER_NOTE)


@runs(NOTE)
def add_note(actor: User, case: Case, *, text: str, visibility: str, named: Iterable[User] = (),
             attachments: Iterable[UploadedFile] = ()) -> CaseNote:
    """Write a note shown as ``visibility`` says, ``named`` the members of the cellule it is also shown
    to (``Visibility.NAMED``), with up to five files. Every file is checked before anything is written;
    a file written for a transaction that fails is removed."""
    text = require_text(text, "text", "Écrivez la note.")
    with files.storing(list(attachments), most=MAX_ATTACHMENTS) as (checked, write), transaction.atomic():
        case = lock(case)
        by_partner = _check_writer(actor, case, visibility)
        named = _named_members(case, visibility, named)
        note = CaseNote(case=case, author=actor, text=text, visibility=visibility)
        validate(note)
        note.save()
        note.named.set(named)
        stored = [NoteAttachment.objects.create(note=note, **write(file)) for file in checked]
        record("case.note_add", actor, case, note=note.pk, visibilité=visibility,
               destinataires=sorted(user.pk for user in named), pièces=[a.pk for a in stored])
        notify_note(note, by_partner=by_partner)
    return note


def _check_writer(actor: Actor, case: Case, visibility: str) -> bool:
    """Those who edit the case write any note; a partner (``CaseRight.PARTNER_NOTE``) writes to the
    référent and the coordinators, or to the members they name: never to the whole cellule. Whether
    the writer writes as a partner."""
    if policy.can(actor, CaseRight.EDIT_CASE, case):
        NOTE.require(actor, case)
        return False
    PARTNER_NOTE.require(actor, case)
    if visibility == Visibility.CELLULE:
        raise ValidationError({"visibility": "Une note de partenaire est lue par le référent et les coordonnateurs, "
                                             "ou par les membres que vous désignez."})
    return True


def _named_members(case: Case, visibility: str, given: Iterable[User]) -> list[User]:
    named = list(given)
    if visibility != Visibility.NAMED:
        if named:
            raise ValidationError({"named": "Les membres ne se désignent que pour une note « membres désignés »."})
        return []
    if not named:
        raise ValidationError({"named": "Désignez au moins un membre de la cellule."})
    members = set(Membership.objects.active().filter(
        cell__departement_id=case.departement_id, role__in=Role.cell_roles()).values_list("user_id", flat=True))
    if any(user.pk not in members or not user.is_active for user in named):
        raise ValidationError({"named": "Seuls les membres actifs de la cellule du signalement peuvent être désignés."})
    return named
