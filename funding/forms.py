"""The form of a FIPD action, from the model's own fields; the operator is one of the département's
institutions or a name typed."""

from django.forms.models import model_to_dict
from django.utils import timezone

from funding.actions import FIELDS
from funding.models import FundedAction
from organisation.models import Cell, Institution
from ui.forms import BaseForm, model_fields, with_fields


@with_fields(model_fields(FundedAction, list(FIELDS)))
class FundedActionForm(BaseForm):
    def __init__(self, *args, cell: Cell, action: FundedAction | None = None, **kwargs) -> None:
        initial = model_to_dict(action, FIELDS) if action else {"year": timezone.localdate().year}
        super().__init__(*args, initial=initial, **kwargs)
        institution = self.fields["institution"]
        institution.queryset = Institution.objects.partners_in(cell.departement_id)  # type: ignore[attr-defined]
        institution.empty_label = "— Autre porteur (saisi ci-dessous) —"  # type: ignore[attr-defined]
