"""What the case's own documents add to its page: the button to export the file as a PDF."""

from cases import forms
from cases.views import export
from cases.views.case_page import CaseAction, register

register(CaseAction("exporter-pdf", forms.ExportForm, export.export_pdf, export.EXPORT, page="cases:export"),
         after="rouvrir")
