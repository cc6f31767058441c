"""The ``areas`` setting: the 區 and 村里 residents pick in 訂閱設定 and broadcasts target.

The administrator writes one 區 per line, ``區名：里名、里名、…``; full- and
half-width colons and commas (and spaces between 村里) are all accepted, blank
lines are skipped. ``parse`` turns the text into ``{區: [村里, …]}`` in the
order written, or raises ``AreasError`` naming the line to correct.
"""

from __future__ import annotations

import re
from typing import Any

# Resident.district and Resident.village hold 20 characters, and a quick-reply label 20.
MAX_NAME = 20
MAX_DISTRICTS = 100
MAX_VILLAGES = 300
_COLONS = re.compile(r"[:：]")
# 區 in an address: after the city or county (臺北市大安區, 花蓮縣花蓮市), or at its start.
_DISTRICT_AFTER_CITY = re.compile(r"[縣市]([^\d\s\W縣市區鄉鎮]{1,3}[區鄉鎮市])")
_DISTRICT_FIRST = re.compile(r"^([^\d\s\W縣市區鄉鎮]{1,3}[區鄉鎮])")
_SEPARATORS = re.compile(r"[、，,；;\s]+")

# A sample to start from (臺北市); the administrator replaces it with the unit's own area.
SAMPLE = (
    "中正區：黎明里、光復里、梅花里、東門里、幸福里、文北里、三愛里、幸市里、建國里、"
    "文祥里、板溪里、螢圃里、河堤里、頂東里、網溪里、林興里、愛國里、南福里、龍光里、南門里\n"
    "大同區：建功里、光能里、星明里、大有里、朝陽里、延平里、雙連里、保安里、國慶里、"
    "民權里、蓬萊里、斯文里\n"
    "萬華區：福星里、萬壽里、西門里、新起里、菜園里、青山里、富民里、富福里、新安里、華江里"
)


class AreasError(ValueError):
    """The text cannot be read; the message (zh-TW) names the line and what to correct."""


def _name(raw: str) -> str:
    return "".join(raw.split())


def parse(text: str) -> dict[str, list[str]]:
    """``{區: [村里, …]}`` from the administrator's text; raises AreasError on a bad line."""
    areas: dict[str, list[str]] = {}
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        parts = _COLONS.split(line)
        if len(parts) != 2:
            problem = "缺少冒號" if len(parts) == 1 else "有多個冒號"
            raise AreasError(f"第 {number} 行格式有誤（{problem}），請寫成「區名：里名、里名」。")
        district = _name(parts[0])
        villages = [name for name in _SEPARATORS.split(parts[1]) if name]
        if not district:
            raise AreasError(f"第 {number} 行缺少區名，請寫成「區名：里名、里名」。")
        for name in (district, *villages):
            if len(name) > MAX_NAME:
                raise AreasError(f"第 {number} 行的「{name}」超過 {MAX_NAME} 字。")
        if district in areas:
            raise AreasError(f"第 {number} 行的「{district}」重複，每個區請只寫一行。")
        repeated = next((name for name in villages if villages.count(name) > 1), None)
        if repeated:
            raise AreasError(f"第 {number} 行的「{repeated}」重複。")
        if len(villages) > MAX_VILLAGES:
            raise AreasError(f"第 {number} 行的村里超過 {MAX_VILLAGES} 個，請分區列出。")
        areas[district] = villages
    if len(areas) > MAX_DISTRICTS:
        raise AreasError(f"區的數目超過 {MAX_DISTRICTS} 個。")
    return areas


def format_text(areas: dict[str, list[str]]) -> str:
    """The canonical text of ``areas``: one 區 per line, full-width colon, 、 between 村里."""
    return "\n".join(f"{district}：{'、'.join(villages)}" for district, villages in areas.items())


def read(value: Any) -> dict[str, list[str]]:
    """The areas of a stored setting value; one saved before validation existed counts as none."""
    try:
        return parse(str(value or ""))
    except AreasError:
        return {}


def district_of(address: str | None) -> str | None:
    """The 區 (鄉, 鎮, 市) an address names: 「臺北市大安區…」 → 「大安區」; None if none.

    A coarse place, not personal data: 附件2 counts matters by it, and the retention purge
    keeps it when it removes a location's address.
    """
    if not address:
        return None
    text = "".join(address.split())
    found = _DISTRICT_AFTER_CITY.search(text) or _DISTRICT_FIRST.search(text)
    return found.group(1) if found else None


def place_district(location: Any) -> str | None:
    """The 區 of a case's location: kept as ``district`` (after a purge), else its address's."""
    if not isinstance(location, dict):
        return None
    kept = location.get("district")
    if isinstance(kept, str) and kept:
        return kept
    address = location.get("address")
    return district_of(address) if isinstance(address, str) else None
