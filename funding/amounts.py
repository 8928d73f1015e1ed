"""Amounts in euros as French typography writes them: "12 500 €", digits grouped by a narrow
no-break space, a no-break space before the sign."""

THIN = "\u202f"  # narrow no-break space, between groups of digits
NBSP = "\u00a0"  # no-break space, before the euro sign


def grouped(number: int) -> str:
    return f"{number:,}".replace(",", THIN)


def euros(amount: int | None) -> str:
    return "—" if amount is None else f"{grouped(amount)}{NBSP}€"
