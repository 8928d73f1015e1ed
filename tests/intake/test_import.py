"""The spreadsheet import: the templates, the dry run row by row (nothing saved), the import of all
rows or none through the intake entry point, bad files and bad rows refused in French."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import Event
from cases.models import Case
from intake import spreadsheet

IMPORT, CONFIRM = reverse("intake:import"), reverse("intake:confirm")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(**overrides) -> dict:
    values = {"Référence à l'origine": "CNAPR-1", "Origine": "CNAPR", "Reçu le": "02/03/2026",
              "Faits signalés": "Propos de rupture rapportés par le collège.", "Nom": "Durand", "Prénom": "Léa",
              "Date de naissance": "17/05/2011", "Sexe": "Féminin", "Commune": "Bobigny",
              "Situation": "scolarité en cours",
              "Proche 1 — lien": "Mère", "Proche 1 — nom": "Durand", "Proche 1 — prénom": "Claire",
              "Proche 1 — téléphone": "06 12 34 56 78", "Proche 1 — autorité parentale": "oui"}
    return {**values, **overrides}


def as_csv(*rows: dict, headings=None) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    headings = headings or spreadsheet.HEADINGS
    writer.writerow(headings)
    for values in rows:
        writer.writerow([values.get(title, "") for title in headings])
    return stream.getvalue().encode("utf-8")


def upload(client, content: bytes, name: str = "cellule.csv", content_type: str = "text/csv"):
    return client.post(IMPORT, {"spreadsheet": SimpleUploadedFile(name, content, content_type=content_type)})


@pytest.fixture
def coordinator(client, personas):
    client.force_login(personas.coord_a)
    return client


def test_the_templates_have_the_columns(coordinator):
    as_text = coordinator.get(reverse("intake:template", args=["csv"]))
    assert as_text.status_code == 200 and as_text["Content-Type"].startswith("text/csv")
    assert as_text.content.decode("utf-8-sig").strip().split(";") == spreadsheet.HEADINGS
    book = load_workbook(io.BytesIO(coordinator.get(reverse("intake:template", args=["xlsx"])).content))
    assert [cell.value for cell in book["Signalements"][1]] == spreadsheet.HEADINGS
    assert coordinator.get(reverse("intake:template", args=["ods"])).status_code == 404


def test_the_dry_run_saves_nothing_and_the_import_saves_every_row(coordinator, personas):
    content = as_csv(row(), row(**{"Référence à l'origine": "CNAPR-2", "Nom": "Martin", "Prénom": "Hugo",
                                   "Sexe": "m", "Date de naissance": "2010-01-09",
                                   **dict.fromkeys([t for t in spreadsheet.HEADINGS if t.startswith("Proche")], "")}))
    preview = upload(coordinator, content)
    assert preview.status_code == 200, preview.content.decode()
    page = preview.content.decode()
    assert "2 signalements seront enregistrés" in page and page.count("Nouveau signalement") == 2
    assert not Case.objects.exists() and not Event.objects.filter(action="case.intake").exists()
    assert Event.objects.get(action="intake.import_preview").details["lignes"] == 2
    signed = page.split('name="rows" value="')[1].split('"')[0]
    done = coordinator.post(CONFIRM, {"rows": signed})
    assert done.status_code == 302 and done["Location"] == reverse("cases:list")
    cases = Case.objects.order_by("number")
    assert [(c.person.last_name, c.source, c.source_reference, c.received_on) for c in cases] == [
        ("Durand", "cnapr", "CNAPR-1", datetime.date(2026, 3, 2)),
        ("Martin", "cnapr", "CNAPR-2", datetime.date(2026, 3, 2))]
    assert cases[0].relatives.get().parental_authority and not cases[1].relatives.exists()
    intakes = Event.objects.filter(action="case.intake")
    assert intakes.count() == 2 and {e.actor for e in intakes} == {personas.coord_a}
    assert Event.objects.get(action="intake.import").details["signalements"] == [c.reference for c in cases]
    # The same confirmation again: refused, nothing is imported twice.
    again = coordinator.post(CONFIRM, {"rows": signed}, follow=True)
    assert "Cet aperçu a déjà été importé" in again.content.decode() and Case.objects.count() == 2


def test_a_preview_imports_once_even_without_references(coordinator):
    """Without a reference at the source nothing in the rows tells an import from its replay: the
    preview's own id does."""
    page = upload(coordinator, as_csv(row(**{"Référence à l'origine": ""}))).content.decode()
    signed = page.split('name="rows" value="')[1].split('"')[0]
    answers = [coordinator.post(CONFIRM, {"rows": signed}, follow=True).content.decode() for _ in range(3)]
    assert Case.objects.count() == 1 and Event.objects.filter(action="intake.import").count() == 1
    assert "1 signalement importé." in answers[0]
    assert all("Cet aperçu a déjà été importé" in answer for answer in answers[1:])
    # Uploading the file again makes a new preview: the dry run now names the young person already followed.
    again = upload(coordinator, as_csv(row(**{"Référence à l'origine": ""}))).content.decode()
    assert f"Ce jeune est peut-être déjà suivi : {Case.objects.get().reference}." in again


