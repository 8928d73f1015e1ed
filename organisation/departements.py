"""The territories a cellule de suivi serves: the 101 départements (code, name; loaded by the data
migration 0002) and the six collectivités of overseas France whose representative of the State received
the note of 19 February 2015 as the préfets did (added, with each territory's time zone, by 0010).

The representative of the State is the préfet, except where named here; the titles are those of the
decrees that appoint them. Saint-Barthélemy and Saint-Martin share one préfet délégué.
"""

DEPARTEMENTS = [
    ("01", "Ain"), ("02", "Aisne"), ("03", "Allier"), ("04", "Alpes-de-Haute-Provence"),
    ("05", "Hautes-Alpes"), ("06", "Alpes-Maritimes"), ("07", "Ardèche"), ("08", "Ardennes"),
    ("09", "Ariège"), ("10", "Aube"), ("11", "Aude"), ("12", "Aveyron"), ("13", "Bouches-du-Rhône"),
    ("14", "Calvados"), ("15", "Cantal"), ("16", "Charente"), ("17", "Charente-Maritime"), ("18", "Cher"),
    ("19", "Corrèze"), ("2A", "Corse-du-Sud"), ("2B", "Haute-Corse"), ("21", "Côte-d'Or"),
    ("22", "Côtes-d'Armor"), ("23", "Creuse"), ("24", "Dordogne"), ("25", "Doubs"), ("26", "Drôme"),
    ("27", "Eure"), ("28", "Eure-et-Loir"), ("29", "Finistère"), ("30", "Gard"), ("31", "Haute-Garonne"),
    ("32", "Gers"), ("33", "Gironde"), ("34", "Hérault"), ("35", "Ille-et-Vilaine"), ("36", "Indre"),
    ("37", "Indre-et-Loire"), ("38", "Isère"), ("39", "Jura"), ("40", "Landes"), ("41", "Loir-et-Cher"),
    ("42", "Loire"), ("43", "Haute-Loire"), ("44", "Loire-Atlantique"), ("45", "Loiret"), ("46", "Lot"),
    ("47", "Lot-et-Garonne"), ("48", "Lozère"), ("49", "Maine-et-Loire"), ("50", "Manche"), ("51", "Marne"),
    ("52", "Haute-Marne"), ("53", "Mayenne"), ("54", "Meurthe-et-Moselle"), ("55", "Meuse"),
    ("56", "Morbihan"), ("57", "Moselle"), ("58", "Nièvre"), ("59", "Nord"), ("60", "Oise"), ("61", "Orne"),
    ("62", "Pas-de-Calais"), ("63", "Puy-de-Dôme"), ("64", "Pyrénées-Atlantiques"),
    ("65", "Hautes-Pyrénées"), ("66", "Pyrénées-Orientales"), ("67", "Bas-Rhin"), ("68", "Haut-Rhin"),
    ("69", "Rhône"), ("70", "Haute-Saône"), ("71", "Saône-et-Loire"), ("72", "Sarthe"), ("73", "Savoie"),
    ("74", "Haute-Savoie"), ("75", "Paris"), ("76", "Seine-Maritime"), ("77", "Seine-et-Marne"),
    ("78", "Yvelines"), ("79", "Deux-Sèvres"), ("80", "Somme"), ("81", "Tarn"), ("82", "Tarn-et-Garonne"),
    ("83", "Var"), ("84", "Vaucluse"), ("85", "Vendée"), ("86", "Vienne"), ("87", "Haute-Vienne"),
    ("88", "Vosges"), ("89", "Yonne"), ("90", "Territoire de Belfort"), ("91", "Essonne"),
    ("92", "Hauts-de-Seine"), ("93", "Seine-Saint-Denis"), ("94", "Val-de-Marne"), ("95", "Val-d'Oise"),
    ("971", "Guadeloupe"), ("972", "Martinique"), ("973", "Guyane"), ("974", "La Réunion"), ("976", "Mayotte"),
]

PARIS = "Europe/Paris"

# The overseas départements live on their own clocks too.
DROM_ZONES = {"971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
              "974": "Indian/Reunion", "976": "Indian/Mayotte"}

SAINT_BARTHELEMY_AND_SAINT_MARTIN = "préfet délégué dans les collectivités de Saint-Barthélemy et de Saint-Martin"

# code, name, representative of the State, time zone (French Polynesia: Papeete's, where the haut-commissariat is)
COLLECTIVITES = [
    ("975", "Saint-Pierre-et-Miquelon", "préfet de Saint-Pierre-et-Miquelon", "America/Miquelon"),
    ("977", "Saint-Barthélemy", SAINT_BARTHELEMY_AND_SAINT_MARTIN, "America/St_Barthelemy"),
    ("978", "Saint-Martin", SAINT_BARTHELEMY_AND_SAINT_MARTIN, "America/Marigot"),
    ("986", "Wallis-et-Futuna", "préfet, administrateur supérieur des îles Wallis et Futuna", "Pacific/Wallis"),
    ("987", "Polynésie française", "haut-commissaire de la République en Polynésie française", "Pacific/Tahiti"),
    ("988", "Nouvelle-Calédonie", "haut-commissaire de la République en Nouvelle-Calédonie", "Pacific/Noumea"),
]


def territories() -> list[dict[str, str]]:
    """Every territory as the fields of a ``Departement``, in the order of their codes."""
    rows = [{"code": code, "name": name, "representative": "", "time_zone": DROM_ZONES.get(code, PARIS)}
            for code, name in DEPARTEMENTS]
    rows += [{"code": code, "name": name, "representative": representative, "time_zone": zone}
             for code, name, representative, zone in COLLECTIVITES]
    return sorted(rows, key=lambda row: row["code"])
