"""Forms of the case pages, built on the models' own fields (labels, choices, lengths)."""

import datetime
import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from cases.actions.care import next_review
from cases.models import (
    CareMeasure,
    Case,
    CaseNote,
    Consent,
    FamilyContact,
    NoContactReason,
    Person,
    Relative,
    ReviewProgress,
    State,
    Visibility,
)
from cases.names import name_key
from organisation.models import Cell, Departement, Institution, Membership, Role
from ui import statements
from ui.forms import CHOOSE, DATE, BaseForm, model_fields, with_fields


class IntakeForm(BaseForm):
    """The signalement, the young person and up to two relatives, on one page."""

    CASE_FIELDS = ["source", "source_reference", "received_on", "facts", "orientation_note"]
    RELATIVE_FIELDS = ["relation", "last_name", "first_name", "phone", "email", "address", "parental_authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(model_fields(Case, self.CASE_FIELDS))
        self.fields["received_on"].initial = datetime.date.today
        for name, field in model_fields(Person, ["last_name", "first_name", "birth_date", "sex", "commune",
                                                 "address", "situation"]).items():
            self.fields[f"person_{name}"] = field
        for n in (1, 2):
            for name, field in model_fields(Relative, self.RELATIVE_FIELDS).items():
                field.required = False
                field.label = f"Proche {n} — {field.label}"
                self.fields[f"relative{n}_{name}"] = field

    def fieldsets(self) -> list[tuple[str, list]]:
        """The page's sections: the signalement, the young person, each relative."""
        groups = [("Le signalement", self.CASE_FIELDS),
                  ("Le jeune", [n for n in self.fields if n.startswith("person_")])]
        groups += [(f"Proche {n} (facultatif)", [f for f in self.fields if f.startswith(f"relative{n}_")])
                   for n in (1, 2)]
        return [(legend, [self[name] for name in names]) for legend, names in groups]

    def clean(self):
        data = super().clean()
        for n in (1, 2):
            values = {k: data.get(f"relative{n}_{k}") for k in self.RELATIVE_FIELDS}
            filled = any(v for k, v in values.items() if k != "parental_authority")
            if filled and not (values["relation"] and values["last_name"] and values["first_name"]):
                self.add_error(f"relative{n}_last_name",
                               "Pour ce proche, indiquez au moins le lien, le nom et le prénom.")
        return data

    def entry_point_arguments(self) -> dict:
        data = self.cleaned_data
        relatives = []
        for n in (1, 2):
            values = {k: data.get(f"relative{n}_{k}") for k in self.RELATIVE_FIELDS}
            if values["last_name"]:
                relatives.append({k: v if v is not None else "" for k, v in values.items()})
        return {
            **self.signalement_arguments(),
            "person": {k.removeprefix("person_"): v for k, v in data.items() if k.startswith("person_")},
            "relatives": relatives,
        }

    def signalement_arguments(self) -> dict:
        """What ``cases.actions.add_signalement`` takes, when the young person is already followed."""
        return {name: self.cleaned_data[name] for name in self.CASE_FIELDS}

    def fingerprint(self) -> str:
        """The young person's identity as checked for duplicates: a confirmation given for it holds
        only while it is unchanged."""
        data = self.cleaned_data
        text = "|".join([name_key(data["person_last_name"]), name_key(data["person_first_name"]),
                         data["person_birth_date"].isoformat()])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def offer_referents(field: forms.ModelChoiceField, case: Case, but: int | None = None) -> None:
    """The members and coordinators of the case's cellule (all but the user ``but``), by name."""
    field.queryset = (case.departement.cell.memberships.active().filter(role__in=Role.cell_roles())
                      .exclude(user_id=but).select_related("user").order_by("user__last_name"))
    field.label_from_instance = lambda m: f"{m.user.get_full_name()} — {m.function}"  # type: ignore[method-assign,assignment]


class AssignForm(BaseForm):
    needs_case = True  # the referent is chosen among the members of the case's cellule
    referent: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label="Référent",
                                                              empty_label="— choisir —")
    no_contact_reason = model_fields(Case, ["no_contact_reason"])["no_contact_reason"]

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        offer_referents(self.fields["referent"], case)
        if case.state != State.RECEIVED:
            del self.fields["no_contact_reason"]

    def entry_point_arguments(self) -> dict:
        return {"referent": self.cleaned_data["referent"].user,
                "no_contact_reason": self.cleaned_data.get("no_contact_reason", "")}


