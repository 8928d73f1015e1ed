"""A spreadsheet is bounded in what it expands to before anything parses it: a
200 KB XLSX whose shared strings inflate to 200 MB is refused before the worker grows by 50 MB,
DOCTYPEs and entities are refused in any part, and each refusal is a French message on the import
page that imports nothing."""

import html
import io
import random
import re
import struct
import zipfile
from pathlib import Path

import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cases.models import Case
from intake import spreadsheet
from tests.intake.test_import import IMPORT, XLSX, as_csv, row

SHARED_STRINGS = "xl/sharedStrings.xml"
OVERRIDE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.sharedStrings+xml"/></Types>')
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(*rows: list) -> bytes:
    """The template's headings and a valid row (or the rows given, by line), as openpyxl saves it."""
    book = Workbook()
    sheet = book.active
    sheet.append(spreadsheet.HEADINGS)
    for values in rows or [[row().get(title, "") for title in spreadsheet.HEADINGS]]:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rebuilt(content: bytes, parts: dict[str, object]) -> bytes:
    """The workbook with some parts replaced or added: bytes, or a function writing to the part's
    stream (a bomb is written by pieces, never held whole). A shared strings part is declared in the
    package, as a spreadsheet program does, so that openpyxl reads it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        names = [info.filename for info in source.infolist()]
        for name in names + [name for name in parts if name not in names]:
            data = parts.get(name, source.read(name) if name in names else b"")
            if name == "[Content_Types].xml" and SHARED_STRINGS in parts:
                data = data.replace(b"</Types>", OVERRIDE)
            if callable(data):
                with archive.open(name, "w", force_zip64=True) as stream:
                    data(stream)
            else:
                archive.writestr(name, data)
    return out.getvalue()


def shared_strings(megabytes: int):
    def write(stream) -> None:
        stream.write(b"<sst " + MAIN + b">")
        piece = (b"<si><t>" + b"a" * 10_000 + b"</t></si>") * 100
        for _ in range(megabytes * 2**20 // len(piece)):
            stream.write(piece)
        stream.write(b"</sst>")
    return write


def patched(content: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """The archive with one field of a part's entry in the central directory (what zipfile reads)
    overwritten: its flags (offset 8), compression method (10), uncompressed size (24)."""
    data = bytearray(content)
    entry = zipfile.ZipFile(io.BytesIO(content)).start_dir
    while True:
        assert data[entry:entry + 4] == b"PK\x01\x02"
        length, extra, comment = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46:entry + 46 + length] == name.encode():
            struct.pack_into(fmt, data, entry + offset, value)
            return bytes(data)
        entry += 46 + length + extra + comment


def upload(client, content: bytes, name: str = "cellule.xlsx", content_type: str = XLSX):
    return client.post(IMPORT, {"spreadsheet": SimpleUploadedFile(name, content, content_type=content_type)})


def refused(response, message: str) -> None:
    page = html.unescape(response.content.decode())
    assert response.status_code == 400 and message in page, page[-3000:]
    assert 'name="rows"' not in page and not Case.objects.exists()


def memory(field: str) -> int:
    """A line of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def peak_growth(call) -> tuple[int, object]:
    """How far the process's resident memory rose above its level while ``call`` ran. Writing 5 to
    clear_refs (Linux) brings the peak (VmHWM) back to the present, so that an earlier peak of the
    test run cannot hide this one."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pytest.skip("/proc/self/clear_refs (Linux) est nécessaire pour mesurer un pic de mémoire")
    before = memory("VmRSS")
    result = call()
    return memory("VmHWM") - before, result


@pytest.fixture
def coordinator(client, personas):
    client.force_login(personas.coord_a)
    return client


def test_the_bomb_is_refused_before_the_worker_grows(coordinator):
    bomb = rebuilt(workbook(), {SHARED_STRINGS: shared_strings(200)})
    assert len(bomb) < 300 * 1024  # small on disk, and under the upload's limit of 2 MB
    grown, response = peak_growth(lambda: upload(coordinator, bomb))
    assert grown < 50 * 2**20, f"{grown / 2**20:.0f} Mo"
    refused(response, "Ce classeur est trop volumineux une fois décompressé : « xl/sharedStrings.xml » fait 200 Mo "
                      "(au plus 8 Mo).")


def test_a_part_lying_about_its_size_is_cut_at_the_size_it_declares(coordinator):
    """zipfile inflates no further than the size a part declares (then its checksum fails): the
    declared sizes that the bounds check are the real ones."""
    bomb = patched(rebuilt(workbook(), {SHARED_STRINGS: shared_strings(20)}), SHARED_STRINGS, 24, "<I", 1000)
    grown, response = peak_growth(lambda: upload(coordinator, bomb))
    refused(response, "Classeur XLSX illisible")
    assert grown < 50 * 2**20


@pytest.mark.parametrize(("parts", "message"), [
    ({SHARED_STRINGS: b" " * (3 * 2**20)}, "Ce classeur est anormalement compressé (« xl/sharedStrings.xml » : "),
    ({SHARED_STRINGS: b"<sst " + MAIN + b">" + b"<si/>" * 100_001 + b"</sst>"},
     "Ce classeur contient trop d'éléments (« xl/sharedStrings.xml » : plus de 100\u202f000)"),
    ({f"xl/media/image{n}.png": b"x" for n in range(100)}, "Ce classeur contient 109 fichiers internes (au plus 100)"),
])
def test_each_bound_is_refused_in_french(coordinator, parts, message):
    refused(upload(coordinator, rebuilt(workbook(), parts)), message)


def test_the_whole_is_bounded_too(coordinator, monkeypatch):
    monkeypatch.setattr(spreadsheet, "XLSX_TOTAL_BYTES", 2**20)
    refused(upload(coordinator, rebuilt(workbook(), {"docProps/a.xml": b"<a/>" + b" " * 600_000,
                                                      "docProps/b.xml": b"<b/>" + b" " * 600_000})),
            "Ce classeur fait 1 Mo une fois décompressé (au plus 1 Mo)")


DTD = "Ce classeur contient une déclaration XML (DOCTYPE ou entité) qu'aucun tableur n'écrit"
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><sst ' + MAIN + b'><si><t>&lol3;</t></si></sst>')


@pytest.mark.parametrize("part", [
    pytest.param(lambda c: {"xl/workbook.xml": b'<!DOCTYPE workbook>' + c.read("xl/workbook.xml")}, id="doctype"),
    pytest.param(lambda c: {SHARED_STRINGS: LAUGHS}, id="entities"),
    pytest.param(lambda c: {"xl/worksheets/sheet1.xml": b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                            + c.read("xl/worksheets/sheet1.xml").replace(b"<v>", b"<v>&x;", 1)}, id="external"),
    pytest.param(lambda c: {"xl/workbook.xml": ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w>'
                                                + c.read("xl/workbook.xml").decode()).encode("utf-16")}, id="utf-16"),
    pytest.param(lambda c: {"xl/media/logo.png": b"<!DOCTYPE x [<!ENTITY y 'y'>]><x>&y;</x>"}, id="any-name"),
])
def test_a_doctype_or_an_entity_is_refused_in_any_part(coordinator, part):
    content = workbook()
    refused(upload(coordinator, rebuilt(content, part(zipfile.ZipFile(io.BytesIO(content))))), DTD)


def test_openpyxl_parses_through_defusedxml():
    """The second line of defence, if a part ever escaped the check: openpyxl picks defusedxml up
    when it is installed (and OPENPYXL_DEFUSEDXML is not False)."""
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize(("offset", "value", "message"), [
    (8, 0x1, "Ce classeur est protégé par un mot de passe"),  # the flags: encrypted
    (10, 99, "Ce classeur utilise une compression qu'un tableur n'écrit pas (« xl/workbook.xml »)."),
])
def test_an_encrypted_or_oddly_compressed_part_is_refused(coordinator, offset, value, message):
    refused(upload(coordinator, patched(workbook(), "xl/workbook.xml", offset, "<H", value)), message)


def test_an_image_in_the_workbook_is_no_reason_to_refuse_it(coordinator):
    png = b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(5000)
    response = upload(coordinator, rebuilt(workbook(), {"xl/media/image1.png": png}))
    assert response.status_code == 200 and "1 signalement sera enregistré" in response.content.decode()


def test_rows_after_blank_lines_are_read_and_a_sheet_of_a_million_lines_is_refused(coordinator):
    """The dry run once stopped after 301 lines, blank ones included, and dropped the rows below."""
    values = [row().get(title, "") for title in spreadsheet.HEADINGS]
    later = [row(**{"Référence à l'origine": "CNAPR-2", "Nom": "Martin"}).get(title, "")
             for title in spreadsheet.HEADINGS]
    spaced = workbook(values, *[[None]] * 400, later)
    response = upload(coordinator, spaced)
    assert response.status_code == 200 and "2 signalements seront enregistrés" in response.content.decode()
    sheet = zipfile.ZipFile(io.BytesIO(workbook())).read("xl/worksheets/sheet1.xml")
    last = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    far = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z1048576"', sheet).replace(b"</sheetData>", last)
    refused(upload(coordinator, rebuilt(workbook(), {"xl/worksheets/sheet1.xml": far})),
            "Le fichier a plus de 10\u202f000 lignes, vides comprises")


def test_a_csv_is_bounded_in_lines_and_cells(coordinator):
    blank = as_csv(row()) + b";\n" * 20_000
    refused(upload(coordinator, blank, "cellule.csv", "text/csv"), "Le fichier a plus de 10\u202f000 lignes")
    huge_cell = as_csv(row(**{"Faits signalés": "x" * 200_000}))
    refused(upload(coordinator, huge_cell, "cellule.csv", "text/csv"),
            "CSV illisible à la ligne 2 : une cellule est trop longue ou un guillemet n'est pas refermé.")