def test_an_xlsx_with_date_and_number_cells_is_read(coordinator):
    book = Workbook()
    sheet = book.active
    sheet.append(spreadsheet.HEADINGS)
    values = row(**{"Reçu le": datetime.datetime(2026, 3, 2), "Date de naissance": datetime.date(2011, 5, 17),
                    "Proche 1 — téléphone": 612345678})
    sheet.append([values.get(title) for title in spreadsheet.HEADINGS])
    out = io.BytesIO()
    book.save(out)
    preview = upload(coordinator, out.getvalue(), "cellule.xlsx", XLSX)
    assert preview.status_code == 200 and "1 signalement sera enregistré" in preview.content.decode()


BAD_ROWS = [
    ({"Reçu le": "31/02/2026"}, "Reçu le : « 31/02/2026 » n&#x27;est pas une date (JJ/MM/AAAA)."),
    ({"Reçu le": "01/01/2099"}, "Reçu le : La date de réception ne peut pas être dans le futur."),
    ({"Sexe": "X"}, "Sexe : « X » n&#x27;est pas une valeur permise (Féminin, Masculin)."),
    ({"Nom": ""}, "Nom : Ce champ est obligatoire."),
    ({"Faits signalés": "x" * 2001}, "Faits signalés : Assurez-vous que cette valeur comporte au plus 2000 caractères"),
    ({"Date de naissance": "17/05/1990"}, "Date de naissance : Le dispositif suit des jeunes"),
    ({"Proche 1 — téléphone": "appeler le soir"}, "Proche 1 — téléphone : Numéro de téléphone invalide"),
    ({"Proche 1 — autorité parentale": "peut-être"}, "Proche 1 — autorité parentale : « peut-être » : oui ou non"),
    ({"Proche 1 — nom": ""}, "Proche 1 — nom : Pour ce proche, indiquez au moins le lien, le nom et le prénom."),
]


@pytest.mark.parametrize(("change", "message"), BAD_ROWS)
def test_a_bad_row_is_named_and_nothing_is_imported(coordinator, change, message):
    response = upload(coordinator, as_csv(row(**{"Référence à l'origine": "OK-1"}), row(**change)))
    page = response.content.decode()
    assert response.status_code == 400 and message in page, page
    assert "Rien n'a été importé" in page and 'name="rows"' not in page
    assert not Case.objects.exists()


def test_a_reference_twice_in_the_file_is_refused(coordinator):
    page = upload(coordinator, as_csv(row(), row(**{"Nom": "Martin"}))).content.decode()
    assert "Déjà celle de la ligne 2 du fichier." in page and not Case.objects.exists()


