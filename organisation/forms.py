"""Forms of the composition page (add an existing user, invite a new one, end a membership), of the
national level's mandates and roles pages, of the technical administrator's account pages, and of the
institutions a coordinator proposes."""

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from organisation.models import (
    AccountRecovery,
    Cell,
    Departement,
    Institution,
    InstitutionProposal,
    Mandate,
    Membership,
    Role,
)
from ui.forms import DATE, BaseForm, model_fields, with_fields


def say_who_designates_the_referent(form: forms.Form, cell: Cell | None) -> None:
    """The référent radicalisation is designated by the préfet, overseas by the haut-commissaire…
    (the DSFR's form has bound its fields already: the label is given to both)."""
    by = cell.departement.representative_title if cell is not None else "préfet"
    form.fields["radicalisation_referent"].label = form["radicalisation_referent"].label = (
        f"Référent radicalisation (désigné par le {by})")


class MemberFields(BaseForm):
    """``roles``: the cellule's roles the person filling the form may give (``grantable_roles``)."""

    institution = forms.ModelChoiceField(label="Institution", queryset=Institution.objects.all(),
                                         empty_label="— choisir —")
    function = forms.CharField(label="Fonction", max_length=128)
    role = forms.ChoiceField(label="Rôle")
    contacts_families = forms.BooleanField(label="Désignation pour contacter les familles", required=False)
    radicalisation_referent = forms.BooleanField(label="Référent radicalisation (désigné par le préfet)",
                                                 required=False)
    starts_on = forms.DateField(label="Début", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, roles=(), cell=None, **kwargs):
        """``cell``: the cellule joined, whose département's institutions and the national ones are offered."""
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        say_who_designates_the_referent(self, cell)
        if cell is not None:
            self.fields["institution"].queryset = Institution.objects.serving(cell.departement_id)


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


class AccountFields(BaseForm):
    """An account's identity and address, never a password: its holder chooses it from the link sent
    to this address."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(label="Courriel", max_length=254)
    username = forms.CharField(label="Identifiant", max_length=150,
                               help_text="Lettres, chiffres et les signes @ . + - _ ; la personne s'en sert pour se "
                                         "connecter.")
    field_order = ["first_name", "last_name", "email", "username"]


class InviteForm(MemberFields, AccountFields):
    field_order = AccountFields.field_order


class AccountForm(AccountFields):
    """The technical administrator creates an account and may give it, with it, the one role it gives
    (``roles``, from ``grantable_roles``: the administrator's); the others are given by the national
    level or the cellule's coordinator."""

    role = forms.ChoiceField(label="Rôle donné avec le compte", widget=forms.RadioSelect, required=False)
    institution = forms.ModelChoiceField(label="Institution", queryset=Institution.objects.filter(
        departement__isnull=True), empty_label="— choisir —", required=False,
        help_text="Obligatoire avec un rôle.")
    function = forms.CharField(label="Fonction", max_length=128, required=False, help_text="Obligatoire avec un rôle.")

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Aucun : le niveau national ou la coordination de la cellule le donnera"),
                                       *((role.value, role.label) for role in roles)]

    def clean(self):
        data = super().clean()
        if data.get("role"):
            for name, message in (("institution", "Choisissez l'institution de la personne."),
                                  ("function", "Indiquez la fonction de la personne.")):
                if not data.get(name):
                    self.add_error(name, message)
        return data

    def entry_point_arguments(self) -> dict:
        data = self.cleaned_data
        user = User(**{name: data[name].strip() for name in AccountFields.base_fields})
        membership = Membership(role=data["role"], institution=data["institution"], function=data["function"],
                                starts_on=timezone.localdate()) if data["role"] else None
        return {"user": user, "membership": membership}


class EndForm(BaseForm):
    """Ending a membership closes the member's access to the cellule: the coordinator confirms it, and
    names who takes over the cases and tasks the member still holds."""

    membership = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label="Fin", widget=DATE)
    successor: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Confier ses signalements et ses tâches à", queryset=None, required=False, empty_label="— choisir —",
        help_text="Obligatoire si le membre suit encore des signalements ou détient des tâches : il devient le "
                  "référent de ses signalements ; les tâches prises dans la file y retournent.")
    confirm = forms.BooleanField(
        label="Je confirme la fin de cette participation : le membre n'aura plus accès à la cellule à cette date.",
        error_messages={"required": "Cochez la case pour confirmer la fin de la participation."})

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (cell.memberships.active().filter(role__in=[Role.COORDINATOR, Role.MEMBER])
                                             .select_related("user").order_by("user__last_name"))
        self.fields["successor"].label_from_instance = lambda m: f"{m.user.get_full_name()} — {m.function}"


