"""A starting mapping file (docs/source_mapping.md) for an export of unknown layout.

Each canonical order-line column is guessed from the header names (lower-cased, accents
dropped; English, German, French and Spanish words) and checked against the values: a
timestamp column must parse with one format for every sampled value, a number column must hold
numbers, and the separators follow the numbers seen (`1.234,50` means decimal `,`, thousands
`.`). An e-mail column as the customer key is hashed. Every guess is written with a
`# guess:` comment saying why, so the user knows what to check.
"""

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:                   # inspect imports this module
    from .inspect import FileReport

SAMPLE_ROWS = 2000
TIMESTAMP_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                     "%Y-%m-%d %H:%M:%S %z", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                     "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                     "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d"]

# canonical column -> (type, required, header words that name it)
COLUMNS = {
    "order_id": ("text", True, "order_id order order_no order_nr order_number ordernumber "
                 "orderid nr invoice invoice_no invoiceno invoice_number transaction_id "
                 "bestellnummer bestellung bestell_nr auftragsnummer commande numero_commande "
                 "pedido"),
    "ordered_at": ("timestamp", True, "ordered_at order_date orderdate date datum created_at "
                   "created invoice_date invoicedate purchase_date transaction_date "
                   "bestelldatum timestamp date_commande fecha"),
    "product_id": ("text", True, "product_id productid sku article article_no artikelnummer "
                   "artikel_nr artnr item_id stockcode stock_code product_code ean produkt_id"),
    "quantity": ("integer", True, "quantity qty menge anzahl units stueck stuck quantite "
                 "cantidad"),
    "unit_price": ("number", True, "unit_price price unitprice einzelpreis preis item_price "
                   "prix precio stueckpreis"),
    "customer_id": ("text", False, "customer_id customer customerid client client_id kunde "
                    "kundennummer kunden_nr kundennr user_id email e_mail customer_email"),
    "line_number": ("integer", False, "line_number line_no position pos zeile"),
    "product_name": ("text", False, "product_name name description item_name title artikel "
                     "bezeichnung artikelname produkt product"),
    "coupon_code": ("text", False, "coupon coupon_code discount_code voucher gutschein "
                    "gutscheincode rabattcode"),
    "discount_pct": ("number", False, "discount_pct discount_percent rabatt_prozent"),
    "currency": ("text", False, "currency currency_code wahrung waehrung devise moneda"),
    "country": ("text", False, "country billing_country land pays pais"),
    "city": ("text", False, "city billing_city stadt ort ville ciudad"),
    "category": ("text", False, "category product_category kategorie warengruppe categorie"),
    "delivery_charge": ("number", False, "shipping delivery_charge shipping_cost versand "
                        "versandkosten frais_de_port"),
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
INTEGER = re.compile(r"-?\d+")
DECIMAL = {  # decimal separator -> a number written with it (thousands groups allowed)
    ".": re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"),
    ",": re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"),
}


@dataclass
class Guess:
    """A mapping guessed for one file: the canonical columns found, the settings, what is missing or
    unused, the currency."""

    report: "FileReport"                            # table, columns, dialect
    columns: dict = field(default_factory=dict)     # canonical -> (yaml value, reason)
    settings: dict = field(default_factory=dict)    # entity settings (delimiter, formats, ...)
    missing_required: list = field(default_factory=list)
    unused: list = field(default_factory=list)
    currency: str | None = None                     # the shop currency, if a column says
    other_currencies: list = field(default_factory=list)

    @property
    def score(self):
        """How good the guess is: the columns mapped, minus 10 per required one missing."""
        return len(self.columns) - 10 * len(self.missing_required)


def _normalise(name):
    """Header name -> lower-case ASCII words joined by _ ('Währung ' -> 'wahrung')."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


def _timestamp_format(values):
    """The first format that parses every value, and whether day and month are ambiguous."""
    fits = [f for f in TIMESTAMP_FORMATS
            if values and all(_parses(v, f) for v in values)]
    if not fits:
        return None, False
    day_first, month_first = ("%d/%m" in fits[0]), ("%m/%d" in fits[0])
    swapped = fits[0].replace("%d/%m", "%m/%d") if day_first else fits[0].replace("%m/%d",
                                                                                   "%d/%m")
    return fits[0], (day_first or month_first) and swapped in fits


def _parses(value, fmt):
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def _decimal_separator(values, delimiter):
    """'.' or ',' if every value is a number written with it, else None."""
    if not values:
        return None
    dot = all(DECIMAL["."].fullmatch(v) for v in values)
    comma = all(DECIMAL[","].fullmatch(v) for v in values)
    uses_comma = any("," in v for v in values)
    if comma and (uses_comma or not dot) and delimiter != ",":
        return ","
    return "." if dot else ("," if comma else None)


def _name_score(header, words):
    name = _normalise(header)
    if name in words:
        return 2
    tokens = name.split("_")
    return 1 if any(set(w.split("_")) <= set(tokens) for w in words if len(w) > 3) else 0


def guess_mapping(con, report) -> Guess:
    """Guess the order-line columns of the file behind report (an inspect.FileReport)."""
    guess = Guess(report)
    rows = con.execute(f"select * from {report.table} limit {SAMPLE_ROWS}").fetchall()
    samples = {c: [str(r[i]).strip() for r in rows if r[i] is not None and str(r[i]).strip()]
               for i, c in enumerate(report.columns)}
    delimiter = report.dialect.get("delimiter", ",")
    formats, separators, used = {}, set(), set()
    for canonical, (type_, required, header_words) in COLUMNS.items():
        words = set(header_words.split())
        best = None
        for column in report.columns:
            if column in used:
                continue
            values = samples[column]
            score = _name_score(column, words)
            reason = "header name"
            if type_ == "timestamp":
                fmt, ambiguous = _timestamp_format(values)
                if not fmt:
                    continue
                reason = f"values parse as {fmt}" + (" (day and month ambiguous)"
                                                     if ambiguous else "")
                score = score or 0.5             # a timestamp column, even with another name
            elif type_ == "integer" and not all(INTEGER.fullmatch(v) for v in values):
                continue
            elif type_ == "number":
                sep = _decimal_separator(values, delimiter)
                if not sep:
                    continue
            elif canonical == "customer_id" and values and all(EMAIL.fullmatch(v)
                                                                for v in values):
                score, reason = max(score, 1.5), "e-mail addresses, hashed"
            if score and (best is None or score > best[0]):
                best = (score, column, reason, fmt if type_ == "timestamp" else None)
        if best is None:
            if required:
                guess.missing_required.append(canonical)
            continue
        _, column, reason, fmt = best
        used.add(column)
        if fmt:
            formats[canonical] = fmt
        if type_ == "number":
            separators.add(_decimal_separator(samples[column], delimiter))
        value = {"hash": column} if reason.startswith("e-mail") else column
        guess.columns[canonical] = (value, reason)

    for key in ("delimiter", "quote", "encoding"):
        if key in report.dialect:
            guess.settings[key] = report.dialect[key]
    if "," in separators:
        guess.settings["decimal_separator"] = ","
        numbers = [v for c, (val, _) in guess.columns.items()
                   if COLUMNS[c][0] in ("integer", "number") for v in samples[val]]
        if any(re.search(r"\d\.\d{3}", v) for v in numbers):
            guess.settings["thousands_separator"] = "."
    if "ordered_at" in formats:
        guess.settings["timestamp_formats"] = [formats["ordered_at"]]
    if "currency" in guess.columns:
        # The shop currency: the most common one; the others need rates (not guessable).
        counts = Counter(samples[guess.columns["currency"][0]])
        guess.currency, _ = counts.most_common(1)[0]
        guess.other_currencies = sorted(set(counts) - {guess.currency})
    guess.unused = [c for c in report.columns if c not in used]
    return guess


def _yaml(value):
    """A YAML scalar or flow mapping (JSON is YAML)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def write_mapping(guess: Guess, folder: Path, target: Path):
    """Write the guess to target as a starting mapping file, each guess commented."""
    source = guess.report.path.relative_to(folder)
    lines = [f"# Starting mapping for {source} (folder {folder}),",
             "# written by python -m ecommerce_warehouse.inspect: check every '# guess:'.",
             "# Schema: docs/source_mapping.md."]
    if guess.currency:
        lines.append(f"currency: {_yaml(guess.currency)}  # guess: the most common currency")
    if guess.other_currencies:
        rates = ", ".join(f"{c}: null" for c in guess.other_currencies)
        lines.append(f"# currency_rates: {{{rates}}}  # fill in 1 <currency> = ? "
                     f"{guess.currency}: a currency without a rate stops the build")
    lines += ["entities:", "  order_lines:", f"    files: {_yaml(str(source))}"]
    lines += [f"    {k}: {_yaml(v)}" for k, v in guess.settings.items()]
    lines.append("    columns:")
    for canonical, (value, reason) in guess.columns.items():
        lines.append(f"      {canonical}: {_yaml(value)}  # guess: {reason}")
    for canonical in guess.missing_required:
        lines.append(f"      # {canonical}: not found, map it by hand")
    if guess.unused:
        lines.append("# columns not mapped: " + ", ".join(guess.unused))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
