"""One module per step of the conversation; importing this package registers them all."""

from __future__ import annotations

from lianping.bot.conversation import registry
from lianping.bot.conversation.steps import (
    address,
    contact,
    contact_details,
    description,
    edit,
    idle,
    location,
    nature,
    notice,
    occupation,
    offer_text,
    photos,
    resume,
    sub_district,
    sub_item,
    sub_village,
    subscription,
    summary,
    supplement,
    theme,
    tip,
    withdraw,
)

for _step in (
    idle,
    offer_text,
    resume,
    supplement,
    notice,
    nature,
    sub_item,
    theme,
    tip,
    description,
    location,
    photos,
    contact,
    contact_details,
    address,
    occupation,
    summary,
    edit,
    subscription,
    sub_district,
    sub_village,
    withdraw,
):
    registry.register(_step)  # type: ignore[arg-type]
