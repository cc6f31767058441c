"""Every text a resident reads, in one zh-TW catalog (reviewed for tone as a whole).

Quick-reply labels live here too: each is at most 20 characters (LINE's limit).
Texts with ``{name}`` fields are filled in with ``str.format`` by the engine.
"""

from __future__ import annotations

import re

from lianping import codes

AGENCY_SHORT = "村里廉政平臺"
# Until the administrator sets the 政風機構全銜.
AGENCY_FALLBACK = "本機關政風單位"

# -- main menu and idle ---------------------------------------------------------

WELCOME = (
    "您好，歡迎加入「村里廉政平臺」官方帳號。\n"
    "鄰里間的公共設施、服務品質或對機關施政的意見，都可以在這裡向我們反映，"
    "政風人員會協助轉請權責單位處理並回覆您。\n"
    "請點選下方選單開始。"
)
WELCOME_BACK = "歡迎您回來。需要反映事項或查詢案件，請點選下方選單。"
MENU_PROMPT = "請點選下方選單，選擇您需要的服務。"
TEXT_AT_IDLE = (
    "感謝您的來訊。要把這段文字當作反映內容，開始填寫一份反映嗎？"
    "接下來只需點選幾個選項，約兩分鐘即可完成。"
)
TEXT_DECLINED = "好的。需要時請點選下方選單。"
STICKER_REPLY = "謝謝您的貼圖 😊 如需反映事項或查詢案件，請點選下方選單。"
MEDIA_AT_IDLE = "已收到您傳送的檔案。若要作為反映事項的資料，請先點選「我要反映」。"
NOTHING_TO_CANCEL = "目前沒有進行中的填寫。請點選下方選單，選擇您需要的服務。"
GROUP_NOT_SUPPORTED = (
    "感謝邀請。本帳號僅提供一對一服務，為保護反映者個人資料，無法在群組中使用，"
    "請直接加入好友並以一對一聊天與我們聯繫。本帳號將自動退出此群組。"
)
PROMOTION = (
    "廉政宣導｜清廉從你我做起\n"
    "政府機關的工程、採購、補助款與回饋金運用，都需要大家共同監督。"
    "發現公務員涉有貪瀆不法，請勇於檢舉，檢舉人身分將依法保密。"
)
HELP = (
    "使用說明\n"
    "・我要反映：反映生活周遭的公共事務需求，或對機關施政的建議。\n"
    "・查詢案件：查看您反映案件的處理進度，也可以補充說明。\n"
    "・檢舉管道：貪瀆不法的檢舉方式。\n"
    "・廉政宣導：最新的反貪倡廉訊息。\n"
    "・個資說明：個人資料告知事項，以及查詢、申請複製本、更正、停止利用或刪除您的個人資料。\n"
    "・訂閱設定：設定您所在的區及村里，或暫停接收廉政宣導訊息。\n"
    "填寫時隨時可以輸入「上一步」「取消」「重新開始」或「說明」。"
)
# The default 個資法 §8 notice: every item of §8 I, in its order. {agency} is the 政風機構全銜;
# {contact} the ways to reach its 政風單位 (notice_contact); the retention periods are the
# retention_* settings. The administrator publishes their own versions.
PRIVACY_NOTICE = (
    "個人資料蒐集告知（個人資料保護法第8條）\n"
    "一、蒐集機關：{agency}。\n"
    "二、蒐集目的：本機關依個人資料保護法第15條及第16條，於執行法定職務必要範圍內，"
    "受理及處理您的陳情、建議或檢舉（包括查證、轉請權責機關處理、通知處理情形及滿意度調查），"
    "辦理廉政宣導及有獎徵答，並作不含識別資料的統計。\n"
    "三、個人資料類別：姓名、聯絡電話、聯絡地址、職業；LINE識別碼及顯示名稱；所在區／村里；"
    "您傳送的文字、照片、檔案及位置；承辦人員為處理案件或宣導所加註的標籤；滿意度評分；"
    "有獎徵答的答案。\n"
    "四、利用期間、地區、對象及方式：\n"
    "（一）期間：未送出的填寫內容保存{draft_hours}小時；LINE傳來的原始訊息紀錄於處理後保存"
    "{payload_days}日；傳送給您的訊息內容於送達後保存{outbox_days}日；未附於案件的照片及檔案保存"
    "{media_days}日；封鎖本帳號且沒有案件者的帳號資料及標籤保存{unfollowed_days}日；"
    "案件中的個人資料於結案後保存{case_years}年，屆期刪除或去除識別，案件紀錄依本機關檔案保存年限保存。\n"
    "（二）地區：中華民國境內；訊息經由LINE平臺傳輸。\n"
    "（三）對象：本機關；受轉請處理的權責機關；法務部廉政署（統計彙報，不含識別資料）；"
    "LINE平臺僅為訊息傳輸者。\n"
    "（四）方式：以電子或書面方式，在上述目的範圍內處理及利用。\n"
    "五、您的權利及行使方式：依同法第3條，您可以就您的個人資料（一）查詢或請求閱覽、"
    "（二）請求製給複製本、（三）請求補充或更正、（四）請求停止蒐集、處理或利用、（五）請求刪除。"
    "請在本帳號點選選單「個資說明」提出，或以{contact}向本機關提出；"
    "本機關依同法第13條規定的期限決定並通知您。依法應保存的案件紀錄，依檔案保存年限保存。\n"
    "六、不提供的影響：您可以自由選擇是否提供姓名、電話、地址及職業。"
    "不提供時仍可不具名反映，處理情形僅以LINE通知；依行政程序法第173條第1款，"
    "未具真實姓名或住址的陳情，得不予處理。不願經由LINE提供任何資料，"
    "可以改用電話、書面或親至政風單位反映。"
)
# How the notice names the ways to exercise the rights: the contact settings that are set.
NOTICE_CONTACT_PHONE = "電話（{phone}）"
NOTICE_CONTACT_EMAIL = "電子郵件（{email}）"
NOTICE_CONTACT_ADDRESS = "書面或親至（{address}）"
NOTICE_CONTACT_UNSET = "電話、書面或親至政風單位"


