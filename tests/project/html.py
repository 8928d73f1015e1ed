"""Reading a page's markup in tests: its elements and attributes, with the standard library's parser."""

from html.parser import HTMLParser


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(page: str, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
    """The attributes of every element of ``page`` of that tag (any tag by default) that carries the
    given attributes (``data_error_summary=""``: underscores stand for dashes)."""
    parser = _Elements()
    parser.feed(page)
    wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
    return [found for name, found in parser.found
            if (tag is None or name == tag) and all(found.get(k) == v for k, v in wanted.items())]


def missing_references(page: str) -> list[str]:
    """The ids that an aria-describedby of the page names and no element of the page carries."""
    ids = {found["id"] for found in elements(page) if "id" in found}
    named = [ref for found in elements(page) for ref in found.get("aria-describedby", "").split()]
    return [ref for ref in named if ref not in ids]