class ChangeReferentForm(BaseForm):
    """A coordinator gives the case to another member of the cellule; its referent's tasks follow."""

    needs_case = True
    referent: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label="Nouveau référent",
                                                              empty_label="— choisir —")
    reason = forms.CharField(label="Motif du changement", max_length=500, widget=forms.Textarea,
                             help_text="Les tâches en cours du référent actuel sur ce signalement passent au nouveau.")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        offer_referents(self.fields["referent"], case, but=case.referent_id)

    def entry_point_arguments(self) -> dict:
        return {"referent": self.cleaned_data["referent"].user, "reason": self.cleaned_data["reason"]}


CARE_MEASURE_FIELDS = ["modality", "beneficiary", "institution", "starts_on"]


# Why no contact was attempted: the reasons a référent may give (the one of no details is checked against the file).
NOT_ATTEMPTED = [NoContactReason.NO_DETAILS.label, NoContactReason.INADVISABLE.label]


@with_fields(model_fields(FamilyContact, ["on", "channel", "outcome", "not_attempted_reason", "note"]))
class ContactForm(BaseForm):
    """A contact with the family, or why none was attempted (then without a means of contact)."""

    not_attempted_reason = forms.ChoiceField(
        label="Motif (si non tenté)", required=False, choices=CHOOSE + [(label, label) for label in NOT_ATTEMPTED])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].help_text = "Laissé vide pour un contact non tenté."


@with_fields(model_fields(CareMeasure, CARE_MEASURE_FIELDS))
class CorrectCareMeasureForm(BaseForm):
    """A care measure, run by a partner institution of the case's département."""

    needs_case = True

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.partners_in(case.departement_id)


class CareMeasureForm(CorrectCareMeasureForm):
    """A new care measure: the orientation of the case to the partner that runs it, on what it rests."""

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields.update(model_fields(CareMeasure, ["adhesion", "adhesion_note"], adhesion=forms.ChoiceField(
            label="L'orientation repose sur", choices=CareMeasure.Adhesion.choices, widget=forms.RadioSelect,
            help_text="Tant que la prise en charge dure, les membres de la cellule de l'institution partenaire "
                      "voient l'identité du jeune, ses proches, cette prise en charge et les notes partagées avec "
                      "eux ; jamais les faits signalés.")))


class RebaseCareMeasureForm(BaseForm):
    """What a measure whose adhesion was withdrawn rests on from now on."""

    adhesion = forms.ChoiceField(label="La prise en charge repose désormais sur", widget=forms.RadioSelect,
                                 choices=CareMeasure.Adhesion.choices,
                                 help_text="L'adhésion de l'autre partie, si elle est recueillie, ou pourquoi "
                                           "aucune n'est requise. Sinon, terminez la prise en charge.")
    adhesion_note = forms.CharField(label="Pourquoi l'adhésion n'est pas requise", max_length=300, required=False)


class EndCareMeasureForm(BaseForm):
    ends_on = forms.DateField(label="Fin", widget=DATE)
    outcome = forms.ChoiceField(label="Issue", choices=CHOOSE + CareMeasure.Outcome.choices)


class RemoveCareMeasureForm(BaseForm):
    reason = forms.CharField(label="Pourquoi cette prise en charge a été saisie par erreur", max_length=500,
                             widget=forms.Textarea,
                             help_text="Une prise en charge qui a eu lieu se termine, elle ne se retire pas. "
                                       "Le retrait et son motif restent dans l'historique.")
    confirm = forms.BooleanField(label="Je confirme le retrait de cette prise en charge")


class ReopenForm(BaseForm):
    reason = forms.CharField(label="Motif de la réouverture", max_length=500, widget=forms.Textarea)


