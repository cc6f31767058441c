"""The biweekly 工作成果彙報表 (seed 004 附件2) as data: what is counted, summarised and filed.

Built by ``reports.biweekly``; rendered to ODS, XLSX, CSV, PDF and the print view
by ``reports.biweekly_files``; given as JSON by the API and frozen on submission.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from lianping.rocdate import roc_period, roc_year

# The form's three rows, in its order; the keys are the API's.
ROW_TITLES: dict[str, str] = {
    "need": "民情需求事項",
    "reform": "施政興革反映",
    "promotion": "反貪倡廉宣導",
}
# The two texts of a row the officer may edit (its count is always computed).
TEXT_FIELDS = ("summary", "handling")


def lines_of(text: str) -> tuple[str, ...]:
    """An edited text as the row keeps it: one entry per non-blank line, trimmed."""
    return tuple(line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip())


@dataclass(frozen=True)
class ReportRow:
    """One row of 附件2: how many, 內容摘要 and 處理意見."""

    key: str
    count: int
    # 內容摘要: one line per case or broadcast summarised (confidential tips never are).
    summaries: tuple[str, ...]
    # 處理意見: how the period's matters were handled (answered, transferred to whom, …).
    handling: tuple[str, ...]
    # The officer replaced the drafted 內容摘要 / 處理意見 (``reports.drafts``).
    edited_summary: bool = False
    edited_handling: bool = False

    @property
    def title(self) -> str:
        """The row's wording on the form."""
        return ROW_TITLES[self.key]

    @property
    def summary_body(self) -> str:
        """The 內容摘要 as written (drafted or edited), without the computed count."""
        return "\n".join(self.summaries)

    @property
    def summary_text(self) -> str:
        """The 內容摘要 cell as on the form, 「……（計○案）。」: the text, then the count."""
        return "\n".join([*self.summaries, f"（計{self.count}案）。"])

    @property
    def handling_text(self) -> str:
        """The 處理意見 cell."""
        return "\n".join(self.handling)

    @property
    def edited(self) -> bool:
        """Whether the officer edited either text of the row."""
        return self.edited_summary or self.edited_handling

    def with_texts(self, texts: dict[str, str]) -> ReportRow:
        """The row with the officer's ``{"summary"|"handling": text}`` in place of the draft."""
        row = self
        if texts.get("summary"):
            row = replace(row, summaries=lines_of(texts["summary"]), edited_summary=True)
        if texts.get("handling"):
            row = replace(row, handling=lines_of(texts["handling"]), edited_handling=True)
        return row


@dataclass(frozen=True)
class BiweeklyReport:
    """A 工作成果彙報表 for one period (both ends inclusive, Asia/Taipei dates)."""

    agency: str
    period_from: date
    period_to: date
    rows: tuple[ReportRow, ...]

    @property
    def title(self) -> str:
        """``(政風機構全銜)○年○月辦理村里廉政平臺工作成果彙報表``, month of the period's end."""
        month = f"{roc_year(self.period_to)}年{self.period_to.month}月"
        return f"{self.agency}{month}辦理村里廉政平臺工作成果彙報表"

    @property
    def period_text(self) -> str:
        """``資料統計期間：○年○月○-○日``."""
        return f"資料統計期間：{roc_period(self.period_from, self.period_to)}"

    def row(self, key: str) -> ReportRow:
        """The row keyed ``need``, ``reform`` or ``promotion``."""
        return next(row for row in self.rows if row.key == key)

    @property
    def edited_rows(self) -> list[str]:
        """The keys of the rows whose texts the officer edited."""
        return [row.key for row in self.rows if row.edited]

    def with_edits(self, texts: dict[str, dict[str, str]]) -> BiweeklyReport:
        """The report with the officer's edited texts (by row key) in place of the drafts."""
        rows = tuple(row.with_texts(texts.get(row.key, {})) for row in self.rows)
        return replace(self, rows=rows)

    def to_json(self) -> dict[str, Any]:
        """The API's form (also what a submission freezes)."""
        return {
            "agency": self.agency,
            "title": self.title,
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "text": self.period_text,
            },
            "rows": {
                row.key: {
                    "title": row.title,
                    "count": row.count,
                    "summaries": list(row.summaries),
                    "handling": list(row.handling),
                    "summary_text": row.summary_text,
                    "handling_text": row.handling_text,
                    "edited": {"summary": row.edited_summary, "handling": row.edited_handling},
                }
                for row in self.rows
            },
            "edited_rows": self.edited_rows,
        }

    def digest(self) -> str:
        """SHA-256 of the report's content: what a supervisor reviewed is what is submitted."""
        canonical = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BiweeklyReport:
        """Rebuild a report from ``to_json`` (a submitted report renders from its frozen data)."""
        return cls(
            agency=data["agency"],
            period_from=date.fromisoformat(data["period"]["from"]),
            period_to=date.fromisoformat(data["period"]["to"]),
            rows=tuple(
                ReportRow(
                    key=key,
                    count=data["rows"][key]["count"],
                    summaries=tuple(data["rows"][key]["summaries"]),
                    handling=tuple(data["rows"][key]["handling"]),
                    # Submissions frozen before edits existed have no flags: not edited.
                    edited_summary=bool(data["rows"][key].get("edited", {}).get("summary")),
                    edited_handling=bool(data["rows"][key].get("edited", {}).get("handling")),
                )
                for key in ROW_TITLES
            ),
        )