def notice_contact(phone: str, email: str, address: str) -> str:
    """The 政風單位's contact details as the notice names them (general words when unset)."""
    parts = [NOTICE_CONTACT_PHONE.format(phone=phone)] if phone else []
    parts += [NOTICE_CONTACT_EMAIL.format(email=email)] if email else []
    parts += [NOTICE_CONTACT_ADDRESS.format(address=address)] if address else []
    return "、".join(parts) or NOTICE_CONTACT_UNSET


# The notice's retention fields and the settings they come from (services.content DEFAULTS).
NOTICE_RETENTION_FIELDS = {
    "draft_hours": "retention_draft_hours",
    "payload_days": "retention_payload_days",
    "outbox_days": "retention_outbox_days",
    "media_days": "retention_orphan_media_days",
    "unfollowed_days": "retention_unfollowed_days",
    "case_years": "retention_case_years",
}


def privacy_notice(agency: str, contact: str, retention: dict[str, int]) -> str:
    """The default notice for ``agency``, its contact words and the retention settings
    (keyed by setting name, as NOTICE_RETENTION_FIELDS lists them)."""
    periods = {field: retention[key] for field, key in NOTICE_RETENTION_FIELDS.items()}
    return PRIVACY_NOTICE.format(agency=agency, contact=contact, **periods)


REPORTING_CHANNELS = (
    "檢舉管道\n"
    "・法務部廉政署檢舉專線：0800-286-586\n"
    "・書面郵寄：100006 國史館郵局第153號信箱\n"
    "・傳真：02-2381-1234\n"
    "檢舉人身分依法保密，請放心檢舉。"
)
# The local 政風單位's own phone and e-mail (administrator settings), after the channels
# above; a line is left out while its setting is empty.
LOCAL_UNIT_HEAD = "{agency}受理檢舉："
LOCAL_UNIT_PHONE = "・電話：{phone}"
LOCAL_UNIT_EMAIL = "・電子郵件：{email}"
OFFICE_PHONE_EXTENSION = "{phone} 分機 {extension}"
CHANNELS_TIP_HINT = "也可以直接在這裡填寫檢舉，請點「我要檢舉（保密）」。"


def reporting_channels(channels: str, agency: str, phone: str, email: str) -> str:
    """The 檢舉管道 text: the channels, then the local unit's phone and e-mail if set."""
    lines = [LOCAL_UNIT_PHONE.format(phone=phone)] if phone else []
    lines += [LOCAL_UNIT_EMAIL.format(email=email)] if email else []
    if not lines:
        return channels
    return "\n".join([channels, LOCAL_UNIT_HEAD.format(agency=agency), *lines])


MENU_LABELS = {
    "report": "我要反映",
    "status": "查詢案件",
    "channels": "檢舉管道",
    "promotion": "廉政宣導",
    "privacy": "個資說明",
    "help": "使用說明",
    "subscription": "訂閱設定",
}
# The rich menu: each tile's second line, and the chat bar's words (LINE: ≤ 14 characters).
MENU_HELPERS = {
    "report": "公共設施、服務、施政建議",
    "status": "看看處理進度",
    "channels": "貪瀆不法檢舉方式",
    "promotion": "最新活動與資訊",
    "privacy": "個人資料如何使用",
    "help": "第一次使用看這裡",
}
CHAT_BAR_TEXT = "選單"

# -- labels of quick replies ------------------------------------------------------

LABEL_CANCEL = "取消"
LABEL_BACK = "上一步"
LABEL_SKIP = "略過"
LABEL_DONE = "完成"
LABEL_CAMERA = "拍照"
LABEL_CAMERA_ROLL = "從相簿選擇"
LABEL_LOCATION = "傳送位置"
LABEL_CLEAR_DESCRIPTION = "清除重寫"
LABEL_CLEAR_PHOTOS = "清除照片"
LABEL_REMOVE_LOCATION = "移除位置"
LABEL_START_WITH_TEXT = "以這段文字開始反映"
LABEL_NO_THANKS = "不用了"
LABEL_CONTINUE = "繼續填寫"
LABEL_RESTART = "重新開始"
LABEL_DISCARD = "捨棄"
LABEL_TIP = "我要檢舉（保密）"
LABEL_TIP_START = "開始填寫"
LABEL_NOTICE_READ = "已閱讀"
LABEL_WITHOUT_LINE = "不經由LINE提供"
LABEL_WITH_CONTACT = "留下聯絡資料"
LABEL_ANONYMOUS = "不具名反映"
LABEL_ANONYMOUS_TIP = "不具名檢舉"
LABEL_SUBMIT = "送出"
LABEL_EDIT = "修改"
LABEL_BACK_TO_SUMMARY = "返回摘要"
LABEL_VIEW_CASE = "查看進度"
LABEL_SUPPLEMENT = "補充說明"
LABEL_WITHDRAW = "撤回案件"
LABEL_WITHDRAW_CONFIRM = "確定撤回"
LABEL_WITHDRAW_KEEP = "不撤回"

# A report is a need or a reform; tips go by the 檢舉管道 menu instead.
NATURE_LABELS = {code: codes.NATURE_SHORT[code] for code in (codes.NEED, codes.REFORM)}
EDIT_LABELS = {
    "category": "類別",
    "theme": "主題",
    "description": "內容",
    "location": "位置",
    "photos": "照片",
    "contact": "聯絡資料",
    "publication": "公開意願",
}
OCCUPATIONS = ("學生", "上班族", "自營商", "公教人員", "農漁牧業", "家管", "退休", "其他")

# Words a resident may type instead of tapping (compared after trimming spaces).
COMMAND_WORDS = {
    "cancel": ("取消", "取消反映", "結束"),
    "back": ("上一步", "返回"),
    "restart": ("重新開始", "重來"),
    "help": ("說明", "幫助", "?", "？"),
    "done": ("完成", "好了"),
    "skip": ("略過", "跳過", "不用"),
}

# -- the report flow ---------------------------------------------------------------

