"""The spreadsheet import's forms: the upload, size-limited and of the template's two types only,
and the confirmation, which carries the rows of the dry run signed (nothing stored in between),
with the dry run's random id, which imports once (``intake.models.ConfirmedPreview``)."""

import secrets

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing

from cases.models import Source
from organisation.models import Cell, Departement
from ui.forms import BaseForm

TYPES = {".csv": {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"},
         ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream",
                   "application/zip"}}
SIGNED_FOR = 3600  # seconds a dry run may wait for its confirmation


class UploadForm(BaseForm):
    spreadsheet = forms.FileField(label="Tableur des signalements (CSV ou XLSX)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spreadsheet"].help_text = (f"Le modèle rempli, {settings.INTAKE_IMPORT_MAX_BYTES // 2**20} Mo "
                                                "au plus. Rien n'est enregistré avant votre confirmation.")

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        extension = next((e for e in TYPES if upload.name.lower().endswith(e)), None)
        if extension is None:
            raise forms.ValidationError("Seuls les fichiers CSV (.csv) et XLSX (.xlsx) sont acceptés.")
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in TYPES[extension]:
            raise forms.ValidationError(f"Le type du fichier ({content_type or 'inconnu'}) ne correspond pas à un "
                                        f"fichier {extension}.")
        if upload.size > settings.INTAKE_IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"Fichier trop volumineux : {settings.INTAKE_IMPORT_MAX_BYTES // 2**20} Mo "
                                        "au plus.")
        return upload


def sign(rows: list[dict], file_name: str, user: User, cell: Cell) -> str:
    return signing.dumps({"rows": rows, "file": file_name, "preview": secrets.token_hex(16)}, salt=_salt(user, cell),
                         compress=True)


def unsign(value: str, user: User, cell: Cell) -> dict | None:
    """The dry run's rows and id, if this user signed them for this cellule within the hour; None otherwise."""
    try:
        signed = signing.loads(value, salt=_salt(user, cell), max_age=SIGNED_FOR)
    except signing.BadSignature:
        return None
    return signed if "preview" in signed else None  # signed before previews had an id: it would import again


def _salt(user: User, cell: Cell) -> str:
    return f"intake.import:{user.pk}:{cell.pk}"


class AccountForm(BaseForm):
    """A source's new service account (``intake.actions.create_account`` checks the rest)."""

    name = forms.CharField(label="Nom du compte", max_length=59, help_text="Par exemple « cnapr-93 » ; le journal le "
                           "nomme « api:cnapr-93 ».")
    source = forms.ChoiceField(label="Origine des signalements", choices=[("", "— choisir —"), *Source.choices])
    departement = forms.ModelChoiceField(label="Département", queryset=Departement.objects.filter(cell__isnull=False),
                                         empty_label="— choisir —")
    days = forms.IntegerField(label="Validité du jeton, en jours", min_value=1, max_value=3 * 365)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.INTAKE_TOKEN_DAYS
