"""What of a case's family on file a text names: the family names of the young person, of their brothers and
sisters and of their relatives, and the streets of their addresses. A text written for someone outside the
cellule (the mobile team's request and messages) names none of them.

Words are compared folded (``cases.names.fold``: no accents, no case), whole: « Benali » is found in « Mme
BÉNALI » but not in « Benalia ». A name is found whole (« N'Diaye-Kessler », « Le Gall » typed « Legall »), or
one of its parts (« N'Diaye », « Fontaine » of « de la Fontaine »). An address is found by its street, from
its kind to the postcode (« rue des Lilas » of « 12 rue des Lilas, 93200 Saint-Denis »), abbreviations
read as their word (« av. » as « avenue »); the commune is not looked for: the team is given it.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from cases.models import Case, Person, Relative
from cases.names import PARTICLES, fold, name_key

TOKEN = re.compile(r"[^\W_]+")  # letters and digits; an apostrophe or a hyphen separates
MAX_WORDS = 4  # the most words a family name is typed in (« de la Fontaine »)
ABBREVIATIONS = {"av": "avenue", "bd": "boulevard", "bld": "boulevard", "pl": "place", "imp": "impasse",
                 "rte": "route", "che": "chemin", "chem": "chemin", "fbg": "faubourg", "res": "residence",
                 "sq": "square", "all": "allee", "st": "saint", "ste": "sainte"}
STREET_KINDS = frozenset({"rue", "avenue", "boulevard", "place", "impasse", "route", "chemin", "faubourg", "residence",
                          "square", "allee", "passage", "promenade", "quai", "cours", "cite", "voie", "sentier",
                          "villa", "hameau", "lotissement", "parvis", "esplanade", "ruelle", "traverse", "clos",
                          "domaine", "montee", "lieu"})
NUMBER = re.compile(r"\d+|bis|ter|quater")
POSTCODE = re.compile(r"\d{5}")
# A part of a compound name that says nothing alone (« Saint » of « Saint-Martin », and of « Saint-Denis »).
WEAK_PARTS = PARTICLES | {"saint", "sainte"}
RELATIONS = {Relative.Relation.MOTHER: "sa mère", Relative.Relation.FATHER: "son père",
             Relative.Relation.GUARDIAN: "son tuteur ou sa tutrice", Relative.Relation.SIBLING: "son frère ou sa sœur",
             Relative.Relation.GRANDPARENT: "un grand-parent", Relative.Relation.OTHER: "un autre proche"}


@dataclass
class Finding:
    """A family name or a street on file, as the text typed it, and whose it is."""

    what: str  # « le nom de famille », « l'adresse »
    shown: str
    whose: list[str]

    def __str__(self) -> str:
        return f"{self.what} « {self.shown} » ({', '.join(self.whose)})"


@dataclass
class _Words:
    """A text's words, folded and read (« av » as « avenue »), with where each stands in the text."""

    text: str
    words: list[str] = field(init=False)
    spans: list[tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        self.text = unicodedata.normalize("NFC", self.text or "")
        found = list(TOKEN.finditer(self.text))
        self.words = [_read(fold(m.group())) for m in found]
        self.spans = [m.span() for m in found]

    def shown(self, start: int, end: int) -> str:
        return self.text[self.spans[start][0]:self.spans[end - 1][1]]


def _read(word: str) -> str:
    return ABBREVIATIONS.get(word, word)


def _name_forms(last_name: str) -> set[str]:
    """A family name whole, each part of a compound one with its particles (« ndiaye » of « N'Diaye-Kessler »),
    and each of its words that says something alone (« fontaine » of « de la Fontaine »)."""
    forms = {name_key(part) for part in [last_name, *re.split(r"[\s-]+", last_name)]}
    forms |= {fold(word) for word in TOKEN.findall(last_name) if len(word) > 2}
    return {form for form in forms if form and form not in WEAK_PARTS}


def _street(address: str) -> tuple[str, ...]:
    """The street of an address, from its kind to the comma or the postcode (the first part, without its
    number, when none says its kind); none when it has fewer than two words."""
    segments = [_Words(segment).words for segment in address.split(",")]
    kinds = [(words, i) for words in segments for i, word in enumerate(words) if word in STREET_KINDS]
    words, start = kinds[0] if kinds else (segments[0], 0)
    while start < len(words) and NUMBER.fullmatch(words[start]):
        start += 1
    street = []
    for word in words[start:]:
        if POSTCODE.fullmatch(word):
            break
        street.append(word)
    return tuple(street) if len(street) > 1 else ()


class OnFile:
    """The family names and streets of a case's family, each with whose it is."""

    def __init__(self, case: Case) -> None:
        young = case.person
        self.names: dict[str, list[str]] = {}
        self.streets: dict[tuple[str, ...], list[str]] = {}
        first_names = set(_Words(young.first_name).words)
        people: list[tuple[str, str, str]] = [(young.last_name, young.address, "la jeune" if young.sex == "f" else
                                               "le jeune")]
        people += [(p.last_name, p.address, "sa sœur" if p.sex == "f" else "son frère")
                   for p in Person.objects.filter(family_id=young.family_id).exclude(pk=young.pk)]
        people += [(r.last_name, r.address, RELATIONS.get(r.relation, "un autre proche")) for r in case.relatives]
        for last_name, address, whose in people:
            for form in _name_forms(last_name) - first_names:
                _add(self.names, form, whose)
            if street := _street(address):
                _add(self.streets, street, whose)

    def found(self, text: str, allowed: str = "") -> list[Finding]:
        """What of the family ``text`` names, in its order, each once; what ``allowed`` names too (the
        details the family agreed to give) is not counted."""
        given = {(f.what, _key(f.shown)) for f in self._scan(_Words(allowed))} if allowed else set()
        findings, seen = [], set()
        for finding in self._scan(_Words(text)):
            key = (finding.what, _key(finding.shown))
            if key not in seen and key not in given:
                seen.add(key)
                findings.append(finding)
        return findings

    def _scan(self, text: _Words) -> Iterable[Finding]:
        words, i = text.words, 0
        while i < len(words):
            step = self._street_at(text, i) or self._name_at(text, i)
            if step:
                finding, i = step
                yield finding
            else:
                i += 1

    def _name_at(self, text: _Words, i: int) -> tuple[Finding, int] | None:
        for size in range(min(MAX_WORDS, len(text.words) - i), 0, -1):  # the longest first: « N'Diaye », not « Diaye »
            form = "".join(text.words[i:i + size])
            if form in self.names:
                return Finding("le nom de famille", text.shown(i, i + size), self.names[form]), i + size
        return None

    def _street_at(self, text: _Words, i: int) -> tuple[Finding, int] | None:
        for street, whose in self.streets.items():
            end = i + len(street)
            if tuple(text.words[i:end]) == street:
                start = i
                while start > 0 and NUMBER.fullmatch(text.words[start - 1]):  # shown with its number
                    start -= 1
                return Finding("l'adresse", text.shown(start, end), whose), end
        return None


def _key(shown: str) -> str:
    """A finding as compared: folded, its number and punctuation aside."""
    return "".join(word for word in _Words(shown).words if not NUMBER.fullmatch(word))


def _add(found: dict, key: object, whose: str) -> None:
    if whose not in found.setdefault(key, []):
        found[key].append(whose)


def describe(findings: list[Finding]) -> str:
    """« le nom de famille « Benali » (la jeune, sa mère) et l'adresse « 12 rue des Lilas » (la jeune) »."""
    items = [str(f) for f in findings]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"
