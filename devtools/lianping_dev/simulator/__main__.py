"""``python -m lianping_dev.simulator``: run the simulator from the command line.

Channel secret and token default to the product's ``LINE_CHANNEL_SECRET`` and
``LINE_CHANNEL_ACCESS_TOKEN`` so both sides agree without extra configuration.
"""

from __future__ import annotations

import argparse
import os

from lianping_dev.simulator.app import serve
from lianping_dev.simulator.settings import SimulatorSettings


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Local LINE platform simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIMULATOR_PORT", 8765)))
    parser.add_argument(
        "--webhook-url",
        default=os.environ.get("SIMULATOR_WEBHOOK_URL", "http://127.0.0.1:8000/callback"),
    )
    parser.add_argument("--channel-secret", default=os.environ.get("LINE_CHANNEL_SECRET", "dev"))
    parser.add_argument(
        "--access-token", default=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "dev")
    )
    args = parser.parse_args()
    settings = SimulatorSettings(
        channel_secret=args.channel_secret,
        access_token=args.access_token,
        webhook_url=args.webhook_url,
    )
    print(f"LINE simulator on http://{args.host}:{args.port} → webhook {args.webhook_url}")
    serve(settings, args.host, args.port)


if __name__ == "__main__":
    main()
