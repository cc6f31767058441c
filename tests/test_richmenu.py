"""The rich menu: its drawn image, its menu object and installing it on the LINE simulator."""

from __future__ import annotations

import io
import os
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from PIL import Image

from lianping.bot import richmenu, texts
from lianping.context import Context
from lianping.line.client import LineApiError
from lianping_dev.simulator.app import RunningSimulator
from tests.conftest import TOKEN
from tests.support import LIANPING

ONE_MB = 1024 * 1024


@pytest.fixture(scope="module")
def png() -> bytes:
    return richmenu.render_png()


def _default_menu(simulator: RunningSimulator) -> dict:
    response = requests.get(f"{simulator.url}/_sim/richmenu", timeout=10)
    response.raise_for_status()
    shown: dict = response.json()
    return shown


def test_image_follows_line_rules(png: bytes) -> None:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) <= ONE_MB
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    width, height = image.size
    assert (width, height) == (richmenu.WIDTH, richmenu.HEIGHT) == (2500, 1686)
    assert height >= 250
    assert width / height >= 1.45


def test_image_is_drawn_tile_by_tile(png: bytes) -> None:
    """Each area has its tile: mostly tile colour, with white text/icon pixels in the middle."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for index in range(6):
        b = richmenu.area_bounds(index)
        tile = image.crop((b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]))
        white = tile.convert("L").point(lambda v: 255 if v > 240 else 0).histogram()[255]
        assert white > 20_000, f"tile {index} has almost no white text or icon"
        assert tile.getpixel((b["width"] // 2, 40)) == richmenu._TILE


def test_menu_body_has_six_postback_areas_covering_the_image() -> None:
    body = richmenu.menu_body()
    assert body["size"] == {"width": 2500, "height": 1686}
    assert body["chatBarText"] == "選單"
    areas = body["areas"]
    assert [a["action"]["data"] for a in areas] == [
        f"menu={item}" for item in ("report", "status", "channels", "promotion", "privacy", "help")
    ]
    for area in areas:
        item = area["action"]["data"].removeprefix("menu=")
        assert area["action"]["type"] == "postback"
        assert area["action"]["displayText"] == texts.MENU_LABELS[item]
    assert sum(a["bounds"]["width"] * a["bounds"]["height"] for a in areas) == 2500 * 1686
    assert {a["bounds"]["x"] + a["bounds"]["width"] for a in areas} == {833, 1666, 2500}
    assert {a["bounds"]["y"] + a["bounds"]["height"] for a in areas} == {843, 1686}


def test_every_drawn_character_is_in_the_shipped_font() -> None:
    text = richmenu.required_text()
    richmenu.check_glyphs(text, richmenu.BOLD_FONT)
    richmenu.check_glyphs(text, richmenu.REGULAR_FONT)
    for font in (richmenu.BOLD_FONT, richmenu.REGULAR_FONT):
        assert font.stat().st_size < 200_000, "the font should be a subset, not the whole face"
    assert (richmenu.ASSETS / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") == 1


def test_character_outside_the_subset_is_refused() -> None:
    with pytest.raises(richmenu.GlyphMissingError) as raised:
        richmenu.check_glyphs("我要反映龘", richmenu.BOLD_FONT)
    assert "U+9F98" in str(raised.value)
    assert "subset_font.py" in str(raised.value)
    # An edited label or helper line is refused before anything is drawn.
    first = richmenu.ITEMS[0]
    for changed in (replace(first, label="我要陳情"), replace(first, helper="龘")):
        edited = (changed, *richmenu.ITEMS[1:])
        with pytest.raises(richmenu.GlyphMissingError):
            richmenu.render_png(edited)


def test_install_sets_the_default_menu(ctx: Context, simulator: RunningSimulator) -> None:
    before = len(simulator.store.calls("/v2/bot/richmenu"))
    rich_menu_id = richmenu.install(ctx.line)

    shown = _default_menu(simulator)
    menu = shown["richMenu"]
    assert menu["richMenuId"] == rich_menu_id
    assert menu["chatBarText"] == "選單"
    assert [a["action"]["data"] for a in menu["areas"]] == [
        "menu=report", "menu=status", "menu=channels",
        "menu=promotion", "menu=privacy", "menu=help",
    ]  # fmt: skip
    assert [a["action"]["displayText"] for a in menu["areas"]] == list(
        texts.MENU_LABELS[a["action"]["data"].removeprefix("menu=")] for a in menu["areas"]
    )
    served = requests.get(simulator.url + shown["imageUrl"], timeout=10)
    assert served.headers["Content-Type"] == "image/png"
    assert served.content == richmenu.render_png()
    # The body went through ctx.line, so the autouse fixture checks it against LINE's spec.
    created = [c for c in simulator.store.calls("/v2/bot/richmenu")[before:] if c.get("json")]
    assert created and created[0]["json"]["name"] == richmenu.MENU_NAME


def test_install_again_replaces_the_earlier_menu(ctx: Context, simulator: RunningSimulator) -> None:
    first = richmenu.install(ctx.line)
    second = richmenu.install(ctx.line)
    assert second != first
    assert _default_menu(simulator)["richMenu"]["richMenuId"] == second
    names = [m["richMenuId"] for m in ctx.line.list_rich_menus() if m["name"] == richmenu.MENU_NAME]
    assert names == [second]
    with pytest.raises(LineApiError) as raised:
        ctx.line.delete_rich_menu(first)
    assert raised.value.status == 404


def test_cli_installs_against_the_simulator(simulator: RunningSimulator, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LIANPING_DEV": "1",
        "LINE_API_BASE": simulator.url,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
    }
    result = subprocess.run(
        [LIANPING, "richmenu"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    rich_menu_id = result.stdout.strip().splitlines()[-1]
    assert rich_menu_id.startswith("richmenu-")
    assert _default_menu(simulator)["richMenu"]["richMenuId"] == rich_menu_id

    output = tmp_path / "menu.png"
    written = subprocess.run(
        [LIANPING, "richmenu", "--output", str(output)],
        env={**env, "LINE_API_BASE": "http://127.0.0.1:9"},  # nothing may be sent
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert output.read_bytes() == richmenu.render_png()
    assert _default_menu(simulator)["richMenu"]["richMenuId"] == rich_menu_id


def test_cli_reports_a_line_error(simulator: RunningSimulator) -> None:
    env = {
        **os.environ,
        "LIANPING_DEV": "1",
        "LINE_API_BASE": simulator.url,
        "LINE_CHANNEL_ACCESS_TOKEN": "wrong-token",
    }
    result = subprocess.run(
        [LIANPING, "richmenu"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "LINE 401" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_with_development_defaults_sends_nothing_to_line_and_says_what_to_set() -> None:
    # LINE's own host can only refuse the development token: say how to reach the simulator
    # (or a real channel) instead of failing on the network.
    with socket.socket() as proxy:
        proxy.bind(("127.0.0.1", 0))
        proxy.listen()
        proxy.settimeout(0)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("LINE_API_BASE", "LINE_CHANNEL_ACCESS_TOKEN")
        }
        proxy_url = f"http://127.0.0.1:{proxy.getsockname()[1]}"  # would see any call
        env |= {"LIANPING_DEV": "1", "HTTPS_PROXY": proxy_url, "https_proxy": proxy_url}
        result = subprocess.run(
            [LIANPING, "richmenu"], env=env, capture_output=True, text=True, timeout=120
        )
        with pytest.raises(BlockingIOError):
            proxy.accept()
    assert result.returncode == 1
    assert "LINE_API_BASE=http://127.0.0.1:8100" in result.stderr
    assert "LINE_CHANNEL_ACCESS_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
