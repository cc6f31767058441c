"""附件2 of every two-week period of the last year as ODS, XLSX, CSV and PDF: each opens in its
reader and shows the period and its three rows."""

from __future__ import annotations

import pytest

from tests.realistic import routes
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


@pytest.mark.parametrize("fmt", ["ods", "xlsx", "csv", "pdf"])
def test_biweekly_report_files(realistic: Realistic, fmt: str) -> None:
    problems = realistic.problems(routes.biweekly_files(realistic, fmt))
    assert not problems, "\n".join(problems)
