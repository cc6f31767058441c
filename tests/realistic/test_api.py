"""Every list and object of the JSON API on the realistic data, lists paged to their end."""

from __future__ import annotations

import pytest

from tests.realistic import routes
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


@pytest.mark.parametrize("endpoint", routes.GROUPS["api"])
def test_api(realistic: Realistic, endpoint: str) -> None:
    gets = routes.ROUTES[endpoint](realistic)
    assert gets, f"the data gives {endpoint} nothing to request"
    problems = realistic.problems(gets)
    assert not problems, "\n".join(problems)
