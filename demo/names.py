"""The names the generated data sets give: young people and their families on one side, the cellules'
staff on the other, never the same surname, even by ear (the product's phonetic key): a relative
who shares a member's name would read as a conflict of interest in the demo."""

from cases.models import Sex

FIRST_NAMES = {
    Sex.MALE: ["Lucas", "Yanis", "Adam", "Nathan", "Mohamed", "Enzo", "Rayan", "Hugo", "Ilyes", "Théo", "Sofiane"],
    Sex.FEMALE: ["Inès", "Léa", "Sarah", "Manon", "Aya", "Camille", "Yasmine", "Chloé", "Maëlys", "Lina", "Jade"],
}
# Young people and their relatives.
LAST_NAMES = ["Faure", "Rousseau", "Blanc", "Thomas", "Robert", "Richard", "Guérin", "Durand", "Muller", "Henry",
              "Simon", "Colin", "Chevalier", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
              "Morel", "Perrin", "André", "Nicolas", "Dupont", "Lambert", "Bonnet", "François", "Roussel", "Legrand"]
# The cellules' staff: the demo's accounts (``seed_demo``) and the national data set's people.
STAFF_LAST_NAMES = ["Martin", "Belkacem", "Leroy", "Girard", "Diallo", "Haddad", "Moreau", "Bernard", "Mercier",
                    "Fontaine", "Petit", "Dubois", "Lemoine", "Lefèvre", "Garnier", "Marchand", "Gauthier", "Masson",
                    "Barbier", "Brun", "Schmitt", "Meunier", "Carpentier", "Boyer", "Lacroix", "Baron", "Huet"]

# What the demo writes about a young person agrees with their sex: ``about(sex, "{Le} s'est présenté{e}.")``.
WORDS = {Sex.MALE: {"le": "le jeune", "Le": "Le jeune", "du": "du jeune", "e": ""},
         Sex.FEMALE: {"le": "la jeune", "Le": "La jeune", "du": "de la jeune", "e": "e"}}


def about(sex: str, text: str) -> str:
    return text.format(**WORDS[Sex(sex)])