class TransferForm(BaseForm):
    needs_case = True  # the destinations are the départements with a cellule, the case's own excepted
    destination = forms.ModelChoiceField(
        label="Département de destination", empty_label=CHOOSE[0][1], queryset=Departement.objects.none(),
        help_text="Les coordonnateurs du département de destination acceptent ou refusent le transfert. "
                  "Accepté, le signalement est clôturé ici ; ses prises en charge en cours se terminent à la "
                  "date de l'acceptation avec l'issue « Réorientée ».")
    note = forms.CharField(label="Motif du transfert", max_length=500, widget=forms.Textarea)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = Departement.objects.filter(
            pk__in=Cell.objects.values("departement")).exclude(pk=case.departement_id)


PROGRESS = "avancement_"  # a review's field of an objective: its prefix, then the objective's id


class ReviewForm(BaseForm):
    needs_case = True  # the next review is offered at the case's cellule's rhythm
    note = forms.CharField(label="Point de situation (factuel)", max_length=1000, widget=forms.Textarea)
    propose_closure = forms.BooleanField(label="Proposer la clôture aux coordonnateurs", required=False)
    next_review_on = forms.DateField(label="Prochaine revue le", widget=DATE, required=False,
                                     help_text="La tâche de revue suivante vient à échéance ce jour-là (laissée "
                                               "vide : au rythme de la cellule).")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_review_on"].initial = next_review(case, timezone.localdate())
        for objective in case.objectives.all():  # where each objective of the plan stands
            self.fields[f"{PROGRESS}{objective.pk}"] = forms.ChoiceField(
                label=f"Objectif « {objective.text} » ({objective.get_domain_display().lower()})",
                choices=ReviewProgress.Progress.choices, widget=forms.RadioSelect)

    def entry_point_arguments(self) -> dict:
        data = self.cleaned_data
        return {"note": data["note"], "propose_closure": data["propose_closure"],
                "next_review_on": data["next_review_on"],
                "progress": {int(name.removeprefix(PROGRESS)): value for name, value in data.items()
                             if name.startswith(PROGRESS)}}


class DeclineClosureForm(BaseForm):
    note = forms.CharField(label="Pourquoi le suivi continue", max_length=500, widget=forms.Textarea)


@with_fields(model_fields(
    Person, ["last_name", "first_name", "birth_date", "sex", "commune", "address", "situation"]))
class PersonForm(BaseForm):
    """The young person, on the fields of the intake form (their rectification)."""


@with_fields(model_fields(Relative, IntakeForm.RELATIVE_FIELDS))
class RelativeForm(BaseForm):
    """A relative, on the fields of the intake form."""


@with_fields(model_fields(Consent, ["party", "status", "reason", "on"]))
class ConsentForm(BaseForm):
    """A party's consent or refusal, or why none is needed, and its date."""


class MotiveForm(BaseForm):
    """Why a case outside one's own work is opened (fixed reasons, as the CNIL prefers)."""

    REASONS = [
        ("meeting", "Préparation d'une réunion de la cellule"),
        ("replacement", "Reprise du suivi (absence ou remplacement d'un collègue)"),
        ("coordinator", "Demande du coordonnateur"),
        ("check", "Vérification d'une information transmise"),
        ("other", "Autre (préciser)"),
    ]
    reason = forms.ChoiceField(label="Motif de la consultation", choices=CHOOSE + REASONS)
    text = forms.CharField(label="Précision", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and not (data.get("text") or "").strip():
            self.add_error("text", "Précisez le motif de la consultation.")
        return data

    def motive(self) -> tuple[str, str]:
        """The reason as chosen (a fixed label, which the trail keeps) and its précision (free text,
        which it does not: ``cases.views.case_page.remember_motive``)."""
        return dict(self.REASONS)[self.cleaned_data["reason"]], self.cleaned_data["text"].strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.Field):
    """The files chosen, as uploaded: the entry point checks them (type, size, name) for every caller."""

    widget = MultipleFileInput

    def clean(self, value):
        return [f for f in (value if isinstance(value, list | tuple) else [value]) if f]


_BLANK_FORMS = statements.Kept(256)  # a blank note form's HTML, a few KB, per class and members shown


