from organisation.models import Departement


def test_the_101_departements_and_the_6_collectivites_are_loaded_by_migration(db):
    codes = set(Departement.objects.values_list("code", flat=True))
    assert len(codes) == 107
    assert {"01", "2A", "2B", "75", "93", "971", "976"} <= codes
    assert "20" not in codes
    assert Departement.objects.get(code="974").name == "La Réunion"
