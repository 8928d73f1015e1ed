"""Bad input on every case form gives a French field error (or a 404) and changes nothing.

One table (``FORMS``) says, for the intake and each action of ``cases.views.case_page.ACTIONS``, who
acts, on a case in which state, and what a valid submission looks like; ``BAD`` lists the wrong
values, each with the French message the user must read. "Nothing changed" means: the same rows
in every case table, and no audit event other than reads.
"""

import datetime
import html
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.actions import plan
from cases.models import (
    Bilan,
    CareMeasure,
    Case,
    CaseNote,
    Consent,
    FamilyContact,
    FollowUpNote,
    NoteAttachment,
    Objective,
    ObjectiveResult,
    Person,
    PlanAction,
    ProsecutorInformation,
    Relative,
)
from cases.views.case_page import ACTIONS
from cellule import actions as cellule
from mobile_team import actions as mobile
from mobile_team.models import MobileTeamRequest
from organisation.models import Departement
from retention import actions as retention
from tests.cases.factories import CaseFactory, progress
from tests.organisation.factories import InstitutionFactory
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it
TODAY = timezone.localdate()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()
YESTERDAY = (TODAY - datetime.timedelta(days=1)).isoformat()
TODAY_S = TODAY.isoformat()
RECEIVED = timezone.localdate() - datetime.timedelta(days=3)  # CaseFactory's reception date
BEFORE_RECEIVED = (RECEIVED - datetime.timedelta(days=1)).isoformat()
READS = ["case.view", "case.list", "access.denied"]
MODELS = [Case, Person, Relative, FamilyContact, CareMeasure, Consent, MobileTeamRequest, FollowUpNote, CaseNote,
          NoteAttachment, Objective, PlanAction, Bilan, ObjectiveResult, ProsecutorInformation]

REQUIRED = "Ce champ est obligatoire."
INVALID_DATE = "Saisissez une date valide."
INVALID_CHOICE = "Sélectionnez un choix valide."


def too_long(field: str, limit: int) -> tuple[dict, str]:
    """One character over the limit, and Django's French message about it."""
    return {field: "x" * (limit + 1)}, f"comporte au plus {limit} caractères (actuellement {limit + 1})"


PERSON = {"last_name": "Durand", "first_name": "Lucas", "birth_date": "2010-03-04", "sex": "m",
          "commune": "Bobigny", "address": "", "situation": "school"}
RELATIVE = {"relation": "father", "last_name": "Durand", "first_name": "Paul", "phone": "06 11 22 33 44",
            "email": "", "address": "", "parental_authority": "on"}
MEASURE = {"modality": "psychological", "beneficiary": "young_person", "starts_on": YESTERDAY, "adhesion": "family",
           "institution": lambda ctx: InstitutionFactory(name="Maison des adolescents", partner=True).pk}

PLAN_ACTION = {"objective": lambda ctx: ctx.case.objectives.get().pk, "what": "Rencontrer le CIO.",
               "owner": lambda ctx: ctx.case.referent_id, "institution": "", "measure": "", "status": "planned",
               "due_on": TOMORROW}