# One line each, shown when a resident chooses the nature of a report.
NATURE_EXPLAINED = {
    codes.NEED: "生活周遭的公共設施、機關服務或行政流程，需要改善的地方。",
    codes.REFORM: "對機關施政、法令規章或政策的意見與建議。",
}
NATURE_PROMPT = (
    "請問您要反映哪一類事項？\n"
    "・民情需求：{need}\n"
    "・施政興革：{reform}\n"
    "（如要檢舉公務員貪瀆不法，請點選選單中的「檢舉管道」。）"
)
SUB_ITEM_PROMPT = "{nature}包括以下項目，請選擇最接近的一項：\n{items}"
THEME_PROMPT = "這件事和下列主題有關嗎？沒有的話請點「略過」。"
DESCRIPTION_PROMPT = (
    "請描述您要反映的事情：發生了什麼、在哪裡、從什麼時候開始，以及希望怎麼改善。\n"
    "可以分成幾則訊息傳送，也可以加上照片（最多5張）或位置。全部傳完後請點「完成」。"
)
DESCRIPTION_PROMPT_TIP = (
    "請描述您要檢舉的事情：涉及的機關或人員、時間、地點及經過，越具體越有助於查證。\n"
    "可以分成幾則訊息傳送，也可以加上照片（最多5張）或位置。全部傳完後請點「完成」。"
)
DESCRIPTION_SO_FAR = "目前已記下的內容：\n{excerpt}\n可以繼續補充，或點「完成」。"
DESCRIPTION_NOTED = "已記下。"
DESCRIPTION_MORE = "還有要補充的文字、照片或位置嗎？都傳完了請點「完成」。"
DESCRIPTION_TOO_SHORT = (
    "內容還不夠完整，請再多描述一些（至少10個字），例如："
    "「中山路123號前的路燈已經壞了一星期，晚上很暗，希望儘快修理。」"
)
DESCRIPTION_TOO_SHORT_TIP = (
    "內容還不夠完整，請再多描述一些（至少10個字），例如涉及的機關或人員、時間、地點及經過。"
)
DESCRIPTION_FULL = "內容已經很長了，這段文字沒有加入。如需補充，請在送出後使用「補充說明」。"
DESCRIPTION_CLEARED = "已清除先前輸入的文字，請重新描述。"
LOCATION_PROMPT = (
    "請問事情發生的地點在哪裡？請點「傳送位置」在地圖上選擇，"
    "或直接輸入地址或路口；不需要的話請點「略過」。"
)
LOCATION_NOTED = "已記下位置：{place}"
LOCATION_TOO_LONG = "地點請在100字以內，請再輸入一次，或點「傳送位置」在地圖上選擇。"
LOCATION_REMOVED = "已移除位置。"
PHOTOS_PROMPT = "有現場照片嗎？可以拍照或從相簿選擇（最多5張）；沒有的話請點「略過」。"
PHOTOS_MORE = "還有其他照片嗎？傳完了請點「完成」。"
PHOTOS_CLEARED = "已清除先前的照片。"
PHOTO_NOTED = "已收到照片（共{count}張）。"
PHOTO_LIMIT = "照片最多5張，這張沒有加入。如需提供更多資料，請在送出後使用「補充說明」。"
ATTACHMENT_NOTED = "已收到檔案，送出時會一併附上。"
ATTACHMENT_LIMIT = "附件最多5個，這個檔案沒有加入。"
MEDIA_UNREADABLE = "無法讀取這個檔案，請再傳送一次。"
# The 個資法 §8 notice comes first in a report and a tip; {flow} is 反映 or 檢舉 (FLOW_WORDS).
NOTICE_PROMPT = (
    "以上是本機關蒐集個人資料的告知事項。請閱讀後點「已閱讀」開始填寫{flow}內容。\n"
    "如不願經由LINE提供資料，請點「不經由LINE提供」，查看其他{flow}方式。"
)
# A resident who already read the current version: one line, then the first question.
NOTICE_ALREADY_READ = (
    "您已閱讀第{version}版個人資料蒐集告知，本次依該告知辦理；"
    "如需再次查看，請點選選單「個資說明」。"
)
# 已閱讀 typed instead of tapped.
NOTICE_READ_WORDS = frozenset({LABEL_NOTICE_READ, "已讀", "已閱"})
NOTICE_UPDATED = "個人資料蒐集告知已更新為第{version}版，請閱讀後再點「已閱讀」。"
NOTICE_FIRST = "請先閱讀上方的個人資料蒐集告知，點「已閱讀」後再開始填寫。"
# 不經由LINE提供: nothing of this report is sent; {ways} is OFFLINE_WAYS filled in.
WITHOUT_LINE = (
    "了解，已結束這次填寫，內容不會送出。\n"
    "本機關依個人資料保護法第15條，於執行法定職務必要範圍內蒐集您的資料；"
    "如不願經由LINE提供，請改用下列方式{flow}：\n{ways}"
)
OFFLINE_LETTER = "・書面郵寄或親至{agency}：{address}"
OFFLINE_IN_PERSON = "・書面郵寄或親至{agency}"
OFFLINE_TIP_LINE = "・檢舉貪瀆不法，也可以撥打法務部廉政署檢舉專線 0800-286-586。"


def offline_ways(agency: str, phone: str, email: str, address: str) -> str:
    """The ways to report without LINE, one a line, from the 政風單位's contact settings."""
    lines = [LOCAL_UNIT_PHONE.format(phone=phone)] if phone else []
    lines += [LOCAL_UNIT_EMAIL.format(email=email)] if email else []
    letter = OFFLINE_LETTER if address else OFFLINE_IN_PERSON
    lines.append(letter.format(agency=agency, address=address))
    return "\n".join([*lines, OFFLINE_TIP_LINE])