@pytest.mark.parametrize(("content", "name", "content_type", "message"), [
    (as_csv(row()), "cellule.ods", "application/vnd.oasis.opendocument.spreadsheet",
     "Seuls les fichiers CSV (.csv) et XLSX (.xlsx) sont acceptés."),
    (as_csv(row()), "cellule.csv", "image/png", "Le type du fichier (image/png) ne correspond pas"),
    (b"PK\x03\x04" + b"\x00" * 100, "cellule.csv", "text/csv", "il contient des données binaires"),
    (b"%PDF-1.4 pas un classeur", "cellule.xlsx", XLSX, "Ce fichier n&#x27;est pas un classeur XLSX."),
    (b"PK\x03\x04 pas un zip", "cellule.xlsx", XLSX, "Classeur XLSX illisible"),
    (as_csv(row(), headings=spreadsheet.HEADINGS[:-1] + ["Couleur"]), "cellule.csv", "text/csv",
     "colonnes inconnues : Couleur"),
    ("Nom;Prénom\n\x81\x8d".encode("latin-1"), "cellule.csv", "text/csv", "Encodage du CSV non reconnu"),
    (b"", "cellule.csv", "text/csv", "Le fichier soumis est vide."),
])
def test_a_bad_file_is_refused(coordinator, content, name, content_type, message):
    response = upload(coordinator, content, name, content_type)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.exists()


def test_the_size_is_limited(coordinator, settings):
    settings.INTAKE_IMPORT_MAX_BYTES = 100
    response = upload(coordinator, as_csv(row()))
    assert response.status_code == 400 and "Fichier trop volumineux" in response.content.decode()


def test_too_many_rows_are_refused(coordinator, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 2)
    response = upload(coordinator, as_csv(*[row(**{"Référence à l'origine": f"R{n}"}) for n in range(3)]))
    assert response.status_code == 400 and "Au plus 2 signalements par import" in response.content.decode()


def test_a_confirmation_not_signed_for_this_user_is_refused(client, personas, coordinator):
    page = upload(coordinator, as_csv(row())).content.decode()
    signed = page.split('name="rows" value="')[1].split('"')[0]
    for forged in ("", "x", signed[:-2] + "zz"):
        assert coordinator.post(CONFIRM, {"rows": forged}, follow=True).content.decode().count("a expiré") == 1
    client.force_login(personas.coord_b)  # another département's coordinator, with the first one's dry run
    assert client.post(CONFIRM, {"rows": signed}).status_code == 302
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["member_a", "national", "inspector", "admin", "mobile"])
def test_only_coordinators_import(client, personas, who):
    client.force_login(getattr(personas, who))
    for response in (client.get(IMPORT), client.get(reverse("intake:template", args=["csv"])),
                     upload(client, as_csv(row())), client.post(CONFIRM, {"rows": "x"})):
        assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_young_person_already_followed_or_twice_in_the_file_is_shown(coordinator, personas):
    first = upload(coordinator, as_csv(row()))
    coordinator.post(CONFIRM, {"rows": first.content.decode().split('name="rows" value="')[1].split('"')[0]})
    followed = Case.objects.get().reference
    page = upload(coordinator, as_csv(row(**{"Référence à l'origine": "CNAPR-7", "Nom": "DURAND", "Prénom": "Lea"}),
                                      row(**{"Référence à l'origine": "CNAPR-8", "Nom": "Martin", "Prénom": "Hugo"}),
                                      row(**{"Référence à l'origine": "CNAPR-9", "Nom": "Martin", "Prénom": "Hugo"})))
    text = page.content.decode()
    assert page.status_code == 200 and f"Ce jeune est peut-être déjà suivi : {followed}." in text
    assert text.count("Ce jeune est peut-être déjà suivi") == 1  # Léa Durand
    assert "Même jeune que la ligne 3" in text  # Hugo Martin's second line (tests/intake/test_import_decisions.py)
