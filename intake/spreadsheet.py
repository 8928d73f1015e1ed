"""A cellule's spreadsheet of signalements (CSV or XLSX): the template, reading an upload, and each
row turned into the intake entry point's arguments, with the row's errors in French.

What a row says is read as a person would type it: dates as 17/05/2010 or 2010-05-17 (or a date
cell), choices by their label or code whatever the case and accents ("Féminin", "f", "feminin"),
yes/no as oui/non. Anything else is an error of that cell, never a guess."""

import csv
import datetime
import io
import unicodedata
import zipfile

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from audit.exports import csv_cell
from cases.models import Case, Person, Relative, Situation, Source
from cases.models.people import Sex

MAX_ROWS = 300  # about 15 s of dry run on a loaded server: a larger table is imported in parts
CASE = [("source_reference", "Référence à l'origine"), ("source", "Origine"), ("received_on", "Reçu le"),
        ("facts", "Faits signalés"), ("orientation_note", "Orientation de l'EMS")]
PERSON = [("last_name", "Nom"), ("first_name", "Prénom"), ("birth_date", "Date de naissance"), ("sex", "Sexe"),
          ("commune", "Commune"), ("address", "Adresse"), ("situation", "Situation")]
RELATIVE = [("relation", "lien"), ("last_name", "nom"), ("first_name", "prénom"), ("phone", "téléphone"),
            ("email", "courriel"), ("address", "adresse"), ("parental_authority", "autorité parentale")]
RELATIVES = 2
CHOICES = {"source": Source, "sex": Sex, "situation": Situation, "relation": Relative.Relation}
DATES = {"received_on", "birth_date"}
REQUIRED = {"source", "received_on", "facts", "last_name", "first_name", "birth_date", "sex", "commune"}


def columns() -> list[tuple[str, str]]:
    """(where the value goes, the column's heading), in the template's order."""
    found = [(key, title) for key, title in CASE] + [(f"person.{key}", title) for key, title in PERSON]
    for n in range(1, RELATIVES + 1):
        found += [(f"relative{n}.{key}", f"Proche {n} — {title}") for key, title in RELATIVE]
    return found


HEADINGS = [title for _, title in columns()]


class Unreadable(Exception):
    """The file cannot be read as the template (its message says why, in French)."""


def template_csv() -> bytes:
    stream = io.StringIO()
    csv.writer(stream, delimiter=";").writerow(HEADINGS)
    return ("\ufeff" + stream.getvalue()).encode()


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Signalements"
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    allowed = book.create_sheet("Valeurs permises")
    allowed.append(["Colonne", "Valeurs"])
    for key, choices in CHOICES.items():
        title = dict(CASE + PERSON + RELATIVE)[key]
        allowed.append([csv_cell(title), csv_cell(", ".join(choices.labels))])
    allowed.append(["Dates", "JJ/MM/AAAA"])
    allowed.append(["Autorité parentale", "oui ou non"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(name: str, content: bytes) -> list[dict[str, object]]:
    """The rows of an upload, each a mapping of heading to value; ``Unreadable`` if it is no template."""
    if name.lower().endswith(".xlsx"):
        table = _xlsx_rows(content)
    elif name.lower().endswith(".csv"):
        table = _csv_rows(content)
    else:
        raise Unreadable("Seuls les fichiers CSV et XLSX sont acceptés.")
    table = [row for row in table if any(text(value) for value in row)]
    if not table:
        raise Unreadable("Le fichier est vide.")
    headings = [text(value) for value in table[0]]
    missing = [title for title in HEADINGS if title not in headings]
    unknown = [title for title in headings if title and title not in HEADINGS]
    if missing or unknown:
        said = [f"colonnes manquantes : {', '.join(missing)}"] if missing else []
        said += [f"colonnes inconnues : {', '.join(unknown)}"] if unknown else []
        raise Unreadable(f"Le fichier ne suit pas le modèle ({' ; '.join(said)}). Partez du modèle à télécharger.")
    if len(table) - 1 > MAX_ROWS:
        raise Unreadable(f"Au plus {MAX_ROWS} signalements par import ; le fichier en a {len(table) - 1}.")
    # As text from here on: the dry run and the import after it read the same values.
    return [{title: text(value) for title, value in zip(headings, row, strict=False) if title} for row in table[1:]]


def _csv_rows(content: bytes) -> list[list]:
    if b"\x00" in content:
        raise Unreadable("Ce fichier n'est pas un CSV (il contient des données binaires).")
    for encoding in ("utf-8-sig", "cp1252"):  # a spreadsheet saved as CSV by Excel in France: Windows-1252
        try:
            decoded = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Unreadable("Encodage du CSV non reconnu : enregistrez-le en « CSV UTF-8 ».")
    first = decoded.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(decoded), delimiter=delimiter))
    except csv.Error as error:
        raise Unreadable(f"CSV illisible : {error}.") from None