CONTACT_PROMPT = (
    "請選擇反映方式：\n"
    "・留下聯絡資料：請留下姓名及電話，承辦人員可以和您聯絡，並以電話或書面回復。\n"
    "・不具名反映：處理情形僅以LINE通知（本機關仍保存您的LINE識別碼）；"
    "依行政程序法第173條第1款，未具真實姓名或住址的陳情，得不予處理，仍登記備查。"
)
CONTACT_PROMPT_TIP = (
    "請選擇檢舉方式：\n"
    "・留下聯絡資料：必要時承辦的政風人員可以向您查證，有助於釐清案情；您的身分依規定保密。\n"
    "・不具名檢舉：處理情形僅以LINE通知（本機關仍保存您的LINE識別碼）；"
    "內容不夠具體時，可能難以查證。"
)
CONTACT_DETAILS_PROMPT = (
    "請在同一則訊息輸入您的姓名和聯絡電話，例如：\n王小明 0912-345-678\n"
    "（市話請加區碼，例如 02-2345-6789）"
)
CONTACT_BAD_PHONE = (
    "電話號碼格式不正確，請重新輸入姓名及電話，例如：\n王小明 0912-345-678\n"
    "（手機10碼；市話請加區碼，例如 02-2345-6789）"
)
CONTACT_NO_PHONE = "請在姓名後一併輸入聯絡電話，例如：\n王小明 0912-345-678"
CONTACT_BAD_NAME = "請同時輸入您的姓名（20字以內，不含數字）和電話，例如：\n王小明 0912-345-678"
ADDRESS_PROMPT = (
    "請輸入聯絡地址（選填），方便以書面回復您；不需要的話請點「略過」。\n"
    "依行政程序法第173條第1款，未具真實姓名或住址的陳情，得不予處理，仍登記備查。"
)
ADDRESS_TOO_LONG = "地址請在100字以內，請再輸入一次，或點「略過」。"
OCCUPATION_PROMPT = "請問您的職業是？（選填，可以點選或直接輸入；不想回答請點「略過」。）"
OCCUPATION_TOO_LONG = "職業請在20字以內，請再輸入一次，或點「略過」。"
# The last, optional question of a report (never of a tip). It asks, it does not promise:
# staff decide whether to publish, write the public words themselves, and may take it down.
PUBLISH_PROMPT = (
    "最後一個問題（可略過）：可以將處理結果去識別化後公開嗎？\n"
    "如選「可以公開」，本機關人員將另行撰寫摘要，不含您的姓名、電話、地址、LINE帳號、照片及您的原文，"
    "地點只標示到「區」，經本機關審核後才可能刊登於本機關網站「清廉共同監督專區」。"
    "是否公開由本機關決定；選「不要公開」或略過，都不影響案件的處理。"
    "已公開後如改變心意，可請本機關撤下。"
)
LABEL_PUBLISH_YES = "可以公開"
LABEL_PUBLISH_NO = "不要公開"
SUMMARY_INCOMPLETE = "還有必要的資料沒有填寫，請先完成這一步。"
EDIT_PROMPT = "要修改哪一項？修改完成後會回到摘要。"
TIP_INTRO = (
    "檢舉貪瀆不法（保密）\n"
    "您的身分資料只有承辦的政風人員及政風主管因處理需要才能查看，"
    "並依貪污治罪條例及獎勵保護檢舉貪污瀆職辦法保密；"
    "機關內部人員檢舉，另依公益揭弊者保護法受保護。\n"
    "請點「開始填寫」，或直接輸入檢舉內容：涉及的機關或人員、時間、地點及經過。"
)
RESUME_PROMPT = "您有一份尚未送出的{flow}（填到「{step}」）。要繼續填寫嗎？"
# What a report and a tip are called where a text speaks of either.
FLOW_WORDS = {"report": "反映", "tip": "檢舉"}
DISCARDED = "已捨棄尚未送出的內容。"
CANCELLED = "已取消，這次填寫的內容不會送出。"
BACK_AT_START = "已回到主選單。"
EXPIRED = "這個按鈕已失效，請點選最新訊息中的選項。"
# Said before the question again when a step is answered only by its buttons.
CHOOSE_BUTTON = "請點選下方按鈕選擇。"
# A thank-you typed at the main menu or in 訂閱設定 is answered briefly (compared after
# dropping what follows the words, e.g. 「！」 or an emoji, and lowercased).
THANKS_WORDS = frozenset(
    {"謝謝", "謝謝你", "謝謝您", "感謝", "感謝您", "多謝", "謝啦", "感恩", "3q", "thanks"}
)
THANKS_REPLY = "不客氣，有需要時請點選下方選單。"

# What each step is called (shown when offering to resume) and its 說明.
STEP_NAMES = {
    "nature": "類別",
    "sub_item": "項目",
    "theme": "主題",
    "notice": "個資告知",
    "tip": "檢舉說明",
    "description": "內容",
    "location": "位置",
    "photos": "照片",
    "contact": "聯絡方式",
    "contact_details": "姓名電話",
    "address": "地址",
    "occupation": "職業",
    "publication": "公開意願",
    "summary": "確認送出",
    "edit": "修改",
}
STEP_HELP = {
    "nature": "說明：民情需求是生活周遭需要改善的事；施政興革是對機關施政或法令的意見。"
    "選錯了沒關係，送出前可以修改。",
    "sub_item": "說明：請選擇最接近的項目，承辦人員會再確認分類。",
    "theme": "說明：主題可以幫助我們歸類案件，不確定的話請點「略過」。",
    "description": "說明：請用文字描述事情經過（至少10個字），可以加上照片或位置，"
    "傳完後點「完成」。",
    "location": "說明：點「傳送位置」可以在地圖上選擇地點，也可以直接輸入地址。",
    "photos": "說明：點「拍照」或「從相簿選擇」傳送照片，最多5張。",
    "notice": "說明：這是本機關依個人資料保護法第8條所為的告知，請閱讀後點「已閱讀」；"
    "不願經由LINE提供資料，請點「不經由LINE提供」查看其他方式。",
    "contact": "說明：留下姓名及電話，承辦人員才能和您聯絡；不具名反映，處理情形僅以LINE通知。",
    "contact_details": "說明：請在一則訊息中輸入姓名和電話，例如「王小明 0912-345-678」。",
    "address": "說明：地址用於書面回覆，可以略過。",
    "occupation": "說明：職業是工作紀錄表的欄位，可以略過。",
    "publication": "說明：選「可以公開」，本機關才可能將處理結果改寫為不具識別性的摘要公開；"
    "選「不要公開」或略過都不影響處理。",
    "summary": "說明：確認內容無誤請點「送出」；要更改請點「修改」。",
    "edit": "說明：請選擇要修改的項目。",
    "subscription": "說明：設定所在的區及村里，可收到與您社區相關的廉政宣導訊息；"
    "也可以暫停或恢復接收宣導訊息。設定好了請點「完成」。",
    "sub_district": "說明：請點選您所在的區，或直接輸入區名；選項較多時請點「更多」。",
    "sub_village": "說明：請點選您所在的村里，或直接輸入村里名；不確定的話請點「不指定村里」。",
    "tip": "說明：檢舉內容請盡量具體，例如涉及的機關或人員、時間、地點及經過。",
    "resume": "說明：點「繼續填寫」接著填；「重新開始」從頭填；「捨棄」刪除這份草稿。",
    "offer_text": "說明：點「以這段文字開始反映」，這段文字會成為反映內容。",
    "supplement": "說明：傳送文字、照片或檔案，都會補充到案件中；結束請點「完成」。",
    "withdraw": "說明：點「確定撤回」撤回這件案件；不想撤回請點「不撤回」。",
}
# The 說明 of a step that reads differently in a tip (檢舉).
STEP_HELP_TIP = {
    "contact": "說明：留下姓名及電話，必要時承辦人員可以向您查證；"
    "不具名檢舉，處理情形僅以LINE通知。",
}
GENERAL_COMMANDS_HINT = "隨時可以輸入「上一步」「取消」「重新開始」或「說明」。"

