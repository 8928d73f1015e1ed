"""A coordinator proposes the institution the cellule misses (the parquet, a CAF, a CLSPD…); it exists and is
offered nowhere until the technical administrator validates it, or refuses it with a reason. Nobody but the
administrator creates an institution."""

import html

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Event
from cases.forms import CareMeasureForm
from organisation import actions
from organisation.models import Institution, InstitutionProposal
from organisation.policy import AccessDenied
from outbox.queue import run_due
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

PARQUET = {"name": "Parquet de Bobigny", "category": "justice", "contact_name": "Substitut chargé de la prévention",
           "contact_email": "parquet@bobigny.example.invalid", "motive": "La cellule travaille en lien avec le "
           "procureur."}


def text(response) -> str:
    return html.unescape(response.content.decode())


def proposed(client, personas, data=PARQUET):
    client.force_login(personas.coord_a)
    return client.post(reverse("institution_propose", args=["93"]), data)


def test_a_coordinator_proposes_from_the_cellule_page_and_it_is_offered_nowhere_until_validated(client, personas):
    client.force_login(personas.coord_a)
    assert reverse("institution_propose", args=["93"]) in text(client.get(reverse("cell_detail", args=["93"])))
    assert proposed(client, personas).status_code == 302
    proposal = InstitutionProposal.objects.get()
    assert (proposal.status, proposal.departement.code, proposal.proposed_by) == ("pending", "93", personas.coord_a)
    assert not Institution.objects.filter(name="Parquet de Bobigny").exists()
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    assert "Parquet de Bobigny" not in {i.name for i in CareMeasureForm(case=case).fields["institution"].queryset}
    page = text(client.get(reverse("institution_propose", args=["93"])))
    assert "Parquet de Bobigny" in page and "En attente de validation" in page
    event = Event.objects.get(action="institution.propose")
    assert (event.actor, event.departement, event.details["nom"]) == (personas.coord_a, "93", "Parquet de Bobigny")


def test_the_administrator_validates_it_and_the_cellule_finds_the_institution(client, personas):
    proposed(client, personas)
    proposal = InstitutionProposal.objects.get()
    client.force_login(personas.admin)
    page = text(client.get(reverse("institution_proposals")))
    assert "Parquet de Bobigny" in page and reverse("decide_proposal", args=[proposal.pk]) in page
    response = client.post(reverse("decide_proposal", args=[proposal.pk]), {"decision": "validate"}, follow=True)
    assert "Institution « Parquet de Bobigny » créée" in text(response)
    institution = Institution.objects.get(name="Parquet de Bobigny")
    assert (institution.departement.code, institution.category, institution.contact_email) == (
        "93", "justice", "parquet@bobigny.example.invalid")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.institution, proposal.decided_by) == ("validated", institution, personas.admin)
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    assert institution in CareMeasureForm(case=case).fields["institution"].queryset
    assert {e.action for e in Event.objects.filter(action__startswith="institution.")} >= {
        "institution.create", "institution.proposal_validate"}
    run_due()
    told = [m for m in mail.outbox if "Institution proposée" in m.subject]
    assert [m.to for m in told] == [[personas.coord_a.email]] and "est validée" in told[0].body
    # Decided once: a second click is told so, and creates nothing.
    response = client.post(reverse("decide_proposal", args=[proposal.pk]), {"decision": "validate"}, follow=True)
    assert "a déjà été validée" in text(response)
    assert Institution.objects.filter(name="Parquet de Bobigny").count() == 1


def test_the_administrator_refuses_it_with_a_reason_the_coordinator_reads(client, personas):
    proposed(client, personas)
    proposal = InstitutionProposal.objects.get()
    client.force_login(personas.admin)
    url = reverse("decide_proposal", args=[proposal.pk])
    response = client.post(url, {"decision": "refuse", "refusal_reason": "  "}, follow=True)
    assert "Indiquez le motif du refus" in text(response)
    assert InstitutionProposal.objects.get().status == "pending"
    client.post(url, {"decision": "refuse", "refusal_reason": "Le parquet existe : « TJ de Bobigny — parquet »."})
    proposal.refresh_from_db()
    assert proposal.status == "refused" and not Institution.objects.filter(name="Parquet de Bobigny").exists()
    assert Event.objects.get(action="institution.proposal_refuse").details["motif"].startswith("Le parquet existe")
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("institution_propose", args=["93"])))
    assert "Refusée : Le parquet existe" in page


def test_a_local_prevention_body_says_which_and_where_and_a_taken_name_is_refused(client, personas):
    response = proposed(client, personas, {"name": "CLSPD de Pantin", "category": "local_prevention"})
    assert response.status_code == 400 and "Indiquez le dispositif" in text(response)
    response = proposed(client, personas, {"name": "CLSPD de Pantin", "category": "local_prevention",
                                           "prevention_kind": "clspd"})
    assert "Indiquez la commune ou l'intercommunalité" in text(response)
    InstitutionFactory(name="Mission locale de Bobigny", partner=True)
    response = proposed(client, personas, {"name": "mission locale de Bobigny", "category": "association"})
    assert "existe déjà" in text(response)
    assert not InstitutionProposal.objects.exists()
    assert proposed(client, personas, {"name": "CLSPD de Pantin", "category": "local_prevention",
                                       "prevention_kind": "clspd", "territory": "Pantin"}).status_code == 302


@pytest.mark.parametrize("who, status", [("coord_b", 404), ("member_a", 403), ("national", 403), ("admin", 403),
                                         ("inspector", 403)])
def test_only_the_cellules_coordinators_propose(client, personas, who, status):
    client.force_login(getattr(personas, who))
    assert client.post(reverse("institution_propose", args=["93"]), PARQUET).status_code == status
    assert not InstitutionProposal.objects.exists()
    with pytest.raises(AccessDenied):
        actions.propose_institution(getattr(personas, who), personas.cell_a, InstitutionProposal(**PARQUET))


def test_a_coordinator_cannot_create_an_institution_nor_decide_a_proposal(client, personas):
    proposed(client, personas)
    proposal = InstitutionProposal.objects.get()
    # Not through the reference data's site (it sends a signed-in coordinator to the login page)…
    response = client.post(reverse("admin:organisation_institution_add"), {"name": "CAF de la Seine-Saint-Denis",
                                                                           "category": "state"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    # …nor by deciding its own proposal, nor at the entry points.
    assert client.get(reverse("institution_proposals")).status_code == 403
    assert client.post(reverse("decide_proposal", args=[proposal.pk]), {"decision": "validate"}).status_code == 403
    with pytest.raises(AccessDenied):
        actions.save_reference(personas.coord_a, Institution(name="CAF de la Seine-Saint-Denis", category="state"))
    with pytest.raises(AccessDenied):
        actions.validate_proposal(personas.coord_a, proposal)
    assert not Institution.objects.filter(name__in=["CAF de la Seine-Saint-Denis", "Parquet de Bobigny"]).exists()
    assert InstitutionProposal.objects.get().status == "pending"