# slug: (case state, who acts, valid data; a callable value is computed from the context)
FORMS = {
    "intake": (None, "coord_a", {"source": "cnapr", "received_on": YESTERDAY, "facts": "Propos rapportés.",
                                 "orientation_note": "", **{f"person_{k}": v for k, v in PERSON.items()}}),
    "contact": ("received", "coord_a", {"on": YESTERDAY, "channel": "phone", "outcome": "unreachable",
                                        "not_attempted_reason": "", "note": ""}),
    "attribuer": ("received", "coord_a", {"referent": lambda ctx: ctx.membership("member_a"),
                                          "no_contact_reason": "unreachable"}),
    "changer-referent": ("assigned", "coord_a", {"referent": lambda ctx: ctx.membership("coord_a"),
                                                 "reason": "Congé."}),
    "prise-en-charge": ("assigned", "member_a", {**MEASURE, "domain": "schooling", "text": "Reprendre l'école."}),
    "revue": ("in_care", "member_a", {"note": "Suivi régulier.", "propose_closure": "",
                                      "*progress": lambda ctx: per_objective(ctx, "avancement_", "advancing")}),
    "poursuivre": ("closure_proposed", "coord_a", {"note": "Le suivi reste utile."}),
    "equipe-mobile": ("in_care", "coord_a", {"motive": "Regard clinique.", "expected": "advice",
                                             "urgency": "normal", "summary": "Repli sur soi.",
                                             "preferred_dates": "", "preferred_place": ""}),
    "retirer-equipe-mobile": ("mobile_team_requested", "coord_a", {"reason": "La famille a trouvé un soutien."}),
    "lire-reponse-equipe-mobile": ("team_answered", "coord_a", {}),
    "demande-entretien": ("in_care", "coord_a", {"with_whom": "prefet", "requested_by": "Mère", "channel": "letter",
                                                 "requested_on": YESTERDAY}),
    "suivi-entretien": ("interview_requested", "coord_a", {"status": "held", "scheduled_at": "", "held_on": TODAY_S,
                                                           "outcome": "Entretien tenu."}),
    "mesure": ("in_care", "coord_a", MEASURE),
    "fin-mesure": ("in_care", "coord_a", {"ends_on": YESTERDAY, "outcome": "completed"}),
    "modifier-mesure": ("in_care", "coord_a", MEASURE),
    "refonder-mesure": ("consent_lost", "member_a", {"adhesion": "not_needed",
                                                     "adhesion_note": "Mesure ordonnée par le juge."}),
    "retirer-mesure": ("second_measure", "coord_a", {"reason": "Saisie en double.", "confirm": "on"}),
    "jeune": ("received", "coord_a", PERSON),
    "proche": ("received", "coord_a", RELATIVE),
    "modifier-proche": ("received", "coord_a", RELATIVE),
    "adhesion": ("received", "coord_a", {"party": "family", "status": "given", "on": YESTERDAY}),
    # The coordinators only, on any state (tests/cases/test_prosecutor_information.py).
    "information-procureur": ("in_care", "coord_a", {"on": YESTERDAY, "means": "letter",
                                                     "shared": "Situation suivie par la cellule."}),
    "cloturer": ("in_care", "coord_a", {"reason": "completed", "note": "Fin du suivi.", "measures_outcome": "completed",
                                        "confirm": "on", "exit_situation": "school", "situation_note": "",
                                        "follow_up_on": "",
                                        "*results": lambda ctx: per_objective(ctx, "resultat_", "reached")}),
    "objectif": ("in_care", "member_a", {"domain": "schooling", "text": "Reprendre une scolarité."}),
    "modifier-objectif": ("planned", "member_a", {"domain": "insertion", "text": "Trouver un apprentissage."}),
    "action-plan": ("planned", "member_a", PLAN_ACTION),
    "modifier-action-plan": ("planned", "coord_a", PLAN_ACTION),
    "transferer": ("received", "coord_a", {"destination": lambda ctx: Departement.objects.get(code="69").pk,
                                           "note": "Déménagement."}),
    "rouvrir": ("closed", "coord_a", {"reason": "Nouveau signalement."}),
    "note": ("in_care", "member_a", {"text": "Rencontre avec la mère.", "visibility": "cellule"}),
    "geler": ("closed", "coord_a", {"reason": "Réquisition judiciaire reçue."}),
    "lever-gel": ("held", "coord_a", {"reason": "Réquisition levée."}),
    "retirer-transfert": ("transfer_pending", "coord_a", {}),
}
TARGETS = {"fin-mesure": "care_measures", "modifier-mesure": "care_measures", "retirer-mesure": "care_measures",
           "refonder-mesure": "care_measures",
           "modifier-proche": "relatives", "suivi-entretien": "interview_requests", "modifier-objectif": "objectives",
           "modifier-action-plan": lambda case: PlanAction.objects.filter(objective__case=case)}


def records(case, slug: str):
    """The records of the case an action of ``TARGETS`` is about."""
    target = TARGETS[slug]
    return target(case) if callable(target) else getattr(case, target)
LYON = {"institution": lambda ctx: InstitutionFactory(name="Parquet de Lyon", departement=Departement.objects.get(
    code="69")).pk}

