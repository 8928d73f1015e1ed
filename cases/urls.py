from django.urls import path

from cases.views import case_page, cases, export, intake, limited, merges, notes, people, transfers

app_name = "cases"

urlpatterns = [
    path("", cases.case_list, name="list"),
    path("nouveau/", intake.intake, name="intake"),
    path("transferts/<int:pk>/", transfers.transfer, name="transfer"),
    path("jeunes/<int:pk>/", people.person_detail, name="person"),
    path("familles/<int:pk>/", people.family_detail, name="family"),
    path("jeunes/doublons/", merges.duplicates, name="duplicates"),
    path("jeunes/doublons/<int:pk>/<int:other>/", merges.duplicate, name="duplicate"),
    path("jeunes/fusions/<int:pk>/annuler/", merges.undo, name="undo_merge"),
    path("<int:pk>/", cases.case_detail, name="detail"),
    path("<int:pk>/motif/", cases.motive, name="motive"),
    path("<int:pk>/export-pdf/", export.case_export, name="export"),
    path("<int:pk>/note-partenaire/", limited.partner_note, name="partner_note"),
    path("<int:pk>/plan/actions/<int:action>/", limited.partner_action, name="partner_action"),
    path("<int:pk>/pieces-jointes/<int:attachment>/", notes.attachment, name="attachment"),
    path("<int:pk>/<slug:slug>/", case_page.case_action, name="action"),
    path("<int:pk>/<slug:slug>/<int:target>/", case_page.case_action, name="record_action"),
]
