"""The events of the organisation (memberships, accounts, reference data), in French (``audit.events``)."""

from django.contrib.auth.models import User

from audit import events
from organisation.models import AccountRecovery, Cell, Institution, InstitutionProposal, Mandate, Membership


def _changes(*models):
    labels = events.field_labels(*models)
    return lambda details: events.changes(details, labels)


events.register({"membership.create": "Membre ajouté", "membership.update": "Membre modifié"},
                render=_changes(Membership))
events.register({"user.create": "Compte créé", "user.update": "Compte modifié", "user.invite": "Invitation envoyée"},
                render=_changes(User))
# The administration set passwords before accounts were recovered by two people: the trail keeps those events.
events.register({"user.password_change": "Mot de passe changé par l'administration"})
events.register({"user.recovery_request": "Récupération d'un compte demandée (à approuver)",
                 "user.recovery_approve": "Récupération d'un compte approuvée",
                 "user.recovery_refuse": "Récupération d'un compte refusée"},
                render=events.summary({"demande": "demande"}, {"demande": dict(AccountRecovery.Kind.choices)}))
events.register({"user.second_factor_enrol": "Second facteur enregistré (application et codes de secours)",
                 "user.second_factor_reset": "Second facteur réinitialisé (demande approuvée)",
                 "auth.second_factor": "Second facteur vérifié",
                 "auth.second_factor_failed": "Code du second facteur refusé"})
events.register({"user.recovery_code_used": "Connexion par un code de secours"},
                render=events.summary({"restants": "codes restants"}))
events.register({"user.password_set": "Mot de passe choisi"}, render=events.summary({"par": "par"}))
events.register({"cell.create": "Cellule créée", "cell.update": "Cellule modifiée"}, render=_changes(Cell))
events.register({"institution.create": "Institution créée", "institution.update": "Institution modifiée"},
                render=_changes(Institution))
events.register({"institution.propose": "Institution proposée par la cellule (à valider)",
                 "institution.proposal_validate": "Institution proposée validée (institution créée)",
                 "institution.proposal_refuse": "Institution proposée refusée"},
                render=events.summary({"nom": "nom", "catégorie": "catégorie", "motif": "motif du refus"},
                                      {"catégorie": dict(InstitutionProposal.Category.choices)}))
# Mandates were made in the admin site before they needed approval: the trail keeps those events.
events.register({"mandate.create": "Mandat d'inspection créé", "mandate.update": "Mandat d'inspection modifié"},
                render=_changes(Mandate))
events.register({"mandate.departements": "Départements du mandat"},
                render=events.summary({"départements": "départements"}))
events.register({"mandate.request": "Mandat d'inspection demandé"}, render=events.summary({
    "inspecteur": "inspecteur", "départements": "départements", "validité": "validité",
    "période": "période examinée"}))
events.register({"mandate.approve": "Mandat d'inspection approuvé"},
                render=events.summary({"inspecteur": "inspecteur"}))
events.register({
    "mandate.list": "Consultation des mandats d'inspection",
    "membership.national_list": "Consultation des rôles nationaux",
    "user.recovery_list": "Consultation des demandes de récupération de comptes",
    "user.list": "Consultation de la liste des comptes",
    "user.view": "Consultation d'un compte",
    "cell.view": "Consultation de la composition de la cellule",
    "institution.proposal_list": "Consultation des institutions proposées",
    "export.composition_csv": "Export CSV de la composition",
    "export.composition_xlsx": "Export XLSX de la composition",
})
events.register({"user.sessions_end": "Sessions fermées"},
                render=events.summary({"nombre": "nombre", "motif": "motif"}))
events.register({"user.sessions_view": "Consultation des sessions ouvertes d'un compte"})
