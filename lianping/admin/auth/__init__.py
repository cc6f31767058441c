"""Login, logout, server-side sessions, CSRF and the access rules for every route.

What other parts of the admin use:

- ``current_actor()``: the signed-in staff member (or API token owner) as an ``Actor``;
- ``require_role(*roles)`` / ``admin_required``: view decorators raising ``PermissionDenied``;
- in templates, ``csrf_field()`` (the hidden input every form needs) and ``csrf_token()``
  (for the ``X-CSRF-Token`` header of scripted requests);
- ``g.user``, ``g.actor`` and ``g.csrf_token`` during a request (``None`` when anonymous).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask

from lianping.admin.auth import guard, nul_guard
from lianping.admin.auth.csrf import csrf_field, csrf_token
from lianping.admin.auth.guard import (
    PUBLIC_ENDPOINTS,
    SESSION_COOKIE,
    current_actor,
    is_public,
)
from lianping.services.access import PermissionDenied

__all__ = [
    "PUBLIC_ENDPOINTS",
    "SESSION_COOKIE",
    "admin_required",
    "csrf_field",
    "csrf_token",
    "current_actor",
    "init_app",
    "is_public",
    "require_role",
]

F = TypeVar("F", bound=Callable[..., Any])


def require_role(*roles: str) -> Callable[[F], F]:
    """Allow the view only to actors with one of ``roles`` (others get 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_actor().role not in roles:
                raise PermissionDenied("您的角色無權使用此功能")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


admin_required = require_role("admin")


def init_app(app: Flask) -> None:
    """Register the ``auth`` and ``second_step`` blueprints, the access hook for every route
    and the CSRF globals."""
    from lianping.admin.auth import second_step
    from lianping.admin.auth.views import blueprint

    app.register_blueprint(blueprint)
    app.register_blueprint(second_step.blueprint)
    # Odd characters first: a path no route names is a 404 before any login is asked for.
    app.before_request(nul_guard.refuse_nul_input)
    app.before_request(guard.enforce_access)
    app.after_request(guard.finish_response)
    app.register_error_handler(PermissionDenied, guard.permission_denied)
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field)