# (slug, wrong values, the French message on the page)
BAD = [
    ("intake", *too_long("facts", 2000)),
    ("intake", {"received_on": "2026-02-30"}, INVALID_DATE),
    ("intake", {"received_on": TOMORROW}, "La date de réception ne peut pas être dans le futur."),
    ("intake", {"person_birth_date": YESTERDAY, "received_on": BEFORE_RECEIVED},
     "La date de naissance doit précéder la date de réception."),
    ("intake", {"source": "twitter"}, INVALID_CHOICE),
    ("intake", {"relative1_relation": "mother"}, "Pour ce proche, indiquez au moins le lien, le nom et le prénom."),
    ("contact", *too_long("note", 500)),
    ("contact", {"not_attempted_reason": "Oubli"}, INVALID_CHOICE),
    ("contact", {"outcome": "not_attempted", "not_attempted_reason": "Pas de coordonnées de la famille"},
     "Un contact non tenté n'a pas de moyen"),  # the valid submission's channel is the telephone
    ("contact", {"channel": ""}, "Indiquez le moyen du contact."),
    ("contact", {"on": "hier"}, INVALID_DATE),
    ("contact", {"on": TOMORROW}, "La date du contact ne peut pas être dans le futur."),
    ("contact", {"on": BEFORE_RECEIVED}, "Le contact ne peut précéder la réception du signalement"),
    ("contact", {"channel": "pigeon"}, INVALID_CHOICE),
    ("contact", {"outcome": "not_attempted", "channel": ""}, "Indiquez pourquoi le contact n'a pas été tenté."),
    ("attribuer", {"referent": "abc"}, INVALID_CHOICE),
    ("attribuer", {"referent": lambda ctx: ctx.membership("member_b")}, INVALID_CHOICE),
    ("attribuer", {"no_contact_reason": ""}, "Indiquez pourquoi la famille n'a pas été contactée."),
    ("changer-referent", {"referent": lambda ctx: ctx.membership("member_a")}, INVALID_CHOICE),  # the current one
    ("changer-referent", *too_long("reason", 500)),
    ("prise-en-charge", {"institution": "abc"}, INVALID_CHOICE),
    ("prise-en-charge", {"starts_on": "2026-02-30"}, INVALID_DATE),
    ("prise-en-charge", {"domain": "sport"}, INVALID_CHOICE),  # the plan's first objective, with the measure
    ("prise-en-charge", {"text": ""}, REQUIRED),
    ("revue", *too_long("note", 1000)),
    ("poursuivre", {"note": "   "}, REQUIRED),
    ("equipe-mobile", *too_long("motive", 500)),
    ("equipe-mobile", {"urgency": "tres-urgent"}, INVALID_CHOICE),
    ("equipe-mobile", *too_long("summary", 1000)),
    ("equipe-mobile", {"expected": "tout"}, INVALID_CHOICE),
    ("retirer-equipe-mobile", *too_long("reason", 500)),
    ("demande-entretien", {"requested_on": TOMORROW}, "La date de la demande ne peut pas être dans le futur."),
    ("demande-entretien", {"requested_on": "2019-05-02"}, "La demande ne peut précéder la réception du signalement"),
    ("suivi-entretien", {"scheduled_at": f"{TOMORROW}T10:00"},
     "L'entretien ne peut avoir eu lieu avant la date où il était prévu."),
    ("demande-entretien", {"with_whom": "maire"}, INVALID_CHOICE),
    ("suivi-entretien", {"held_on": ""}, "Indiquez quand l'entretien a eu lieu."),
    ("suivi-entretien", {"status": "scheduled"}, "Indiquez quand l'entretien aura lieu."),
    ("mesure", {"institution": "abc"}, INVALID_CHOICE),
    ("mesure", {"modality": "magie"}, INVALID_CHOICE),
    ("mesure", {"starts_on": BEFORE_RECEIVED}, "La prise en charge ne peut commencer avant la réception"),
    ("mesure", {"starts_on": "2031-01-06"}, "Une prise en charge se prévoit au plus six mois à l'avance."),
    ("fin-mesure", {"ends_on": BEFORE_RECEIVED}, "La fin ne peut précéder le début."),
    ("fin-mesure", {"ends_on": TOMORROW}, "La date de fin ne peut pas être dans le futur."),
    ("fin-mesure", {"ends_on": ""}, REQUIRED),
    ("fin-mesure", {"outcome": "done"}, INVALID_CHOICE),
    ("jeune", *too_long("last_name", 100)),
    ("jeune", {"birth_date": "2026-02-30"}, INVALID_DATE),
    ("jeune", {"birth_date": YESTERDAY}, "La date de naissance doit précéder la date de réception."),
    ("jeune", {"sex": "x"}, INVALID_CHOICE),
    ("jeune", {"birth_date": "1950-03-04"}, "Le dispositif suit des jeunes"),
    ("proche", *too_long("address", 200)),
    ("proche", {"email": "pas-un-courriel"}, "Saisissez une adresse de courriel valide."),
    ("proche", {"phone": "appeler le soir"}, "Numéro de téléphone invalide"),
    ("modifier-proche", {"relation": "voisin"}, INVALID_CHOICE),
    ("adhesion", {"on": "2026-02-30"}, INVALID_DATE),
    ("adhesion", {"on": TOMORROW}, "La date ne peut pas être dans le futur."),
    ("adhesion", {"status": "peut-etre"}, INVALID_CHOICE),
    ("information-procureur", {"on": TOMORROW}, "La date de l'information ne peut pas être dans le futur."),
    ("information-procureur", {"on": BEFORE_RECEIVED}, "L'information du procureur ne peut précéder la réception"),
    ("information-procureur", {"on": "2026-02-30"}, INVALID_DATE),
    ("information-procureur", {"means": "pigeon"}, INVALID_CHOICE),
    ("information-procureur", {"export_sha256": "0" * 64}, INVALID_CHOICE),  # not an export of this case
    ("information-procureur", *too_long("shared", 1000)),
    ("cloturer", *too_long("note", 500)),
    ("cloturer", {"reason": "transferred"}, INVALID_CHOICE),
    ("cloturer", {"reason": ""}, REQUIRED),  # the reason starts empty: nobody chose one
    ("cloturer", {"confirm": ""}, REQUIRED),  # the confirmation is checked by the server, not by a script
    ("cloturer", {"measures_outcome": ""}, REQUIRED),
    ("cloturer", {"measures_outcome": "termine"}, INVALID_CHOICE),
    ("cloturer", {"exit_situation": "prison"}, INVALID_CHOICE),
    ("cloturer", {"follow_up_on": TOMORROW}, "Une date ne s'indique que si un contact de suivi est prévu."),
    ("cloturer", {"follow_up_planned": "on", "follow_up_on": TODAY_S},
     "Le contact de suivi se prévoit après la clôture."),
    ("cloturer", *too_long("situation_note", 500)),
    ("objectif", *too_long("text", 300)),
    ("objectif", {"domain": "sport"}, INVALID_CHOICE),
    ("modifier-objectif", {"domain": "sport"}, INVALID_CHOICE),
    ("action-plan", *too_long("what", 300)),
    ("action-plan", {"due_on": BEFORE_RECEIVED}, "L'échéance ne peut précéder la réception du signalement"),
    ("action-plan", {"owner": ""}, "Indiquez qui mène l'action"),
    ("action-plan", {"institution": lambda ctx: InstitutionFactory(name="Mission locale", partner=True).pk},
     "Indiquez qui mène l'action"),
    ("action-plan", {"owner": lambda ctx: ctx.membership("member_b")}, INVALID_CHOICE),
    ("action-plan", {"measure": "abc"}, INVALID_CHOICE),
    ("modifier-action-plan", {"status": "fini"}, INVALID_CHOICE),
    ("modifier-action-plan", {"due_on": "2026-02-30"}, INVALID_DATE),
    ("mesure", LYON, INVALID_CHOICE),  # another département's institution is not offered
    ("prise-en-charge", LYON, INVALID_CHOICE),
    ("modifier-mesure", LYON, INVALID_CHOICE),
    ("refonder-mesure", {"adhesion": "young_person", "adhesion_note": ""},
     "enregistrez d'abord l'adhésion recueillie depuis"),
    ("refonder-mesure", {"adhesion_note": ""}, "Indiquez pourquoi l'adhésion n'est pas requise"),
    ("refonder-mesure", {"adhesion": "always"}, INVALID_CHOICE),
    ("modifier-mesure", {"starts_on": "2031-01-06"}, "Une prise en charge se prévoit au plus six mois à l'avance."),
    ("retirer-mesure", {"confirm": ""}, REQUIRED),
    ("retirer-mesure", {"reason": "  "}, REQUIRED),
    ("retirer-mesure", *too_long("reason", 500)),
    ("transferer", *too_long("note", 500)),
    ("transferer", {"destination": "abc"}, INVALID_CHOICE),
    ("transferer", {"destination": lambda ctx: ctx.case.departement_id}, INVALID_CHOICE),  # not offered (point 8)
    ("rouvrir", *too_long("reason", 500)),
    ("note", *too_long("text", 2000)),
    ("geler", *too_long("reason", 500)),
    ("lever-gel", *too_long("reason", 500)),
]
EMPTY = [(slug, {name: "" for name in FORMS[slug][2]}, REQUIRED) for slug in FORMS if FORMS[slug][2]]
# The case each special state of FORMS starts from, and how it gets there.
SETUPS = {
    "closure_proposed": ("in_care", lambda p, case, referent: actions.complete_review(
        referent, case, note="Objectifs atteints.", propose_closure=True, progress=progress(case))),
    "interview_requested": ("in_care", lambda p, case, referent: cellule.record_interview_request(
        p.coord_a if case.departement.code == "93" else p.coord_b, case, with_whom="referent",
        requested_by="Père", channel="phone", requested_on=timezone.localdate())),
    "team_answered": ("mobile_team_requested", lambda p, case, referent: mobile.accept(
        p.mobile, tasks.claim(p.mobile, case.tasks.get(flow_task_name="handle_request")).case
        .mobile_team_requests.get())),
    "transfer_pending": ("in_care", lambda p, case, referent: actions.transfer(
        p.coord_a if case.departement.code == "93" else p.coord_b, case, note="Déménagement.",
        destination=Departement.objects.exclude(pk=case.departement_id).get(code__in=["93", "69"]))),
    "held": ("closed", lambda p, case, referent: retention.place_hold(
        p.coord_a if case.departement.code == "93" else p.coord_b, case, reason="Réquisition.")),
    "consent_lost": ("in_care", lambda p, case, referent: actions.record_consent(
        referent, case, party="young_person", status="withdrawn", on=TODAY)),
    "planned": ("in_care", lambda p, case, referent: plan.add_plan_action(
        referent, case, objective=case.objectives.get(),
        what="Rencontrer le CIO.", owner=referent, due_on=TODAY)),
    "second_measure": ("in_care", lambda p, case, referent: actions.add_care_measure(
        referent, case, modality="family_support", beneficiary="family", starts_on=case.received_on,
        institution=InstitutionFactory(name=f"Maison des adolescents {case.departement.code}",
                                       departement=case.departement), adhesion="family")),
}


