"""Realistic demo data for the admin pages, the API and their benchmark (``lianping-dev
seed-demo``).

Seeds residents, internal units, other agencies, staff accounts, the reply templates staff
answer with, and ``cases`` cases spread over the last two years, each with a timeline that
follows the case lifecycle of DESIGN.md: old cases are mostly closed or answered, recent ones
new, assigned or in progress; some are transferred by letter to another agency, rejected on a
行政程序法 §173 ground or merged. Residents write as they do on LINE: some at length, many with
emoji; with a media folder about a third of LINE reports come with photos or files
(``demo_media``). Staff steps leave their audit log entries. Then eight 反貪倡廉 broadcasts sent
over the last months to every follower, with quiz answers and link taps, and a draft, a
scheduled, a cancelled and a stopped one, so the dashboard and the broadcast pages have
something to show.

Everything is planned in Python and written with SQLAlchemy Core ``insert()`` executemany in
batches, inside the caller's transaction (PostgreSQL: 100,000 cases in well under two
minutes). Case numbers are the real ones (``1151121-0001``: the Taipei date of
``created_at`` and that day's sequence), reserved through ``case_counters`` with the same
atomic upsert ``storage.cases.next_number`` uses, so later real cases never collide.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import false, func, insert, select, text, update
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import texts
from lianping.bot.conversation.draft import MAX_DESCRIPTION
from lianping.bot.conversation.phone import display_phone
from lianping.services import (
    accounts,
    activities,
    administration,
    broadcast_rules,
    content,
    data_requests,
    report_periods,
)
from lianping.services.access import Actor
from lianping.services.casework import REJECTION_REASONS
from lianping.storage import areas
from lianping.storage.cases import CREATED_WORDS, CREATED_WORDS_TIP, RESIDENT
from lianping.storage.db import dialect_insert
from lianping.storage.models import (
    Agency,
    AuditEntry,
    Base,
    Broadcast,
    BroadcastChunk,
    BroadcastLink,
    Case,
    CaseCounter,
    CaseEvent,
    CaseNotice,
    FieldActivity,
    ReplyTemplate,
    ReportDraft,
    Resident,
    Unit,
    User,
)
from lianping_dev import demo_media, demo_public

# Taiwan has kept UTC+8 without daylight saving since 1979: a fixed offset is exact and fast.
TPE = timezone(timedelta(hours=8))
SPAN_DAYS = 730
DUE_DAYS = 30
# A tip's acceptance notice falls due this many days after receipt (the setting's default).
TIP_ACCEPTANCE_DAYS = 20
BATCH = 2000
MAX_EVENTS = 6

UNITS = ("工務科", "社會科", "民政科", "環保科", "建設科", "財政科", "秘書室")
AGENCIES = (
    "臺北市政府工務局",
    "新北市政府工務局",
    "新北市政府環境保護局",
    "新北市政府社會局",
    "經濟部水利署第十河川分署",
    "內政部國土管理署",
    "交通部公路局",
    "臺灣電力股份有限公司",
    "臺灣自來水股份有限公司",
    "衛生福利部社會及家庭署",
    "法務部廉政署",
)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: str
    ethics: bool = False
    head_of_ethics: bool = False


STAFF = (
    StaffSpec("demo-admin", "系統管理員", "admin"),
    StaffSpec("demo-supervisor", "吳明哲", "supervisor"),
    StaffSpec("demo-officer1", "陳怡君", "officer"),
    StaffSpec("demo-officer2", "林志豪", "officer"),
    StaffSpec("demo-officer3", "黃淑芬", "officer"),
    StaffSpec("demo-officer4", "張家銘", "officer"),
    StaffSpec("demo-ethics", "李佩珊", "officer", ethics=True),
    StaffSpec("demo-ethics2", "蔡宗翰", "officer", ethics=True),
    # 政風單位主管: opens and assigns every tip; the other ethics staff only their own.
    StaffSpec("demo-ethics-head", "王淑惠", "supervisor", ethics=True, head_of_ethics=True),
    StaffSpec("demo-viewer", "周書豪", "viewer"),
)
# Reply templates an administrator set up: answers officers pick on the case page and finish
# (○ marks what they fill in). The LINE reply adds the case number and the 查詢案件 hint itself.
REPLY_TEMPLATES = (
    ("已派員修復", "您好，感謝您的反映。本機關權責單位已於○月○日派員至現場勘查，並已完成修復，"
     "後續將列入定期巡查。"),
    ("列入年度計畫辦理", "您好，感謝您的寶貴意見。經權責單位評估，本案需編列經費辦理，"
     "已列入本機關○○年度計畫，預計於○年○月前完成；施工前將另行公告。"),
    ("依法無法辦理", "您好，感謝您的反映。經查本案涉及○○法第○條規定，本機關無法依您的建議辦理，"
     "理由如下：○○。如對上述說明仍有疑問，歡迎於上班時間來電洽詢（電話：○○○○）。"),
    ("申辦服務改善", "您好，關於您反映○○申辦等候時間過長一事，權責單位已調整櫃檯人力，"
     "並自○月○日起提供線上預約服務。造成您的不便，敬請見諒。"),
    ("施政建議供參", "您好，感謝您對本機關施政的寶貴建議。您的意見已送請權責單位研議，"
     "將作為日後政策規劃及執行的參考。"),
    ("經費使用情形已公開", "您好，關於您詢問的○○經費（補助款）使用情形，相關支出明細已公開於"
     "本機關網站「主動公開資訊」專區，您也可以至○○區公所或里辦公處查閱。"),
    ("工程施工說明", "您好，經洽權責單位，○○工程預定於○年○月○日完工。施工期間已要求廠商"
     "加強安全圍籬及交通維持，夜間設置警示燈；如發現施工安全疑慮，請隨時告知我們。"),
    ("河川疏濬及防汛", "您好，經洽○○河川分署，本段河道疏濬已排入汛期前辦理，預計○月完成；"
     "汛期間將加強巡查，維持排水順暢。"),
)  # fmt: skip
# One an administrator retired: kept for the record, no longer offered to officers.
RETIRED_TEMPLATE = ("已受理（舊版）", "您好，您的反映已受理，我們會儘快處理。")
OFFICERS = ("demo-officer1", "demo-officer2", "demo-officer3", "demo-officer4", "demo-ethics")
OFFICER_WEIGHTS = (28, 26, 22, 18, 6)
# Tips go to these ethics officers in turn (by the tip's place in the plan).
TIP_OFFICERS = ("demo-ethics", "demo-ethics2")

# -- words -------------------------------------------------------------------------------------

SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余"
GIVEN = (
    "淑芬", "志明", "美玲", "建宏", "雅婷", "俊傑", "秀英", "家豪", "怡君", "文雄", "麗華", "宗翰",
    "佩君", "冠宇", "淑惠", "俊宏", "玉蘭", "承恩", "素珍", "志偉", "雅雯", "明德", "惠美", "柏翰",
    "月娥", "信宏", "靜宜", "國華", "秀琴", "子軒", "金龍", "美惠", "宜蓁", "榮輝", "碧霞", "品妤",
)  # fmt: skip
NICKNAMES = ("阿明", "小芬", "陳媽媽", "林伯伯", "阿嬤", "小豪", "阿珠", "里民王先生", "張太太")
LATIN_NAMES = ("Amy", "Kevin Lin", "Jessica", "Tony Chang", "Vivian", "Jason Wu", "Peggy")
EMOJI = ("🌻", "🌸", "🍀", "☀️", "🐶", "🙏")
# What residents type besides words: emoji (skin tones, ZWJ sequences, flags, keycaps, variation
# selectors), and names with characters outside the BMP or an indigenous name's separator.
TEXT_EMOJI = (
    "🙏", "😭", "😡", "👍", "👍🏻", "💡", "🚧", "⚠️", "🌧️", "😅", "🙇‍♀️", "👨‍👩‍👧", "🇹🇼",
    "1️⃣", "❤️", "🚗💨", "🐕", "🔦", "‼️", "👵🏼",
)  # fmt: skip
RARE_GIVEN = ("𡘙妤", "𠮷祥", "堃明", "喆瑋", "淼珍", "媺婷", "峯榮", "犇")
INDIGENOUS_NAMES = ("尤瑪．達陸", "瓦旦．吉洛", "Savi Takisvilainan", "巴奈．庫穗")
OCCUPATIONS = (
    "家管", "退休", "自由業", "服務業", "教師", "公務員", "商", "農", "學生", "工程師",
    "護理師", "司機", "里長", "社區發展協會理事", "志工",
)  # fmt: skip
VILLAGES = (
    "中正里", "光明里", "福德里", "忠孝里", "仁愛里", "信義里", "和平里", "大安里", "永安里",
    "復興里", "民生里", "文化里", "新興里", "中山里", "成功里", "興隆里", "長安里", "東興里",
    "溪洲里", "埔墘里", "頂埔里", "北勢里", "南勢里", "後港里",
)  # fmt: skip
DISTRICTS = ("板橋區", "三重區", "新莊區", "中和區", "永和區", "土城區", "樹林區", "三峽區")
ROADS = (
    "中正路", "民生路", "中山路", "復興路", "光復路", "建國路", "成功路", "文化路", "大同路",
    "自強街", "忠孝街", "仁愛路", "民族路", "和平街", "永福街", "新生街", "福德街", "公園路",
    "環河路", "溪濱路",
)  # fmt: skip
LANDMARKS = (
    "里民活動中心", "國小側門", "傳統市場", "社區公園", "土地公廟", "公車站牌", "堤防步道",
    "橋下", "圖書館分館", "衛生所", "區公所", "國中", "派出所", "停車場", "運動中心",
)  # fmt: skip
RIVERS = ("大漢溪", "新店溪", "基隆河", "淡水河", "三峽河", "塔寮坑溪")

OPENERS = (
    "", "", "", "您好，", "你好，", "您好，我是{village}的居民，", "不好意思打擾了，",
    "里長建議我來這裡反映，", "想反映一件事：", "請問一下，", "長官好，",
)  # fmt: skip
# Sentences any report may carry, and those only a report about a place (a road, a drain) may.
DETAILS = (
    "已經打過1999，但到現在都沒有下文。",
    "這個問題已經持續{weeks}個禮拜了。",
    "上次里民大會也有人提過，但一直沒有改善。",
    "之前反映過一次，承辦人說會處理，但沒有後續。",
    "鄰居們都很困擾，大家都說要一起來反映。",
    "不知道這件事該找哪個單位，只好先在這裡問。",
    "家裡長輩不太會用網路，我幫他來反映。",
    "希望能給一個明確的答覆。",
)
PLACE_DETAILS = (
    "附近住了很多長輩和小孩，真的很危險。",
    "我有拍照，晚點補傳。",
    "希望可以儘快派人來看一下。",
    "晚上{hour}點以後特別明顯。",
    "地點就在{landmark}附近，很好找。",
    "我每天上下班都會經過，看了很久了。",
    "颱風季快到了，很擔心會出事。",
    "上個月有機車騎士因為這樣摔車。",
)
PLACE_TOPICS = frozenset(
    {"streetlight", "sidewalk", "drain", "dredging", "garbage", "disaster", "works-quality"}
)
CLOSINGS = ("", "", "謝謝！", "麻煩您們了。", "感謝辛勞。", "請儘速處理，謝謝。", "謝謝幫忙🙏")
# A long report: a resident who writes down every time it happened, and pastes a link.
LOG_LINES = (
    "{month}/{day} 晚上{hour}點左右又發生一次，{detail}",
    "{month}/{day} 早上打電話到區公所，承辦人說會轉給相關單位。",
    "{month}/{day} 里長來看過，說要再反映上去。",
    "{month}/{day} 下大雨，{detail}",
    "{month}/{day} 有拍照（晚點補傳），{detail}",
)
LINKS = (
    "https://www.facebook.com/groups/1234567890/posts/9876543210",
    "https://maps.app.goo.gl/AbCdEfGh12345",
    "https://youtu.be/dQw4w9WgXcQ",
)
# An officer's itemised 處理意見 (一、二、三…), for the cases handled at length.
OPINION_ITEMS = (
    "已於{date}派員會同里長現勘並拍照存證",
    "經查現場確有反映情形，已列管追蹤",
    "已通知權責單位於期限內改善並回報辦理情形",
    "改善完成後將再派員複查",
    "相關經費由年度預算支應，無另行追加",
    "已將處理情形電話告知反映人，反映人表示瞭解",
    "本案將於下次村里廉政平臺座談會中說明辦理成果",
)


@dataclass(frozen=True)
class Topic:
    """A kind of matter residents raise, with the words of each side of the case."""

    key: str
    nature: str
    weight: int
    sub_items: tuple[str, ...]
    themes: tuple[str, ...]
    units: tuple[str, ...]
    agencies: tuple[str, ...]
    subject: str  # 有關您反映「……」一事
    says: tuple[str, ...]  # what the resident reports
    asks: tuple[str, ...]  # what the resident asks for
    opinions: tuple[str, ...]  # 處理意見 after handling in house
    answers: tuple[str, ...]  # what the answer tells the resident
    external: tuple[str, ...] = ()  # what the other agency answered


TOPICS: tuple[Topic, ...] = (
    Topic(
        "streetlight", codes.NEED, 14, ("need-2",), ("works",), ("工務科",),
        ("臺灣電力股份有限公司", "新北市政府工務局"),
        "{road}路燈故障",
        (
            "{road}{lane}巷口的路燈已經壞了{weeks}個禮拜，晚上整段路都很暗。",
            "{landmark}旁邊的路燈一直閃爍，有時候整晚都不亮。",
            "{village}{road}一帶有三盞路燈不亮，晚上散步的長輩很容易跌倒。",
            "{road}新設的路燈角度不對，照不到人行道，反而直射住戶的窗戶。",
        ),
        ("請派人修理路燈。", "希望可以增設路燈。", "麻煩檢修並調整照明角度。"),
        (
            "簽會工務科派員現勘，路燈係燈具老化損壞，已於{date}完成更換。",
            "工務科現勘後已更換燈泡並檢修線路，並將該路段納入每月巡查。",
            "經工務科評估有增設需求，已列入本年度路燈增設計畫。",
        ),
        (
            "經派員現勘，故障路燈已於{date}修復完成",
            "相關路段已列入增設路燈計畫，預計下一季施作",
        ),
        ("台電公司已派員更換桿上燈具並恢復照明",),
    ),
    Topic(
        "sidewalk", codes.NEED, 10, ("need-2",), ("works",), ("工務科", "建設科"),
        ("新北市政府工務局", "臺北市政府工務局"),
        "{road}人行道破損",
        (
            "{road}人行道的地磚鬆動翹起，已經有老人家絆倒受傷。",
            "{landmark}前面的人行道被機車停滿，推嬰兒車和坐輪椅的人只能走到馬路上。",
            "{road}{lane}巷的人行道有一個大坑洞，下雨時積水看不到很危險。",
            "新鋪好的人行道不到半年又被挖開，施工品質讓人懷疑。",
        ),
        ("請儘快修補。", "希望可以加強取締違規停車。", "請查明施工廠商是否依約施作。"),
        (
            "簽會建設科派員現勘，已通知養護廠商於{date}完成地磚修補。",
            "工務科確認屬保固期內缺失，已要求廠商限期改善並完成複驗。",
            "已協調警察分局加強該路段違規停車取締。",
        ),
        ("破損人行道已於{date}修補完成", "已要求施工廠商於保固期內改善，並完成複驗"),
        ("工務局已將該路段納入人行道改善工程，預計年底前完工",),
    ),
    Topic(
        "drain", codes.NEED, 10, ("need-2",), ("works", "disaster"), ("工務科", "環保科"),
        ("新北市政府環境保護局",),
        "{road}排水溝阻塞",
        (
            "{road}{lane}巷的排水溝堵住了，一下大雨水就淹到騎樓。",
            "{landmark}旁的水溝很久沒有清，夏天臭味很重還有很多蚊子。",
            "{village}的側溝蓋板破損，晚上騎車經過很危險。",
            "上次豪雨{road}淹水淹到膝蓋，排水溝的容量明顯不夠。",
        ),
        ("希望汛期前可以清一清。", "請派人清淤並更換溝蓋。", "建議評估拓寬排水溝。"),
        (
            "簽會環保科安排清溝作業，已於{date}完成清淤及消毒。",
            "工務科已更換破損溝蓋，並將該區納入汛期前清淤排程。",
            "經工務科評估，排水改善工程已提報下年度預算。",
        ),
        ("已完成排水溝清淤及溝蓋更換", "排水改善工程已提報預算，汛期前先行清淤"),
        ("環保局已排定清溝作業並完成消毒",),
    ),
    Topic(
        "dredging", codes.NEED, 7, ("need-2", "need-1"), ("dredging",), ("建設科",),
        ("經濟部水利署第十河川分署",),
        "{river}河道疏濬",
        (
            "{river}靠近{village}這一段河床淤積很嚴重，颱風來的時候水位漲得很快。",
            "請問{river}的疏濬工程什麼時候會開始？去年說要做到現在還沒動工。",
            "{river}疏濬工程的砂石車每天在{road}來回，路面都被壓壞了。",
            "{river}堤防旁的疏濬工程好像挖得比公告的範圍還多，是不是有盜採？",
        ),
        ("希望能公開疏濬的期程和範圍。", "請在汛期前完成疏濬。", "請查明是否依核定範圍施作。"),
        (
            "已函詢河川分署疏濬期程，並將回復內容轉知反映人。",
            "建設科會同河川分署現勘，確認疏濬範圍符合核定計畫。",
        ),
        ("疏濬工程預計於汛期前完成，相關期程已公告於機關網站",),
        (
            "河川分署函復：本年度疏濬工程已發包，預計於汛期前完成",
            "河川分署已派員查察，未發現超挖情形，將持續加強巡查",
        ),
    ),
    Topic(
        "garbage", codes.NEED, 8, ("need-3", "need-2"), ("other",), ("環保科",),
        ("新北市政府環境保護局",),
        "{village}垃圾清運",
        (
            "{village}的垃圾車時間最近改了都沒有公告，很多住戶都錯過倒垃圾的時間。",
            "{landmark}旁邊常有人亂丟垃圾，堆了好幾天都沒有人清。",
            "垃圾車到{road}只停不到兩分鐘就開走，長輩根本來不及。",
            "資源回收車已經連續兩週沒有來{village}了。",
        ),
        ("希望恢復原本的收運時間。", "請加強稽查亂丟垃圾。", "請延長停靠時間。"),
        (
            "簽會環保科，已調整收運路線並於{date}起延長停靠時間。",
            "環保科已於該地點加裝監視器並加強稽查。",
        ),
        ("清運時間已恢復並於里辦公處公告", "已加強稽查，並於該處設置告示牌"),
        ("環保局已調整清運路線並加派車輛",),
    ),
    Topic(
        "disaster", codes.NEED, 5, ("need-2",), ("disaster",), ("工務科",),
        ("交通部公路局",),
        "{road}災後搶修",
        (
            "颱風過後{road}邊坡坍方，到現在還只用三角錐圍起來。",
            "上次豪雨沖毀的{landmark}旁擋土牆，搶修工程做一半就停工了。",
            "搶災搶險的工程款好幾百萬，可是{road}的路面修好不到一個月又裂開。",
        ),
        ("請儘速完成搶修。", "希望公開搶修工程的經費和廠商。", "請查明工程品質。"),
        (
            "工務科已督促廠商於{date}完成邊坡保護工程。",
            "搶修工程經費及廠商資料已公開於機關網站，並完成驗收。",
        ),
        ("搶修工程已完成，經費及廠商資料已公開於機關網站",),
        ("公路局已完成邊坡搶修並持續監測",),
    ),
    Topic(
        "efficiency", codes.NEED, 8, ("need-3",), ("other",), ("民政科", "社會科"), (),
        "申辦案件作業效率",
        (
            "申請低收入戶補助等了一個多月還沒有結果，承辦人員也一直聯絡不上。",
            "到{landmark}辦戶籍謄本排了一個多小時，只開一個窗口。",
            "打電話問申請進度，每次都被轉來轉去，沒有人能回答。",
            "線上申辦系統一直當機，最後還是要請假跑一趟。",
        ),
        ("希望能加快審核速度。", "建議尖峰時段多開窗口。", "希望有專人回覆進度。"),
        (
            "簽會社會科查明，該案已於{date}核定並通知申請人。",
            "民政科已調整尖峰時段窗口配置，並增設叫號系統。",
            "已請資訊單位修正申辦系統，並於網站公告。",
        ),
        ("您的申請案已核定，通知書已寄發", "已於尖峰時段增開服務窗口"),
    ),
    Topic(
        "process", codes.NEED, 4, ("need-4",), ("other",), ("民政科", "秘書室"), (),
        "行政流程簡化",
        (
            "申請道路挖掘許可要跑三個單位蓋章，能不能整合成一個窗口？",
            "里鄰活動補助的核銷表格每年都改，里辦公處的志工都搞不清楚。",
            "同一份資料要交給區公所和市府各一次，希望可以共用。",
        ),
        ("建議簡化流程。", "希望提供範本和說明會。"),
        ("已彙整建議送秘書室研議流程簡化，並於{date}函復。", "民政科將於下季辦理核銷說明會。"),
        ("相關流程已研議簡化，並將辦理說明會",),
    ),
    Topic(
        "neighbourhood-funds", codes.NEED, 5, ("need-1",), ("neighbourhood-funds",), ("民政科",),
        (),
        "{village}里鄰經費運用",
        (
            "里鄰經費的使用情形要去哪裡查詢？我想知道今年{village}的經費用在哪些地方。",
            "{village}今年的里鄰建設經費都拿去辦旅遊，社區的路燈和水溝反而沒有修。",
            "里辦公處說經費不夠，可是活動中心一直在買新設備。",
        ),
        ("希望可以公開經費明細。", "請說明經費核銷的規定。"),
        ("簽會民政科，里鄰建設經費執行情形已公開於區公所網站，並說明查詢方式。",),
        ("里鄰經費執行明細已公開於區公所網站，可至「里鄰經費」專區查詢",),
    ),
    Topic(
        "subsidies", codes.NEED, 6, ("need-1", "need-3"), ("subsidies",), ("社會科", "財政科"),
        ("衛生福利部社會及家庭署", "新北市政府社會局"),
        "補助款發放",
        (
            "育兒津貼的補助款已經三個月沒有撥下來了。",
            "中低收入老人生活津貼的審核標準跟去年不一樣，卻沒有人通知。",
            "社區發展協會申請的補助款，核定金額和公告的差很多。",
        ),
        ("請協助查明撥款進度。", "希望說明審核標準。"),
        ("簽會社會科查明，補助款已於{date}撥付。", "財政科說明係預算調整，已公告修正後標準。"),
        ("補助款已撥付，如有疑義可洽社會科", "審核標準已公告於機關網站"),
        ("社會局函復：補助款已完成撥付作業",),
    ),
    Topic(
        "policy", codes.REFORM, 12, ("reform-1",), ("works", "other"), ("建設科", "秘書室"),
        ("交通部公路局",),
        "{road}交通及公共設施規劃",
        (
            "建議{landmark}旁的公車站牌加裝遮雨棚，下雨天等車的學生和長輩都淋濕了。",
            "{road}改成單行道之後繞路很遠，當初都沒有辦說明會。",
            "希望{village}的社區公園可以增設共融遊具。",
            "建議在{road}與{road2}路口增設行人號誌，學生上下學很危險。",
        ),
        ("請評估可行性。", "希望辦理地方說明會聽取意見。"),
        ("建設科已將建議納入規劃評估，並於{date}函復反映人。", "已列入下年度社區公園改善計畫。"),
        ("您的建議已納入規劃評估，相關進度將公告於機關網站",),
        ("公路局函復：已評估增設遮雨棚，列入年度改善計畫",),
    ),
    Topic(
        "regulation", codes.REFORM, 10, ("reform-2",), ("other",), ("建設科", "民政科"),
        ("內政部國土管理署",),
        "法令或措施影響權益",
        (
            "{road}路邊停車開始收費，但附近住戶都沒有停車位可以申請。",
            "新的違章建築查報規定讓很多老房子的頂樓加蓋都要拆，可是沒有任何輔導措施。",
            "攤販管理新規定讓{landmark}旁的早市全部要遷走，攤商沒有被事先通知。",
            "社會住宅的申請資格限制太嚴，很多真正需要的家庭都不符合。",
        ),
        ("請重新檢討。", "希望有過渡期或配套措施。"),
        ("已彙整意見簽請業務單位檢討，並於{date}函復。", "建設科說明法令依據及配套措施。"),
        ("業務單位已檢討並研擬配套措施，詳如說明",),
        ("國土管理署函復：相關規定依法辦理，並將研議輔導措施",),
    ),
    Topic(
        "controversy", codes.REFORM, 8, ("reform-3",), ("subsidies", "works"), ("環保科",),
        ("新北市政府環境保護局",),
        "政策爭議事項",
        (
            "焚化廠的回饋金每年都有發，可是不知道是怎麼分配的，可以公開嗎？",
            "{village}附近要蓋轉運站，居民都反對，但是說明會都選在平日上午。",
            "都市更新案讓{road}的老住戶被迫搬遷，補償標準不透明。",
        ),
        ("希望公開資訊並辦理公聽會。", "請說明決策過程。"),
        ("已請環保科公開回饋金分配明細，並於{date}辦理說明會。",),
        ("回饋金分配明細已公開，說明會將於假日晚間辦理",),
    ),
    Topic(
        "works-quality", codes.REFORM, 5, ("reform-1", "reform-3"), ("works",), ("工務科",),
        ("新北市政府工務局",),
        "地方工程品質",
        (
            "地方工程好像都是同一家廠商在做，而且常常延期。",
            "{road}的道路重鋪才完工一個月就出現裂縫，驗收是怎麼過的？",
            "{landmark}整修工程已經延宕半年，工地圍籬擋住出入口。",
        ),
        ("請查明廠商履約情形。", "希望公開驗收紀錄。"),
        ("工務科已要求廠商依約改善並處以逾期違約金。", "驗收紀錄已依規定公開。"),
        ("已要求廠商限期改善，並依契約計罰",),
        ("工務局函復：已督促廠商改善並加強工程查核",),
    ),
    Topic(
        "tip", codes.TIP, 5, (), ("works", "subsidies", "neighbourhood-funds", "other"), (),
        ("法務部廉政署",),
        "檢舉事項",
        (
            "{road}的道路工程好像都是同一家廠商得標，聽說有人事先拿到底價。",
            "{village}里長把里鄰經費拿去辦私人旅遊，還要大家簽名核銷。",
            "聽說申請建照要另外包紅包給承辦人才會快。",
            "工程監工常收廠商招待，驗收時完全沒看就簽名。",
            "回饋金的分配名單都是里長的親戚。",
            "清潔隊有人把資源回收物私下載去賣。",
        ),
        ("希望可以查一下，我不敢具名。", "我有照片可以提供。", "請保護我的身分。"),
        ("政風室已簽報首長並啟動查處，相關資料列管。", "經查證無具體不法事證，簽結並持續關注。"),
        ("本案已依規定處理",),
        ("廉政署函復：已列案查處",),
    ),
)  # fmt: skip

NATURE_WEIGHTS = {codes.NEED: 60, codes.REFORM: 35, codes.TIP: 5}
CHANNEL_WEIGHTS = {
    codes.NEED: (("line", 76), ("walk_in", 9), ("meeting", 7), ("phone", 6), ("letter", 2)),
    codes.REFORM: (("line", 70), ("walk_in", 6), ("meeting", 14), ("phone", 5), ("letter", 5)),
    codes.TIP: (("line", 60), ("phone", 20), ("letter", 20)),
}
# How a case ends (before "now" cuts its timeline short).
OUTCOMES = {
    codes.NEED: (("internal", 58), ("external", 22), ("direct", 8), ("rejected", 4),
                 ("merged", 3), ("withdrawn", 2), ("stalled", 3)),
    codes.REFORM: (("internal", 52), ("external", 26), ("direct", 10), ("rejected", 5),
                   ("merged", 3), ("withdrawn", 1), ("stalled", 3)),
    codes.TIP: (("internal", 50), ("external", 35), ("rejected", 10), ("merged", 5)),
}  # fmt: skip
REJECT_WEIGHTS = (("no_content", 60), ("repeated", 40))
# How often staff leave an optional timeline entry (the case fields change either way).
KEEP_OPTIONAL = {
    "classified": 0.35,
    "status-assigned": 0.5,
    "opinion": 0.6,
    "status-in-progress": 0.55,
    "satisfaction": 0.9,
}
SATISFACTION_WEIGHTS = (1, 2, 3, 4, 5), (4, 6, 15, 35, 40)
# LINE reports by hour of day (Taipei); staff-recorded ones come in office hours.
LINE_HOURS = (2, 1, 1, 1, 1, 1, 3, 8, 12, 15, 15, 13, 10, 12, 14, 14, 13, 12, 11, 13, 16, 16, 12, 6)


# The audit log entry each staff step of a timeline leaves, as the case services write it: the
# action and the fields it records (None: those the step changes). The status changes that come
# with an assignment or a 簽會 are part of that action's entry.
AUDITED: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "created": ("case.create", ("channel", "nature")),
    "classified": ("case.classify", ("nature", "sub_item", "theme", "confidential")),
    "assigned": ("case.assign", None),
    "routed": ("case.route_internal", ("unit_id", "agency_id", "status")),
    "transferred": ("case.route_external", ("agency_id", "letter_number", "letter_date", "status")),
    "opinion": ("case.opinion", None),
    "reply": ("case.reply", None),
    "status": ("case.status", None),
}
STATUS_WITH_ACTION = frozenset({codes.ASSIGNED, codes.IN_PROGRESS})
# A tip in one of these is concluded: its result notice went out.
CONCLUDED_TIPS = frozenset({codes.REPLIED, codes.CLOSED, codes.TRANSFERRED, codes.REJECTED,
                            codes.MERGED})  # fmt: skip
# How many files a LINE report that has any comes with, and how often one has any.
ATTACHMENT_SHARE = 0.35
ATTACHMENT_COUNTS = (1, 2, 3, 4, 6), (45, 25, 15, 10, 5)


class AlreadySeeded(RuntimeError):
    """The database has cases already and ``force`` was not given."""


@dataclass
class SeedSummary:
    cases: int = 0
    events: int = 0
    attachments: int = 0
    residents: int = 0
    units: int = 0
    agencies: int = 0
    templates: int = 0
    users_created: list[str] = field(default_factory=list)
    password: str | None = None
    by_nature: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    broadcasts: int = 0
    data_requests: int = 0
    places: int = 0
    activities: int = 0
    published: int = 0  # cases on the public 案件成果 page
    first_day: date | None = None
    last_day: date | None = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The summary in words, for the command line."""

        def share(counter: Counter[str], names: dict[str, str]) -> str:
            total = sum(counter.values()) or 1
            return "、".join(
                f"{names.get(k, k)}({k}) {n:,} ({n / total:.0%})" for k, n in counter.most_common()
            )

        return [
            f"已建立 {self.cases:,} 件案件、{self.events:,} 筆處理歷程、"
            f"{self.attachments:,} 個附件、{self.residents:,} 位LINE反映者"
            f"（{self.first_day} 至 {self.last_day}），"
            f"費時 {self.seconds:.1f} 秒",
            "性質：" + share(self.by_nature, codes.NATURES),
            "狀態：" + share(self.by_status, codes.STATUSES),
            "管道：" + share(self.by_channel, codes.CHANNELS),
            f"逾期未結：{self.overdue:,} 件；單位 {self.units}、機關 {self.agencies}、"
            f"回覆範本 {self.templates}",
            f"已發送反貪倡廉宣導推播 {self.broadcasts} 則；個資請求 {self.data_requests} 件",
            f"平臺地點 {self.places} 處、平臺活動 {self.activities} 場",
            f"清廉共同監督專區已公開案件 {self.published:,} 件",
        ]


