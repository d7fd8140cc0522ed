"""Numbers as German readers write them."""


def german_number(value: float, decimals: int = 0) -> str:
    """1.234.567,89"""
    return f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
