"""Konglish and false friends: English-looking words used in Korea with a meaning English does not
have, each with the English word and an explanation in both languages.

Only uses that are wrong in English are flagged: "notebook" is a laptop only next to a battery, a
charger or a screen (a paper notebook is fine), "sign" only as something you get or write ("Please
sign here" and "a stop sign" are fine), "cunning" only as a noun ("a cunning fox" is fine),
"handle" only when driving, "service" only as "free" ("customer service" is fine), "apart" only
after an article or a possessive. "overeat" is English and never flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import wants_an, words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

Check = Callable[["Doc", int, int], bool]


@dataclass(frozen=True, slots=True)
class Entry:
    """Tokens ``words`` (lower case unless ``exact``) mean ``english``; ``check`` (first and last token
    index) says whether this use is the Konglish one."""

    words: tuple[str, ...]
    english: str
    note_en: str
    note_ko: str
    check: Check | None = None
    exact: bool = False


_POSSESSIVE_OR_ARTICLE = frozenset(
    {"a", "an", "the", "my", "your", "his", "her", "our", "their", "this", "that"}
)
_COMPUTER = words("battery charger screen keyboard touchpad adapter computer monitor mouse fan")
_COMPUTER_VERBS = words("charge boot restart reboot install download crash freeze turn plug")
_FAN_WORDS = words("fan fans singer actor actress idol celebrity star player concert")
_DRIVING = words("drive drives driving drove driven driver steer car")
_SODA = words("coke cola soda fanta sprite pepsi fizzy carbonated")
_FOOD = words("dessert drink drinks coffee dish side soup snack snacks cake dumplings")


def _before(doc: Doc, first: int) -> str:
    return doc[first - 1].lower_ if first > 0 else ""


def _after(doc: Doc, last: int) -> Token | None:
    return doc[last + 1] if last + 1 < len(doc) else None


def _has_owner(doc: Doc, first: int, last: int) -> bool:
    """ "my apart", "an apart": a determiner or possessive makes the word a noun."""
    return _before(doc, first) in _POSSESSIVE_OR_ARTICLE


def _not_before_noun(doc: Doc, first: int, last: int) -> bool:
    nxt = _after(doc, last)
    return nxt is None or nxt.pos_ not in ("NOUN", "PROPN", "ADJ")


def _owned_noun(doc: Doc, first: int, last: int) -> bool:
    return _has_owner(doc, first, last) and _not_before_noun(doc, first, last)


def _interjection(doc: Doc, first: int, last: int) -> bool:
    """ "Fighting!" said on its own (a cheer), not "They are fighting"."""
    sentence = doc[first].sent
    words = [t for t in sentence if t.is_alpha]
    return (
        len(words) <= 3
        and doc[first].i == words[0].i
        and all(t.lower_ in ("fighting", "hwaiting", "paiting", "aja") or t.tag_ == "NNP" for t in words)
    )


def _computer(doc: Doc, first: int, last: int) -> bool:
    nxt = _after(doc, last)
    if nxt is not None and nxt.lower_ in _COMPUTER:
        return True
    head = doc[last].head
    return head.lemma_ in _COMPUTER_VERBS and doc[last].dep_ == "dobj"


def _free_service(doc: Doc, first: int, last: int) -> bool:
    """ "This drink is service" (said of food or drink), "a service dessert"."""
    token = doc[first]
    if token.dep_ == "attr" and not any(c.dep_ == "det" for c in token.children):
        subject = next((c for c in token.head.children if c.dep_ == "nsubj"), None)
        return subject is not None and (subject.lower_ in _FOOD or subject.lower_ in ("this", "it", "that"))
    nxt = _after(doc, last)
    return token.dep_ in ("compound", "amod") and nxt is not None and nxt.lower_ in _FOOD


def _signature(doc: Doc, first: int, last: int) -> bool:
    token = doc[first]
    if token.pos_ != "NOUN" or _before(doc, first) not in ("my", "your", "his", "her", "their", "our"):
        return False
    if token.dep_ in ("attr", "nsubj"):
        return False  # "What's your sign?": a star sign
    return token.head.lemma_ in ("get", "have", "put", "write", "need", "give", "receive", "want", "ask")


def _cunning_noun(doc: Doc, first: int, last: int) -> bool:
    token = doc[first]
    return token.pos_ in ("NOUN", "VERB") and token.dep_ in ("dobj", "pobj", "nsubj", "ROOT", "xcomp")


def _driving(doc: Doc, first: int, last: int) -> bool:
    if not _has_owner(doc, first, last) or not _not_before_noun(doc, first, last):
        return False
    return any(t.lower_ in _DRIVING for t in doc[first].sent) and not any(
        t.lower_ in ("door", "knife", "bag", "cup", "pan") for t in doc[first].sent
    )


def _soda(doc: Doc, first: int, last: int) -> bool:
    return any(t.lower_ in _SODA for t in doc[first].sent)


def _gym(doc: Doc, first: int, last: int) -> bool:
    """ "I go to health every morning": "health" as a place, with no article."""
    token = doc[first]
    return (
        _before(doc, first) == "to"
        and token.head.head.lemma_ in ("go", "come")
        and _not_before_noun(doc, first, last)
    )


def _a_one_room(doc: Doc, first: int, last: int) -> bool:
    return _before(doc, first) == "a" and _not_before_noun(doc, first, last)


def _mart(doc: Doc, first: int, last: int) -> bool:
    return doc[first].text == "mart" and _before(doc, first) in ("the", "a", "to")


def _sharp(doc: Doc, first: int, last: int) -> bool:
    token = doc[first]
    return _owned_noun(doc, first, last) and token.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass")


def _apart(doc: Doc, first: int, last: int) -> bool:
    return _owned_noun(doc, first, last) and doc[first].dep_ in ("dobj", "pobj", "nsubj", "attr")


def _not_swimwear(doc: Doc, first: int, last: int) -> bool:
    nxt = _after(doc, last)
    return nxt is None or nxt.lower_ not in ("swimsuit", "swimsuits", "bathing", "swimwear", "suit")


def _blind(doc: Doc, first: int, last: int) -> bool:
    return True


_PHONE_EN = "In English it is a 'cell phone' (US), a 'mobile phone' (UK), or just a 'phone'."
_PHONE_KO = "영어로는 'cell phone'(미국), 'mobile phone'(영국) 또는 그냥 'phone'이라고 합니다."

ENTRIES: tuple[Entry, ...] = (
    Entry(("hand", "phone"), "cell phone", _PHONE_EN, _PHONE_KO),
    Entry(("hand", "phones"), "cell phones", _PHONE_EN, _PHONE_KO),
    Entry(("handphone",), "cell phone", _PHONE_EN, _PHONE_KO),
    Entry(("handphones",), "cell phones", _PHONE_EN, _PHONE_KO),
    Entry(("hand", "-", "phone"), "cell phone", _PHONE_EN, _PHONE_KO),
    Entry(
        ("eye", "shopping"),
        "window shopping",
        "Looking at shops without buying is 'window shopping' in English.",
        "'아이쇼핑'은 영어로 'window shopping'이라고 합니다.",
    ),
    Entry(
        ("fighting",),
        "Good luck",
        "'Fighting!' is a Korean cheer; in English say 'Good luck!' or 'You can do it!'.",
        "'파이팅!'은 한국식 응원입니다. 영어로는 'Good luck!'이나 'You can do it!'이라고 합니다.",
        _interjection,
    ),
    Entry(
        ("hwaiting",),
        "Good luck",
        "'Hwaiting!' is a Korean cheer; in English say 'Good luck!' or 'You can do it!'.",
        "'화이팅!'은 한국식 응원입니다. 영어로는 'Good luck!'이나 'You can do it!'이라고 합니다.",
        _interjection,
    ),
    Entry(
        ("one", "-", "piece"),
        "dress",
        "A 'one-piece' is a 'dress' in English (a one-piece is a swimsuit).",
        f"'원피스'는 영어로 'dress'라고 합니다. 영어의 {quoted('one-piece', '은/는')} 수영복을 뜻합니다.",
        _not_swimwear,
    ),
    Entry(
        ("notebook",),
        "laptop",
        "A portable computer is a 'laptop'; a 'notebook' is usually made of paper.",
        f"휴대용 컴퓨터는 영어로 'laptop'이라고 합니다. {quoted('notebook', '은/는')} 보통 공책을 뜻합니다.",
        _computer,
    ),
    Entry(
        ("skinship",),
        "physical affection",
        "Say 'physical affection' or 'physical contact'.",
        "'스킨십'은 영어로 'physical affection'이나 'physical contact'라고 합니다.",
    ),
    Entry(
        ("blind", "meeting"),
        "blind date",
        "Meeting someone you were set up with is a 'blind date'.",
        "'소개팅'이나 '미팅'은 영어로 'blind date'라고 합니다.",
        _blind,
    ),
    Entry(
        ("sogaeting",),
        "blind date",
        "Meeting someone you were set up with is a 'blind date'.",
        "'소개팅'은 영어로 'blind date'라고 합니다.",
    ),
    Entry(
        ("service",),
        "on the house",
        "Something the restaurant gives you for free is 'on the house' or 'free', not 'service'.",
        f"가게에서 무료로 주는 것은 {quoted('service', '이/가')} 아니라 'on the house'나 'free'라고 합니다.",
        _free_service,
    ),
    Entry(
        ("sign",),
        "signature",
        "Your name written by hand is a 'signature' (from a famous person: an 'autograph').",
        "손으로 쓴 이름은 'signature', 유명인의 사인은 'autograph'라고 합니다.",
        _signature,
    ),
    Entry(
        ("cunning",),
        "cheating",
        "Copying on a test is 'cheating'; 'cunning' means sly.",
        f"시험 부정행위는 'cheating'이라고 합니다. {quoted('cunning', '은/는')} '교활한'이라는 뜻입니다.",
        _cunning_noun,
    ),
    Entry(
        ("apart",),
        "apartment",
        "'Apart' is not short for 'apartment' in English.",
        f"'아파트'는 영어로 'apartment'라고 합니다. {quoted('apart', '은/는')} '떨어져'라는 뜻입니다.",
        _apart,
    ),
    Entry(
        ("officetel",),
        "studio apartment",
        "An 'officetel' is called a 'studio apartment' (or 'studio') in English.",
        "'오피스텔'은 영어로 'studio apartment'(또는 'studio')라고 합니다.",
    ),
    Entry(
        ("officetels",),
        "studio apartments",
        "An 'officetel' is called a 'studio apartment' (or 'studio') in English.",
        "'오피스텔'은 영어로 'studio apartment'(또는 'studio')라고 합니다.",
    ),
    Entry(
        ("hotchkiss",),
        "stapler",
        "A 'Hotchkiss' is a brand name; the tool is a 'stapler'.",
        "'호치키스'는 상표 이름이고, 영어로는 'stapler'라고 합니다.",
        _has_owner,
    ),
    Entry(
        ("cider",),
        "Sprite",
        "In English 'cider' is an apple drink; a lemon-lime soda is 'Sprite' or 'soda'.",
        f"영어의 {quoted('cider', '은/는')} 사과로 만든 음료입니다. "
        "한국의 '사이다'는 'Sprite'나 'soda'라고 합니다.",
        _soda,
    ),
    Entry(
        ("handle",),
        "steering wheel",
        "What you turn to drive a car is the 'steering wheel'.",
        "자동차의 '핸들'은 영어로 'steering wheel'이라고 합니다.",
        _driving,
    ),
    Entry(
        ("mart",),
        "supermarket",
        "A big food store is a 'supermarket' or 'grocery store'.",
        "'마트'는 영어로 'supermarket'이나 'grocery store'라고 합니다.",
        _mart,
    ),
    Entry(
        ("sharp",),
        "mechanical pencil",
        "A 'sharp' is a 'mechanical pencil' in English.",
        "'샤프'는 영어로 'mechanical pencil'이라고 합니다.",
        _sharp,
    ),
    Entry(
        ("one", "room"),
        "studio",
        "A one-room flat is a 'studio' (or 'studio apartment').",
        "'원룸'은 영어로 'studio'나 'studio apartment'라고 합니다.",
        _a_one_room,
    ),
    Entry(
        ("A", "/", "S"),
        "service",
        "Say 'repair service' or 'customer service' ('service center' for the place).",
        "영어로는 'repair service'나 'customer service'라고 하고, 수리하는 곳은 'service center'라고 합니다.",
        exact=True,
    ),
    Entry(
        ("health",),
        "the gym",
        "The place where you exercise is 'the gym' ('health' is being well).",
        f"'헬스장'은 영어로 'gym'이라고 합니다. {quoted('health', '은/는')} '건강'이라는 뜻입니다.",
        _gym,
    ),
    Entry(
        ("morning", "call"),
        "wake-up call",
        "A hotel's call to wake you is a 'wake-up call'.",
        "'모닝콜'은 영어로 'wake-up call'이라고 합니다.",
    ),
    Entry(
        ("wet", "tissue"),
        "wet wipe",
        "A 'wet tissue' is a 'wet wipe' in English.",
        "'물티슈'는 영어로 'wet wipe'라고 합니다.",
    ),
    Entry(
        ("wet", "tissues"),
        "wet wipes",
        "A 'wet tissue' is a 'wet wipe' in English.",
        "'물티슈'는 영어로 'wet wipe'라고 합니다.",
    ),
    Entry(
        ("gag", "man"),
        "comedian",
        "A 'gag man' is a 'comedian' in English.",
        "'개그맨'은 영어로 'comedian'이라고 합니다.",
    ),
    Entry(
        ("gagman",),
        "comedian",
        "A 'gag man' is a 'comedian' in English.",
        "'개그맨'은 영어로 'comedian'이라고 합니다.",
    ),
    Entry(
        ("gag", "show"),
        "comedy show",
        "A 'gag show' is a 'comedy show' in English.",
        "'개그 프로그램'은 영어로 'comedy show'라고 합니다.",
    ),
    Entry(
        ("SNS",),
        "social media",
        "English speakers say 'social media'.",
        f"{quoted('SNS', '은/는')} 영어권에서 잘 쓰지 않습니다. 'social media'라고 합니다.",
        exact=True,
    ),
    Entry(
        ("selca",),
        "selfie",
        "A photo of yourself is a 'selfie'.",
        "'셀카'는 영어로 'selfie'라고 합니다.",
    ),
    Entry(
        ("running", "machine"),
        "treadmill",
        "A 'running machine' is a 'treadmill' in English.",
        "'러닝머신'은 영어로 'treadmill'이라고 합니다.",
    ),
    Entry(
        ("back", "mirror"),
        "rearview mirror",
        "The mirror inside a car is the 'rearview mirror'.",
        "자동차의 '백미러'는 영어로 'rearview mirror'라고 합니다.",
    ),
    Entry(
        ("remocon",),
        "remote control",
        "A 'remocon' is a 'remote control' (or 'remote').",
        "'리모컨'은 영어로 'remote control'이나 'remote'라고 합니다.",
    ),
    Entry(
        ("concent",),
        "outlet",
        "Where you plug things in is an 'outlet' (US) or 'socket' (UK).",
        "'콘센트'는 영어로 'outlet'(미국)이나 'socket'(영국)이라고 합니다.",
    ),
)


def _dutch_pay(doc: Doc, token: Token) -> Finding | None:
    """ "Let's do dutch pay." → "Let's split the bill."."""
    if token.lower_ != "dutch" or token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "pay":
        return None
    first, fixed = token, "splitting the bill"
    before = doc[token.i - 1] if token.i > 0 else None
    if before is not None and before.lower_ in ("do", "go", "make"):
        first, fixed = before, "split the bill"
    return replace(
        doc,
        first.i,
        token.i + 1,
        fixed,
        "konglish",
        "'Dutch pay' is Konglish; say 'split the bill' (or 'go Dutch').",
        "'더치페이'는 콩글리시입니다. 영어로는 'split the bill'이나 'go Dutch'라고 합니다.",
        type="vocabulary",
    )


def _doing_cunning(doc: Doc, first: int, fixed: str) -> tuple[int, str]:
    """ "doing cunning" → "cheating", "did cunning" → "cheated": the verb goes with the noun."""
    before = doc[first - 1] if first > 0 else None
    if before is None or morphology.verb_lemma(before.lower_) != "do":
        return first, fixed
    form = {"VBG": "cheating", "VBD": "cheated", "VBZ": "cheats"}.get(before.tag_, "cheat")
    return first - 1, form


def _matches(doc: Doc, start: int, entry: Entry) -> bool:
    words = entry.words
    if start + len(words) > len(doc):
        return False
    for k, word in enumerate(words):
        token = doc[start + k]
        if (token.text if entry.exact else token.lower_) != word:
            return False
    return entry.check is None or entry.check(doc, start, start + len(words) - 1)


def _finding(doc: Doc, start: int, entry: Entry) -> Finding:
    last = start + len(entry.words) - 1
    first, fixed = start, entry.english
    if entry.words == ("cunning",):
        first, fixed = _doing_cunning(doc, start, fixed)
    article = doc[first - 1] if first > 0 else None
    if article is not None and article.lower_ in ("a", "an") and fixed[:1].islower():
        right = "an" if wants_an(fixed) else "a"
        if right != article.lower_:  # "an officetel" → "a studio apartment"
            first, fixed = article.i, f"{right} {fixed}"
    shown = doc[start : last + 1].text
    en = f"{quote(shown)} is Konglish. {entry.note_en}"
    ko = f"{quoted(shown, '은/는')} 콩글리시입니다. {entry.note_ko}"
    return replace(doc, first, last, fixed, "konglish", en, ko, type="vocabulary")


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        dutch = _dutch_pay(doc, token)
        if dutch is not None:
            found.append(dutch)
            continue
        for entry in ENTRIES:
            if _matches(doc, token.i, entry):
                found.append(_finding(doc, token.i, entry))
                break
    return found
