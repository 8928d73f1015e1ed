"""The demo's intake by machine: the CNAPR's service account for the Seine-Saint-Denis, with a fixed
token the README's ``curl`` example uses, and one signalement received through the API's code path.

Demo mode only: the token is public, so ``create_account`` refuses a fixed token outside it."""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

import audit
from cases.models import Source
from intake.actions import create_account, submissions
from intake.models import ServiceAccount
from intake.schemas import SignalementIn
from organisation.models import Departement
from organisation.policy import SYSTEM

NAME = "cnapr-93"
DEMO_TOKEN = "cds_demoCNAPR093_jeton-de-demonstration-ne-pas-utiliser-hors"  # noqa: S105 (public, demo only)


def signalement(received_on: datetime.date) -> dict:
    return {
        "source_reference": "CNAPR-DEMO-0001", "received_on": received_on.isoformat(),
        "facts": "Appel de la mère au numéro vert : retrait de la vie familiale, propos de rupture avec "
                 "l'entourage, consultation de vidéos de propagande signalée par le collège.",
        "orientation_note": "Fiche CNAPR transmise à la préfecture pour un accompagnement de la famille.",
        "young_person": {"last_name": "Benali", "first_name": "Yasmine", "birth_date": "2011-02-14", "sex": "f",
                         "commune": "Aubervilliers", "situation": "school"},
        "relatives": [{"relation": "mother", "last_name": "Benali", "first_name": "Nadia", "phone": "06 45 12 78 90",
                       "parental_authority": True}],
    }


def create_demo_intake() -> ServiceAccount | None:
    """The CNAPR's demo account and its signalement, once; None when they already exist."""
    if not settings.DEMO:
        raise ImproperlyConfigured("Le compte de service de démonstration n'existe qu'en mode démonstration.")
    if ServiceAccount.objects.filter(name=f"api:{NAME}").exists():
        return None
    account, _ = create_account(SYSTEM, name=NAME, source=Source.CNAPR, departement=Departement.objects.get(code="93"),
                                token=DEMO_TOKEN)
    payload = SignalementIn(**signalement(timezone.localdate() - datetime.timedelta(days=1))).model_dump()
    with audit.acting(label=account.name):
        submissions.submit(account, payload, "demo-0001", absolute=lambda path: settings.SITE_URL.rstrip("/") + path)
    return account
