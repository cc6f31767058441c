"""(being written)"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part of the admin."""