# -- summary card -------------------------------------------------------------------

SUMMARY_TITLE = "反映內容確認"
SUMMARY_TITLE_TIP = "檢舉內容確認"
SUMMARY_ALT = "請確認反映內容後送出"
SUMMARY_ALT_TIP = "請確認檢舉內容後送出"
FIELD_NATURE = "類別"
FIELD_SUB_ITEM = "項目"
FIELD_THEME = "主題"
FIELD_DESCRIPTION = "內容"
FIELD_PHOTOS = "照片"
FIELD_LOCATION = "位置"
FIELD_CONTACT = "聯絡"
FIELD_DUE = "回覆"
FIELD_PUBLISH = "公開"
PUBLISH_YES = "可以去識別化後公開"
PUBLISH_NO = "不公開"
NONE_GIVEN = "未提供"
# Staff give tags; a resident without any has none, not "not given".
NO_TAGS = "無"
PHOTOS_COUNT = "{count}張"
ATTACHMENTS_COUNT = "，附件{count}個"
ANONYMOUS = "不具名（僅以LINE通知）"
DUE_IN_DAYS = "預計於 {days} 日內回覆"

# -- supplement (補充說明) -------------------------------------------------------------

SUPPLEMENT_PROMPT = (
    "請傳送要補充到案件 {number} 的文字、照片或檔案，可以傳送多則。結束請點「完成」。"
)
SUPPLEMENT_ADDED = "已補充到案件 {number}。還有要補充的嗎？結束請點「完成」。"
SUPPLEMENT_REFUSED = (
    "案件 {number} 目前無法補充說明（可能已結案，或不是您反映的案件）。"
    "如有新的情況，請點「我要反映」重新反映。"
)
# The end of a 補充說明 says whether the case received anything (取消 takes back nothing sent).
SUPPLEMENT_RECEIVED = "已收到您的補充資料，承辦人員會一併處理，謝謝您。"
SUPPLEMENT_CANCELLED = "已取消補充說明。"

# -- 撤回 (a resident withdraws one of their cases) -------------------------------------------

WITHDRAW_CONFIRM = (
    "確定要撤回案件 {number} 嗎？\n撤回後就不能再補充說明；日後如有需要，可以重新提出。"
)
WITHDRAW_KEPT = "好的，案件 {number} 沒有撤回。"
WITHDRAW_BUSY = "您正在填寫{flow}內容，請先完成或取消目前的填寫，再撤回案件。"
CASE_WITHDRAWN = "已撤回案件 {number}。日後如有需要，歡迎重新提出。"
# The case's timeline entry, read by the resident and by staff.
WITHDRAWN_ENTRY = "已撤回（由本人在LINE上撤回）"
WITHDRAW_REFUSED = (
    "案件 {number} 目前無法撤回（可能已回覆或已結束處理）。請點選「查詢案件」查看目前的狀態。"
)

# -- cards for the dispatcher --------------------------------------------------------

CASE_CREATED = (
    "您的反映已完成收件登記，案件編號：{number}\n"
    "政風人員會先了解內容，並轉請權責單位處理。"
    "本機關將於{due}前回復處理情形；如需延長，將通知您理由。\n"
    "隨時可以點選「查詢案件」查看進度。"
)
# {acceptance_days}: the 受理 notice's time limit the ethics unit set (tip_acceptance_days).
CASE_CREATED_TIP = (
    "您的檢舉已完成收件登記，案件編號：{number}\n"
    "您的身分資料依規定保密，只有承辦的政風人員及政風主管因處理需要才能查看。\n"
    "本機關將依規定於{acceptance_days}日內通知受理情形，調查結果另行通知。"
    "隨時可以點選「查詢案件」查看進度。"
)
CASE_CREATED_ANONYMOUS = "您選擇不具名，處理情形僅以LINE通知您。"
CASES_NONE = "目前沒有您反映的案件。需要反映事項，請點選「我要反映」。"
CASES_ALT = "您的案件（{count}件）"
CASE_UPDATED = "更新：{date}"
CASE_DUE = "預計回覆：{date}"
CASE_DETAIL_HEAD = "案件 {number}｜{nature}\n目前狀態：{status}"
CASE_DETAIL_DUE = "預計回覆：{date}"
# While the agency waits for the resident's 補陳, the answer clock is paused: no date promised.
CASE_AWAITING_DETAILS = "待您補充資料（請點「補充說明」），收到後繼續處理"
CASE_TIMELINE_HEAD = "處理紀錄："
CASE_TIMELINE_EMPTY = "尚無處理紀錄。"
CASE_TIMELINE_TRIMMED = "（較早的紀錄已省略）"

