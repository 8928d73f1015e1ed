"""A table as a CSV or XLSX file, a text that a spreadsheet would read as a formula neutralised, a
yes/no as « oui »/« non », never Python's True: the composition's exports, the monthly reports', the FIPD's,
the files of a person's access request; ``download`` serves one."""

import csv
import io

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from audit.exports import csv_cell
from ui.french import yes_no


def to_csv(heading: str, table: list[tuple], headers) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    writer.writerow([csv_cell(heading)])
    writer.writerow(headers)
    writer.writerows([[csv_cell(yes_no(value)) for value in row] for row in table])
    return ("\ufeff" + stream.getvalue()).encode()


def to_xlsx(heading: str, table: list[tuple], headers, sheet_title: str = "Compte rendu") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table:
        # openpyxl would store a text starting with "=" as a formula: escape it like the CSV.
        sheet.append([value if isinstance(value, int | float) and not isinstance(value, bool)
                      else csv_cell(yes_no(value)) for value in row])
    for column, width in zip("ABCDEFGH", (60, 45, 20, 15, 15, 15, 15, 15), strict=False):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(heading: str, table: list[tuple], headers, name: str, fmt: str,
             sheet_title: str = "Compte rendu") -> HttpResponse:
    """The table as a file to download, ``name.fmt``; a format other than CSV or XLSX is no page (404)."""
    if fmt == "csv":
        response = HttpResponse(to_csv(heading, table, headers), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(to_xlsx(heading, table, headers, sheet_title), content_type=XLSX)
    else:
        raise Http404("Format inconnu.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
