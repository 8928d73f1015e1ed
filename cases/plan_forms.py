"""Forms of the accompaniment plan (objectives, actions, the partner's update) and of the closure with
its end-of-support bilan."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from cases.forms import CareMeasureForm
from cases.models import Bilan, CareMeasure, Case, ClosureReason, Objective, ObjectiveResult, PlanAction, State
from organisation.models import Institution, Role
from ui.forms import CHOOSE, BaseForm, model_fields, with_fields

IN_CARE = (State.IN_CARE, State.MOBILE_TEAM_REQUESTED)
RESULT = "resultat_"  # the bilan's field of an objective: its prefix, then the objective's id


@with_fields(model_fields(Objective, ["domain", "text"]))
class ObjectiveForm(BaseForm):
    """An objective of the plan, in one domain."""


class StartCareForm(CareMeasureForm):
    """Starting the care completes what is set up already: the first care measure unless one is under
    way (a coordinator's orientation), the plan's first objective unless it has one."""

    # What it asks depends on what is set up: read with the case by the action's page (``case_facts``
    # of a form, cases.views.case_page), or here in one query.
    case_facts = {"measure_under_way": Exists(CareMeasure.objects.filter(case=OuterRef("pk"), ends_on__isnull=True)),
                  "has_objective": Exists(Objective.objects.filter(case=OuterRef("pk")))}

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        facts = {name: getattr(case, name) for name in self.case_facts if hasattr(case, name)}
        if len(facts) < len(self.case_facts):
            facts = Case.objects.filter(pk=case.pk).values(**self.case_facts).get()
        if facts["measure_under_way"]:
            self.fields.clear()
        if not facts["has_objective"]:
            self.fields.update(model_fields(Objective, ["domain", "text"]))
            self.fields["domain"].label = "Domaine du premier objectif du plan"
            self.fields["text"].label = "Premier objectif du plan"

    def entry_point_arguments(self) -> dict:
        data = self.cleaned_data
        objective = {"domain": data["domain"], "text": data["text"]} if "domain" in data else None
        return {"measure": {name: data[name] for name in data if name not in ("domain", "text")} or None,
                "objective": objective}


class PlanActionForm(BaseForm):
    """An action towards an objective: a member of the cellule or a partner institution leads it (the
    institution of the measure that carries it, when none is chosen)."""

    needs_case = True

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(model_fields(PlanAction, ["objective", "what", "owner", "institution", "measure",
                                                     "due_on", "status"]))
        self.fields["objective"].queryset = case.objectives.all()
        self.fields["owner"].queryset = get_user_model().objects.filter(
            memberships__in=case.departement.cell.memberships.active().filter(role__in=Role.cell_roles())
        ).distinct().order_by("last_name")
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name()
        self.fields["owner"].help_text = "Un membre de la cellule, ou bien une institution partenaire ci-dessous."
        self.fields["institution"].queryset = Institution.objects.partners_in(case.departement_id)
        self.fields["measure"].queryset = case.care_measures.filter(ends_on__isnull=True).select_related("institution")
        self.fields["measure"].help_text = ("Son institution partenaire voit l'action et la met à jour ; elle mène "
                                            "l'action si personne d'autre n'est choisi.")


@with_fields(model_fields(PlanAction, ["status", "note"]))
class PartnerActionForm(BaseForm):
    """Where an action the partner's measure carries stands."""


class CloseForm(BaseForm):
    """Closing is final for the tasks: asked with a confirmation, and with the outcome of the care
    measures still under way, which end on the closure date. A case in care ends its care: the
    end-of-support bilan goes with it, a result for each objective of the plan."""

    needs_case = True
    reason = forms.ChoiceField(label="Motif de clôture", choices=CHOOSE + [
        c for c in ClosureReason.choices if c[0] != ClosureReason.TRANSFERRED])
    note = forms.CharField(label="Note de clôture (factuelle)", max_length=500, widget=forms.Textarea)
    measures_outcome = forms.ChoiceField(
        label="Issue des prises en charge en cours", choices=CHOOSE + CareMeasure.Outcome.choices,
        help_text="Les prises en charge encore en cours se terminent à la date de clôture avec cette issue.")
    confirm = forms.BooleanField(label="Je confirme la clôture : les tâches en cours du signalement sont annulées")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        if not case.care_measures.filter(ends_on__isnull=True).exists():
            del self.fields["measures_outcome"]
        self.bilan = case.state in IN_CARE
        if self.bilan:
            self.fields.update(model_fields(Bilan, ["exit_situation", "situation_note", "follow_up_planned",
                                                    "follow_up_on"]))
            for objective in case.objectives.all():
                self.fields[f"{RESULT}{objective.pk}"] = forms.ChoiceField(
                    label=f"Objectif « {objective.text} » ({objective.get_domain_display().lower()})",
                    choices=ObjectiveResult.Result.choices, widget=forms.RadioSelect)

    def entry_point_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {"reason": data["reason"], "note": data["note"],
                     "measures_outcome": data.get("measures_outcome", "")}
        if self.bilan:
            arguments["bilan"] = {
                "exit_situation": data["exit_situation"], "situation_note": data["situation_note"],
                "follow_up_planned": data["follow_up_planned"], "follow_up_on": data["follow_up_on"],
                "results": {int(name.removeprefix(RESULT)): value for name, value in data.items()
                            if name.startswith(RESULT)}}
        return arguments
