"""Every page of the staff site, on thousands of realistic cases, opens as a person would see it.

Pages are requested with real ids from the data (every sampled case, broadcast, template,
submission), lists are walked to their last page, as staff with and without 政風 and as a
viewer; each must answer 200 (or the zh-TW 404 page a tip is to staff it is not assigned to,
or the 403 refusing a tip its 工作紀錄表), in zh-TW,
without Python's values leaking through.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.realistic import routes
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


def test_every_get_route_of_the_admin_and_the_api_is_requested(app: Any) -> None:
    served = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.rule.startswith(("/admin", "/api"))
    }
    assert served - set(routes.ROUTES) == set(), "add these routes to tests/realistic/routes.py"
    assert set(routes.ROUTES) - served == set(), "these routes are gone: remove them from ROUTES"
    grouped = [endpoint for group in routes.GROUPS.values() for endpoint in group]
    assert sorted(grouped) == sorted(routes.ROUTES)


@pytest.mark.parametrize("endpoint", routes.GROUPS["pages"])
def test_page(realistic: Realistic, endpoint: str) -> None:
    gets = routes.ROUTES[endpoint](realistic)
    assert gets, f"the data gives {endpoint} nothing to request"
    problems = realistic.problems(gets)
    assert not problems, "\n".join(problems)
