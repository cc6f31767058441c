"""弊端態樣與防制作為 (staff write, a supervisor approves, the public searches) and 宣導 (what
went out, newest first, quizzes without their answers)."""

from __future__ import annotations

from typing import Any

from lianping.context import Context
from lianping.services import public_cache
from lianping.storage.models import Broadcast, utcnow
from tests.admin_support import staff
from tests.test_admin_pages import Staff, page_text

ENTRY = {
    "misconduct_type": "採購圍標",
    "business_area": "工程採購",
    "pattern": "廠商彼此協議輪流得標，以陪標方式參與小額採購，承辦人未察覺投標文件雷同。",
    "risk": "採購價格偏高，公帑浪費，並有洩漏底價之虞。",
    "countermeasures": "比對投標文件及押標金來源；辦理採購稽核；宣導政府採購法第87條。",
    "discussed_on": "2026-08-15",
    "discussed_at": "115年第2次廉政會報",
}


def _text(app: Any, url: str) -> str:
    return " ".join(page_text(app.test_client().get(url)).split())


def test_an_entry_is_public_only_once_a_supervisor_approves_it(app: Any, ctx: Context) -> None:
    public_cache.invalidate(ctx.redis)
    officer = Staff(app, ctx, staff(ctx, "officer", "officer"))
    created = officer.post("/admin/public/patterns/new", ENTRY)
    assert created.status_code == 302
    url = created.headers["Location"]
    pattern_id = url.rsplit("/", 1)[1].split("?")[0]
    assert "採購圍標" not in _text(app, "/public/patterns")
    assert app.test_client().get(f"/public/patterns/{pattern_id}").status_code == 404
    assert officer.post(f"/admin/public/patterns/{pattern_id}/approve").status_code == 403
    chief = Staff(app, ctx, staff(ctx, "chief", "supervisor"))
    assert chief.post(f"/admin/public/patterns/{pattern_id}/approve").status_code == 302
    listing = _text(app, "/public/patterns")
    assert "採購圍標" in listing and "115年8月15日" in listing
    detail = _text(app, f"/public/patterns/{pattern_id}")
    assert "政府採購法第87條" in detail and "115年第2次廉政會報" in detail
    assert "採購圍標" in _text(app, "/public/patterns?area=工程採購")
    assert "採購圍標" in _text(app, "/public/patterns?q=押標金")
    assert "採購圍標" not in _text(app, "/public/patterns?q=%25%25")  # a literal %, not a wildcard
    assert "採購圍標" not in _text(app, "/public/patterns?area=建築管理")
    assert "採購圍標" in app.test_client().get("/public/patterns.atom").get_data(as_text=True)
    assert chief.post(f"/admin/public/patterns/{pattern_id}/withdraw").status_code == 302
    assert "採購圍標" not in _text(app, "/public/patterns")
    audit = page_text(Staff(app, ctx, staff(ctx, "admin", "admin")).get("/admin/audit"))
    assert "核定公開弊端態樣" in audit or "核定公開弊端態樣與防制作為" in audit


def test_an_entry_may_not_carry_a_phone_or_id_number(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, staff(ctx, "officer", "officer"))
    for field, value in (("pattern", "承辦人A123456789收受招待。"), ("risk", "洽0912-345-678")):
        refused = officer.post("/admin/public/patterns/new", {**ENTRY, field: value})
        assert refused.status_code == 400
        assert "身分證字號或電話號碼" in page_text(refused)


def test_promotions_show_what_went_out_newest_first_without_quiz_answers(
    app: Any, ctx: Context
) -> None:
    now = utcnow()
    with ctx.sessions.begin() as session:
        session.add_all(
            [
                Broadcast(title="廉政檢舉專線宣導", status="sent", audience={"kind": "all"},
                          started_at=now, messages=[
                              {"type": "text", "text": "檢舉貪瀆請撥0800-286-586。"},
                              {"type": "card", "title": "認識公益揭弊",
                               "body": "內部人員揭弊受保護。",
                               "link_label": "了解更多", "link_url": "https://www.aac.moj.gov.tw/"},
                              {"type": "quiz", "question": "廉政署檢舉專線是幾號？",
                               "choices": ["0800-286-586", "110"], "answer": 0,
                               "explanation": "正確答案是零八零零"},
                          ]),
                Broadcast(title="較早的宣導", status="sent", audience={"kind": "all"},
                          started_at=now.replace(year=now.year - 1),
                          messages=[{"type": "text", "text": "去年的宣導內容。"}]),
                Broadcast(title="測試發送不公開", status="sent", audience={"kind": "test"},
                          started_at=now, messages=[{"type": "text", "text": "測試"}]),
                Broadcast(title="草稿不公開", status="draft", audience={"kind": "all"},
                          messages=[{"type": "text", "text": "草稿"}]),
            ]
        )  # fmt: skip
    public_cache.invalidate(ctx.redis)
    text = _text(app, "/public/promotions")
    assert text.index("廉政檢舉專線宣導") < text.index("較早的宣導")
    for shown in ("0800-286-586。", "認識公益揭弊", "了解更多", "廉政署檢舉專線是幾號？"):
        assert shown in text
    for hidden in ("正確答案", "110", "測試發送不公開", "草稿不公開"):
        assert hidden not in text
    feed = app.test_client().get("/public/promotions.atom").get_data(as_text=True)
    assert "廉政檢舉專線宣導" in feed and "正確答案" not in feed
