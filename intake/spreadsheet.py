"""A cellule's spreadsheet of signalements (CSV or XLSX): the template, reading an upload, and each
row turned into the intake entry point's arguments, with the row's errors in French.

What a row says is read as a person would type it: dates as 17/05/2010 or 2010-05-17 (or a date
cell), choices by their label or code whatever the case and accents ("Féminin", "f", "feminin"),
yes/no as oui/non. Anything else is an error of that cell, never a guess.

An upload is bounded in what it expands to before anything parses it (``check_workbook``): a 2 MB
XLSX once grew a worker by 2.5 GB, its shared strings inflating to 200 MB. The zip's members are
counted and measured (each, all, and their compression ratio) from its directory, whose sizes
``zipfile`` enforces while inflating; then every member goes through a streaming XML parser
(``defusedxml``) that refuses any DOCTYPE or entity and counts the elements, which is what openpyxl
turns into objects. openpyxl itself parses through ``defusedxml`` too, since it is installed."""

import csv
import datetime
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import cast
from xml.etree.ElementTree import ParseError
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Field
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from audit.exports import csv_cell
from cases.models import Case, Person, Relative, Situation, Source
from cases.models.people import Sex

MAX_ROWS = 300  # about 15 s of dry run on a loaded server: a larger table is imported in parts
# Lines read at most, empty ones included (a sheet may declare a million), and columns (the template has 33).
MAX_LINES, MAX_COLUMNS = 10_000, 64
# What an XLSX may expand to. The template filled with 300 rows of the longest values is one sheet
# of 2 MB holding some 30,000 elements; a spreadsheet program adds a few small parts. Within these
# bounds openpyxl grew a worker by 21 MB at most (measured on the worst shapes found: a row of 99,000
# empty cells, 100,000 shared strings); the bomb of tests/intake/test_bounds.py, refused, by nothing.
XLSX_MEMBERS = 100
XLSX_MEMBER_BYTES = 8 * 2**20
XLSX_TOTAL_BYTES = 16 * 2**20
XLSX_ELEMENTS = 100_000  # per part: openpyxl keeps an object for each shared string
# Above 1 MB, no part of a spreadsheet compresses 200 times: only a bomb does (deflate tops out at 1,032).
XLSX_RATIO, XLSX_RATIO_FROM = 200, 2**20
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
        allowed.append([csv_cell(title), csv_cell(", ".join(str(label) for label in choices.labels))])
    allowed.append(["Dates", "JJ/MM/AAAA"])
    allowed.append(["Autorité parentale", "oui ou non"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(name: str, content: bytes) -> list[dict[str, object]]:
    """The rows of an upload, each a mapping of heading to value; ``Unreadable`` if it is no template."""
    if name.lower().endswith(".xlsx"):
        table = _bounded(_xlsx_rows(content))
    elif name.lower().endswith(".csv"):
        table = _bounded(_csv_rows(content))
    else:
        raise Unreadable("Seuls les fichiers CSV et XLSX sont acceptés.")
    if not table:
        raise Unreadable("Le fichier est vide.")
    headings = [text(value) for value in table[0]]
    missing = [title for title in HEADINGS if title not in headings]
    unknown = [title for title in headings if title and title not in HEADINGS]
    if missing or unknown:
        said = [f"colonnes manquantes : {', '.join(missing)}"] if missing else []
        said += [f"colonnes inconnues : {', '.join(unknown)}"] if unknown else []
        raise Unreadable(f"Le fichier ne suit pas le modèle ({' ; '.join(said)}). Partez du modèle à télécharger.")
    # As text from here on: the dry run and the import after it read the same values.
    return [{title: text(value) for title, value in zip(headings, row, strict=False) if title} for row in table[1:]]


def _bounded(rows: Iterable[Sequence]) -> list[list]:
    """The rows that hold something, cut to ``MAX_COLUMNS``: the headings and at most ``MAX_ROWS``
    signalements, read through to the end (a row past the limit is refused, never dropped)."""
    table = []
    for line, row in enumerate(rows, start=1):
        if line > MAX_LINES:
            raise Unreadable(f"Le fichier a plus de {_number(MAX_LINES)} lignes, vides comprises : ne gardez que "
                             "les lignes des signalements.")
        row = list(row[:MAX_COLUMNS])
        if any(text(value) for value in row):
            table.append(row)
            if len(table) > MAX_ROWS + 1:
                raise Unreadable(f"Au plus {MAX_ROWS} signalements par import ; le fichier en a davantage.")
    return table


def _csv_rows(content: bytes) -> Iterator[list]:
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
    reader = csv.reader(io.StringIO(decoded), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:  # a cell longer than csv.field_size_limit(), a quote never closed
        raise Unreadable(f"CSV illisible à la ligne {reader.line_num} : une cellule est trop longue ou un guillemet "
                         "n'est pas refermé. Enregistrez-le à nouveau depuis votre tableur.") from None


def _xlsx_rows(content: bytes) -> Iterator[tuple]:
    if not content.startswith(b"PK\x03\x04"):
        raise Unreadable("Ce fichier n'est pas un classeur XLSX.")
    try:
        check_workbook(content)
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            yield from book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        finally:
            book.close()
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, OSError, IndexError,
            ParseError) as error:
        # DefusedXmlException is a ValueError: check_workbook refuses them first, openpyxl a second time.
        raise Unreadable(f"Classeur XLSX illisible ({type(error).__name__}).") from None


def check_workbook(content: bytes) -> None:
    """Refuse, before openpyxl opens it, an XLSX that expands beyond the bounds above or whose XML
    declares a DOCTYPE or entities (no spreadsheet program writes one)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        if len(members) > XLSX_MEMBERS:
            raise Unreadable(f"Ce classeur contient {len(members)} fichiers internes (au plus {XLSX_MEMBERS}) : "
                             "enregistrez le modèle à nouveau depuis votre tableur.")
        for member in members:
            _check_member(member)
        total = sum(member.file_size for member in members)
        if total > XLSX_TOTAL_BYTES:
            raise Unreadable(f"Ce classeur fait {_megabytes(total)} une fois décompressé (au plus "
                             f"{_megabytes(XLSX_TOTAL_BYTES)}) : ne gardez que la feuille des signalements.")
        for member in members:
            _check_xml(archive, member)


def _check_member(member: zipfile.ZipInfo) -> None:
    name = member.filename[:80]
    if member.flag_bits & 0x1:
        raise Unreadable("Ce classeur est protégé par un mot de passe : enregistrez-le sans protection.")
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Unreadable(f"Ce classeur utilise une compression qu'un tableur n'écrit pas (« {name} »).")
    if member.file_size > XLSX_MEMBER_BYTES:
        raise Unreadable(f"Ce classeur est trop volumineux une fois décompressé : « {name} » fait "
                         f"{_megabytes(member.file_size)} (au plus {_megabytes(XLSX_MEMBER_BYTES)}). Ne gardez que "
                         "la feuille des signalements.")
    if member.file_size > XLSX_RATIO_FROM and member.file_size > XLSX_RATIO * max(member.compress_size, 1):
        raise Unreadable(f"Ce classeur est anormalement compressé (« {name} » : "
                         f"{member.file_size // max(member.compress_size, 1)} fois) : il n'est pas lu.")


class _Counter(ContentHandler):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.elements = name, 0

    def startElement(self, name, attrs) -> None:  # noqa: N802 (SAX's name)
        self.elements += 1
        if self.elements > XLSX_ELEMENTS:
            raise Unreadable(f"Ce classeur contient trop d'éléments (« {self.name} » : plus de "
                             f"{_number(XLSX_ELEMENTS)}) : ne gardez que la feuille des signalements.")


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Stream one member through expat, as XML whatever its name (openpyxl finds its parts by the
    package's relations, not by their names). A member that is no XML (an image) stops at its
    first bytes; openpyxl never parses it, or fails as on any broken part."""
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(_Counter(member.filename[:80]))
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(2**16):
                parser.feed(chunk)
        parser.close()
    except DefusedXmlException:
        raise Unreadable("Ce classeur contient une déclaration XML (DOCTYPE ou entité) qu'aucun tableur n'écrit : il "
                         "n'est pas lu. Enregistrez-le à nouveau depuis votre tableur.") from None
    except SAXParseException:
        return


def _number(n: int) -> str:
    return f"{n:_}".replace("_", "\u202f")  # 10 000, as French writes it


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} Mo" if size >= 2**20 else f"{size / 2**20:.1f} Mo".replace(".", ",")


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
        MaxLengthValidator(cast(Field, model._meta.get_field(key)).max_length)(said)
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
