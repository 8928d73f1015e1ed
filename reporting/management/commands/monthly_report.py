"""The monthly table for scripts: one département's, or the national consolidation."""

import sys
from pathlib import Path
from typing import cast

from django.core.management.base import BaseCommand, CommandError

import audit
from organisation.models import Cell
from organisation.spreadsheets import to_csv, to_xlsx
from reporting.exports import HEADERS, rows, title
from reporting.figures import Month, compute
from reporting.models import MonthlyReport
from reporting.national import consolidated_rows


class Command(BaseCommand):
    help = "Produit le tableau de compte rendu mensuel d'un département, ou la consolidation nationale."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, metavar="AAAA-MM")
        parser.add_argument("--departement", metavar="CODE", help="Sans ce choix : la consolidation nationale.")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="csv")
        parser.add_argument("--output", metavar="FICHIER", help="Par défaut : la sortie standard (CSV seulement).")

    def handle(self, *args, month: str, departement: str | None, format: str, output: str | None, **options):
        try:
            period = Month.parse(month)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        if departement:
            cell = Cell.objects.select_related("departement").filter(departement__code=departement).first()
            if cell is None:
                raise CommandError(f"Département inconnu ou sans cellule : « {departement} ».", returncode=2)
            sent = (MonthlyReport.objects.filter(cell=cell, month=period.first, status=MonthlyReport.Status.SENT)
                    .order_by("-version").first())
            figures = cast(dict, sent.figures) if sent else compute(cell, period)  # a sent report's, frozen
            heading, headers, table = title(figures), HEADERS, rows(figures, *(
                (sent.results, sent.difficulties) if sent else ("", "")))
        else:
            heading, headers, table = consolidated_rows(period)
        data = (to_xlsx if format == "xlsx" else to_csv)(heading, table, headers)
        with audit.acting(label="commande monthly_report"):
            audit.record(f"export.monthly_report_{format}", departement=departement or "",
                         details={"mois": str(period)})
        if output:
            Path(output).write_bytes(data)
            self.stdout.write(f"Tableau écrit dans {output}.")
        elif format == "xlsx":
            raise CommandError("Le format XLSX s'écrit dans un fichier : ajoutez --output FICHIER.", returncode=2)
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode(), ending="")
