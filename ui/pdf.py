"""Documents as PDF, from the product's own HTML (WeasyPrint): self-contained, WeasyPrint fetching no
address (no file, no network) for them. WeasyPrint is imported when a PDF is made: it needs the system's
Pango (docs/releases.md), and the rest of the product runs on a machine without it, where a PDF asked
for says what is missing (``Unavailable``, a ``Refusal`` whose French message the page shows)."""

from importlib import import_module

from ui.errors import Refusal

MISSING = ("L'export PDF n'est pas disponible sur ce serveur : la bibliothèque système Pango manque. Signalez-le "
           "à l'administrateur technique ; la page se lit et s'imprime depuis le navigateur en attendant.")


class Unavailable(Refusal):
    """No PDF can be made on this server."""


def _nothing(url: str, *args, **kwargs):
    raise ValueError(f"Ressource externe refusée : {url}")


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``; refused (``Unavailable``) where the system cannot make one."""
    try:
        weasyprint = import_module("weasyprint")
    except OSError:  # the system's Pango is missing: WeasyPrint cannot load it
        raise Unavailable(MISSING) from None
    return weasyprint.HTML(string=html, url_fetcher=_nothing).write_pdf()
