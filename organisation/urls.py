from django.urls import path

from organisation import institution_views, views

urlpatterns = [
    path("<str:code>/", views.cell_detail, name="cell_detail"),
    path("<str:code>/composition.<str:fmt>", views.composition_export, name="composition_export"),
    path("<str:code>/institutions/proposer/", institution_views.propose, name="institution_propose"),
]