# -- media the dispatcher could not keep ------------------------------------------------

MEDIA_TOO_LARGE = (
    "您傳送的{kind}超過 {megabytes} MB，無法收存。請縮小後再傳送一次，或來電洽詢其他提供方式。"
)


def media_too_large(kind: str, megabytes: int) -> str:
    """Why a photo, video, recording or file was not kept (over ``megabytes`` MB)."""
    return MEDIA_TOO_LARGE.format(kind=codes.MEDIA_KINDS.get(kind, "檔案"), megabytes=megabytes)


# -- messages staff actions send to the resident --------------------------------------

STAFF_REPLY = "【案件 {number} 回覆】\n{body}\n\n如對回覆內容有疑問，可點選「查詢案件」補充說明。"
# 行政程序法 §172 I: the competent agency answers the resident directly, copying us.
TRANSFERRED = (
    "【案件 {number} 移請處理通知】\n"
    "您反映的事項屬{agency}權責，本機關已於{date}以{letter}函請參處，"
    "並請其逕復您、副知本機關（行政程序法第172條第1項）。"
)
# An anonymous reporter cannot be reached by the other agency: we tell them the outcome.
TRANSFERRED_ANONYMOUS = (
    "【案件 {number} 移請處理通知】\n"
    "您反映的事項屬{agency}權責，本機關已於{date}以{letter}函請參處"
    "（行政程序法第172條第1項）；處理情形由本機關於此通知。"
)
# 行政程序法 §173: the refusal is told with its ground ({clause} 款, {ground} its words).
REFUSED = (
    "【案件 {number} 處理通知】\n"
    "依行政程序法第173條第{clause}款（{ground}），本案不予處理，已登記備查。"
)
# 補陳 (行政程序法 §171 practice): what is missing, and how to send it on LINE or on paper.
DETAILS_REQUESTED = (
    "【案件 {number} 補充資料通知】\n"
    "為處理您反映的事項，請補充下列資料：\n{what}\n\n"
    "請點選「查詢案件」，在本案點「補充說明」後傳送文字、照片或檔案。"
    "本機關收到補充資料後繼續處理，處理期限依等待補充的日數順延。"
)
DETAILS_REQUESTED_LETTER = (
    "【案件 {number} 補充資料通知】\n"
    "為處理您反映的事項，請補充下列資料：\n{what}\n\n"
    "請以書面、電話或親至本機關政風單位提供。"
    "本機關收到補充資料後繼續處理，處理期限依等待補充的日數順延。"
)
# Remedies (行政程序法 §172 II practice) an officer may append to a result: each promises only
# what the law gives, and only where the matter involves a 行政處分 or a public officer's act.
REMEDIES: dict[str, str] = {
    "appeal": "如對本案處理結果涉及之行政處分不服，得依訴願法第14條及第58條規定，"
    "於行政處分達到或公告期滿之次日起30日內，繕具訴願書經由原行政處分機關向訴願管轄機關"
    "提起訴願。",
    "litigation": "如對訴願決定不服，得依行政訴訟法第106條規定，"
    "於訴願決定書送達後2個月之不變期間內，向管轄之行政法院提起行政訴訟。",
    "compensation": "如認公務員於執行職務行使公權力時，因故意或過失不法侵害您的自由或權利，"
    "得依國家賠償法第10條規定，先以書面向賠償義務機關請求損害賠償。",
}
REMEDY_LABELS: dict[str, str] = {
    "appeal": "訴願",
    "litigation": "行政訴訟",
    "compensation": "國家賠償",
}
DUE_EXTENDED = (
    "【案件 {number} 延長處理期限通知】\n因{reason}，本案處理期限延至{due}，造成不便，敬請見諒。"
)
# The timeline, when LINE finally failed to deliver a reply (the case is not answered).
REPLY_UNDELIVERED = "LINE回覆未送達，請改以其他方式回覆"
# Staff may begin the reason as the notice does, or end it as a sentence: it reads after 「因」.
_REASON_OPENING = re.compile(r"^(因為|由於|因)")
_REASON_ENDING = "。．.，,；;！!　 "


def extension_reason(typed: str) -> str:
    """The reason an officer typed, as it reads in DUE_EXTENDED (empty if nothing is left)."""
    return _REASON_OPENING.sub("", typed.strip()).strip().rstrip(_REASON_ENDING)


# A report made without LINE (walk-in, meeting, phone, letter) is acknowledged on paper
# (LEGAL.md: the answer date, and that an extension is told with its reason).
ACCEPTANCE_NOTICE = (
    "【案件 {number} 受理通知】\n"
    "您於{received}提出的陳情，本機關已完成收件登記並受理。"
    "本機關將於{due}前回復處理情形；如需延長，將通知您理由。"
)
CASE_CLOSED = "【案件 {number} 結案通知】\n本案已處理完畢並結案。感謝您協助讓社區更好。"
# One set of words for the 1–5 rating: the question names both ends as the buttons do.
SATISFACTION_WORDS = {1: "非常不滿意", 2: "不滿意", 3: "普通", 4: "滿意", 5: "非常滿意"}
SATISFACTION_LABELS = {score: f"{score} {words}" for score, words in SATISFACTION_WORDS.items()}
SATISFACTION_QUESTION = (
    "請問您對本案的處理是否滿意？請點選 1 至 5 分"
    f"（1 分為{SATISFACTION_WORDS[1]}，5 分為{SATISFACTION_WORDS[5]}）。"
)
SATISFACTION_THANKS = "謝謝您的評分，我們會持續改進服務。"
SATISFACTION_ALREADY = "您已為這件案件評分過了，謝謝您。"


# -- 訂閱設定 (subscription settings) ----------------------------------------------------

