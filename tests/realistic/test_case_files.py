"""附件1 of every sampled case as ODT and PDF, and residents' stored files, open in readers."""

from __future__ import annotations

import pytest

from tests.realistic import routes
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


@pytest.mark.parametrize("endpoint", routes.GROUPS["case_files"])
def test_case_files(realistic: Realistic, endpoint: str) -> None:
    gets = routes.ROUTES[endpoint](realistic)
    assert gets, f"the data gives {endpoint} nothing to request"
    problems = realistic.problems(gets)
    assert not problems, "\n".join(problems)
