"""The 工作紀錄表 (附件1) of every two-week period of the last year in one ODT and one PDF: every
case of the period is in it, one record per page or more."""

from __future__ import annotations

import pytest

from tests.realistic import routes
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


@pytest.mark.parametrize("fmt", ["odt", "pdf"])
def test_work_records_of_each_period(realistic: Realistic, fmt: str) -> None:
    problems = realistic.problems(routes.record_batches(realistic, fmt))
    assert not problems, "\n".join(problems)
