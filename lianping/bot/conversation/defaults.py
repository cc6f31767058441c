"""The texts and settings used until the administrator has edited their own."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation.model import Content

# The retention settings' defaults (services.content.DEFAULTS takes them from here), as the
# built-in notice states them.
RETENTION = {
    "retention_draft_hours": 24,
    "retention_payload_days": 30,
    "retention_outbox_days": 30,
    "retention_orphan_media_days": 7,
    "retention_unfollowed_days": 90,
    "retention_case_years": 5,
    # 平臺聯絡人 who no longer serve: by default as long as a reporter's data.
    "retention_contact_years": 5,
}

DEFAULT_CONTENT = Content(
    privacy_notice=texts.privacy_notice(
        texts.AGENCY_FALLBACK, texts.NOTICE_CONTACT_UNSET, RETENTION
    ),
    privacy_version=1,
    reporting_channels=texts.REPORTING_CHANNELS,
    promotion=texts.PROMOTION,
    help=texts.HELP,
    offline_ways=texts.offline_ways(texts.AGENCY_FALLBACK, "", "", ""),
)
