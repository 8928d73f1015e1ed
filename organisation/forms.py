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
    """A person who already has an account, named by their exact e-mail address: never picked from a
    list of every user of the country."""

    email = forms.EmailField(label="Courriel de la personne (adresse exacte)")
    field_order = ["email"]

    def clean(self):
        data = super().clean()
        email = data.pop("email", None)
        if email:
            accounts = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
            if len(accounts) != 1:
                self.add_error("email", "Aucun compte actif n'a cette adresse : invitez la personne."
                               if not accounts else "Plusieurs comptes ont cette adresse : contactez l'administration.")
            else:
                data["user"] = accounts[0]
        return data


class InviteForm(MemberFields):
    username = forms.CharField(label="Identifiant", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(label="Courriel")
    field_order = ["first_name", "last_name", "email", "username"]


class EndForm(BaseForm):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label="Fin", widget=DATE)