def _xlsx_rows(content: bytes) -> list[list]:
    if not content.startswith(b"PK\x03\x04"):
        raise Unreadable("Ce fichier n'est pas un classeur XLSX.")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        book.close()
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as error:
        raise Unreadable(f"Classeur XLSX illisible ({type(error).__name__}).") from None


def text(value) -> str:
    """A cell as text: a date cell as JJ/MM/AAAA, a whole number without its decimal point."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def _choice(value: str, choices) -> str:
    wanted = _folded(value)
    for code, label in choices.choices:
        if wanted in (_folded(code), _folded(label)):
            return code
    raise ValueError(f"« {value} » n'est pas une valeur permise ({', '.join(choices.labels)}).")


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text(value), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"« {text(value)} » n'est pas une date (JJ/MM/AAAA).")


def _yes(value: str) -> bool:
    folded = _folded(value)
    if folded in ("oui", "o", "vrai", "1", "x"):
        return True
    if folded in ("non", "n", "faux", "0", ""):
        return False
    raise ValueError(f"« {value} » : oui ou non attendu.")


def _value(place: str, key: str, raw):
    if key in DATES:
        return _date(raw)
    said = text(raw)  # no NUL: a CSV holding one is refused whole, a cell of XLSX cannot
    if key in CHOICES:
        return _choice(said, CHOICES[key])
    if key == "parental_authority":
        return _yes(said)
    model = Relative if place.startswith("relative") else Person if place.startswith("person.") else Case
    try:  # as the intake form does: a TextField's length is the form's rule, not the model's
        MaxLengthValidator(model._meta.get_field(key).max_length)(said)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return said


def arguments(row: dict) -> tuple[dict, dict[str, list[str]]]:
    """The entry point's arguments for one row, and the row's errors by column heading."""
    values, errors = {}, {}
    for place, title in columns():
        key = place.rsplit(".", 1)[-1]
        raw = row.get(title)
        if text(raw) == "":
            if key in REQUIRED and not place.startswith("relative"):
                errors[title] = ["Ce champ est obligatoire."]
            continue
        try:
            values[place] = _value(place, key, raw)
        except ValueError as error:
            errors[title] = [str(error)]
    person = {key: values[f"person.{key}"] for key, _ in PERSON if f"person.{key}" in values}
    relatives = []
    for n in range(1, RELATIVES + 1):
        given = {key: values[f"relative{n}.{key}"] for key, _ in RELATIVE if f"relative{n}.{key}" in values}
        if not given:
            continue
        if not all(given.get(key) for key in ("relation", "last_name", "first_name")):
            errors.setdefault(f"Proche {n} — nom", []).append(
                "Pour ce proche, indiquez au moins le lien, le nom et le prénom.")
        relatives.append({key: given.get(key, False if key == "parental_authority" else "") for key, _ in RELATIVE})
    case = {key: values[key] for key, _ in CASE if key in values}
    case.setdefault("orientation_note", "")
    return {**case, "person": person, "relatives": relatives}, errors


def heading(field: str, relative: int | None = None) -> str:
    """The column of a model field named in an entry point's error."""
    if relative is not None:
        return f"Proche {relative} — {dict(RELATIVE)[field]}" if field in dict(RELATIVE) else f"Proche {relative}"
    return dict(CASE).get(field) or dict(PERSON).get(field) or field
