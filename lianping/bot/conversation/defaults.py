"""The texts and settings used until the administrator has edited their own."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation.model import Content

DEFAULT_CONTENT = Content(
    privacy_notice=texts.PRIVACY_NOTICE.format(agency=texts.AGENCY_FALLBACK),
    privacy_version=1,
    reporting_channels=texts.REPORTING_CHANNELS,
    promotion=texts.PROMOTION,
    help=texts.HELP,
)
