"""XML decisions: parsed with defusedxml, so DTDs, entity expansion and external entities are refused.

A hostile or malformed file is rejected as a whole (nothing of it is trusted). Positions are record
numbers (the n-th record element), since an XML record is not a line.
"""

from __future__ import annotations

import io
import re

from sources.contract import Contract
from sources.limits import MAX_XML_DEPTH
from sources.readers.base import ParsedFile


class _Refused(ValueError):
    """A check of ours: its message is built from the contract alone."""


def count_records(data: bytes, element: str) -> list[int]:
    """Record numbers by a byte scan, for a file that cannot be parsed."""
    n = len(re.findall(rb"<(?:\w+:)?" + re.escape(element.encode()) + rb"[\s>/]", data))
    return list(range(1, n + 1))


def _value(record, path: str, ns: str) -> str:
    parts = path.split("/")
    node = record
    for p in parts[:-1]:
        node = node.find(f"{{{ns}}}{p}" if ns else p) if node is not None else None
    last = parts[-1]
    if node is None:
        return ""
    if last.startswith("@"):
        return node.get(last[1:], "")
    child = node.find(f"{{{ns}}}{last}" if ns else last)
    return "" if child is None or child.text is None else child.text


def parse_xml(data: bytes, contract: Contract, head: int | None = None) -> ParsedFile:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    names = contract.column_names
    element = contract.options["record_element"]
    ns = contract.options.get("namespace", "")
    tag = f"{{{ns}}}{element}" if ns else element
    out = ParsedFile(columns={c: [] for c in names}, line_numbers=[])
    paths = [(c.name, c.path) for c in contract.columns]
    n = depth = 0
    try:
        root = None
        for event, el in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            depth += 1 if event == "start" else -1
            if depth > MAX_XML_DEPTH:
                raise _Refused(f"XML tiefer als {MAX_XML_DEPTH} Ebenen verschachtelt")
            if root is None and event == "start":
                root = el
                if contract.options.get("root_element") and el.tag.split("}")[-1] != contract.options["root_element"]:
                    raise _Refused(f"Wurzelelement ist nicht {contract.options['root_element']!r}")
            if event == "end" and el.tag == tag:
                n += 1
                out.line_numbers.append(n)
                for name, path in paths:
                    out.columns[name].append(_value(el, path, ns).strip())
                root.remove(el)  # streaming: a parsed record is not kept
                if n == head:
                    break
    except DefusedXmlException as e:
        out.file_error = f"XML abgelehnt ({type(e).__name__}): DTD/Entitäten sind nicht erlaubt"
    except _Refused as e:
        out.file_error = str(e)
    except Exception as e:  # noqa: BLE001 — expat's message can quote the document: only its position
        where = getattr(e, "position", None)
        out.file_error = ("kein wohlgeformtes XML" + (f" (Zeile {where[0]}, Spalte {where[1]})" if where else "")
                          + f": {type(e).__name__}")
    if out.file_error:
        out.columns = {c: [] for c in names}
        out.line_numbers = []
        out.data_lines = count_records(data, element)
    return out
