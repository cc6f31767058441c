"""As a resident would: file on LINE (the simulator) and agree to publication; staff answer,
write the public words and publish; the case appears on 案件成果 with nothing identifying, and
a real Open311 client (``georeport`` from PyPI) reads it from the running web app."""

from __future__ import annotations

from typing import Any

import pytest
from georeport import GeoReport
from sqlalchemy import select

from lianping.context import Context
from lianping.services import public_cache
from lianping.storage.models import Case, CaseEvent
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import staff
from tests.support import WorkerProcess, wait_until
from tests.test_admin_pages import Staff, page_text
from tests.test_intake_e2e import Resident

pytestmark = pytest.mark.e2e

OWN_WORDS = "民生路二段的人行道地磚破裂翹起已經一個月，長輩經過常常絆倒，請儘快修繕。"
NAME, PHONE, ADDRESS = "陳美玲", "0912-345-678", "臺北市中正區重慶南路一段122號"


def _file(sim: Sim, name: str, agree: bool) -> None:
    r = Resident(sim, name)
    for label in (
        "我要反映",
        "已閱讀",
        "民情需求",
        "公共設施不足或管理不當，影響生活權益",
        "地方工程",
    ):
        r.tap(label)
    r.say(OWN_WORDS)
    r.tap("完成")
    r.tap("略過")  # location
    r.tap("略過")  # photos
    r.tap("留下聯絡資料")
    r.say(f"{name} {PHONE}")
    r.say(ADDRESS)
    r.tap("退休")
    asked = r.last_actions()
    assert {"可以公開", "不要公開", "略過"} <= {a.get("label") for a in asked}
    r.tap("可以公開" if agree else "不要公開")
    assert "案件編號" in "\n".join(m.get("text", "") for m in r.tap("送出"))


def test_a_resident_agrees_staff_publish_and_the_public_reads_it(
    app: Any, sim: Sim, worker: WorkerProcess, ctx: Context, web: str
) -> None:
    _file(sim, NAME, agree=True)
    _file(sim, "張志強", agree=False)
    with ctx.sessions() as session:
        agreed = session.scalars(select(Case).where(Case.reporter_name == NAME)).one()
        other = session.scalars(select(Case).where(Case.reporter_name == "張志強")).one()
        assert (agreed.publish_consent, other.publish_consent) == (True, False)
        number, other_number = agreed.number, other.number
    chief = Staff(app, ctx, staff(ctx, "chief", "supervisor"))
    body = "已請工務單位於本週內更換破損地磚，完成後將再通知您。"
    assert chief.act(number, "reply", body=body, step="send").status_code == 302
    with ctx.sessions() as session:
        wait_until(
            lambda: session.scalar(select(CaseEvent.id).where(CaseEvent.kind == "reply").limit(1))
        )
    panel = chief.post(
        f"/admin/cases/{number}/public/save",
        {
            "title": "人行道地磚破損，已安排更換",
            "summary": "民眾反映中正區一處人行道地磚破裂，長者行走易絆倒，請求修繕。",
            "outcome": "已簽會工務單位，於一週內更換破損地磚並列入巡查。",
            "district": "中正區",
        },
    )
    assert panel.status_code == 302
    assert chief.post(f"/admin/cases/{number}/public/publish").status_code == 302
    refused = chief.get(f"/admin/cases/{other_number}/public")
    assert "不得公開" in page_text(refused)

    client = app.test_client()
    listing = client.get("/public/cases").get_data(as_text=True)
    page = client.get(f"/public/cases/{number}").get_data(as_text=True)
    assert "人行道地磚破損，已安排更換" in listing and "中正區" in page
    for text in (listing, page):
        for leak in (NAME, "張志強", "0912", "重慶南路", OWN_WORDS[:12], other_number):
            assert leak not in text

    public_cache.invalidate(ctx.redis)
    reader = GeoReport(f"{web}/open311/v2")
    codes = {s["service_code"] for s in reader.get_service_list()}
    assert "need-2" in codes
    assert reader.get_service_definition("need-2")["attributes"] == []
    requests = reader.get_service_requests(status="closed")
    assert requests == []  # 已回覆 is open until 結案
    (found,) = reader.get_service_requests(service_code="need-2")
    assert found["service_request_id"] == number and found["address"] == "中正區"
    assert reader.get_service_request(number)["status"] == "open"
    xml_reader = GeoReport(f"{web}/open311/v2", output_format="xml")
    assert xml_reader.get_service_request(number)["service_request_id"] == number
    with pytest.raises(Exception, match="404"):
        reader.get_service_request(other_number)