def prepare(personas, slug: str, coordinator: str = "coord_a", referent: str = "member_a"):
    """The case the form needs (None for the intake), the record it is about, the URL to post to."""
    state = FORMS[slug][0]
    ctx = SimpleNamespace(case=None, target=None, membership=lambda name: getattr(personas, name).memberships.get().pk)
    if state is None:
        return ctx, reverse("cases:intake")
    coordinator, referent = getattr(personas, coordinator), getattr(personas, referent)
    base, setup = SETUPS.get(state, (state, None))
    ctx.case = CaseFactory(coordinator=coordinator, referent=referent, state=base)
    if setup:
        setup(personas, ctx.case, referent)
    if slug in TARGETS:
        ctx.target = records(ctx.case, slug).first()
        return ctx, reverse("cases:record_action", args=[ctx.case.pk, slug, ctx.target.pk])
    return ctx, reverse("cases:action", args=[ctx.case.pk, slug])


def resolve(data: dict, ctx) -> dict:
    """The data to post: a callable value is computed from the context; one whose name starts with "*" gives
    several fields (``per_objective``)."""
    out = {}
    for name, value in data.items():
        value = value(ctx) if callable(value) else value
        out.update(value if name.startswith("*") else {name: value})
    return out


def per_objective(ctx, prefix: str, value: str) -> dict:
    """A field per objective of the case's plan (a review's progress, a bilan's results)."""
    return {f"{prefix}{pk}": value for pk in ctx.case.objectives.values_list("pk", flat=True)}