LABEL_SET_AREA = "設定區／村里"
LABEL_OPT_OUT = "暫停接收宣導訊息"
LABEL_OPT_IN = "恢復接收宣導訊息"
LABEL_ANY_VILLAGE = "不指定村里"
LABEL_MORE = "更多"
LABEL_FIRST_PAGE = "回到第一頁"
SUBSCRIPTION_STATUS = (
    "訂閱設定\n"
    "・所在區／村里：{area}\n"
    "・廉政宣導訊息：{promotions}\n"
    "設定所在區及村里後，可收到與您社區相關的廉政宣導訊息。"
    "無論是否接收宣導訊息，您反映案件的處理情形都會照常通知您。"
)
SUBSCRIPTION_AREA_UNSET = "尚未設定"
SUBSCRIPTION_WHOLE_DISTRICT = "{district}（不指定村里）"
SUBSCRIPTION_RECEIVING = "接收中"
SUBSCRIPTION_PAUSED = "已暫停"
SUBSCRIPTION_NO_AREAS = "目前尚未開放設定區及村里。"
SUBSCRIPTION_BUSY = "您正在填寫{flow}內容，請先完成或取消目前的填寫，再點選「訂閱設定」。"
DISTRICT_PROMPT = "請選擇您所在的區（也可以直接輸入區名）："
VILLAGE_PROMPT = "請選擇您在{district}所在的村里（也可以直接輸入村里名）："
PAGE_OF = "（第 {page}／{pages} 頁，其他選項請點「更多」）"
AREA_UNKNOWN = "找不到「{name}」，請點選下方選項。"
AREA_SET = "已將您的所在地區設為：{area}。"
OPTED_OUT = (
    "已暫停接收廉政宣導訊息。您反映案件的處理情形及回覆，仍會照常通知您；"
    "需要時可以隨時在「訂閱設定」恢復接收。"
)
OPTED_IN = "已恢復接收廉政宣導訊息，謝謝您的支持。"
SUBSCRIPTION_DONE = "訂閱設定已完成，謝謝您。"
SUBSCRIPTION_THANKS = "不客氣。還要調整請點選下方按鈕，設定好了請點「完成」。"
SUBSCRIPTION_LEFT = "已離開訂閱設定，已完成的設定仍然有效。"

# -- 個資說明: the resident's rights under 個人資料保護法 §3 ---------------------------------

PRIVACY_MENU = (
    "個資說明\n"
    "依個人資料保護法第3條，您可以就本機關保有的您的個人資料，請求查詢或閱覽、製給複製本、"
    "補充或更正、停止蒐集處理利用或刪除。請選擇："
)
LABEL_PRIVACY_NOTICE = "閱讀個資告知事項"
LABEL_MY_DATA = "查詢我的個資"
LABEL_DATA_COPY = "申請複製本"
LABEL_DATA_CORRECT = "更正聯絡資料"
LABEL_DATA_ERASE = "停止利用或刪除"
LABEL_DATA_STOP = "申請停止利用"
LABEL_DATA_DELETE = "申請刪除"
LABEL_REQUEST_CONFIRM = "確定申請"
LABEL_FIELD_NAME = "姓名"
LABEL_FIELD_PHONE = "電話"
LABEL_FIELD_ADDRESS = "地址"
# Typed words that open 個資說明 or one of its choices (compared after trimming spaces).
PRIVACY_WORDS = {
    "個資": "",
    "個資說明": "",
    "查詢個資": "my_data",
    "查詢我的個資": "my_data",
    "複製本": "copy",
    "申請複製本": "copy",
    "更正資料": "correct",
    "更正聯絡資料": "correct",
    "刪除我的資料": "erase",
    "刪除個資": "erase",
    "停止利用": "erase",
}
PRIVACY_BUSY = "您正在填寫{flow}內容，請先完成或取消目前的填寫，再使用「個資說明」。"
PRIVACY_LEFT = "已離開個資說明。"
# 個資法 §13 I (查詢、閱覽、複製本) and II (補充更正、停止、刪除): the periods to decide.
DATA_COPY_CONFIRM = (
    "申請製給複製本\n"
    "本機關會整理保有的您的個人資料（LINE顯示名稱、所在區／村里、各案件的聯絡資料及照片等），"
    "經審核後，以一次性下載連結傳送給您；連結{days}日內有效，限下載一次。\n"
    "本機關將於收到申請後15日內決定，必要時得延長一次（最長15日），並會告知您延長的原因。"
    "確定要申請嗎？"
)
DATA_ERASE_PROMPT = (
    "停止利用或刪除\n"
    "・停止利用：不再傳送廉政宣導訊息給您，並移除您的區／村里設定及標籤，不再用於宣導。\n"
    "・刪除：刪除您的LINE顯示名稱、區／村里、標籤、尚未送出的填寫內容，"
    "以及未列入案件的照片與檔案，本帳號也不再以LINE與您聯繫。"
    "您有處理中的案件時，會暫時保留您的LINE識別碼，以便通知處理結果，案件處理完畢後再刪除。\n"
    "已成立的案件屬於機關的紀錄，依檔案法及本機關檔案保存年限保存，期滿後刪除其中的個人資料。\n"
    "本機關將於收到申請後30日內決定，必要時得延長一次（最長30日），並會告知您延長的原因。請選擇："
)
DATA_CORRECT_PICK = "請選擇要更正聯絡資料的案件（限處理中的案件）："
DATA_CORRECT_NONE = (
    "您目前沒有處理中的案件，沒有可在這裡更正的聯絡資料。"
    "已結束的案件如需補充或更正，請依「閱讀個資告知事項」所列方式向本機關提出。"
)
DATA_CORRECT_FIELD = "要更正案件 {number} 的哪一項聯絡資料？"
DATA_CORRECT_VALUE = "請輸入案件 {number} 正確的{field}："
DATA_CORRECT_BAD_NAME = "姓名請在20字以內，且不含數字，請再輸入一次。"
DATA_CORRECT_BAD_PHONE = "這個電話號碼無法辨識，請輸入市話（含區碼）或手機號碼，例如 0912-345-678。"
DATA_CORRECT_BAD_ADDRESS = "地址請在100字以內，請再輸入一次。"
DATA_CORRECT_REFUSED = (
    "案件 {number} 目前無法在這裡更正聯絡資料（可能已結束處理，或不是您反映的案件）。"
)
DATA_REQUEST_FILED = (
    "已收到您「{kind}」的申請（申請編號 {id}）。本機關將於{due}前決定，並在這裡通知您結果。"
)
DATA_REQUEST_WAITING = (
    "您「{kind}」的申請（申請編號 {id}）正在處理中，本機關將於{due}前決定，並在這裡通知您結果。"
)
MY_DATA_HEAD = "本機關目前保有您的個人資料如下（{date}）："
MY_DATA_PROFILE = (
    "・LINE顯示名稱：{name}\n"
    "・所在區／村里：{area}\n"
    "・標籤：{tags}\n"
    "・廉政宣導訊息：{promotions}\n"
    "・已閱讀的個資告知事項：{notice}"
)
MY_DATA_NOTICE = "第{version}版（{date}）"
MY_DATA_CASE = (
    "案件 {number}（{date}）\n"
    "　姓名：{name}\n　電話：{phone}\n　地址：{address}\n　職業：{occupation}\n　照片：{photos}張"
)
MY_DATA_NO_CASES = "・案件：無"
MY_DATA_MORE_TAGS = "等{count}個"
MY_DATA_MORE_CASES = "另有{count}件案件未列出，請申請複製本查看全部內容。"
MY_DATA_QUIZ = "・有獎徵答作答紀錄：{count}筆"
MY_DATA_MEDIA = "・未列入案件的照片或檔案：{count}個"
MY_DATA_FOOT = "如需複製本、更正、停止利用或刪除，請點「個資說明」提出申請。"
# The outcome of a decided request, sent on LINE.
DATA_OUTCOME_HEAD = "【個人資料「{kind}」申請結果（申請編號 {id}）】"
DATA_OUTCOME_REFUSED = "經審核，本申請不予准許。理由：{reason}"
DATA_OUTCOME_PARTLY = "經審核，本申請部分准予。說明：{reason}"
DATA_OUTCOME_ACCESS = "已在對話中提供您的個人資料。"
DATA_OUTCOME_COPY = (
    "您的個人資料複製本已備妥，請於{expires}前點選下列連結下載（限下載一次）：\n{url}"
)
DATA_OUTCOME_CORRECT = "已將案件 {number} 的{field}更正為您提供的內容。"
DATA_OUTCOME_STOP = (
    "已停止傳送廉政宣導訊息給您，並已移除您的區／村里設定及標籤。"
    "您的案件資料仍依規定保存，並僅用於處理及回覆您的案件。"
)
DATA_OUTCOME_DELETED = (
    "已刪除：您的LINE顯示名稱、區／村里、標籤、尚未送出的填寫內容，"
    "以及未列入案件的照片與檔案（{media}個）。"
)
DATA_OUTCOME_KEPT = (
    "保留：您的{cases}件案件屬於本機關的紀錄，依檔案法及本機關檔案保存年限保存，"
    "期滿後刪除其中的個人資料；有獎徵答僅保留不具名的統計。"
)
DATA_OUTCOME_GONE = "本則通知之後，本帳號不再以LINE與您聯繫。"
DATA_OUTCOME_LINE_KEPT = (
    "您尚有處理中的案件（{numbers}），為將處理結果通知您，暫時保留您的LINE識別碼；"
    "這些案件處理完畢後即予刪除。"
)
DATA_OUTCOME_FOOT = "如有疑義，請依「個資說明」中告知事項所列方式洽詢本機關。"
DATA_EXTENDED = (
    "【個人資料「{kind}」申請延長處理通知（申請編號 {id}）】\n"
    "因{reason}，本申請的決定期限延至{due}（個人資料保護法第13條）。造成不便，敬請見諒。"
)

