"""Schemathesis against the API's own OpenAPI document, in-process over WSGI.

An admin's token who is also the head of ethics opens everything. Generated requests (valid and
invalid, per the document) go to every operation; path numbers are drawn
partly from real cases so actions reach the services, not only 404s. No
response may be a 5xx, and every response must match the document (status
code, content type, body schema).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from lianping import rocdate
from lianping.admin.api.operations import OPERATIONS
from lianping.context import Context
from lianping.rocdate import taipei_today
from lianping.services import activities, broadcasts, casework, content, places
from lianping.services.access import SYSTEM
from lianping.services.activities import ActivityForm
from lianping.services.places import ContactForm, PlaceForm
from lianping.storage import cases, residents
from lianping.storage.models import Agency, CaseNotice, ReplyTemplate, Unit, User, utcnow
from tests.admin_support import api_token, staff

MAX_EXAMPLES = int(os.environ.get("LIANPING_FUZZ_EXAMPLES", "25"))
# The same examples on every run, so whether an operation ever got a 2xx does not depend on
# chance; LIANPING_FUZZ_RANDOM=1 draws new ones (for a longer hunt).
DERANDOMIZE = os.environ.get("LIANPING_FUZZ_RANDOM") != "1"
# The body dates an action refuses in the future or before the case was received.
PAST_DATES = ("on", "date", "letter_date", "approved_on")
# Operation label ("POST /api/v1/cases/{number}/route") → status → responses.
ANSWERED: defaultdict[str, Counter[int]] = defaultdict(Counter)


@pytest.fixture
def fuzz_headers(ctx: Context) -> dict[str, str]:
    admin = staff(ctx, "fuzz-admin", "admin", ethics=True)
    admin.head_of_ethics = True  # opens every tip (the token's account is stored as held)
    return api_token(ctx, admin)


@dataclass
class Seeded:
    numbers: list[str]
    ids: dict[str, int]
    broadcasts: list[int]
    notices: list[tuple[str, int]]  # (case number, notice id): walk-in cases' letters
    places: list[int]
    contacts: list[tuple[int, int]]  # (place id, contact id)
    activities: list[int]


def _seed(ctx: Context) -> Seeded:
    """Units, agencies, a template, and cases of each kind the actions can work on."""
    with ctx.sessions.begin() as session:
        unit, agency = Unit(name="工務科"), Agency(name="臺北市政府工務局")
        session.add_all([unit, agency, ReplyTemplate(title="已處理", body="已處理完成。")])
        session.flush()
        officer = session.scalars(select(User.id).where(User.username == "fuzz-admin")).one()
        ids = {"unit_id": unit.id, "agency_id": agency.id, "officer_id": officer}
        numbers = []
        for index, nature in enumerate(["need", "reform", "tip"]):
            resident = residents.get_or_create(session, f"U{'f' * 31}{index}")
            draft = {
                "nature": nature,
                "description": "路燈不亮已兩週，夜間危險。",
                "name": "王小明",
                "phone": "0912345678",
                "address": "臺北市中正區重慶南路一段122號",
            }
            case = cases.create_from_line(session, resident, draft, 1, utcnow(), 30)
            # The reform case waits for a 補陳 answer (the need case may be asked for one),
            # each for a supervisor's decision on an extension, so recording the answer and
            # deciding can succeed.
            case.details_requested_at = utcnow() if nature == "reform" else None
            case.extension_due_on, case.extension_reason = date(2999, 12, 30), "會勘"
            case.extension_at = utcnow()
            numbers.append(case.number)
        # Any generated deadline up to 2999 within the agency's maximum, so extending can
        # succeed (the 30-day default would refuse nearly every random date).
        content.put(session, "extension_max_days", 400_000, "fuzz")
        # Walk-in reports: each has its acceptance notice, a letter to print and record.
        notices = []
        for index in range(4):
            report = casework.ManualReport(
                channel="walk_in", nature="need", sub_item=None, theme=None,
                description=f"臨櫃反映第{index}件：路燈不亮。", reporter_name="王小明",
                reporter_phone=None, reporter_address="臺北市中正區重慶南路一段122號",
                reporter_occupation=None, recorder="紀錄人", petition_confirmed=True,
                notice_method="printed",
            )  # fmt: skip
            case = casework.manual_intake(session, SYSTEM, report, 30)
            notice_id = session.scalars(
                select(CaseNotice.id).where(CaseNotice.case_id == case.id)
            ).one()
            notices.append((case.number, notice_id))
        # Drafts to a test audience that has someone in it, so sending can succeed.
        session.get_one(User, officer).line_user_id = "U" + "e" * 32
        promotion = [{"type": "text", "text": "反貪倡廉"}]
        broadcast_ids = [
            broadcasts.save_draft(
                session, SYSTEM, broadcast_id=None, title=f"宣導{n}", messages=promotion,
                audience={"kind": "test"},
            ).id
            for n in range(6)
        ]  # fmt: skip
        # 平臺地點 with contacts and activities; no areas set, so any 區 is accepted.
        content.put(session, "areas", "", by="fuzz")
        place_ids, contact_pairs, activity_ids = [], [], []
        for n in range(3):
            place = places.create_place(session, SYSTEM, PlaceForm(f"地點{n}", "school", "中正區"))
            place_ids.append(place.id)
            for m in range(4):
                form = ContactForm(role="chief", name=f"聯絡人{n}{m}")
                contact_pairs.append(
                    (place.id, places.add_contact(session, SYSTEM, place, form).id)
                )
            activity_ids.append(activities.create_activity(session, SYSTEM, ActivityForm(
                kind="forum", held_on=rocdate.taipei_today(), topic=f"座談{n}", place_id=place.id,
            )).id)  # fmt: skip
        ids["place_id"], ids["activity_id"] = place_ids[0], activity_ids[0]
    return Seeded(numbers, ids, broadcast_ids, notices, place_ids, contact_pairs, activity_ids)


def _real_ids(seeded: Seeded) -> Any:
    """Sometimes point a generated body's ids at real rows, so routing and assigning succeed."""

    def swap(case: Any, use: bool) -> Any:
        if use and isinstance(case.body, dict):
            case.body = {
                key: seeded.ids[key] if key in seeded.ids and isinstance(value, int) else value
                for key, value in case.body.items()
            }
            # A letter's delivery, a reply, a 補陳 answer, a letter and a 首長核可 are dated
            # between the case's intake and today (a random date almost never is): today.
            for key in PAST_DATES:
                if isinstance(case.body.get(key), str):
                    case.body[key] = taipei_today().isoformat()
            # A referral to a 地方檢察署 names one (a random name never does).
            if case.body.get("target") == "prosecutor":
                case.body["name"] = "臺灣臺北地方檢察署"
            # An activity is held within the last year (a random date almost never is), at a
            # place or a venue with its 區 (seldom both generated): at a real place, then.
            if isinstance(case.body.get("held_on"), str):
                case.body["held_on"] = rocdate.taipei_today().isoformat()
                case.body["place_id"] = seeded.ids["place_id"]
                case.body.pop("contact_ids", None)
        return case

    return swap


