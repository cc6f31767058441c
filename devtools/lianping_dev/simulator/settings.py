"""Configuration of one simulated LINE channel."""

from __future__ import annotations

from dataclasses import dataclass

# The bot user id a simulated channel has unless told otherwise.
SIMULATED_BOT_USER_ID = "Udeadbeefdeadbeefdeadbeefdeadbeef"


@dataclass
class SimulatorSettings:
    """What the simulator needs to act as the LINE platform for one bot channel.

    ``channel_secret`` signs webhooks, ``access_token`` is the only Bearer token the fake
    Messaging API accepts, ``webhook_url`` is where resident events are POSTed and
    ``destination`` is the bot's user id sent in every webhook body.
    """

    channel_secret: str
    access_token: str
    webhook_url: str
    destination: str = SIMULATED_BOT_USER_ID
    bot_display_name: str = "村里廉政平臺"