def snapshot() -> dict:
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    return {**rows, "audit events other than reads": Event.objects.exclude(action__in=READS).count()}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("slug", FORMS)
def test_the_valid_submission_each_bad_one_starts_from_is_accepted(client, personas, slug):
    ctx, url = prepare(personas, slug)
    client.force_login(getattr(personas, FORMS[slug][1]))
    response = client.post(url, resolve(FORMS[slug][2], ctx))
    assert response.status_code == 302, page_text(response)


@pytest.mark.parametrize(
    "slug,wrong,message", [pytest.param(*row, id=f"{row[0]}-empty") for row in EMPTY]
    + [pytest.param(*row, id=f"{row[0]}-{'-'.join(row[1])}-{n}") for n, row in enumerate(BAD)],
)
def test_bad_input_shows_a_french_error_and_changes_nothing(client, personas, slug, wrong, message):
    ctx, url = prepare(personas, slug)
    client.force_login(getattr(personas, FORMS[slug][1]))
    data = resolve({**FORMS[slug][2], **wrong}, ctx)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize("slug", [slug for slug in FORMS if slug != "intake"])
def test_another_departements_case_is_not_found_and_the_attempt_is_recorded(client, personas, slug):
    ctx, url = prepare(personas, slug, coordinator="coord_b", referent="member_b")
    client.force_login(personas.coord_a)
    before, denied = snapshot(), Event.objects.filter(action="access.denied").count()
    response = client.post(url, resolve(FORMS[slug][2], ctx))
    assert response.status_code == 404
    assert snapshot() == before
    event = Event.objects.filter(action="access.denied").order_by("id").last()
    assert Event.objects.filter(action="access.denied").count() == denied + 1
    assert (event.actor, event.object_id, event.departement) == (personas.coord_a, str(ctx.case.pk), "69")


