"""The scripted tutor's answers to what the learner asks it: "What's your name?", "Do you like
coffee?", "And you?". A short, plausible answer of a friendly tutor called Sam who lives in Seoul;
the conversation then goes on with the tutor's next question.

Speech recognition leaves out question marks, so a question is also known by how it starts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from framecast.core.text import is_hangul, word_set
from framecast.tutor.echoes import like_object
from framecast.tutor.phrases import Phrase
from framecast.tutor.script_questions import Question

TUTOR_NAME = "Sam"


_WH = word_set("what where when who whom whose why how which")
_AUX = word_set("do does did are is am was were can could will would have has should shall may")
_AFTER_AUX = word_set("you i we they it he she there your this that the a an my")

# What the tutor thinks of things the learner asks it about ("Do you like coffee?").
_LIKES: dict[str, str] = {
    "coffee": "Yes, I love coffee! I have a cup every morning.",
    "tea": "Yes, I like tea, especially green tea.",
    "music": "Yes, I love music, mostly jazz and some K-pop.",
    "k-pop": "Yes, I like K-pop, the songs are so catchy!",
    "kpop": "Yes, I like K-pop, the songs are so catchy!",
    "movies": "Yes, I love movies, especially comedies.",
    "films": "Yes, I love films, especially comedies.",
    "dogs": "Yes, I love dogs, they are so friendly.",
    "cats": "Cats are cute, but I'm more of a dog person.",
    "kimchi": "Yes, I love kimchi, especially in kimchi stew.",
    "korean food": "Yes, I love Korean food, bibimbap is my favorite.",
    "pizza": "Yes, pizza is one of my favorite foods.",
    "travel": "Yes, I love to travel, I go somewhere new every year.",
    "traveling": "Yes, I love traveling, I go somewhere new every year.",
    "travelling": "Yes, I love travelling, I go somewhere new every year.",
    "soccer": "I like watching soccer, but I'm not very good at it.",
    "football": "I like watching football, but I'm not very good at it.",
    "sports": "I like sports, especially tennis.",
    "reading": "Yes, I love reading, I always have a book with me.",
    "books": "Yes, I love books, I always have one with me.",
    "cooking": "Yes, I love cooking, I make pasta every Sunday.",
    "rain": "I like rain when I'm at home with a good book.",
    "summer": "I like summer, but I prefer autumn.",
    "winter": "I like winter, especially when it snows.",
    "english": "Of course, I love English, that's why I teach it!",
    "korea": "Yes, I love Korea, especially the food.",
    "seoul": "Yes, I love Seoul, there's always something to do.",
    "your job": "Yes, I love my job, I meet great learners like you.",
    "your work": "Yes, I love my work, I meet great learners like you.",
    "me": "Of course, I really enjoy talking with you!",
    "talking with me": "Of course, I really enjoy talking with you!",
}
_FAVORITES: dict[str, str] = {
    "food": "My favorite food is bibimbap.",
    "color": "My favorite color is blue.",
    "colour": "My favorite colour is blue.",
    "movie": "My favorite movie is Parasite.",
    "film": "My favorite film is Parasite.",
    "season": "My favorite season is autumn.",
    "song": "I love lots of songs, but jazz is my favorite music.",
    "music": "My favorite music is jazz.",
    "singer": "I really like IU.",
    "sport": "My favorite sport is tennis.",
    "book": "My favorite book is The Little Prince.",
    "animal": "My favorite animal is the dog.",
    "drink": "My favorite drink is coffee.",
    "fruit": "My favorite fruit is the apple.",
    "place": "My favorite place is the park near the river.",
    "city": "My favorite city is Seoul.",
    "country": "I love Korea, of course!",
    "day": "My favorite day is Saturday.",
    "hobby": "My favorite hobby is cooking.",
}
# Asking the tutor back, alone or after the learner's own answer: "I like tea, and you?".
_AND_YOU = re.compile(r"(^|\W)(and you|what about you|how about you|and yourself)\s*\??\s*$|^you\s*\?$")
_GO_AHEAD = "Of course, go ahead!"
_UNSURE = (
    "Hmm, good question! I'm not really sure.",
    "That's a tricky one, I don't really know!",
    "Good question, I'd have to think about that one!",
)


@dataclass(frozen=True)
class Answer:
    text: str
    ask_back: bool = False  # the learner can be asked the same ("What about you?")
    then_ask: bool = True  # the tutor asks its next question after it (not after "go ahead")


# Questions that make sense asked back to the learner once the tutor has answered them.
_ASK_BACK = re.compile(
    r"\bhow are (you|u)\b|\bhow's it going\b|\bhow('s| is) your (day|week|weekend)\b|\bwhat do you like\b"
    r"|\bfavou?rite\b|\bdo you (really )?(like|love|enjoy)\b"
    r"|\bwhere (are you from|do you live|do you come from)\b"
    r"|\bdo you have\b|\bwhat do you (usually )?do\b|\bhobbies\b|\bwhat did you (do|eat|have)\b"
    r"|\bhave you (ever )?(been|visited|tried|eaten)\b"
)


def is_question(text: str) -> bool:
    """Whether ``text`` (lower case) asks something: a question mark, or a question's first words."""
    if text.rstrip().endswith("?"):
        return True
    words = re.findall(r"[a-z']+", text)
    if not words:
        return False
    if words[0] in _WH or (words[0] in ("what's", "where's", "how's", "who's")):
        return True
    return words[0] in _AUX and len(words) > 1 and words[1] in _AFTER_AUX


