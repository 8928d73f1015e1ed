from cases.models.organisation import (
    Cell,
    Departement,
    Institution,
    Mandate,
    Membership,
    Role,
)

__all__ = ["Cell", "Departement", "Institution", "Mandate", "Membership", "Role"]
