"""How guessable a new staff password is: a strength estimate (zxcvbn) and a list of common
passwords shipped with the product (assets/common_passwords.txt, read once)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

from zxcvbn import zxcvbn

# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 guesses and up), its own advice for
# accounts an attacker would try offline; 0–2 fall to a few days of guessing.
MIN_SCORE = 3
# zxcvbn's own bound (its matching grows quickly with length); a longer password is judged
# by its first part, which only makes the estimate stricter.
ESTIMATE_LENGTH = 72
ADVICE = (
    "請改用不易猜測的密碼，例如由數個不相關的詞語組成的一句話（可含空格及中文），"
    "或混合英文大小寫、數字及符號的隨機字串；"
    "請勿使用重複或連續的字元、鍵盤上相鄰的按鍵、常見密碼、帳號或姓名。"
)
TOO_COMMON = "此密碼為常見密碼，容易被猜中。" + ADVICE
TOO_WEAK = "此密碼強度不足，容易被猜中。" + ADVICE


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case (read from the package once per process)."""
    text = resources.files("lianping.services").joinpath("assets/common_passwords.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def weakness(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why ``password`` would be easy to guess (zh-TW), or None when it is strong enough.

    ``personal`` are words an attacker knows about the account (username, name): a password
    built from them counts as weak.
    """
    if password.strip().lower() in common_passwords():
        return TOO_COMMON
    hints = [word for word in personal if word]
    if zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=hints)["score"] < MIN_SCORE:
        return TOO_WEAK
    return None