@pytest.mark.parametrize("slug", TARGETS)
def test_a_record_of_another_case_is_not_found(client, personas, slug):
    ctx, _ = prepare(personas, slug)
    other, _ = prepare(personas, slug)
    client.force_login(personas.coord_a)
    before = snapshot()
    foreign = records(other.case, slug).first()
    response = client.post(reverse("cases:record_action", args=[ctx.case.pk, slug, foreign.pk]),
                           resolve(FORMS[slug][2], ctx))
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("slug,with_target", [("supprimer", False), ("supprimer", True), ("fin-mesure", False),
                                              ("cloturer", True)])
def test_an_unknown_action_is_not_found(client, personas, method, slug, with_target):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, state="in_care")
    client.force_login(personas.coord_a)
    before = snapshot()
    args = [case.pk, slug, case.care_measures.get().pk] if with_target else [case.pk, slug]
    url = reverse("cases:record_action" if with_target else "cases:action", args=args)
    response = getattr(client, method)(url, {"reason": "completed", "note": "Fin."})
    assert response.status_code == 404
    assert snapshot() == before


def test_the_table_covers_every_action():
    # An action with a page of its own (the PDF export: tests/cases/test_case_export.py) is answered there.
    assert set(FORMS) - {"intake"} == {action.slug for action in ACTIONS if not action.page}
    assert set(TARGETS) == {action.slug for action in ACTIONS if action.target_model}


def test_a_text_the_browser_accepts_is_not_refused_for_its_line_breaks(client, personas):
    """The browser counts a line break as one character against maxlength, and sends two (CR LF)."""
    ctx, url = prepare(personas, "cloturer")
    client.force_login(getattr(personas, FORMS["cloturer"][1]))
    note = "\r\n".join(["x" * 99] * 5)  # 499 characters as the browser counts them (max. 500), 503 as sent
    response = client.post(url, {**resolve(FORMS["cloturer"][2], ctx), "note": note})
    assert response.status_code == 302, page_text(response)
