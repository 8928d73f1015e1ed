"""Version 1 of the confidentiality charter: whoever reads names accepts it before their first nominative
page (``project.middleware.CharterMiddleware``). Its paragraphs are separated by a blank line; « ## » opens
a heading (``Version.blocks``)."""

import datetime

from django.db import migrations

PARAGRAPHS = (
    "La cellule de suivi pour la prévention de la radicalisation et l'accompagnement des familles réunit,"
    " autour de la situation d'un jeune et de sa famille, des professionnels de plusieurs institutions. "
    "Ce qu'ils échangent est couvert par le secret professionnel. Cette charte fixe les règles de ce "
    "partage\xa0; chaque personne qui accède aux données nominatives de l'outil l'accepte avant d'y accéder,"
    ' puis à chaque nouvelle version.',
    '## 1. Le cadre',
    "Par exception à l'article 226-13 du code pénal, l'article L.\xa0121-6-2 du code de l'action sociale et "
    "des familles autorise les professionnels qui interviennent auprès d'une même personne ou d'une même "
    "famille à partager entre eux des informations à caractère secret, afin d'évaluer leur situation, de "
    "déterminer les mesures d'action sociale nécessaires et de les mettre en œuvre. Ce partage est limité"
    " à ce qui est strictement nécessaire à l'accomplissement de leur mission. La cellule, que le préfet "
    "anime comme le demande la note du ministre de l'Intérieur du 19 février 2015, l'applique selon les "
    'recommandations du comité interministériel de prévention de la délinquance et de la radicalisation '
    '(CIPDR).',
    '## 2. Qui partage',
    'Seuls partagent les membres de la cellule désignés par le préfet, les partenaires associés à la '
    "prise en charge d'une situation, l'équipe mobile d'intervention pour les demandes qui lui sont "
    "adressées et l'inspection dans le cadre de son mandat. Chacun n'accède qu'aux situations dans "
    'lesquelles il intervient.',
    "## 3. Ce qui est partagé\xa0: le besoin d'en connaître",
    "Ne sont partagées que les informations strictement nécessaires à l'évaluation de la situation et à "
    "l'accompagnement du jeune et de sa famille, au regard de la mission de chacun. Les éléments de vie "
    "privée qui n'éclairent pas la prise en charge ne sont ni demandés, ni consignés, ni transmis.",
    "## 4. Rien hors de l'outil",
    "Les informations restent dans l'outil\xa0: aucune copie, capture d'écran, photographie, impression ou "
    "transfert par messagerie, sauf par les fonctions d'export et d'impression de l'outil, qui sont "
    "tracées. Un document exporté est conservé en lieu sûr et détruit dès qu'il n'est plus utile.",
    '## 5. Aucune transmission à des tiers',
    'Les informations partagées ne sont communiquées à aucune personne étrangère à la cellule, y compris '
    "au sein de sa propre institution, sauf lorsque la loi l'impose ou l'autorise (notamment l'avis au "
    "procureur de la République prévu par l'article 40 du code de procédure pénale).",
    '## 6. Traçabilité',
    'Chaque consultation de données nominatives et chaque modification sont enregistrées dans le journal '
    "d'audit de l'outil, que l'inspection peut contrôler.",
    '## 7. Durée',
    "L'engagement vaut pendant toute la participation aux travaux de la cellule et demeure, sans limite "
    "de durée, après qu'elle a pris fin.",
    '## 8. Sanctions',
    "La révélation d'une information à caractère secret hors de ce cadre est punie d'un an "
    "d'emprisonnement et de 15\u202f000 euros d'amende (article 226-13 du code pénal), sans préjudice des "
    "poursuites disciplinaires. Un manquement constaté entraîne le retrait de l'accès à l'outil.",
)


def publish_version_1(apps, schema_editor):
    Version = apps.get_model("charter", "Version")
    Version.objects.get_or_create(number=1, defaults={"published_on": datetime.date(2026, 12, 7),
                                                       "text": "\n\n".join(PARAGRAPHS)})


class Migration(migrations.Migration):
    dependencies = [("charter", "0001_initial")]

    operations = [migrations.RunPython(publish_version_1, migrations.RunPython.noop)]
