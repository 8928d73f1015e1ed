"""Forms of the composition page: add an existing user, invite a new one, end a membership."""

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from organisation.models import Institution, Role
from project.forms import DATE, BaseForm

CELL_ROLES = [(role.value, role.label) for role in Role.cell_roles()]


class MemberFields(BaseForm):
    institution = forms.ModelChoiceField(label="Institution", queryset=Institution.objects.all(),
                                         empty_label="— choisir —")
    function = forms.CharField(label="Fonction", max_length=128)
    role = forms.ChoiceField(label="Rôle", choices=CELL_ROLES)
    contacts_families = forms.BooleanField(label="Désigné pour contacter les familles", required=False)
    starts_on = forms.DateField(label="Début", widget=DATE, initial=timezone.localdate)


class AddForm(MemberFields):
    user = forms.ModelChoiceField(label="Utilisateur existant", queryset=User.objects.filter(is_active=True)
                                  .order_by("last_name"), empty_label="— choisir —")
    field_order = ["user"]


class InviteForm(MemberFields):
    username = forms.CharField(label="Identifiant", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(label="Courriel")
    field_order = ["first_name", "last_name", "email", "username"]


class EndForm(BaseForm):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label="Fin", widget=DATE)
