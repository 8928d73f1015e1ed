"""Names as the file compares and searches them: pure functions, no database.

- ``fold``: without accents, ligatures or case (``Lefèvre`` → ``lefevre``).
- ``words``: the folded words, an apostrophe joining what it elides (``N'Diaye-Lefèvre`` →
  ``ndiaye``, ``lefevre``), hyphens, spaces and other punctuation splitting.
- ``name_key``: one name as one string, its particles first whatever the order they were typed in
  (``de la Fontaine``, ``Fontaine (de la)`` and ``Delafontaine`` → ``delafontaine``; ``Le Gall`` and
  ``LEGALL`` → ``legall``).
- ``phonetic``: a French phonetic key, after F. Brouard's Soundex2 (French Soundex) extended with the
  sounds of French spelling it leaves out (``eau``/``au``, ``ph``, soft ``c`` and ``g``, ``qu``, nasal
  vowels, silent final consonants, ``bv`` of Lefebvre) and not cut to four letters: ``Lefebvre`` and
  ``Lefèvre``, ``Mohammed`` and ``Mouhamed``, ``Laurent`` and ``Lorans`` share their key.
- ``search_tokens``: the words a person is found by (``cases.models.SearchToken``).

No maintained library computes a French phonetic key (abydos and pyphonetics are unmaintained; jellyfish's
soundex and metaphone are English), hence this one.
"""

import datetime
import functools
import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "Œ": "oe", "Æ": "ae"})
APOSTROPHES = re.compile(r"['’ʼ`´]")
# Words that come before a surname in French and in the names of families the cellules meet; a single
# letter is an elided one (d', l', n'). They are put first, so that their order does not count.
PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "d", "l", "n", "da", "di", "del", "della", "dos", "van",
                       "von", "der", "den", "ben", "bent", "ibn", "el", "al", "ait", "ould", "mac", "mc", "o"})


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").translate(LIGATURES))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


def words(text: str) -> list[str]:
    """The folded words: an apostrophe joins (``n'diaye`` → ``ndiaye``), anything else but a letter or a
    digit separates."""
    return re.findall(r"[0-9a-z]+", APOSTROPHES.sub("", fold(text)))


def _split_elisions(text: str) -> list[str]:
    """The words with an elided particle apart (``n'diaye`` → ``n``, ``diaye``)."""
    return re.findall(r"[0-9a-z]+", fold(text))


@functools.lru_cache(maxsize=8192)
def name_key(text: str) -> str:
    """One name as one string, its particles first: ``Fontaine (de la)`` → ``delafontaine``."""
    parts = _split_elisions(text)
    return "".join([w for w in parts if w in PARTICLES] + [w for w in parts if w not in PARTICLES])


@functools.lru_cache(maxsize=8192)
def core_words(text: str) -> frozenset[str]:
    """The words of a name that are not particles: the parts of a compound name."""
    return frozenset(w for w in _split_elisions(text) if w not in PARTICLES)


# Spelling → sound, in order, on the folded letters; upper case is a sound already decided.
SPELLINGS = [
    (r"eau|au", "O"), (r"ou|oo", "U"), (r"ph", "F"), (r"s?ch|sh", "C"), (r"qu|q|ck|k", "K"),
    (r"c(?=[eiy])", "S"), (r"c", "K"), (r"gu(?=[eiy])", "G"), (r"g(?=[eiy])", "J"), (r"gn", "N"), (r"g", "G"),
    (r"bv", "V"), (r"([ae])[nm](?=[^aeiouy]|$)", "A"), (r"[aeiy][nm](?=[^aeiouy]|$)|ain|ein", "E"),
    (r"o[nm](?=[^aeiouy]|$)", "O"), (r"ai|ei|e(?=[rz]$)", "E"), (r"(?<=[aeiouy])s(?=[aeiouy])", "Z"),
    (r"z", "Z"), (r"w", "V"), (r"x", "KS"), (r"y", "I"), (r"h", ""),
]
SOUNDS = [(re.compile(pattern), sound) for pattern, sound in SPELLINGS]
VOWELS = set("AEIOU")


@functools.lru_cache(maxsize=8192)
def phonetic(text: str) -> str:
    """The French phonetic key of a name (all its words, particles first): the first sound, then its
    consonants, a doubled one once."""
    word = re.sub(r"[^a-z]", "", name_key(text))
    word = re.sub(r"(?<=.)[dtsxz]+$", "", word)  # silent final consonants: Durand, Roux, Dubois
    word = re.sub(r"(?<=..)e$", "", word)  # silent final e: Louise, Marie
    for pattern, sound in SOUNDS:
        word = pattern.sub(sound, word)
    sounds = word.upper()
    if not sounds:
        return ""
    key = sounds[0] + "".join(s for s in sounds[1:] if s not in VOWELS)
    return re.sub(r"(.)\1+", r"\1", key)


def search_tokens(last_name: str, first_name: str, commune: str = "") -> set[str]:
    """The words a person is found by: each word of their names and commune, the word an elided particle
    leaves (``diaye`` of N'Diaye), and each compound name whole (``ndiayelefevre``, ``saintdenis``)."""
    tokens: set[str] = set()
    for text in (last_name, first_name, commune):
        parts = words(text)
        tokens.update(parts)
        tokens.update(w for w in _split_elisions(text) if len(w) > 1)
        if len(parts) > 1:
            tokens.add("".join(parts))
    return {token[:100] for token in tokens}


def after(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix`` (of digits and lower-case
    letters, or of a reference's characters): ``token >= prefix AND token < after(prefix)`` is a prefix
    search that a plain B-tree index answers, on SQLite and PostgreSQL alike."""
    for index in range(len(prefix) - 1, -1, -1):
        if prefix[index] not in "z\uffff":
            return prefix[:index] + chr(ord(prefix[index]) + 1)
    return None


def swapped(date: datetime.date | None) -> datetime.date | None:
    """The date with its day and month swapped, when that is another valid date (3/4 ↔ 4/3)."""
    if date is None or date.day == date.month or date.day > 12:
        return None
    return date.replace(day=date.month, month=date.day)