class NoteForm(BaseForm):
    """A note on the case, its visibility, the members named on it and its attachments."""

    needs_case = True
    named: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Membres désignés",
        help_text="Pour une note « membres désignés » : ils la voient là où ils peuvent ouvrir le signalement.")
    attachments = FilesField(required=False, label="Pièces jointes",
                             help_text="PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX.")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {**model_fields(CaseNote, ["text", "visibility"]), **self.fields}  # type: ignore[has-type]
        today = timezone.localdate()

        def members(cell: int) -> QuerySet:
            return get_user_model().objects.filter(memberships__in=Membership.objects.active(today).filter(
                cell_id=cell, role__in=Role.cell_roles())).distinct().order_by("last_name")
        self.fields["named"].queryset = members(case.departement.cell.pk)  # what the members named are checked against
        # The boxes shown, by a statement compiled once per worker and day (``ui.statements.of``).
        self.fields["named"].choices = [(user.pk, user.get_full_name()) for user in statements.of(
            ("members a note may name", today), members, case.departement.cell.pk)]
        self.fields["attachments"].help_text += f" {settings.ATTACHMENT_MAX_BYTES // 2**20} Mo au plus par fichier."

    def render(self, *args, **kwargs) -> SafeString:
        """The form's HTML; blank (every case page's), kept per worker for its class and the members it shows,
        the only thing in it read at each request (its rendering, by the DSFR's field templates, cost the case
        page about 4 ms)."""
        if self.is_bound or args or kwargs:
            return super().render(*args, **kwargs)
        return _BLANK_FORMS.get((type(self).__name__, tuple(self.fields["named"].choices)), super().render)


class PartnerNoteForm(NoteForm):
    """A partner's note: read by the référent and the coordinators, or by the members named."""

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["visibility"].choices = [(value, label) for value, label in self.fields["visibility"].choices
                                             if value != Visibility.CELLULE]


class TransferDecisionForm(forms.Form):
    """The receiving coordinators' answer to a transfer."""

    decision = forms.ChoiceField(label="Décision", widget=forms.RadioSelect,
                                 choices=[("accept", "Accepter le transfert"), ("refuse", "Refuser le transfert")])
    reason = forms.CharField(label="Motif du refus", max_length=500, required=False, widget=forms.Textarea,
                             help_text="Obligatoire pour un refus ; il est communiqué à la cellule d'origine.")


class MergeForm(BaseForm):
    """Two records the duplicate detection finds certainly one young person: merged, the one kept
    chosen (the button ``merge``), or kept apart (the button ``dismiss``)."""

    keep = forms.TypedChoiceField(label="Fiche à conserver", coerce=int, required=False, widget=forms.RadioSelect,
                                  help_text="Les signalements de l'autre fiche y sont rattachés ; l'autre fiche est "
                                            "gardée, marquée fusionnée, tant que la fusion peut être annulée.")

    def __init__(self, *args, people: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(person.pk, f"Fiche n° {person.pk} : {person}") for person in people]

    @property
    def dismissed(self) -> bool:
        return "dismiss" in self.data

    def clean(self):
        data = super().clean()
        if not self.dismissed and not data.get("keep"):
            self.add_error("keep", "Choisissez la fiche à conserver.")
        return data


# The parts of a case's file its PDF may hold (``cases.views.export``), in the file's order.
SECTIONS = {
    "identite": "Identité du jeune",
    "famille": "Famille et proches",
    "faits": "Faits signalés",
    "accompagnement": "Prise en charge et plan d'accompagnement",
    "notes": "Notes",
    "historique": "Historique",
}


class ExportForm(BaseForm):
    """The parts of the case's file to put in its PDF: all of them unless unticked."""

    sections = forms.MultipleChoiceField(
        label="Parties du dossier à exporter", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins une partie du dossier à exporter."},
        help_text="Le document ne contient que ce que vous pouvez consulter ; chaque page porte votre nom et "
                  "la date de l'export, enregistré dans le journal avec l'empreinte du fichier.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = list(SECTIONS.items())
        self.fields["sections"].initial = list(SECTIONS)