@pytest.fixture
def api_schema(app: Any, ctx: Context, fuzz_headers: dict[str, str]) -> tuple[Any, Seeded]:
    seeded = _seed(ctx)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=fuzz_headers), seeded


# schemathesis's own pytest plugin (``schema.parametrize`` with a fixture) does not run on
# pytest 9, so each operation is one pytest item driving schemathesis's Hypothesis strategies.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation_id", [op.operation_id for op in OPERATIONS])
def test_no_5xx_and_every_answer_matches_the_document(
    operation_id: str,
    mode: GenerationMode,
    api_schema: tuple[Any, Seeded],
    fuzz_headers: dict[str, str],
) -> None:
    schema, seeded = api_schema
    operation = schema.find_operation_by_id(operation_id)
    strategy = operation.as_strategy(generation_mode=mode)
    if "{broadcast_id}" in operation.path:
        # Half the ids are real drafts, so sending and cancelling reach the services.
        strategy = st.one_of(
            strategy,
            st.sampled_from(seeded.broadcasts).flatmap(
                lambda number: operation.as_strategy(
                    generation_mode=mode, path_parameters={"broadcast_id": number}
                )
            ),
        )
    if "{contact_id}" in operation.path:
        strategy = st.one_of(strategy, *[
            st.sampled_from(seeded.contacts).flatmap(
                lambda pair: operation.as_strategy(
                    generation_mode=mode,
                    path_parameters={"place_id": pair[0], "contact_id": pair[1]},
                )
            )
        ] * 2)  # fmt: skip
    elif "{place_id}" in operation.path:
        strategy = st.one_of(strategy, *[
            st.sampled_from(seeded.places).flatmap(
                lambda number: operation.as_strategy(
                    generation_mode=mode, path_parameters={"place_id": number}
                )
            )
        ] * 2)  # fmt: skip
    if "{activity_id}" in operation.path:
        strategy = st.one_of(strategy, *[
            st.sampled_from(seeded.activities).flatmap(
                lambda number: operation.as_strategy(
                    generation_mode=mode, path_parameters={"activity_id": number}
                )
            )
        ] * 2)  # fmt: skip
    if "{notice_id}" in operation.path:
        # Two in three are a real case's own notice, so the letter and the delivery answer.
        real = st.sampled_from(seeded.notices).flatmap(
            lambda pair: operation.as_strategy(
                generation_mode=mode, path_parameters={"number": pair[0], "notice_id": pair[1]}
            )
        )
        strategy = st.one_of(strategy, real, real)
    elif "{number}" in operation.path:
        # Two numbers in three are real cases, so actions reach the services, not only 404
        # (an action whose body must also name real rows, e.g. assign, then succeeds often
        # enough that the check of an accepted request per operation never fails by chance).
        # Only the tip can be referred: it is the one real case the referral is tried on.
        numbers = seeded.numbers[2:3] if operation.path.endswith("/refer") else seeded.numbers
        real = st.sampled_from(numbers).flatmap(
            lambda number: operation.as_strategy(
                generation_mode=mode, path_parameters={"number": number}
            )
        )
        strategy = st.one_of(strategy, real, real)
    swap = _real_ids(seeded)
    # Three bodies in four name real rows.
    use_real = st.sampled_from([True, True, True, False])
    strategy = st.tuples(strategy, use_real).map(lambda pair: swap(*pair))

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        response = case.call_and_validate(
            headers=fuzz_headers,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        ANSWERED[f"{case.method} {operation.path}"][response.status_code] += 1

    check()


def test_every_operation_was_fuzzed() -> None:
    """Every operation was called, and each one at least once got past validation (2xx)."""
    if not ANSWERED:
        pytest.skip("run together with the schemathesis tests")
    documented = {f"{op.method} /api/v1{op.path}" for op in OPERATIONS}
    assert documented == set(ANSWERED)
    never_ok = [
        label
        for label, statuses in ANSWERED.items()
        if not any(200 <= status < 300 for status in statuses)
    ]
    total = sum(sum(statuses.values()) for statuses in ANSWERED.values())
    print(f"\nschemathesis: {total} requests over {len(ANSWERED)} operations")
    for label, statuses in sorted(ANSWERED.items()):
        print(f"  {label}: {dict(sorted(statuses.items()))}")
    assert not never_ok, f"no generated request was accepted by: {never_ok}"