# -- 有獎徵答 and the 廉政宣導 menu ---------------------------------------------------------

QUIZ_TITLE = "有獎徵答"
# A quiz named in one line: its card's alt text and its entry in the 廉政宣導 list.
QUIZ_ALT = "有獎徵答：{question}"
QUIZ_CORRECT = "答對了！正確答案是「{answer}」。"
QUIZ_WRONG = "答錯了，正確答案是「{answer}」。"
QUIZ_THANKS = "感謝您參與有獎徵答。"
QUIZ_ALREADY = "您已作答過本題，您的答案是「{choice}」。每題限作答一次，感謝您的參與。"
QUIZ_UNAVAILABLE = "這個題目目前無法作答（可能已結束或選項有誤），感謝您的參與。"
PROMOTIONS_ALT = "最新廉政宣導（{count}則）"
PROMOTIONS_HEADER = "廉政宣導"
PROMOTION_SENT_ON = "發布日期：{date}"

# -- a staff member linking their own LINE account ------------------------------------------

STAFF_LINKED = "這個 LINE 帳號已連結至管理系統帳號「{name}」，日後宣導訊息的測試發送會傳送到這裡。"
STAFF_LINK_REFUSED = (
    "連結碼不正確或已逾時，未連結任何帳號。"
    "請在管理系統「我的帳號」頁面重新產生連結碼，並於10分鐘內傳送。"
)
STAFF_LINK_LOCKED = "連結碼輸入錯誤次數過多，為保護帳號安全，請於15分鐘後再試。"

# -- a tip's notices, sent by the ethics officer handling it ---------------------------------
# A tip gets an acceptance notice and, once concluded, a result notice (no 30-day reply).
# The reporter's identity is kept secret by law; nothing here promises an outcome.

TIP_ACCEPTED = (
    "【檢舉案件 {number} 受理通知】\n"
    "您於{received}提出的檢舉，本單位已受理，將依相關法令處理。\n"
    "您的身分資料依貪污治罪條例第18條及獎勵保護檢舉貪污瀆職辦法予以保密。\n"
    "處理結果將於處理完畢後另行通知您。"
)
TIP_RESULT = (
    "【檢舉案件 {number} 處理結果通知】\n"
    "{body}\n\n"
    "您的身分資料依貪污治罪條例第18條及獎勵保護檢舉貪污瀆職辦法予以保密。"
)
