"""Case exports (CSV, XLSX, ODS) of the whole inbox and of its filters hold every case listed."""

from __future__ import annotations

import pytest

from tests.realistic import routes
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


@pytest.mark.parametrize("endpoint", routes.GROUPS["exports"])
def test_exports(realistic: Realistic, endpoint: str) -> None:
    gets = routes.ROUTES[endpoint](realistic)
    assert gets, f"the data gives {endpoint} nothing to request"
    problems = realistic.problems(gets)
    assert not problems, "\n".join(problems)
