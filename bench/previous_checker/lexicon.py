"""Word tables the rules share: verbs with their forms, countable nouns, short adjectives.

The tables are small on purpose: a rule only fires on words it knows, which keeps precision high.
"""

from __future__ import annotations

from dataclasses import dataclass

# base: (past, past participle)
IRREGULAR: dict[str, tuple[str, str]] = {
    "go": ("went", "gone"),
    "see": ("saw", "seen"),
    "eat": ("ate", "eaten"),
    "drink": ("drank", "drunk"),
    "come": ("came", "come"),
    "take": ("took", "taken"),
    "make": ("made", "made"),
    "get": ("got", "gotten"),
    "have": ("had", "had"),
    "do": ("did", "done"),
    "give": ("gave", "given"),
    "buy": ("bought", "bought"),
    "bring": ("brought", "brought"),
    "think": ("thought", "thought"),
    "teach": ("taught", "taught"),
    "catch": ("caught", "caught"),
    "write": ("wrote", "written"),
    "read": ("read", "read"),
    "run": ("ran", "run"),
    "swim": ("swam", "swum"),
    "sing": ("sang", "sung"),
    "speak": ("spoke", "spoken"),
    "meet": ("met", "met"),
    "tell": ("told", "told"),
    "say": ("said", "said"),
    "know": ("knew", "known"),
    "find": ("found", "found"),
    "leave": ("left", "left"),
    "feel": ("felt", "felt"),
    "sleep": ("slept", "slept"),
    "keep": ("kept", "kept"),
    "begin": ("began", "begun"),
    "break": ("broke", "broken"),
    "choose": ("chose", "chosen"),
    "drive": ("drove", "driven"),
    "ride": ("rode", "ridden"),
    "fly": ("flew", "flown"),
    "forget": ("forgot", "forgotten"),
    "lose": ("lost", "lost"),
    "win": ("won", "won"),
    "send": ("sent", "sent"),
    "spend": ("spent", "spent"),
    "sit": ("sat", "sat"),
    "stand": ("stood", "stood"),
    "understand": ("understood", "understood"),
    "wear": ("wore", "worn"),
    "pay": ("paid", "paid"),
    "sell": ("sold", "sold"),
    "hear": ("heard", "heard"),
    "build": ("built", "built"),
    "draw": ("drew", "drawn"),
    "fall": ("fell", "fallen"),
    "grow": ("grew", "grown"),
    "hold": ("held", "held"),
    "lend": ("lent", "lent"),
    "put": ("put", "put"),
    "cut": ("cut", "cut"),
    "hit": ("hit", "hit"),
    "steal": ("stole", "stolen"),
    "wake": ("woke", "woken"),
    "become": ("became", "become"),
    "throw": ("threw", "thrown"),
}
REGULAR = [
    "like",
    "want",
    "play",
    "watch",
    "walk",
    "talk",
    "visit",
    "work",
    "live",
    "study",
    "cook",
    "clean",
    "call",
    "help",
    "start",
    "finish",
    "stay",
    "open",
    "close",
    "listen",
    "look",
    "love",
    "need",
    "try",
    "use",
    "wash",
    "enjoy",
    "decide",
    "hope",
    "stop",
    "arrive",
    "dance",
    "learn",
    "miss",
    "ask",
    "answer",
    "change",
    "climb",
    "cry",
    "wait",
    "worry",
    "jump",
    "rain",
    "smile",
    "laugh",
    "agree",
    "explain",
    "practice",
    "hate",
    "prefer",
    "plan",
    "shop",
    "chat",
    "move",
    "cook",
    "borrow",
    "order",
    "travel",
    "remember",
    "believe",
    "fix",
    "paint",
]
_DOUBLING = {
    "stop": "stopp",
    "plan": "plann",
    "prefer": "preferr",
    "shop": "shopp",
    "chat": "chatt",
    "swim": "swimm",
    "run": "runn",
    "sit": "sitt",
    "get": "gett",
    "put": "putt",
    "cut": "cutt",
    "hit": "hitt",
    "win": "winn",
    "begin": "beginn",
    "forget": "forgett",
    "travel": "travel",
}


@dataclass(frozen=True, slots=True)
class Verb:
    base: str
    third: str
    past: str
    participle: str
    ing: str


def _third(base: str) -> str:
    if base in {"have"}:
        return "has"
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        return base + "es"
    if base.endswith("y") and base[-2] not in "aeiou":
        return base[:-1] + "ies"
    return base + "s"


def _regular_past(base: str) -> str:
    if base in _DOUBLING and base != "travel":
        return _DOUBLING[base] + "ed"
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2] not in "aeiou":
        return base[:-1] + "ied"
    return base + "ed"


def _ing(base: str) -> str:
    if base in _DOUBLING:
        return _DOUBLING[base] + "ing"
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "ye", "oe")):
        return base[:-1] + "ing"
    return base + "ing"


def _build() -> dict[str, Verb]:
    verbs: dict[str, Verb] = {}
    for base, (past, participle) in IRREGULAR.items():
        verbs[base] = Verb(base, _third(base), past, participle, _ing(base))
    verbs["do"] = Verb("do", "does", "did", "done", "doing")
    verbs["go"] = Verb("go", "goes", "went", "gone", "going")
    for base in REGULAR:
        past = _regular_past(base)
        verbs[base] = Verb(base, _third(base), past, past, _ing(base))
    return verbs


VERBS: dict[str, Verb] = _build()
BY_THIRD: dict[str, Verb] = {v.third: v for v in VERBS.values()}
BY_PAST: dict[str, Verb] = {v.past: v for v in VERBS.values()}
BY_ING: dict[str, Verb] = {v.ing: v for v in VERBS.values()}