# -- helpers -----------------------------------------------------------------------------------


def _pick(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _person_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.04:
        return rng.choice(SURNAMES) + rng.choice(RARE_GIVEN)
    if roll < 0.05:
        return rng.choice(INDIGENOUS_NAMES)
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _display_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.68:
        return _person_name(rng)
    if roll < 0.82:
        return rng.choice(NICKNAMES)
    if roll < 0.93:
        return rng.choice(LATIN_NAMES)
    return rng.choice(EMOJI) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    mobile = f"09{rng.randint(0, 99):02d}{rng.randint(0, 999):03d}{rng.randint(0, 999):03d}"
    landline = f"{rng.randint(2000, 2999)}-{rng.randint(0, 9999):04d}"
    roll = rng.random()
    if roll < 0.75:
        return f"{mobile[:4]}-{mobile[4:7]}-{mobile[7:]}"
    if roll < 0.82:
        return mobile  # as staff and residents often type it
    if roll < 0.85:
        return f"+886-{mobile[1:4]}-{mobile[4:7]}-{mobile[7:]}"
    if roll < 0.97:
        return f"(02){landline}"
    return f"02-{landline}#{rng.randint(10, 899)}"  # an office line with its extension


def _address(rng: random.Random) -> str:
    lane = f"{rng.randint(1, 300)}巷" if rng.random() < 0.5 else ""
    floor = f"{rng.randint(2, 12)}樓" if rng.random() < 0.6 else ""
    return (
        f"新北市{rng.choice(DISTRICTS)}{rng.choice(VILLAGES)}{rng.randint(1, 30)}鄰"
        f"{rng.choice(ROADS)}{lane}{rng.randint(1, 200)}號{floor}"
    )


def _fill(template: str, rng: random.Random, date: str = "") -> str:
    if "{" not in template:
        return template
    return template.format(
        village=rng.choice(VILLAGES),
        road=rng.choice(ROADS),
        road2=rng.choice(ROADS),
        lane=rng.randint(2, 320),
        landmark=rng.choice(LANDMARKS),
        river=rng.choice(RIVERS),
        weeks=rng.choice(("兩", "三", "四", "好幾")),
        hour=rng.choice(("七", "八", "九", "十")),
        date=date,
    )


def _description(topic: Topic, rng: random.Random, on_line: bool) -> str:
    """A report in a resident's words: a short line, a few sentences or several paragraphs.

    On LINE some write at great length, and many add emoji; staff typing a walk-in, phone or
    letter report write plain words.
    """
    if on_line and rng.random() < 0.03:
        return _emojify(_long_report(topic, rng), rng)
    text = _report_text(topic, rng)
    return _emojify(text, rng) if on_line and rng.random() < 0.2 else text


def _emojify(text: str, rng: random.Random) -> str:
    """Emoji after some sentences, as residents add them."""
    marks = [i for i, ch in enumerate(text) if ch in "。！？，"]
    chosen = sorted(rng.sample(marks, min(len(marks), rng.randint(1, 4))), reverse=True)
    for at in chosen:
        text = text[: at + 1] + "".join(rng.sample(TEXT_EMOJI, rng.randint(1, 3))) + text[at + 1 :]
    return text if chosen else text + rng.choice(TEXT_EMOJI)


def _long_report(topic: Topic, rng: random.Random) -> str:
    """A report of one to several thousand characters (up to what the bot takes): the story, a
    dated log, a link, the asks."""
    pool = DETAILS + PLACE_DETAILS if topic.key in PLACE_TOPICS else DETAILS
    paragraphs = [_fill(rng.choice(OPENERS), rng) + "\n".join(_fill(s, rng) for s in topic.says)]
    month, day = rng.randint(1, 12), rng.randint(1, 20)
    log = []
    for _ in range(rng.randint(120, 300) if rng.random() < 0.25 else rng.randint(12, 40)):
        day += rng.randint(1, 3)
        if day > 28:
            month, day = month % 12 + 1, day - 28
        line = rng.choice(LOG_LINES).format(
            month=month, day=day, hour=rng.randint(6, 11), detail=_fill(rng.choice(pool), rng)
        )
        log.append(line)
    paragraphs.append("以下是我記錄的情形：\n" + "\n".join(log))
    paragraphs.append("相關討論可以參考：" + rng.choice(LINKS))
    paragraphs.append("".join(_fill(d, rng) for d in rng.sample(pool, min(len(pool), 6))))
    paragraphs.append("".join(topic.asks) + rng.choice(CLOSINGS))
    # Emoji are added after this: leave them room under the bot's limit.
    return "\n\n".join(paragraphs)[: MAX_DESCRIPTION - 100]


def _itemised(opinion: str, rng: random.Random, date_words: str) -> str:
    """A 處理意見 written point by point (一、二、三…), the given one first."""
    items = [opinion.rstrip("。")]
    items += [i.format(date=date_words) for i in rng.sample(OPINION_ITEMS, rng.randint(2, 5))]
    return "\n".join(f"{'一二三四五六'[n]}、{item}。" for n, item in enumerate(items))


def _report_text(topic: Topic, rng: random.Random) -> str:
    roll = rng.random()
    said = rng.choice(topic.says)
    core = _fill(said, rng)
    if roll < 0.12:
        return core
    opener = _fill(rng.choice(OPENERS), rng)
    pool = DETAILS + PLACE_DETAILS if topic.key in PLACE_TOPICS else DETAILS
    ask = rng.choice(topic.asks)
    closing = rng.choice(CLOSINGS)
    if roll < 0.78:
        details = [_fill(d, rng) for d in rng.sample(pool, rng.randint(0, 2))]
        return opener + core + "".join(details) + ask + closing
    others = [s for s in topic.says if s != said]
    second = _fill(rng.choice(others), rng) if others else ""
    details = [_fill(d, rng) for d in rng.sample(pool, rng.randint(2, 4))]
    half = len(details) // 2
    paragraphs = [
        opener + core + "".join(details[:half]),
        "另外，" + second + "".join(details[half:]) if second else "".join(details[half:]),
        ask + closing,
    ]
    return "\n\n".join(p for p in paragraphs if p)


def _office(moment: datetime, rng: random.Random) -> datetime:
    """``moment`` moved into office hours (weekdays 08:30–17:30 Taipei), as staff work."""
    local = moment.astimezone(TPE)
    minutes = local.hour * 60 + local.minute
    if local.weekday() < 5 and 510 <= minutes < 1050:
        return moment
    day = local.date() + timedelta(days=0 if minutes < 510 else 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 8, 30, tzinfo=TPE)
    return (start + timedelta(minutes=rng.uniform(0, 540))).astimezone(UTC)


def _after(moment: datetime, rng: random.Random, low: float, high: float) -> datetime:
    """Office-hours moment ``low``–``high`` days after ``moment``."""
    return _office(moment + timedelta(days=rng.uniform(low, high)), rng)


# -- reference data ----------------------------------------------------------------------------


def _get_or_create(session: Session, model: Any, names: tuple[str, ...]) -> dict[str, int]:
    found: dict[Any, Any] = dict(
        session.execute(select(model.name, model.id).where(model.name.in_(names))).all()
    )
    missing = [{"name": n, "active": True} for n in names if n not in found]
    if missing:
        session.execute(insert(model), missing)
        found = dict(
            session.execute(select(model.name, model.id).where(model.name.in_(names))).all()
        )
    return {str(k): int(v) for k, v in found.items()}


def _reply_templates(session: Session, admin: User) -> int:
    """The reply templates, set up as an administrator does (validated, audited); titles that
    exist already are kept as they are. Returns how many there are."""
    actor = Actor.of(admin)
    existing = set(session.scalars(select(ReplyTemplate.title)))
    for title, body in (*REPLY_TEMPLATES, RETIRED_TEMPLATE):
        if title not in existing:
            added = administration.add_template(session, actor, title, body)
            if (title, body) == RETIRED_TEMPLATE:
                administration.set_template_active(session, actor, added.id, False)
    return int(session.scalar(select(func.count()).select_from(ReplyTemplate)) or 0)


def _staff(session: Session, password: str | None, summary: SeedSummary) -> dict[str, User]:
    users = {
        u.username: u
        for u in session.scalars(select(User).where(User.username.in_([s.username for s in STAFF])))
    }
    missing = [s for s in STAFF if s.username not in users]
    if missing and password is None:
        password = secrets.token_urlsafe(12)
        summary.password = password
    for spec in missing:
        assert password is not None
        users[spec.username] = accounts.create_user(
            session, spec.username, password, spec.role,
            display_name=spec.display_name, ethics=spec.ethics,
        )  # fmt: skip
        users[spec.username].head_of_ethics = spec.head_of_ethics
        summary.users_created.append(spec.username)
    return users


# -- the plan ----------------------------------------------------------------------------------


@dataclass
class Planned:
    """One case before insertion: its creation moment, channel, nature and reporter."""

    created: datetime
    nature: str
    channel: str
    topic: Topic
    resident: int | None = None  # index into the residents list
    number: str = ""


def _day_weights(days: list[date]) -> list[float]:
    """More reports lately (the platform grows), fewer on weekends."""
    n = len(days)
    return [
        (0.6 + 0.8 * i / max(1, n - 1)) * (1.0 if d.weekday() < 5 else 0.45)
        for i, d in enumerate(days)
    ]


def _plan(count: int, now: datetime, rng: random.Random) -> list[Planned]:
    today = now.astimezone(TPE).date()
    days = [today - timedelta(days=SPAN_DAYS - 1 - i) for i in range(SPAN_DAYS)]
    weekdays = [d for d in days if d.weekday() < 5]
    # 座談會 / 平臺訪談: about two a month, on weekday afternoons or evenings.
    meetings = sorted(rng.sample(weekdays, min(len(weekdays), SPAN_DAYS // 15)))
    cumulative = list(_accumulate(_day_weights(days)))
    weekday_cumulative = list(_accumulate(_day_weights(weekdays)))
    hour_cumulative = list(_accumulate(LINE_HOURS))
    topics = {n: [t for t in TOPICS if t.nature == n] for n in codes.NATURES}
    natures = rng.choices(list(NATURE_WEIGHTS), list(NATURE_WEIGHTS.values()), k=count)
    planned: list[Planned] = []
    for nature in natures:
        topic = rng.choices(topics[nature], [t.weight for t in topics[nature]])[0]
        channel = _pick(rng, CHANNEL_WEIGHTS[nature])
        if channel == "line":
            day = days[_draw(cumulative, rng)]
            hour = _draw(hour_cumulative, rng)
            local = datetime(day.year, day.month, day.day, hour, tzinfo=TPE) + timedelta(
                seconds=rng.uniform(0, 3600)
            )
        elif channel == "meeting":
            day = meetings[min(len(meetings) - 1, int(len(meetings) * rng.random() ** 0.8))]
            start = 14 if day.toordinal() % 3 else 19
            local = datetime(day.year, day.month, day.day, start, tzinfo=TPE) + timedelta(
                minutes=rng.uniform(0, 150)
            )
        else:
            day = weekdays[_draw(weekday_cumulative, rng)]
            local = datetime(day.year, day.month, day.day, 8, 30, tzinfo=TPE) + timedelta(
                minutes=rng.uniform(0, 540)
            )
        created = local.astimezone(UTC)
        if created >= now:
            # Today's reports cannot be from later today (nor, in the first minute after
            # midnight, from after now: a case with no step before now has no timeline).
            midnight = datetime(today.year, today.month, today.day, tzinfo=TPE)
            span = max(0.0, (now - midnight).total_seconds() - 60)
            created = (midnight + timedelta(seconds=rng.uniform(0, span))).astimezone(UTC)
        planned.append(Planned(created, nature, channel, topic))
    planned.sort(key=lambda p: p.created)
    return planned


def _accumulate(weights: Any) -> Any:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _draw(cumulative: list[float], rng: random.Random) -> int:
    return min(len(cumulative) - 1, bisect.bisect(cumulative, rng.random() * cumulative[-1]))


def _reserve_numbers(session: Session, planned: list[Planned]) -> None:
    """Number the cases day by day, reserving each day's range on its counter row atomically."""
    per_day = Counter(rocdate.roc_compact(p.created.astimezone(TPE).date()) for p in planned)
    upsert = dialect_insert(session)(CaseCounter)
    statement = upsert.on_conflict_do_update(
        index_elements=["day"], set_={"last": CaseCounter.last + upsert.excluded.last}
    ).returning(CaseCounter.day, CaseCounter.last)
    ends: dict[str, int] = {}
    for day, n in sorted(per_day.items()):
        row = session.execute(statement.values(day=day, last=n)).one()
        ends[str(row[0])] = int(row[1])
    next_seq = {day: ends[day] - n + 1 for day, n in per_day.items()}
    for p in planned:
        day = rocdate.roc_compact(p.created.astimezone(TPE).date())
        p.number = f"{day}-{next_seq[day]:04d}"
        next_seq[day] += 1


def _residents(
    session: Session, planned: list[Planned], rng: random.Random, now: datetime
) -> tuple[list[int], int]:
    """Insert LINE residents (some report more than once); returns their ids."""
    line_cases = [p for p in planned if p.channel == "line"]
    if not line_cases:
        return [], 0
    count = max(1, int(len(line_cases) * 0.72))
    for p in line_cases:
        # Most residents report once; a few regulars many times.
        roll = rng.random()
        p.resident = int(count * roll**1.6) if roll < 0.45 else rng.randrange(count)
    first: dict[int, datetime] = {}
    for p in line_cases:
        assert p.resident is not None
        first.setdefault(p.resident, p.created)
    rows: list[dict[str, Any]] = []
    for index in range(count):
        began = first.get(index, now - timedelta(days=rng.uniform(1, SPAN_DAYS)))
        followed = began - timedelta(days=rng.uniform(0, 60) * rng.random(), minutes=3)
        rows.append(
            {
                "line_user_id": "U" + f"{rng.getrandbits(128):032x}",
                "display_name": _display_name(rng),
                "following": rng.random() > 0.04,
                "followed_at": followed,
                "unfollowed_at": None,
                "profile_fetched_at": followed,
                "conversation": {},
                "created_at": followed,
                "updated_at": max(followed, began),
            }
        )
    ids = reserve_ids(session, "residents", count)
    for row, resident_id in zip(rows, ids, strict=True):
        row["id"] = resident_id
    bulk_insert(session, "residents", rows)
    return ids, count


@dataclass
class Step:
    """A timeline entry to write, and what it does to the case when it happens before now."""

    at: datetime
    kind: str
    actor: str
    body: str | None
    public: bool
    data: dict[str, Any]
    changes: dict[str, Any]
    optional: str | None = None  # dropped first when the timeline is too long


def status_step(at: datetime, status: str, by: str, words: str | None = None, **more: Any) -> Step:
    """A status change the resident reads (as ``casework.change_status`` writes it)."""
    return Step(
        at, "status", by, words or codes.STATUS_FOR_RESIDENTS[status], True,
        {"status": status}, {"status": status, **more},
    )  # fmt: skip


@dataclass
class World:
    """Ids and names the plan refers to."""

    units: dict[str, int]
    agencies: dict[str, int]
    users: dict[str, User]
    notice_version: int
    letter_seq: int = 0
    by_topic: dict[str, list[int]] = field(default_factory=dict)  # indices of mergeable cases


def _notice_method(channel: str) -> str:
    """How the demo's reporter was given the notice: on LINE, read out when spoken, else
    handed over."""
    if channel == "line":
        return "line"
    return "read_out" if channel in ("walk_in", "meeting", "phone") else "printed"


def _case(
    index: int,
    p: Planned,
    resident_ids: list[int],
    world: World,
    now: datetime,
    rng: random.Random,
) -> tuple[dict[str, Any], list[Step], int | None]:
    """The case row, its timeline and (for 併案) the index of the case it merges into."""
    topic, nature, created = p.topic, p.nature, p.created
    manual = p.channel != "line"
    tip = nature == codes.TIP
    anonymous = rng.random() < (0.5 if tip else 0.04 if manual else 0.16)
    sub_item = rng.choice(topic.sub_items) if topic.sub_items else None
    theme = rng.choice(topic.themes)
    officer = world.users[
        TIP_OFFICERS[index % 2] if tip else rng.choices(OFFICERS, OFFICER_WEIGHTS)[0]
    ]
    supervisor = world.users["demo-ethics-head" if tip else "demo-supervisor"]
    recorder = officer.display_name if manual else None
    subject = _fill(topic.subject, rng)
    location = None
    if p.channel == "line" and sub_item == "need-2" and rng.random() < 0.4:
        location = {
            "title": rng.choice(LANDMARKS),
            "address": _address(rng),
            "latitude": round(25.0 + rng.uniform(-0.06, 0.06), 6),
            "longitude": round(121.46 + rng.uniform(-0.06, 0.06), 6),
        }
    row: dict[str, Any] = {
        "number": p.number,
        "channel": p.channel,
        "nature": nature,
        # On LINE the resident may skip the sub-item; staff set it when classifying.
        "sub_item": sub_item if (manual or rng.random() < 0.8) else None,
        "theme": theme if manual else None,
        "status": codes.RECEIVED,
        "description": _description(topic, rng, p.channel == "line"),
        "location": location,
        "resident_id": resident_ids[p.resident] if p.resident is not None else None,
        "anonymous": anonymous,
        "reporter_name": None if anonymous else _person_name(rng),
        "reporter_phone": None if anonymous or rng.random() < 0.1 else _phone(rng),
        "reporter_address": None if anonymous or rng.random() < 0.3 else _address(rng),
        "reporter_occupation": None if anonymous or rng.random() < 0.4 else rng.choice(OCCUPATIONS),
        "confidential": tip,
        # 個資法 §8: read on LINE, or handed over / read out at a manual intake.
        "notice_version": world.notice_version,
        "notice_read_at": created,
        "notice_method": _notice_method(p.channel),
        # One tip in seven from inside the agency (公益揭弊者保護法), by its place in the plan.
        "insider": tip and index % 7 == 0,
        "acceptance_due_at": rocdate.end_of_taipei_day(created, TIP_ACCEPTANCE_DAYS)
        if tip
        else None,
        "accepted_at": None,
        "result_notified_at": None,
        "due_at": rocdate.end_of_taipei_day(created, DUE_DAYS),
        "resident_update_at": None,
        "officer_id": None,
        "unit_id": None,
        "agency_id": None,
        "letter_number": None,
        "letter_date": None,
        "handling_opinion": None,
        "recorder": recorder,
        "signing_agency": None,
        "petition_confirmed": p.channel in ("walk_in", "meeting", "phone"),
        "rejection_reason": None,
        "merged_into_id": None,
        "satisfaction": None,
        "satisfaction_at": None,
        "closed_at": None,
        "created_at": created,
        "updated_at": created,
    }
    if manual:
        first = Step(
            created, "created", officer.username,
            f"{codes.CHANNELS[p.channel]}受理，紀錄人{recorder}", True, {"channel": p.channel}, {},
        )  # fmt: skip
    else:
        first = Step(
            created, "created", RESIDENT,
            CREATED_WORDS_TIP if nature == codes.TIP else CREATED_WORDS, True,
            {"channel": "line", "media": 0}, {},
        )  # fmt: skip
    steps = [first]
    outcome = _pick(rng, OUTCOMES[nature])
    merge_target: int | None = None
    mergeable = world.by_topic.setdefault(topic.key, [])
    if outcome == "merged":
        recent = mergeable[-40:]
        if recent:
            merge_target = rng.choice(recent)
        else:
            outcome = "internal"
    if outcome not in ("merged", "withdrawn", "rejected"):
        mergeable.append(index)

    nature_words = codes.NATURES[nature] + (
        f"／{codes.SUB_ITEMS[sub_item].label}" if sub_item else ""
    )
    t_assign = _office(created + timedelta(days=rng.expovariate(1 / 0.8)), rng)
    steps.append(
        Step(
            max(created + timedelta(minutes=1), t_assign - timedelta(minutes=rng.uniform(1, 30))),
            "classified", supervisor.username,
            f"分類為{nature_words}", False, {},
            {"sub_item": sub_item, "theme": theme}, optional="classified",
        )
    )  # fmt: skip
    unit_name = rng.choice(topic.units) if topic.units else None
    assign_words = "、".join(filter(None, [officer.display_name, None if tip else unit_name]))
    steps.append(
        Step(
            t_assign, "assigned", supervisor.username, f"分案：{assign_words}", False, {},
            {"officer_id": officer.id, "status": codes.ASSIGNED,
             "unit_id": world.units[unit_name] if unit_name and not tip else None},
        )
    )  # fmt: skip
    steps.append(
        status_step(t_assign, codes.ASSIGNED, supervisor.username, "已分案，承辦人員處理中")
    )
    steps[-1].optional = "status-assigned"
    by = officer.username

    def answer(at: datetime, text: str) -> None:
        if p.channel == "line" and not tip:
            body = f"您好，有關您反映「{subject}」一事，{text}。感謝您的反映。"
            steps.append(Step(at, "reply", by, body, True, {}, {"status": codes.REPLIED}))
        else:
            steps.append(status_step(at, codes.REPLIED, by))

    def close(at: datetime, answered: bool = True) -> None:
        if answered and rng.random() < 0.1:
            return  # answered and never formally closed: it stays 已回覆
        steps.append(status_step(at, codes.CLOSED, by, closed_at=at))
        if p.channel == "line" and not tip and rng.random() < 0.45:
            score = rng.choices(*SATISFACTION_WEIGHTS)[0]
            rated = at + timedelta(hours=rng.expovariate(1 / 10))
            steps.append(
                Step(
                    rated, "satisfaction", "resident", f"滿意度 {score} 分", False,
                    {"score": score}, {"satisfaction": score, "satisfaction_at": rated},
                    optional="satisfaction",
                )
            )  # fmt: skip

    def opinion(at: datetime, text: str) -> None:
        if rng.random() < 0.08:
            text = _itemised(text, rng, rocdate.roc_date(at))
        steps.append(
            Step(at, "opinion", by, "更新處理意見", False, {}, {"handling_opinion": text},
                 optional="opinion")
        )  # fmt: skip

    slow = rng.random() < 0.06
    if outcome in ("internal", "stalled"):
        unit = unit_name or "政風室"
        t_route = _after(t_assign, rng, 0.2, 4)
        note = rng.choice(("請派員現勘", "請查明見復", "請惠予協處", "請於7日內回復辦理情形"))
        steps.append(
            Step(t_route, "routed", by, f"簽會{unit}：{note}", False,
                 {"unit_id": world.units.get(unit)},
                 {"status": codes.IN_PROGRESS, "signing_agency": unit,
                  **({"unit_id": world.units[unit]} if unit in world.units else {})})
        )  # fmt: skip
        steps.append(status_step(t_route, codes.IN_PROGRESS, by, "已請權責單位處理中"))
        steps[-1].optional = "status-in-progress"
        delay = rng.gammavariate(2.0, 5.0) + (rng.uniform(30, 80) if slow else 0)
        if outcome == "stalled":
            delay += rng.uniform(40, 150)
        t_reply = _office(t_route + timedelta(days=delay), rng)
        date_words = rocdate.roc_date(t_reply)
        opinion(t_reply - timedelta(minutes=rng.uniform(5, 90)),
                _fill(rng.choice(topic.opinions), rng, date_words))  # fmt: skip
        answer(t_reply, _fill(rng.choice(topic.answers), rng, date_words))
        close(_after(t_reply, rng, 1, 14))
    elif outcome == "external":
        agency = rng.choice(topic.agencies) if topic.agencies else AGENCIES[0]
        t_route = _after(t_assign, rng, 0.5, 6)
        world.letter_seq += 1
        roc_year = rocdate.roc_year(t_route)
        letter = f"新北府政風字第{roc_year:03d}{world.letter_seq % 10_000_000:07d}號"
        letter_day = t_route.astimezone(TPE).date()
        words = (
            f"【案件 {p.number} 移請處理通知】\n您反映的事項屬於{agency}的業務，本機關已於"
            f"{rocdate.roc_date(letter_day)}以{letter}函請該機關處理，後續將由該機關回覆您"
            "（行政程序法第172條）。"
        )
        steps.append(
            Step(t_route, "transferred", by, words, True,
                 {"agency_id": world.agencies[agency], "letter_number": letter},
                 {"status": codes.TRANSFERRED, "agency_id": world.agencies[agency],
                  "letter_number": letter, "letter_date": letter_day, "signing_agency": agency,
                  "unit_id": None})
        )  # fmt: skip
        t_back = _after(t_route, rng, 8, 40 + (50 if slow else 0))
        external = rng.choice(topic.external) if topic.external else "已由該機關處理完畢"
        opinion(t_back - timedelta(minutes=rng.uniform(5, 90)),
                f"函請{agency}參處（{letter}）。{external}。")  # fmt: skip
        if p.channel == "line" and not tip and rng.random() < 0.55:
            answer(t_back, f"經{agency}函復：{external}")
            close(_after(t_back, rng, 1, 10))
        else:
            close(t_back, answered=False)
    elif outcome == "direct":
        t_reply = _after(t_assign, rng, 0.5, 7 + (40 if slow else 0))
        date_words = rocdate.roc_date(t_reply)
        said = _fill(rng.choice(topic.answers), rng, date_words)
        opinion(t_reply - timedelta(minutes=rng.uniform(5, 60)), f"逕復說明：{said}。")
        answer(t_reply, said)
        close(_after(t_reply, rng, 1, 10))
    elif outcome == "rejected":
        reason = "no_identity" if anonymous and rng.random() < 0.7 else _pick(rng, REJECT_WEIGHTS)
        at = _after(t_assign, rng, 0.5, 6)
        words = f"{codes.STATUS_FOR_RESIDENTS[codes.REJECTED]}（{REJECTION_REASONS[reason]}）"
        opinion(at - timedelta(minutes=10),
                f"依行政程序法第173條，{REJECTION_REASONS[reason]}，簽請不予處理。")  # fmt: skip
        steps.append(status_step(at, codes.REJECTED, by, words, rejection_reason=reason))
    elif outcome == "merged":
        at = _after(t_assign, rng, 0.1, 3)
        steps.append(status_step(at, codes.MERGED, by))
    elif outcome == "withdrawn":
        at = created + timedelta(days=rng.uniform(0.3, 8))
        steps = [s for s in steps if s.at < at - timedelta(minutes=5)]
        if p.channel == "line":
            steps.append(
                Step(at - timedelta(minutes=2), "resident_message", "resident",
                     "不好意思，問題已經解決了，我想撤回這件反映。", True, {}, {})
            )  # fmt: skip
        steps.append(status_step(at, codes.WITHDRAWN, by))
    return row, steps, merge_target


def _apply(row: dict[str, Any], steps: list[Step], now: datetime, rng: random.Random) -> list[Step]:
    """Keep what happened before now, apply it to the row, keep 2–6 entries."""
    steps.sort(key=lambda s: s.at)
    done = [s for s in steps if s.at <= now]
    if len(done) == 1:
        # Only just in: staff have at least looked at and classified it.
        elapsed = (now - row["created_at"]).total_seconds()
        at = row["created_at"] + timedelta(seconds=min(7200.0, elapsed * rng.uniform(0.2, 0.9)))
        classified = next((s for s in steps if s.kind == "classified"), None)
        if classified is None:
            classified = Step(at, "classified", "demo-supervisor", "分類", False, {}, {})
        classified.at, classified.optional = at, None
        done.append(classified)
    done = [s for s in done if s.optional is None or rng.random() < KEEP_OPTIONAL[s.optional]]
    for name in KEEP_OPTIONAL:
        if len(done) <= MAX_EVENTS:
            break
        done = [s for s in done if s.optional != name]
    done.sort(key=lambda s: s.at)
    for s in steps:  # the case fields follow every step that happened, listed or not
        if s.at <= now:
            row.update(s.changes)
    if row["status"] in codes.OPEN_STATUSES and row["channel"] == "line" and rng.random() < 0.08:
        last = max(s.at for s in done)
        at = last + (now - last) * rng.uniform(0.3, 0.99)
        text = rng.choice(
            (
                "請問處理進度如何？",
                "補充一下，昨天又發生一次了。",
                "剛剛補傳了照片，請參考。",
                "已經過很久了，還沒有人來看。",
            )
        )
        if len(done) >= MAX_EVENTS:
            done = [s for s in done if s.optional is None] or done[:-1]
        done.append(Step(at, "resident_message", "resident", text, True, {}, {}))
        row["resident_update_at"] = at
    row["updated_at"] = max(s.at for s in done)
    return done


def _seal_tip(row: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """A tip's reporter moves to ``tip_reporters`` (the case row keeps none), and the notices
    its officer sent: acceptance once it was assigned, the result once it was concluded."""
    if not row["confidential"]:
        return None
    reporter = {
        name: row.pop(f"reporter_{name}") for name in ("name", "phone", "address", "occupation")
    }
    row.update({f"reporter_{name}": None for name in reporter})
    if row["officer_id"] is not None:
        accepted = row["created_at"] + timedelta(days=TIP_ACCEPTANCE_DAYS // 4)
        row["accepted_at"] = accepted if accepted <= now else None
    if row["status"] in CONCLUDED_TIPS and row["accepted_at"] is not None:
        row["result_notified_at"] = max(row["updated_at"], row["accepted_at"])
    if not any(reporter.values()):
        return None
    return {"case_id": row["id"], **reporter, "created_at": row["created_at"]}


def _attachments(
    row: dict[str, Any], timeline: list[Step], media_dir: Path, rng: random.Random
) -> list[dict[str, Any]]:
    """The files a LINE report came with (about a third have some), written to ``media_dir``;
    the report's timeline entry counts them, as the bot's does."""
    if rng.random() >= ATTACHMENT_SHARE:
        return []
    count = rng.choices(*ATTACHMENT_COUNTS)[0]
    planned = demo_media.plan(rng, row["created_at"], count)
    created = timeline[0]
    assert created.kind == "created"
    created.data = {**created.data, "media": len(planned)}
    return [demo_media.write(media_dir, a, row["id"], row["resident_id"], rng) for a in planned]


def _audit_rows(row: dict[str, Any], timeline: list[Step], world: World) -> list[dict[str, Any]]:
    """The audit log entries the staff steps of the case's timeline left."""
    found = []
    for step in timeline:
        user = world.users.get(step.actor)
        if step.kind not in AUDITED or user is None:
            continue
        if step.kind == "status" and step.data.get("status") in STATUS_WITH_ACTION:
            continue
        action, fields = AUDITED[step.kind]
        known = {"unit_id": None, "agency_id": None, **row, **step.changes}
        after = {name: known[name] for name in fields} if fields else step.changes
        found.append(
            {
                "at": step.at,
                "user_id": user.id,
                "actor": user.username,
                "action": action,
                "target_type": "case",
                "target_id": row["number"],
                "before": None,
                # JSON as the audit log keeps it: dates and times in ISO form.
                "after": {k: v.isoformat() if isinstance(v, date) else v for k, v in after.items()},
                "ip": _staff_ip(user),
            }
        )
    return found


def _event_rows(case_id: int, steps: list[Step]) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case_id,
            "kind": s.kind,
            "public": s.public,
            "actor": s.actor,
            "body": s.body,
            "data": s.data,
            "created_at": s.at,
        }
        for s in steps
    ]


# -- notices on paper ---------------------------------------------------------------------------

# 行政程序法 §173's 款 of each ground a refusal notice cites.
REFUSAL_CLAUSES = {"no_content": 1, "no_identity": 1, "repeated": 2}
# A letter is mailed or handed over within a few days; a few old ones were never recorded.
LETTER_FORGOTTEN = 0.05


def _paper_notices(session: Session, now: datetime, rng: random.Random) -> int:
    """The notices of the reports made without LINE, as printed letters: acceptance at intake,
    transfer, refusal and result as the case went; most mailed or handed over a few days
    later, the recent ones (and a few forgotten) still waiting in 「待寄送通知」."""
    manual = {
        case.id: case
        for case in session.scalars(
            select(Case).where(Case.resident_id.is_(None), Case.confidential.is_(False))
        )
    }
    if not manual:
        return 0
    rows: list[dict[str, Any]] = []

    def add(case: Case, kind: str, body: str, at: datetime, by: str) -> None:
        sent = at + timedelta(days=rng.uniform(0.2, 4))
        waiting = sent > now or rng.random() < LETTER_FORGOTTEN
        method = "pending" if waiting else rng.choice(("mail", "mail", "mail", "in_person"))
        rows.append(
            {
                "case_id": case.id, "kind": kind, "body": body, "delivery": method,
                "outbox_id": None, "delivered_at": None if waiting else sent,
                "delivered_by": None if waiting else by, "created_by": by, "created_at": at,
            }
        )  # fmt: skip

    events = session.scalars(
        select(CaseEvent)
        .where(
            CaseEvent.case_id.in_(list(manual)),
            CaseEvent.kind.in_(("created", "transferred", "status")),
        )
        .order_by(CaseEvent.id)
    )
    for event in events:
        case = manual[event.case_id]
        status = (event.data or {}).get("status")
        if event.kind == "created":
            body = texts.ACCEPTANCE_NOTICE.format(
                number=case.number,
                received=rocdate.roc_date(case.created_at),
                due=rocdate.roc_date(case.due_at),
            )
            add(case, "acceptance", body, event.created_at, event.actor)
        elif event.kind == "transferred":
            add(case, "transfer", event.body or "", event.created_at, event.actor)
        elif status == codes.REJECTED and case.rejection_reason in REFUSAL_CLAUSES:
            clause = REFUSAL_CLAUSES[case.rejection_reason]
            body = (
                f"【案件 {case.number} 處理通知】\n依行政程序法第173條第{clause}款不予處理"
                f"（{REJECTION_REASONS[case.rejection_reason]}），已登記備查。"
            )
            add(case, "refusal", body, event.created_at, event.actor)
        elif status == codes.REPLIED and case.handling_opinion:
            body = f"【案件 {case.number} 處理結果通知】\n{case.handling_opinion}"
            add(case, "result", body, event.created_at, event.actor)
    rows.sort(key=lambda row: row["created_at"])
    for row, notice_id in zip(rows, reserve_ids(session, "case_notices", len(rows)), strict=True):
        row["id"] = notice_id
    bulk_insert(session, "case_notices", rows)
    return len(rows)


# -- broadcasts --------------------------------------------------------------------------------

AAC_SITE = "https://www.aac.moj.gov.tw/"


# 個資請求 (個資法 §3) over the last weeks: the share of each state, and staff's reasons.
REQUEST_STATES = (
    ("pending", 45),
    ("extended", 10),
    ("granted", 30),
    ("partly", 5),
    ("refused", 10),
)
REQUEST_REASONS = {
    "extended": "需向承辦單位調閱案卷並核對資料，依個人資料保護法第13條延長處理期間。",
    "granted": "經核對為本人資料，准予辦理。",
    "partly": "案件紀錄依檔案法應予保存，其餘個人資料准予刪除。",
    "refused": "所請更正之內容無從查證，且案件業已結案，依法不予更正。",
}


def _data_requests(
    session: Session,
    line_cases: list[tuple[int, int, str]],
    users: dict[str, User],
    now: datetime,
    rng: random.Random,
) -> int:
    """About one 個資請求 per hundred LINE cases, of every kind and state, received in the
    last seven weeks (some past their §13 due date); returns how many."""
    if not line_cases:
        return 0
    decider = users["demo-supervisor"].id
    rows: list[dict[str, Any]] = []
    for index in range(max(1, len(line_cases) // 100)):
        case_id, resident_id, status = rng.choice(line_cases)
        kind = list(codes.DATA_REQUEST_KINDS)[index % len(codes.DATA_REQUEST_KINDS)]
        state = _pick(rng, REQUEST_STATES)
        received = now - timedelta(days=rng.uniform(0.2, 48))
        correct = kind == "correct"
        field_name = rng.choice(("name", "phone", "address"))
        value = {"name": _person_name, "phone": _phone, "address": _address}[field_name](rng)
        rows.append(
            {
                "resident_id": resident_id,
                "kind": kind,
                "status": state,
                "case_id": case_id if correct or status in codes.OPEN_STATUSES else None,
                "details": {"field": field_name, "value": value} if correct else {},
                "received_at": received,
                "due_at": data_requests.due_of(kind, received)
                + (timedelta(days=10) if state == "extended" else timedelta()),
                "extended_at": received + timedelta(days=5) if state == "extended" else None,
                "extension_reason": REQUEST_REASONS["extended"] if state == "extended" else None,
                "decided_at": received + timedelta(days=rng.uniform(1, 12))
                if state in ("granted", "partly", "refused")
                else None,
                "decided_by": decider if state in ("granted", "partly", "refused") else None,
                "decision_reason": REQUEST_REASONS.get(state) if state != "extended" else None,
            }
        )
    bulk_insert(session, "data_requests", rows)
    return len(rows)


@dataclass(frozen=True)
class DemoBroadcast:
    """A 反貪倡廉 promotion sent ``days_ago`` days before now, in our composed-message form."""

    days_ago: int
    title: str
    messages: tuple[dict[str, Any], ...]
    answer_rate: float = 0.0  # share of recipients who answer its quiz
    tap_rate: float = 0.0  # link taps per recipient


def _quiz(question: str, choices: list[str], explanation: str) -> dict[str, Any]:
    """A 有獎徵答 whose first choice is right."""
    return {
        "type": "quiz",
        "question": question,
        "choices": choices,
        "answer": 0,
        "explanation": explanation,
    }


def _text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": body}


def _card(title: str, body: str, label: str, url: str) -> dict[str, Any]:
    return {"type": "card", "title": title, "body": body, "link_label": label, "link_url": url}


DEMO_BROADCASTS = (
    DemoBroadcast(
        6, "有獎徵答：受請託關說怎麼辦",
        (_text("【廉政小學堂】公務員受請託關說，依規定應如何處理？答對即可參加抽獎！"),
         _quiz("公務員受請託關說時，應於幾日內簽報長官並知會政風單位？",
               ["3日內", "7日內", "不必簽報"],
               "依公務員廉政倫理規範，受請託關說者應於3日內簽報長官並知會政風單位。")),
        answer_rate=0.07,
    ),
    DemoBroadcast(
        20, "清廉共同監督專區：地方工程資訊公開",
        (_card("地方工程資訊公開",
               "本轄重大工程的經費、廠商及進度，都可以在清廉共同監督專區查詢。",
               "前往專區", "https://www.aac.moj.gov.tw/6398/6540/1216331/"),),
        tap_rate=0.045,
    ),
    DemoBroadcast(
        34, "檢舉管道：0800-286-586",
        (_text("發現公務員貪污不法，請撥法務部廉政署檢舉專線 0800-286-586。檢舉人身分依法保密。"),
         _card("檢舉管道", "電話、書信、傳真或親自到場，都可以檢舉。", "檢舉方式", AAC_SITE)),
        tap_rate=0.03,
    ),
    DemoBroadcast(
        49, "有獎徵答：檢舉人身分保密",
        (_quiz("民眾檢舉貪瀆不法，檢舉人的身分應如何處理？",
               ["依法保密", "公開於機關網站", "告知被檢舉人"],
               "檢舉人身分依法保密，政風機構並有保護檢舉人之義務。"),),
        answer_rate=0.09,
    ),
    DemoBroadcast(
        66, "村里廉政平臺座談會",
        (_text("本機關將於本月在各里活動中心辦理村里廉政平臺座談會，歡迎里民踴躍參加，"
               "提出您對公共設施及施政的意見。"),),
    ),
    DemoBroadcast(
        83, "冒名公務員詐騙提醒",
        (_card("小心冒名公務員詐騙",
               "公務員不會要求您轉帳或提供存摺、提款卡。接到可疑電話請撥165查證。",
               "了解更多", "https://165.npa.gov.tw/"),),
        tap_rate=0.055,
    ),
    DemoBroadcast(
        104, "有獎徵答：公職人員利益衝突迴避",
        (_quiz("公職人員執行職務時，遇有自己或親屬的利益衝突，應如何處理？",
               ["主動迴避", "照常辦理", "請同事代為簽名"],
               "依公職人員利益衝突迴避法，知有利益衝突者應即自行迴避。"),
         _card("利益衝突迴避", "哪些人是關係人？哪些情形要迴避？", "法規說明", AAC_SITE)),
        answer_rate=0.06, tap_rate=0.02,
    ),
    DemoBroadcast(
        130, "廉政倫理：拒收不當餽贈",
        (_text("公務員不得收受與其職務有利害關係者之餽贈；如遇贈送，應於3日內"
               "簽報長官並知會政風單位。民眾洽公請勿致贈禮品，謝謝您的支持。"),),
    ),
)  # fmt: skip


def _broadcasts(session: Session, users: dict[str, User], now: datetime, rng: random.Random) -> int:
    """Sent 反貪倡廉 broadcasts of the last months, with quiz answers and link taps."""
    following = list(
        session.execute(
            select(Resident.id, Resident.followed_at).where(Resident.following.is_(True))
        ).all()
    )
    if not following:
        return 0
    author = users["demo-officer1"].id
    sent_count = 0
    for spec in DEMO_BROADCASTS:
        sent = _office(now - timedelta(days=spec.days_ago), rng)
        if sent >= now:
            continue
        reached = [rid for rid, followed in following if followed is None or followed <= sent]
        broadcast = Broadcast(
            title=spec.title, messages=list(spec.messages), audience={"kind": "all"},
            status="sent", estimated_recipients=len(reached), recipients=len(reached),
            chunks_total=1, chunks_sent=1, reached=len(reached), created_by=author,
            created_at=sent - timedelta(days=2), updated_at=sent + timedelta(minutes=1),
            started_at=sent, finished_at=sent + timedelta(minutes=1),
        )  # fmt: skip
        session.add(broadcast)
        session.flush()
        sent_count += 1
        session.add(_broadcast_audit(users["demo-officer1"], "broadcast.send", broadcast, sent))
        session.add(BroadcastChunk(broadcast_id=broadcast.id, seq=0, status="sent", attempts=1,
                                   sent_at=sent + timedelta(minutes=1)))  # fmt: skip
        for index, message in enumerate(spec.messages):
            if message["type"] == "card":
                session.add(
                    BroadcastLink(
                        broadcast_id=broadcast.id, message_index=index,
                        token=f"{rng.getrandbits(96):024x}",
                        url=message["link_url"], label=message["link_label"],
                        clicks=round(len(reached) * spec.tap_rate * rng.uniform(0.7, 1.3)),
                    )
                )  # fmt: skip
            if message["type"] == "quiz":
                answering = rng.sample(reached, round(len(reached) * spec.answer_rate))
                answers = [
                    {
                        "broadcast_id": broadcast.id, "message_index": index,
                        "resident_id": resident_id, "choice": choice, "correct": choice == 0,
                        "answered_at": sent + timedelta(hours=rng.expovariate(1 / 6)),
                    }
                    for resident_id in answering
                    for choice in [0 if rng.random() < 0.78 else rng.randrange(1, 3)]
                ]  # fmt: skip
                bulk_insert(session, "quiz_answers", answers)
    return sent_count


def _unsent_broadcasts(session: Session, users: dict[str, User], now: datetime) -> None:
    """The broadcasts a working account also has: a draft, a scheduled one, a cancelled one and
    one LINE's monthly limit stopped part-way."""
    author = users["demo-officer1"]
    draft_text = (
        "🎉【年終廉政知識大挑戰】🎉\n\n親愛的鄉親朋友們好👋，感謝大家這一年來對村里廉政平臺的支持❤️！"
        "本機關將於年底辦理有獎徵答，答對者可參加抽獎🎁。\n\n"
        + "廉政小叮嚀：公務員不得收受與職務有利害關係者之餽贈，如遇贈送應於3日內簽報。🙏\n"
        * 6
    )
    specs: list[tuple[str, str, list[dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
        ("draft", "🎉年終廉政知識大挑戰（草稿）",
         [_text(draft_text), _quiz("收受餽贈應於幾日內簽報？", ["3日內", "7日內", "不必簽報"],
                                  "依公務員廉政倫理規範，應於3日內簽報長官並知會政風單位。")],
         {"kind": "all"}, {"created_at": now - timedelta(hours=5)}),
        ("scheduled", "村里廉政平臺座談會（下週）",
         [_text("本機關將於下週在各里活動中心辦理村里廉政平臺座談會，歡迎里民參加。")],
         {"kind": "all"},
         {"scheduled_at": _office(now + timedelta(days=6), random.Random(1)),
          "estimated_recipients": 0, "created_at": now - timedelta(days=1)}),
        ("cancelled", "颱風停班停課期間暫停座談",
         [_text("因颱風來襲，原訂本週之座談會暫停辦理，改期另行通知。")],
         {"kind": "test"},
         {"created_at": now - timedelta(days=40), "cancelled_at": now - timedelta(days=39)}),
        ("stopped", "反貪倡廉宣導：檢舉專線",
         [_text("發現公務員貪污不法，請撥法務部廉政署檢舉專線 0800-286-586，檢舉人身分依法保密。")],
         {"kind": "all"},
         {"created_at": now - timedelta(days=12), "started_at": now - timedelta(days=11),
          "finished_at": now - timedelta(days=11) + timedelta(minutes=3), "recipients": 1500,
          "chunks_total": 3, "chunks_sent": 1, "reached": 500,
          "last_error": "You have reached your monthly limit."}),
    ]  # fmt: skip
    for status, title, messages, audience, more in specs:
        broadcast = Broadcast(
            title=title, messages=broadcast_rules.normalized(messages), audience=audience,
            status=status, created_by=author.id, updated_at=more["created_at"], **more,
        )  # fmt: skip
        session.add(broadcast)
        session.flush()
        action = {"scheduled": "broadcast.schedule", "cancelled": "broadcast.cancel",
                  "stopped": "broadcast.send"}.get(status, "broadcast.create")  # fmt: skip
        session.add(_broadcast_audit(author, action, broadcast, more["created_at"]))


def _broadcast_audit(user: User, action: str, broadcast: Broadcast, at: datetime) -> AuditEntry:
    """The audit log entry the broadcast service writes for ``action``."""
    after: dict[str, Any] = {"status": broadcast.status, "audience": broadcast.audience}
    if action in ("broadcast.send", "broadcast.schedule"):
        after["estimated_recipients"] = broadcast.estimated_recipients
        after["scheduled_at"] = broadcast.scheduled_at and broadcast.scheduled_at.isoformat()
    return AuditEntry(
        at=at, user_id=user.id, actor=user.username, action=action, target_type="broadcast",
        target_id=str(broadcast.id), before=None, after=after, ip=_staff_ip(user),
    )  # fmt: skip


def _staff_ip(user: User) -> str:
    """Each staff member works from their own desk on the agency's intranet."""
    return f"10.20.1.{10 + user.id % 200}"


# -- writing ---------------------------------------------------------------------------------


# 首長核可 of the demo agency's 簽會 and 函轉 (seed 004 玖.一、二).
DEMO_APPROVER = "局長 許○○"
# Where demo tips were 移送 (never an ordinary unit or agency).
DEMO_REFERRALS = ("法務部廉政署", "臺灣臺中地方檢察署")


def _procedure(session: Session, users: dict[str, User], now: datetime, rng: random.Random) -> None:
    """The 陳情 procedure on the seeded cases (issue 13): 紀錄人 of LINE cases, 首長核可 of
    routed cases, a tip's 移送, 補陳 waiting for an answer (the clock paused), extensions
    waiting for a supervisor, and written replies kept as result notices. Runs after the
    cases are inserted, so the plan above stays as it was."""
    names = select(User.display_name).where(User.id == Case.officer_id).scalar_subquery()
    session.execute(
        update(Case)
        .where(Case.channel == "line", Case.recorder.is_(None), Case.officer_id.is_not(None))
        .values(recorder=names)
    )
    routed = session.execute(
        select(Case.id, Case.letter_date, Case.created_at, Case.confidential, Case.status).where(
            (Case.agency_id.is_not(None)) | (Case.unit_id.is_not(None))
        )
    ).all()
    approvals = [
        {"id": row.id, "approved_by": DEMO_APPROVER,
         "approved_on": row.letter_date or rocdate.taipei_date(row.created_at) + timedelta(days=2)}
        for row in routed
        if not row.confidential and row.status != codes.RECEIVED
    ]  # fmt: skip
    if approvals:
        session.execute(update(Case), [{**a, "approved_on": min(a["approved_on"], now.date())}
                                        for a in approvals])  # fmt: skip
    tips = session.execute(
        select(Case.id, Case.created_at).where(
            Case.confidential.is_(True), Case.status == codes.TRANSFERRED
        )
    ).all()
    for tip in tips:
        sent = min(rocdate.taipei_date(tip.created_at) + timedelta(days=5), now.date())
        referred = rng.choice(DEMO_REFERRALS)
        session.execute(
            update(Case)
            .where(Case.id == tip.id)
            .values(referred_to=referred, agency_id=None, unit_id=None,
                    letter_number=f"政風字第{1150000000 + tip.id}號", letter_date=sent)
        )  # fmt: skip
        session.add(
            CaseEvent(case_id=tip.id, kind="referred", actor="demo-ethics-head", public=False,
                      body=f"移送{referred}（{rocdate.roc_date(sent)}函）",
                      data={"referred_to": referred},
                      created_at=min(now, max(tip.created_at + timedelta(hours=1),
                                              rocdate.taipei_midnight(sent) + timedelta(hours=3))))
        )  # fmt: skip
    waiting = session.scalars(
        select(Case)
        .where(
            Case.status.in_(codes.OPEN_STATUSES - {codes.REPLIED}),
            Case.confidential.is_(False),
            Case.due_at > now + timedelta(days=5),
            Case.officer_id.is_not(None),
        )
        .order_by(Case.id)
        .limit(24)
    ).all()
    for index, case in enumerate(waiting):
        officer = session.get(User, case.officer_id)
        by = officer.username if officer else "demo-officer1"
        asked = max(
            case.created_at + timedelta(hours=1),
            now - timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6)),
        )
        asked = min(asked, now)
        if index % 2 == 0:  # 補陳: the clock is paused until the reporter answers
            case.details_requested_at = asked
            on_line = case.channel == "line"
            what = rng.choice(("請提供現場的詳細位置（門牌或路燈桿編號）。",
                               "請提供問題發生的日期與時段。", "請提供現場照片。"))  # fmt: skip
            session.add(
                CaseNotice(case_id=case.id, kind="details", created_by=by, created_at=asked,
                           body=f"【案件 {case.number} 補充資料通知】\n為處理您反映的事項，"
                           f"請補充下列資料：\n{what}",
                           delivery="in_person" if on_line else "pending",
                           delivered_at=asked if on_line else None,
                           delivered_by=by if on_line else None)
            )  # fmt: skip
            session.add(
                CaseEvent(case_id=case.id, kind="details_requested", actor=by, public=True,
                          body=f"請補充資料：{what}（處理期限暫停計算）", created_at=asked)
            )  # fmt: skip
        else:  # an officer's extension waiting for the supervisor
            until = rocdate.taipei_date(case.due_at) + timedelta(days=rng.choice((7, 14, 21)))
            reason = rng.choice(("需會同權責單位現場會勘", "需調閱相關工程契約及驗收資料"))
            case.extension_due_on, case.extension_reason = until, reason
            case.extension_by, case.extension_at = case.officer_id, asked
            session.add(
                CaseEvent(case_id=case.id, kind="extension_proposed", actor=by, public=False,
                          body=f"擬延長處理期限至{rocdate.roc_date(until)}，理由：{reason}"
                          "（待主管核定）", created_at=asked)
            )  # fmt: skip
    answered = session.execute(
        select(Case.id, Case.updated_at, Case.officer_id)
        .where(
            Case.channel != "line",
            Case.confidential.is_(False),
            Case.status.in_((codes.REPLIED, codes.CLOSED)),
        )
        .limit(400)
    ).all()
    for row in answered:
        # The updates above stamped some cases with the real clock, later than the demo's now.
        at = min(row.updated_at, now)
        session.add(
            CaseNotice(case_id=row.id, kind="result", created_by="demo-officer1",
                       body="您反映的事項已處理完成，處理情形如下：已派員現勘並完成改善。",
                       delivery=rng.choice(("mail", "in_person")), created_at=at,
                       delivered_at=at, delivered_by="demo-officer1")
        )  # fmt: skip


# 附件2's row 3 (宣揚反貪倡廉資訊 at field activities) and the officer's edit of a report.
PROMOTION_VENUES = (
    ("中正區", "中正區黎明里辦公處"), ("大同區", "大同區建功社區發展協會"),
    ("萬華區", "萬華區福星國民小學"), ("中正區", "中正區東門里民活動中心"),
)  # fmt: skip
PROMOTION_MATERIALS = ("反貪宣導摺頁", "廉政宣導手冊", "檢舉管道宣導卡", "反賄選宣導海報")


def _report_work(
    session: Session, users: dict[str, User], now: datetime, rng: random.Random
) -> None:
    """附件2 at work: 宣導 field activities over the last months (unless the field work's
    own demo data put some there already) and the officer's edit of the latest period."""
    officer = users["demo-officer1"]
    today = now.astimezone(TPE).date()
    if not session.scalar(select(func.count()).select_from(FieldActivity)):
        kinds = list(codes.ACTIVITY_KINDS)
        themes = [code for code in codes.THEMES if code != "other"]
        for back in range(0, 180, 9):
            district, venue = rng.choice(PROMOTION_VENUES)
            theme = rng.choice(themes)
            session.add(
                FieldActivity(
                    kind=rng.choice(kinds), held_on=today - timedelta(days=back + rng.randrange(5)),
                    venue=venue, district=district, topic=f"{codes.THEMES[theme]}廉政宣導",
                    theme=theme, participants=rng.randrange(8, 60), promotion=rng.random() < 0.8,
                    materials=[{"name": rng.choice(PROMOTION_MATERIALS),
                                "quantity": rng.randrange(20, 200)}],
                    summary="與里長及社區幹部交流在地公共工程及經費運用情形。",
                    officer_id=officer.id, created_by=officer.username,
                )
            )  # fmt: skip
    anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
    period_from, period_to = report_periods.default_period(today, anchor)
    edited = select(ReportDraft.id).where(
        ReportDraft.period_from == period_from, ReportDraft.period_to == period_to
    )
    if session.scalar(edited) is not None:
        return
    session.add(
        ReportDraft(
            period_from=period_from, period_to=period_to, updated_by=users["demo-supervisor"].id,
            texts={"need": {"handling": "已依實施計畫玖、一簽會相關單位，陳報機關首長作為施政參考，"
                            "並回應民眾；涉他機關權責者，已簽報首長核可函請參處。"}},
        )
    )  # fmt: skip
    session.flush()


def reserve_ids(session: Session, table_name: str, count: int) -> list[int]:
    """``count`` new primary keys of ``table_name``, taken as the database would give them.

    PostgreSQL: from the table's own sequence (safe beside concurrent inserts). SQLite: after
    the largest id (its transactions take the write lock up front, see ``storage.db``).
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        found = session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table_name, "n": count},
        )
        return sorted(int(i) for i in found)
    table = Base.metadata.tables[table_name]
    start = int(session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def bulk_insert(session: Session, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Core ``insert()`` executemany of ``rows`` (same keys) in batches of ``BATCH``."""
    table = Base.metadata.tables[table_name]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])


# -- 平臺地點, 聯絡人 and field activities ------------------------------------------------------

# (kind, weight, participants low–high, topics); seed 004 柒's ways of meeting people.
ACTIVITY_PLAN: tuple[tuple[str, int, int, int, tuple[str, ...]], ...] = (
    ("visit", 25, 2, 6, ("拜會里長，了解里內公共設施需求", "拜會社區理事長，說明村里廉政平臺",
                        "拜會校長，洽談校園廉政宣導")),
    ("interview", 15, 1, 3, ("與村里幹事晤談里鄰經費核銷情形", "與廉政志工晤談社區反映事項")),
    ("forum", 20, 12, 40, ("里鄰經費運用座談", "河川疏濬工程說明座談", "社區公共設施維護座談",
                          "補助款及回饋金運用座談")),
    ("briefing", 15, 20, 80, ("防汛搶險採購說明會", "地方工程施工說明會", "村里廉政平臺說明會")),
    ("local_meeting", 15, 30, 150, ("列席里民大會", "列席社區發展協會會員大會", "列席鄰長會議")),
    ("leaflets", 10, 50, 300, ("市場周邊發放廉政文宣", "捷運站出口發放反詐騙及廉政文宣")),
)  # fmt: skip
ACTIVITY_THEMES = {"河川疏濬": "dredging", "里鄰經費": "neighbourhood-funds",
                   "地方工程": "works", "防汛搶險": "disaster", "補助款": "subsidies"}  # fmt: skip
MATERIALS = ("反貪宣導摺頁", "廉政宣導品（環保袋）", "廉政宣導海報", "檢舉管道說明單",
             "反詐騙宣導摺頁", "廉政志工招募簡章")  # fmt: skip
PLACE_KINDS_PLAN = (
    ("village_office", "{village}辦公處"),
    ("community", "{stem}社區發展協會"),
    ("school", "{stem}國民小學"),
    ("association", "{district}獅子會"),
)
OPEN_VENUES = ("捷運站出口", "傳統市場入口", "區公所前廣場", "活動中心")
LINK_SHARE = 20  # about one meeting report in 20 is linked to an activity


def _fieldwork(
    session: Session, users: dict[str, User], case_ids: list[int], now: datetime,
    rng: random.Random, media_dir: Path | None,
) -> tuple[int, int]:  # fmt: skip
    """About 12 平臺地點 with 2–3 聯絡人 each, about two activities a week over the demo
    period (three in four promoting 廉政 with materials), and about one meeting report in
    20 linked to an activity held that day; with ``media_dir``, photos of one activity in
    six. Returns (places, activities)."""
    known = areas.read(content.get(session, "areas")) or {"中正區": ["黎明里", "光復里"]}
    districts = list(known)
    place_rows: list[dict[str, Any]] = []
    place_ids = reserve_ids(session, "places", 12)
    for index, place_id in enumerate(place_ids):
        district = districts[index % len(districts)]
        village = rng.choice(known[district] or ["中興里"])
        kind, pattern = PLACE_KINDS_PLAN[index % len(PLACE_KINDS_PLAN)]
        name = pattern.format(district=district, village=village, stem=village.rstrip("里村"))
        place_rows.append({
            "id": place_id, "name": name,
            "kind": kind, "district": district,
            "village": village if kind != "association" else None,
            "address": f"{district}{village}{rng.choice(ROADS)}{rng.randint(1, 200)}號",
            "note": None, "active": index != 11, "created_at": now - timedelta(days=SPAN_DAYS),
        })  # fmt: skip
    bulk_insert(session, "places", place_rows)
    contacts: dict[int, list[int]] = {}
    contact_rows: list[dict[str, Any]] = []
    contact_ids = reserve_ids(session, "place_contacts", 36)
    roles = ("chief", "clerk", "volunteer")
    for row in place_rows:
        for role in roles[: rng.choice((2, 3))]:
            contact_id = contact_ids[len(contact_rows)]
            ended = rng.random() < 0.08
            contact_rows.append({
                "id": contact_id, "place_id": row["id"],
                "role": role if row["kind"] == "village_office" else rng.choice(
                    ("community", "volunteer", "school" if row["kind"] == "school" else "other")),
                "name": _person_name(rng), "phone": display_phone(_phone(rng)),
                "email": f"contact{contact_id}@example.org.tw" if rng.random() < 0.4 else None,
                "note": None, "active": not ended, "created_at": row["created_at"],
                "ended_at": now - timedelta(days=rng.randint(30, 400)) if ended else None,
                "purged_at": None,
            })  # fmt: skip
            if not ended:
                contacts.setdefault(row["id"], []).append(contact_id)
    bulk_insert(session, "place_contacts", contact_rows)

    officers = [u for u in users.values() if u.role in ("officer", "supervisor") and u.active]
    today = now.astimezone(TPE).date()
    weekdays = [d for d in (today - timedelta(days=n) for n in range(SPAN_DAYS)) if d.weekday() < 5]
    days = sorted(rng.sample(weekdays, min(len(weekdays), SPAN_DAYS * 2 // 7)))
    # Meeting reports: one in LINK_SHARE was taken at an activity held that day.
    # By range, then by membership: an IN of 100,000 ids is past PostgreSQL's 65,535 parameters.
    seeded = set(case_ids)
    meeting = [row for row in session.execute(
        select(Case.id, Case.created_at)
        .where(Case.channel == "meeting", Case.id.between(min(case_ids), max(case_ids))
               if case_ids else false())
        .order_by(Case.id)
    ) if row[0] in seeded]  # fmt: skip
    linked = [(case_id, rocdate.taipei_date(created)) for case_id, created in meeting
              if rng.randrange(LINK_SHARE) == 0]  # fmt: skip
    days = sorted(set(days) | {day for _, day in linked})
    kinds = [plan[0] for plan in ACTIVITY_PLAN]
    weights = [plan[1] for plan in ACTIVITY_PLAN]
    plans = {plan[0]: plan for plan in ACTIVITY_PLAN}
    activity_ids = reserve_ids(session, "field_activities", len(days))
    linked_days = {day for _, day in linked}
    rows: list[dict[str, Any]] = []
    taking: list[dict[str, Any]] = []
    on_day: dict[date, int] = {}
    for activity_id, day in zip(activity_ids, days, strict=True):
        kind = "forum" if day in linked_days else rng.choices(kinds, weights)[0]
        _, _, low, high, topics = plans[kind]
        topic = rng.choice(topics)
        theme = next((code for word, code in ACTIVITY_THEMES.items() if word in topic), None)
        place = rng.choice(place_rows[:11]) if kind != "leaflets" or rng.random() < 0.3 else None
        promotion = kind == "leaflets" or rng.random() < 0.7
        materials = [
            {"name": name, "quantity": rng.choice((20, 30, 50, 100, 200))}
            for name in rng.sample(MATERIALS, rng.randint(1, 3))
        ] if promotion else []  # fmt: skip
        officer = rng.choice(officers)
        held = datetime(day.year, day.month, day.day, 17, tzinfo=TPE).astimezone(UTC)
        participants = rng.randint(low, high)
        rows.append({
            "id": activity_id, "kind": kind, "held_on": day,
            "place_id": place["id"] if place else None,
            "venue": None if place else rng.choice(districts) + rng.choice(OPEN_VENUES),
            "district": None if place else rng.choice(districts),
            "topic": topic, "theme": theme, "participants": participants,
            "promotion": promotion, "materials": materials,
            "summary": f"{codes.ACTIVITY_KINDS[kind]}，{participants}人參加"
                       + ("，發放宣導品並說明檢舉管道。" if promotion else "，蒐集民眾意見。"),
            "officer_id": officer.id, "created_by": officer.username,
            "created_at": min(held, now), "updated_at": min(held, now),
        })  # fmt: skip
        if rows[-1]["district"] is None and place is None:
            rows[-1]["district"] = districts[0]
        if (
            place is not None
            and kind in ("visit", "interview", "forum")
            and contacts.get(place["id"])
        ):
            for contact_id in rng.sample(contacts[place["id"]], 1):
                taking.append({"activity_id": activity_id, "contact_id": contact_id})
        on_day.setdefault(day, activity_id)
    bulk_insert(session, "field_activities", rows)
    bulk_insert(session, "activity_contacts", taking)
    if media_dir is not None:
        bulk_insert(session, "activity_photos", _activity_photos(rows[::6], media_dir, rng))
    if linked:
        session.execute(
            update(Case).execution_options(synchronize_session=False),
            [{"id": case_id, "activity_id": on_day[day]} for case_id, day in linked],
        )
    return len(place_rows), len(rows)


def _activity_photos(
    rows: list[dict[str, Any]], media_dir: Path, rng: random.Random
) -> list[dict[str, Any]]:
    """One or two photos of each activity in ``rows``, written where staff uploads go."""
    photos = []
    for row in rows:
        for n in range(rng.randint(1, 2)):
            data = demo_media.photo(row["id"] + n)
            relative = f"{activities.PHOTO_DIR}/{row['id']}-demo{n}.jpg"
            (media_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            (media_dir / relative).write_bytes(data)
            photos.append({
                "activity_id": row["id"], "path": relative, "content_type": "image/jpeg",
                "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "created_at": row["created_at"],
            })  # fmt: skip
    return photos


# -- the entry point ---------------------------------------------------------------------------


def seed(
    session: Session,
    cases: int,
    *,
    seed: int = 1,
    password: str | None = None,
    force: bool = False,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    media_dir: Path | None = None,
) -> SeedSummary:
    """Add ``cases`` demo cases (and what they need) in the caller's transaction.

    Refuses a database that has cases already unless ``force``. The same ``seed`` on an
    empty database gives the same data (up to ``now``); staff accounts that exist are kept.
    With ``media_dir`` (the product's MEDIA_DIR), LINE reports come with photos and files.
    """
    if cases < 0:
        raise ValueError("cases must be zero or more")
    began = time.perf_counter()
    now = now or datetime.now(UTC)
    existing = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    if existing and not force:
        raise AlreadySeeded(f"資料庫已有 {existing:,} 件案件；要再加入示範資料請加 --force")
    say = progress or (lambda _message: None)
    rng = random.Random(f"lianping-demo:{seed}:{existing}")
    summary = SeedSummary()
    users = _staff(session, password, summary)
    world = World(
        units=_get_or_create(session, Unit, UNITS),
        agencies=_get_or_create(session, Agency, AGENCIES),
        users=users,
        notice_version=content.current_privacy_notice(session).version,
    )
    summary.units, summary.agencies = len(world.units), len(world.agencies)
    summary.templates = _reply_templates(session, users["demo-admin"])
    planned = _plan(cases, now, rng)
    _reserve_numbers(session, planned)
    resident_ids, summary.residents = _residents(session, planned, rng, now)
    say(f"planned {cases:,} cases, {summary.residents:,} residents")

    ids = reserve_ids(session, "cases", cases)
    line_cases: list[tuple[int, int, str]] = []  # (case id, resident id, status)
    waiting = codes.OPEN_STATUSES - {codes.REPLIED}
    media_rng = random.Random(f"lianping-demo-media:{seed}:{existing}")
    public_rng = random.Random(f"lianping-demo-public:{seed}:{existing}")
    for start in range(0, len(planned), BATCH):
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        media: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        reporters: list[dict[str, Any]] = []
        for index in range(start, min(start + BATCH, len(planned))):
            row, steps, target = _case(index, planned[index], resident_ids, world, now, rng)
            timeline = _apply(row, steps, now, rng)
            row["id"] = ids[index]
            if target is not None and row["status"] == codes.MERGED:
                row["merged_into_id"] = ids[target]
            demo_public.mark(row, DISTRICTS, public_rng)
            sealed = _seal_tip(row, now)
            if sealed is not None:
                reporters.append(sealed)
            rows.append(row)
            if row["resident_id"] is not None:
                line_cases.append((row["id"], row["resident_id"], row["status"]))
            if media_dir is not None and row["channel"] == "line":
                media += _attachments(row, timeline, media_dir, media_rng)
            events += _event_rows(row["id"], timeline)
            audits += _audit_rows(row, timeline, world)
            summary.by_nature[row["nature"]] += 1
            summary.by_status[row["status"]] += 1
            summary.by_channel[row["channel"]] += 1
            summary.overdue += row["status"] in waiting and row["due_at"] < now
        bulk_insert(session, "cases", rows)
        bulk_insert(session, "tip_reporters", reporters)
        bulk_insert(session, "case_events", events)
        bulk_insert(session, "media_files", media)
        audits.sort(key=lambda entry: entry["at"])
        bulk_insert(session, "audit_log", audits)
        summary.events += len(events)
        summary.attachments += len(media)
        done = start + len(rows)
        if done % (10 * BATCH) == 0 or done == cases:
            say(f"{done:,}/{cases:,} cases ({time.perf_counter() - began:.1f} s)")
    summary.cases = len(ids)
    _procedure(session, users, now, random.Random(f"lianping-demo-procedure:{seed}:{existing}"))
    summary.data_requests = _data_requests(
        session, line_cases, users, now, random.Random(f"lianping-demo-requests:{seed}:{existing}")
    )
    summary.broadcasts = _broadcasts(
        session, users, now, random.Random(f"lianping-demo-broadcasts:{seed}:{existing}")
    )
    if summary.broadcasts:
        _unsent_broadcasts(session, users, now)
    # The field work first: 附件2's demo edit adds 宣導 activities only where there are none.
    summary.places, summary.activities = _fieldwork(
        session,
        users,
        ids,
        now,
        random.Random(f"lianping-demo-fieldwork:{seed}:{existing}"),
        media_dir,
    )
    _paper_notices(session, now, random.Random(f"lianping-demo-notices:{seed}:{existing}"))
    summary.published = demo_public.publish(session, users["demo-supervisor"], now, public_rng)
    demo_public.patterns(session, users["demo-officer1"], users["demo-supervisor"], now)
    _report_work(session, users, now, random.Random(f"lianping-demo-reports:{seed}:{existing}"))
    if planned:
        summary.first_day = planned[0].created.astimezone(TPE).date()
        summary.last_day = planned[-1].created.astimezone(TPE).date()
    summary.seconds = time.perf_counter() - began
    return summary
