"""The monthly table as the ministry reads it: rows of (heading, item, value), written to CSV and XLSX
by ``organisation.spreadsheets``."""

from reporting import delays

SECTIONS = [
    ("composition", "Composition de la cellule (membres par catégorie d'institution)"),
    ("activity", "Fonctionnement"),
    ("followed", "Situations suivies dans le mois"),
    ("new_cases_by_source", "Nouveaux signalements par origine"),
    ("cases_by_state_at_month_end", "Signalements par état en fin de mois"),
    ("measures_by_modality", "Prises en charge actives par modalité"),
    ("local_prevention_orientations", "Orientations vers les dispositifs locaux de prévention (CLSPD, CISPD, "
                                      "réussite éducative)"),
    ("mobile_team_requests", "Demandes à l'équipe mobile faites dans le mois, par état"),
    ("interview_requests", "Demandes d'entretien des familles"),
    ("support_groups", "Groupes de parole (séances du mois)"),
    ("closures_by_reason", "Clôtures du mois par motif"),
    ("results", "Résultats : bilans de fin d'accompagnement et revues du mois"),
    ("delays", "Délais médians des étapes franchies dans le mois, en jours"),
]


def result_rows(results: dict) -> list[tuple[str, int]]:
    """The results section's (item, value) rows, computed from the month's bilans and reviews."""
    out: list[tuple[str, int]] = [("Revues de suivi", results["reviews"]),
                                     ("Clôtures avec bilan", results["bilans"])]
    out += [(f"Clôtures — {outcome}", count) for outcome, count in results["closures_by_outcome"].items()]
    out += [(f"Objectifs « {domain} » — {result.lower()}", count)
            for domain, by_result in results["objectives_by_domain"].items() for result, count in by_result.items()
            if count]
    out += [(f"Situation à la sortie — {situation}", count)
            for situation, count in results["exit_situations"].items() if count]
    out.append(("Contact de suivi prévu après la sortie", results["follow_up_planned"]))
    return out


def rows(figures: dict, results: str = "", difficulties: str = "") -> list[tuple[str, str, object]]:
    """The table's rows, computed figures first, then the two texts the coordinator wrote."""
    heading = dict(SECTIONS)
    out = [(heading["composition"], "Total", figures["composition"]["total"])]
    out += [(heading["composition"], k, v) for k, v in figures["composition"]["by_category"].items()]
    if "institutions" in figures["composition"]:  # reports frozen before the institutions were listed lack them
        out.append((heading["composition"], "Institutions représentées",
                    ", ".join(figures["composition"]["institutions"]) or "aucune"))
        out.append((heading["composition"], "Représentant du parquet",
                    "oui" if figures["composition"]["parquet_represented"] else "AUCUN : la cellule travaille "
                    "« en lien avec le Procureur » (note du 19 février 2015)"))
    if "representative" in figures:  # reports frozen before the overseas territories named theirs lack it
        out.append((heading["activity"], "Représentant de l'État", figures["representative"]))
    out += [
        (heading["activity"], "Périodicité des réunions", figures["meeting_periodicity"]),
        (heading["activity"], "Réunions tenues dans le mois", figures["meetings_held"]),
        # Reports frozen before the procureur's informations were recorded lack them.
        *([(heading["activity"], "Informations du procureur dans le mois", figures["prosecutor_informations"])]
          if "prosecutor_informations" in figures else []),
        (heading["followed"], "Jeunes", figures["young_people_followed"]),
        (heading["followed"], "Familles", figures["families_followed"]),
    ]
    for key in ("new_cases_by_source", "cases_by_state_at_month_end", "measures_by_modality", "closures_by_reason"):
        out += [(heading[key], k, v) for k, v in figures[key].items()]
    if "local_prevention_orientations" in figures:  # reports frozen before they were counted lack them
        oriented, section = figures["local_prevention_orientations"], heading["local_prevention_orientations"]
        out += [(section, "Prises en charge actives dans le mois", oriented["active"]),
                (section, "dont commencées dans le mois", oriented["started"])]
        out += [(section, kind, count) for kind, count in oriented["by_kind"].items()]
    out.append((heading["mobile_team_requests"], "Total", figures["mobile_team_requests"]["made"]))
    out += [(heading["mobile_team_requests"], k, v) for k, v in figures["mobile_team_requests"]["by_status"].items()]
    out += [
        (heading["interview_requests"], "Demandées dans le mois", figures["interview_requests"]["requested"]),
        (heading["interview_requests"], "Tenues dans le mois", figures["interview_requests"]["held"]),
    ]
    if "support_groups" in figures:  # reports frozen before the groups' sessions were counted lack them
        groups = figures["support_groups"]
        out.append((heading["support_groups"], "Séances tenues", groups["sessions"]))
        out += [(heading["support_groups"], f"Séances portées par {runner[:1].lower()}{runner[1:]}", count)
                for runner, count in groups["sessions_by_runner"].items()]
        out += [
            (heading["support_groups"], "Familles suivies ayant participé", groups["families"]),
            (heading["support_groups"], "Autres parents (sans signalement suivi), cumul des séances",
             groups["other_parents"]),
            (heading["support_groups"], "Participants (familles et autres parents), cumul des séances",
             groups["participants"]),
        ]
    if "results" in figures:  # reports frozen before the bilans were counted lack them
        out += [(heading["results"], item, value) for item, value in result_rows(figures["results"])]
    if "delays" in figures:  # reports frozen before the delays were counted lack them
        out += [(heading["delays"], label, delays.published([figures["delays"][step]])) for step, label in delays.STEPS]
    out.append(("Résultats obtenus", "", results))
    if "difficulty_categories" in figures:  # reports frozen before the categories were ticked lack them
        out.append(("Difficultés rencontrées", "Catégories", ", ".join(figures["difficulty_categories"]) or "aucune"))
    out.append(("Difficultés rencontrées", "", difficulties))
    return out


def title(figures: dict) -> str:
    from reporting.figures import Month

    month = Month.parse(figures["month"])
    return (f"Compte rendu mensuel de la cellule de suivi — {figures['departement']} "
            f"({figures['departement_name']}) — {month.label()}")


HEADERS = ("Rubrique", "Détail", "Valeur")
