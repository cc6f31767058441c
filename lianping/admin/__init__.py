"""Staff web pages and the JSON API (over the same service functions)."""

from lianping.admin.views import blueprint

__all__ = ["blueprint"]
