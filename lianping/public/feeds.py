"""Atom feeds of the public pages (RFC 4287), built with the standard library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class Entry:
    """One entry: a stable id (tag URI or URL), title, link, time and plain-text summary."""

    id: str
    title: str
    link: str
    updated: datetime
    summary: str


def atom(
    feed_id: str, title: str, link: str, self_link: str, updated: datetime, entries: Iterable[Entry]
) -> bytes:
    """The feed as UTF-8 XML; text is escaped by ElementTree."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-TW"})
    ET.SubElement(root, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(root, f"{{{ATOM}}}title").text = title
    ET.SubElement(root, f"{{{ATOM}}}updated").text = updated.isoformat()
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": link})
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": self_link})
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = title
    for item in entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = item.id
        ET.SubElement(node, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "href": item.link})
        ET.SubElement(node, f"{{{ATOM}}}updated").text = item.updated.isoformat()
        ET.SubElement(node, f"{{{ATOM}}}summary", {"type": "text"}).text = item.summary
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