SUBJECTS_3SG = frozenset({"he", "she", "it"})
SUBJECTS_OTHER = frozenset({"i", "you", "we", "they"})
SUBJECTS = SUBJECTS_3SG | SUBJECTS_OTHER
MODALS = frozenset({"can", "could", "will", "would", "shall", "should", "may", "might", "must"})
AUXILIARIES = MODALS | frozenset(
    {
        "do",
        "does",
        "did",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "won't",
        "couldn't",
        "wouldn't",
        "shouldn't",
        "to",
        "let",
        "make",
        "makes",
        "made",
        "help",
        "helps",
        "that",
        "not",
        "cannot",
        "and",
        "or",
        "if",
    }
)

# singular: plural, for countable nouns a rule may pluralise.
COUNTABLE: dict[str, str] = {
    n: n + "s"
    for n in [
        "dog",
        "cat",
        "book",
        "car",
        "friend",
        "apple",
        "student",
        "teacher",
        "brother",
        "sister",
        "day",
        "year",
        "week",
        "month",
        "hour",
        "minute",
        "house",
        "room",
        "pen",
        "pencil",
        "chair",
        "table",
        "bird",
        "flower",
        "game",
        "movie",
        "song",
        "picture",
        "photo",
        "question",
        "idea",
        "problem",
        "shirt",
        "shoe",
        "ticket",
        "computer",
        "phone",
        "cup",
        "egg",
        "banana",
        "orange",
        "language",
        "country",
        "city",
        "job",
        "bag",
        "toy",
        "girl",
        "boy",
        "egg",
        "bottle",
        "window",
        "door",
        "street",
        "restaurant",
        "lesson",
        "class",
        "ball",
        "mother",
        "father",
        "son",
        "daughter",
        "husband",
        "uncle",
        "aunt",
        "cousin",
        "grandmother",
        "grandfather",
        "parent",
        "kid",
        "boss",
        "classmate",
        "roommate",
        "neighbor",
        "coworker",
        "colleague",
        "vegetable",
        "animal",
        "place",
        "thing",
        "word",
        "sentence",
        "store",
        "shop",
        "museum",
        "river",
        "mountain",
        "singer",
        "actor",
        "team",
        "plan",
        "trip",
        "drama",
        "show",
    ]
}
COUNTABLE.update(
    {
        "child": "children",
        "person": "people",
        "man": "men",
        "woman": "women",
        "foot": "feet",
        "tooth": "teeth",
        "mouse": "mice",
        "box": "boxes",
        "bus": "buses",
        "watch": "watches",
        "dish": "dishes",
        "glass": "glasses",
        "baby": "babies",
        "story": "stories",
        "family": "families",
        "city": "cities",
        "country": "countries",
        "party": "parties",
        "dress": "dresses",
        "sandwich": "sandwiches",
        "potato": "potatoes",
        "tomato": "tomatoes",
        "knife": "knives",
        "leaf": "leaves",
        "wife": "wives",
        "class": "classes",
        "hobby": "hobbies",
        "library": "libraries",
        "company": "companies",
        "lady": "ladies",
        "beach": "beaches",
        "church": "churches",
    }
)
PLURALS = frozenset(COUNTABLE.values())

UNCOUNTABLE = frozenset(
    [
        "information",
        "advice",
        "furniture",
        "equipment",
        "homework",
        "luggage",
        "baggage",
        "knowledge",
        "feedback",
        "software",
        "traffic",
        "money",
        "music",
        "bread",
        "rice",
        "water",
        "news",
        "weather",
    ]
)

# adjective: (comparative, superlative)
ADJECTIVES: dict[str, tuple[str, str]] = {
    "good": ("better", "best"),
    "bad": ("worse", "worst"),
    "far": ("farther", "farthest"),
    "big": ("bigger", "biggest"),
    "hot": ("hotter", "hottest"),
    "fat": ("fatter", "fattest"),
    "thin": ("thinner", "thinnest"),
    "sad": ("sadder", "saddest"),
    "wet": ("wetter", "wettest"),
    "easy": ("easier", "easiest"),
    "happy": ("happier", "happiest"),
    "busy": ("busier", "busiest"),
    "early": ("earlier", "earliest"),
    "heavy": ("heavier", "heaviest"),
    "pretty": ("prettier", "prettiest"),
    "funny": ("funnier", "funniest"),
    "angry": ("angrier", "angriest"),
    "lucky": ("luckier", "luckiest"),
    "healthy": ("healthier", "healthiest"),
    "nice": ("nicer", "nicest"),
    "large": ("larger", "largest"),
    "late": ("later", "latest"),
    "safe": ("safer", "safest"),
    "wide": ("wider", "widest"),
    "simple": ("simpler", "simplest"),
}
for _adj in [
    "small",
    "tall",
    "short",
    "old",
    "young",
    "fast",
    "slow",
    "cheap",
    "long",
    "cold",
    "warm",
    "high",
    "low",
    "strong",
    "smart",
    "hard",
    "near",
    "new",
    "rich",
    "poor",
    "clean",
    "quick",
    "quiet",
    "deep",
    "dark",
    "bright",
    "kind",
    "great",
    "old",
    "cool",
    "fresh",
]:
    ADJECTIVES[_adj] = (_adj + "er", _adj + "est")
COMPARATIVES = frozenset(c for c, _ in ADJECTIVES.values()) | {"more", "less"}
SUPERLATIVES = frozenset(s for _, s in ADJECTIVES.values())