class DesignateForm(BaseForm):
    """What the coordinator designates a member for: the préfet's référent radicalisation, the
    contacts with the families."""

    membership: forms.ModelChoiceField = forms.ModelChoiceField(label="Membre", queryset=None,
                                                                empty_label="— choisir —")
    radicalisation_referent = forms.BooleanField(label="Référent radicalisation (désigné par le préfet)",
                                                 required=False)
    contacts_families = forms.BooleanField(label="Désignation pour contacter les familles", required=False)

    def __init__(self, *args, endable, cell=None, **kwargs):
        super().__init__(*args, **kwargs)
        say_who_designates_the_referent(self, cell)
        self.fields["membership"].queryset = Membership.objects.filter(pk__in=[m.pk for m in endable])
        self.fields["membership"].label_from_instance = (
            lambda m: f"{m.user.get_full_name()} — {m.institution}"
                      f"{' (référent radicalisation)' if m.radicalisation_referent else ''}"
                      f"{' (contacte les familles)' if m.contacts_families else ''}")


class MandateForm(BaseForm):
    """A national officer's request for an inspection mandate."""

    reference = forms.CharField(label="Référence du mandat (lettre de mission)", max_length=64)
    inspector = forms.EmailField(label="Courriel de l'inspecteur (adresse exacte)")
    departements = forms.ModelMultipleChoiceField(label="Départements examinés", queryset=Departement.objects.all())
    starts_on = forms.DateField(label="Mandat valide du", widget=DATE)
    ends_on = forms.DateField(label="au", widget=DATE)
    reviews_from = forms.DateField(label="Période examinée, du", widget=DATE)
    reviews_until = forms.DateField(label="au", widget=DATE)

    def clean_inspector(self):
        email = self.cleaned_data["inspector"]
        accounts = list(User.objects.filter(email__iexact=email, is_active=True,
                                            memberships__role=Role.INSPECTOR).distinct()[:2])
        if len(accounts) != 1:
            raise forms.ValidationError("Aucun compte actif de l'inspection n'a cette adresse." if not accounts
                                        else "Plusieurs comptes ont cette adresse : contactez l'administration.")
        return accounts[0]

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if Mandate.objects.filter(reference__iexact=reference).exists():
            raise forms.ValidationError("Un mandat porte déjà cette référence.")
        return reference


class NationalRoleForm(AddForm):
    """A national officer names a national officer, a mobile-team agent or an inspector, by the exact
    address of their account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contacts_families"], self.fields["radicalisation_referent"]
        self.fields["institution"].queryset = Institution.objects.filter(departement__isnull=True)


class EndNationalRoleForm(BaseForm):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label="Fin", widget=DATE, initial=timezone.localdate)
    confirm = forms.BooleanField(
        label="Je confirme la fin de ce rôle : la personne n'y aura plus accès à cette date.",
        error_messages={"required": "Cochez la case pour confirmer la fin du rôle."})


class RecoveryFields(BaseForm):
    """The technical administrator's request: a new password link, or a second-factor reset (from
    an account's page, which names the account)."""

    kind = forms.ChoiceField(label="Demande", widget=forms.RadioSelect, choices=AccountRecovery.Kind.choices)
    reason = forms.CharField(label="Motif", max_length=200,
                             help_text="Par exemple : téléphone perdu, signalé par la personne le 3 mars.")


class RecoveryRequestForm(RecoveryFields):
    """The same request from the recoveries' page, which names the account by its identifier."""

    account = forms.CharField(label="Identifiant du compte", max_length=150)
    field_order = ["account"]

    def clean_account(self):
        user = User.objects.filter(username=self.cleaned_data["account"].strip()).first()
        if user is None:
            raise forms.ValidationError("Aucun compte n'a cet identifiant.")
        return user


@with_fields(model_fields(InstitutionProposal, [
    "name", "category", "prevention_kind", "territory", "contact_name", "contact_email", "contact_phone", "motive"]))
class ProposalForm(BaseForm):
    """An institution the cellule misses, proposed to the technical administrator: one of the département,
    never a national body."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "— choisir —")] + [
            choice for choice in Institution.Category.choices if choice[0] != Institution.Category.NATIONAL_PROVIDER]
        self.fields["prevention_kind"].help_text = "Pour un dispositif local de prévention seulement."
        self.fields["territory"].help_text = ("Pour un dispositif local de prévention : la commune (CLSPD, réussite "
                                              "éducative) ou l'intercommunalité (CISPD) qu'il couvre.")
        self.fields["motive"].widget = forms.Textarea(attrs={"rows": 3, "maxlength": 500})


class RefusalForm(BaseForm):
    refusal_reason = forms.CharField(label="Motif du refus (transmis au coordonnateur)", max_length=500,
                                     required=False, widget=forms.Textarea(attrs={"rows": 2}))