def answer(
    said: str, text: str, last_question: Question | None, phrases: Sequence[Phrase], turn: int
) -> Answer | None:
    """The tutor's answer to what the learner asked (``text`` is ``said`` in lower case, with
    straight apostrophes), or None when nothing was asked. ``last_question`` is the tutor's last
    question, answered for "And you?"; ``phrases`` let "How do you say ... in English?" be answered."""
    if _AND_YOU.search(text):
        # "I'm fine, and you?": the tutor's own answer to its question, else the statement counts.
        if last_question is None or last_question.answer is None:
            return None
        return Answer(last_question.answer)
    special = _special(said, text, phrases)
    if special is not None:
        if special == _GO_AHEAD:
            return Answer(special, then_ask=False)
        return Answer(special, ask_back=bool(_ASK_BACK.search(text)))
    if is_question(text):
        return Answer(_UNSURE[turn % len(_UNSURE)])
    return None


def _special(said: str, text: str, phrases: Sequence[Phrase]) -> str | None:
    if re.search(
        r"\b(how are (you|u)|how's it going|how is it going|how have you been|how do you do)\b", text
    ):
        return "I'm doing great, thanks for asking!"
    if re.search(r"\bhow('s| is) your (day|week|weekend)\b", text):
        return "It's going really well, thank you!"
    if re.search(r"\b(what's|what is) your name\b|\bwho are you\b|\byour name\b", text):
        return f"My name is {TUTOR_NAME}, and I'm your English tutor."
    if re.search(r"\bwhere (are you from|do you come from|were you born)\b", text):
        return "I'm from Canada, but I live in Seoul now."
    if re.search(r"\bwhere do you live\b", text):
        return "I live in Seoul, near a big park."
    if re.search(r"\bhow old are you\b", text):
        return "I'm a virtual tutor, so I don't really have an age!"
    if re.search(r"\bare you (a |an )?(robot|human|real|person|ai|computer|machine|bot)\b", text):
        return "I'm a virtual tutor, a computer program, but I really enjoy our chats!"
    if re.search(r"\b(what do you do( for (work|a living))?|what's your job|what is your job)\s*\??$", text):
        return "I'm an English tutor, and I love my job!"
    if re.search(
        r"\bwhat do you like( to do)?( in your free time| for fun)?\s*\??$|\bwhat are your hobbies\b"
        r"|\bdo you have (any )?hobbies\b|\bwhat do you do (for fun|in your free time)\b",
        text,
    ):
        return "I like reading, cooking and long walks."
    if re.search(
        r"\bwhat do you (usually )?do (on|at|in|during) (the )?(weekends?|evenings?|holidays?)\b", text
    ):
        return "I like to go hiking, or cook something new."
    favorite = re.search(r"\b(?:what's|what is|what are) your (?:favorite|favourite) ([a-z-]+)", text)
    if favorite:
        thing = favorite.group(1).rstrip("s") if favorite.group(1) != "music" else "music"
        return _FAVORITES.get(thing, "I have too many favorites to choose just one!")
    liked = re.search(r"\bdo you (?:really )?(like|love|enjoy) (.+?)\s*\??$", text)
    if liked:
        return _about_liking(said, liked.group(2))
    if re.search(r"\b(can|do) you (speak|know|understand) korean\b", text):
        return "Only a little! Let's practise English together."
    if re.search(r"\bdo you have (a |any )?(pets?|dogs?|cats?)\b", text):
        return "I don't have a pet, but I'd love a dog."
    if re.search(r"\bdo you have (any )?(brothers?|sisters?|siblings|family|kids|children)\b", text):
        return "I have one sister, and she lives in Canada."
    if re.search(
        r"\bhave you (ever )?(been|gone|traveled|travelled) to\b|\bhave you (ever )?visited\b", text
    ):
        return "Not yet, but I'd love to go!"
    if re.search(r"\bhave you (ever )?(tried|eaten|had)\b", text):
        return "Yes, and I really liked it!"
    if re.search(r"\bwhat did you (eat|have) (for )?(breakfast|lunch|dinner)?\b", text):
        return "I had kimbap, it was delicious."
    if re.search(r"\bwhat did you do\b", text):
        return "I chatted with lots of learners, like you!"
    if re.search(r"\bwhat time is it\b|\bwhat day is (it|today)\b|\bwhat's the date\b", text):
        return "I can't see a clock from here, but your screen can tell you!"
    if re.search(r"\b(what's|what is|how's|how is) the weather\b", text):
        return "I can't see outside, but I hope it's nice where you are!"
    if re.search(r"\bare you (busy|tired|happy|ok|okay|fine|good|well)\b", text):
        return "I'm fine, thank you! I'm never too busy to chat."
    if re.search(r"\b(can|could|will|would) you (please )?help\b|\bhelp me\b|\bneed (your )?help\b", text):
        return "Of course I can help you, that's what I'm here for!"
    if re.search(r"^(can|could|may) (i|we) (ask|talk|practice|practise|speak|try)\b", text):
        return _GO_AHEAD
    return _in_english(said, text, phrases)


def _about_liking(said: str, thing: str) -> str:
    key = " ".join(re.findall(r"[a-z-]+", thing))
    if key in _LIKES:
        return _LIKES[key]
    original = re.search(re.escape(thing), said, re.IGNORECASE)
    quoted = like_object((original.group(0) if original else thing).split())
    if quoted is not None and "you" not in quoted.lower().split():
        return f"Yes, I really like {quoted}!"
    return "Yes, I do, very much!"


def _in_english(said: str, text: str, phrases: Sequence[Phrase]) -> str | None:
    """ "How do you say 기차역이 어디예요 in English?": the practice phrase with that Korean text."""
    if not re.search(r"\bin english\b|영어로", text):
        return None
    korean = "".join(ch for ch in said if is_hangul(ch))
    if not korean:
        return None
    for phrase in phrases:
        if "".join(ch for ch in phrase.korean if is_hangul(ch)) == korean:
            return f"In English, we say: '{phrase.english}'"
    return "I'm not sure about that one. Try to describe it with easy English words!"
