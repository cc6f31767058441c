"""A local LINE platform: fake Messaging API, signed webhooks and a resident chat page.

Start it with :func:`start_in_thread` in tests or :func:`serve` for development; point
the product's ``LINE_API_BASE`` at it and its ``webhook_url`` at the product's callback.
"""

from lianping_dev.simulator.app import RunningSimulator, create_app, serve, start_in_thread
from lianping_dev.simulator.settings import SimulatorSettings

__all__ = ["RunningSimulator", "SimulatorSettings", "create_app", "serve", "start_in_thread"]
