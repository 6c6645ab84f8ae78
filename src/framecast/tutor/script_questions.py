"""The scripted tutor's questions: by topic and level, for free conversation, and follow-ups on what
the learner said. Each has a simpler wording (said when the learner does not understand) and the
tutor's own short answer (said when the learner asks "And you?", or offered as an example answer).

Every text is the tutor's own English: short, spoken by a TTS voice, no Korean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Question:
    text: str
    simple: str  # the same question in fewer, easier words
    # The tutor's own answer, first person, short enough to be an example; None for a question
    # that has no answer of its own ("Can you tell me more about that?").
    answer: str | None


def _q(*rows: tuple[str, str, str | None]) -> tuple[Question, ...]:
    return tuple(Question(*row) for row in rows)


TOPIC_QUESTIONS: dict[str, dict[str, tuple[Question, ...]]] = {
    "greeting": {
        "beginner": _q(
            ("How are you today?", "How are you?", "I'm great, thank you."),
            ("Where are you from?", "Where is your home?", "I'm from Canada, but I live in Seoul now."),
            (
                "What do you say when you meet a friend?",
                "What do you say to a friend?",
                "I usually just say hi and smile.",
            ),
        ),
        "intermediate": _q(
            (
                "How would you introduce yourself to a new coworker?",
                "What do you say to a new coworker?",
                "I'd say hi, tell them my name and ask theirs.",
            ),
            (
                "How do people usually greet each other in Korea?",
                "In Korea, how do people say hello?",
                "I know people often bow a little in Korea.",
            ),
            (
                "Who was the last new person you met?",
                "Did you meet a new person this week?",
                "The last new person I met was a learner like you!",
            ),
        ),
        "advanced": _q(
            (
                "What makes a good first impression, in your opinion?",
                "What makes a good first meeting?",
                "I think a warm smile makes a great first impression.",
            ),
            (
                "How do greetings change between formal and casual situations?",
                "Do you greet your boss like a friend?",
                "With friends I say hey, but at work I say good morning.",
            ),
            (
                "Have you ever had an awkward moment meeting someone new?",
                "Did you ever feel shy with new people?",
                "Once I forgot someone's name right after they told me!",
            ),
        ),
    },
    "daily_life": {
        "beginner": _q(
            ("What time do you usually get up?", "When do you get up?", "I usually get up at seven."),
            ("What do you eat for breakfast?", "What is your breakfast?", "I usually have toast and coffee."),
            ("What do you do in the evening?", "What do you do at night?", "In the evening I cook and read."),
        ),
        "intermediate": _q(
            (
                "What does a typical weekday look like for you?",
                "What do you do on a normal day?",
                "On a normal day I teach, eat lunch and go for a walk.",
            ),
            (
                "How do you usually get to work or school?",
                "Do you take the bus to work or school?",
                "I usually take the subway.",
            ),
            (
                "Which chores do you dislike the most?",
                "What housework do you not like?",
                "I really don't like washing the dishes.",
            ),
        ),
        "advanced": _q(
            (
                "What habit would you most like to change in your daily routine?",
                "What do you want to do differently every day?",
                "I'd like to stop looking at my phone in bed.",
            ),
            (
                "How do you balance work and free time?",
                "Do you have enough free time after work?",
                "I try not to work after seven in the evening.",
            ),
            (
                "What small thing makes your day better?",
                "What little thing makes you happy every day?",
                "A good cup of coffee always makes my day better.",
            ),
        ),
    },
    "work": {
        "beginner": _q(
            ("What do you do for work?", "What is your job?", "I'm an English tutor."),
            ("Do you like your job?", "Is your job fun?", "Yes, I love my job."),
            ("What time do you start work?", "When does your work start?", "I start work at nine."),
        ),
        "intermediate": _q(
            (
                "What do you enjoy most about your job?",
                "What is the best part of your job?",
                "I enjoy meeting new learners every day.",
            ),
            (
                "What does a busy day at work look like for you?",
                "What do you do on a busy work day?",
                "On a busy day I talk with learners from morning to night.",
            ),
            (
                "How do you get along with your coworkers?",
                "Do you like the people at your work?",
                "I get along well with my coworkers.",
            ),
        ),
        "advanced": _q(
            (
                "How do you handle a tight deadline?",
                "What do you do with very little time?",
                "I make a short list and do the most important thing first.",
            ),
            (
                "What would your dream job look like?",
                "What job do you want most?",
                "My dream job is the one I have, with more holidays!",
            ),
            (
                "How has your field changed in the last few years?",
                "Is your work different now?",
                "More people learn English online now.",
            ),
        ),
    },
    "travel": {
        "beginner": _q(
            ("Do you like to travel?", "Do you like trips?", "Yes, I love to travel."),
            ("Where do you want to go next?", "Where do you want to visit?", "I want to go to Jeju Island."),
            (
                "Do you like trains or planes?",
                "Train or plane, which do you like?",
                "I like trains, because I can look out of the window.",
            ),
        ),
        "intermediate": _q(
            (
                "Where did you go on your last trip?",
                "Where was your last trip?",
                "My last trip was to Busan.",
            ),
            (
                "What do you always pack in your suitcase?",
                "What do you always take on a trip?",
                "I always pack a good book.",
            ),
            (
                "Do you prefer the beach or the mountains?",
                "Beach or mountains, which do you like?",
                "I prefer the mountains.",
            ),
        ),
        "advanced": _q(
            (
                "What's the most memorable trip you've ever taken?",
                "What was your best trip?",
                "My best trip was a train ride across Canada.",
            ),
            (
                "How do you usually plan a trip abroad?",
                "How do you plan a big trip?",
                "I read about the place and book a hotel early.",
            ),
            (
                "What would you recommend to a tourist visiting Korea?",
                "What should a visitor do in Korea?",
                "I'd tell them to try the street food in Seoul.",
            ),
        ),
    },
    "shopping": {
        "beginner": _q(
            ("Do you like shopping?", "Is shopping fun for you?", "I like shopping for books."),
            ("What did you buy last?", "What did you buy this week?", "I bought a new mug last week."),
            ("Where do you buy clothes?", "Where do you get your clothes?", "I usually buy clothes online."),
        ),
        "intermediate": _q(
            (
                "Do you prefer shopping online or in stores?",
                "Do you shop online or in shops?",
                "I prefer shopping in stores, so I can see things.",
            ),
            (
                "What was the last gift you bought for someone?",
                "What present did you buy last?",
                "I bought flowers for a friend's birthday.",
            ),
            (
                "How do you find good deals?",
                "How do you find cheap things?",
                "I wait for sales and compare prices online.",
            ),
        ),
        "advanced": _q(
            (
                "Have you ever regretted buying something expensive?",
                "Did you ever feel bad after buying something?",
                "I once bought an expensive coat and never wore it.",
            ),
            (
                "How do you decide whether something is worth the price?",
                "How do you know a price is good?",
                "I ask myself if I will use it every week.",
            ),
            (
                "How has online shopping changed the way you buy things?",
                "Do you buy more things online now?",
                "I buy more things online, but I think less about them.",
            ),
        ),
    },
    "health": {
        "beginner": _q(
            ("Do you exercise?", "Do you do sports?", "I go for a walk every day."),
            ("Do you sleep well?", "Is your sleep good?", "I sleep well, about seven hours."),
            (
                "What healthy food do you like?",
                "What good food do you like?",
                "I like fruit, especially apples.",
            ),
        ),
        "intermediate": _q(
            (
                "What do you do to stay healthy?",
                "How do you stay healthy?",
                "I walk a lot and eat many vegetables.",
            ),
            (
                "How do you feel when you don't get enough sleep?",
                "How do you feel after a short night?",
                "I feel tired and a bit grumpy.",
            ),
            (
                "What do you do when you catch a cold?",
                "What do you do when you are sick?",
                "I drink hot tea and rest a lot.",
            ),
        ),
        "advanced": _q(
            (
                "How do you deal with stress?",
                "What do you do when you feel stressed?",
                "I go for a long walk when I feel stressed.",
            ),
            (
                "What's one health habit you've been trying to build?",
                "What healthy thing do you want to do more?",
                "I'm trying to drink more water.",
            ),
            (
                "Do you think people today are healthier than in the past?",
                "Are people healthier now than before?",
                "I think we live longer, but we sit too much.",
            ),
        ),
    },
    "opinions": {
        "beginner": _q(
            (
                "What is your favorite movie?",
                "What movie do you like best?",
                "My favorite movie is Parasite.",
            ),
            (
                "Do you like cats or dogs?",
                "Cats or dogs, which do you like?",
                "I like dogs, they are so friendly.",
            ),
            ("What food do you like best?", "What is your favorite food?", "I love bibimbap."),
        ),
        "intermediate": _q(
            (
                "Would you rather live in a city or in the countryside?",
                "Do you want to live in a city?",
                "I'd rather live in the city.",
            ),
            (
                "What do you think about working from home?",
                "Do you like to work at home?",
                "I like it, but I miss my coworkers.",
            ),
            (
                "Is it better to read the book or watch the movie?",
                "Book or movie, which is better?",
                "I think the book is usually better.",
            ),
        ),
        "advanced": _q(
            (
                "What's an opinion you've changed over the years?",
                "What did you think before, but not now?",
                "I used to hate vegetables, but now I love them.",
            ),
            (
                "Do you think technology makes us happier?",
                "Do phones and computers make us happy?",
                "I think it helps, but too much screen time doesn't.",
            ),
            (
                "What's something most people like that you don't?",
                "What do other people like, but you don't?",
                "Most people love summer, but I prefer autumn.",
            ),
        ),
    },
    "small_talk": {
        "beginner": _q(
            ("How is the weather today?", "Is it sunny or rainy today?", "It's sunny here today."),
            (
                "What did you do last weekend?",
                "What did you do on Saturday or Sunday?",
                "Last weekend I went hiking.",
            ),
            (
                "Do you have any hobbies?",
                "What do you like to do for fun?",
                "My hobbies are reading and cooking.",
            ),
        ),
        "intermediate": _q(
            (
                "Have you watched anything good lately?",
                "Did you see a good show this week?",
                "I watched a funny Korean drama.",
            ),
            (
                "What are your plans for this weekend?",
                "What will you do this weekend?",
                "This weekend I want to visit a museum.",
            ),
            (
                "What's the best café near you?",
                "Is there a good café near your home?",
                "There's a small café near me with great cake.",
            ),
        ),
        "advanced": _q(
            (
                "What's been keeping you busy lately?",
                "What do you do a lot these days?",
                "Lately I've been busy learning to cook.",
            ),
            (
                "What's something interesting you've learned recently?",
                "What new thing did you learn this week?",
                "I learned that octopuses have three hearts.",
            ),
            (
                "If you had a free day tomorrow, how would you spend it?",
                "What do you do on a free day?",
                "I would sleep late and then go to the park.",
            ),
        ),
    },
}

# Free conversation: the opening question by level, then everyday questions for any level.
FREE_OPENINGS: dict[str, Question] = {
    "beginner": Question("How are you today?", "How are you?", "I'm great, thank you."),
    "intermediate": Question(
        "How has your day been so far?", "Is your day good?", "My day has been good so far."
    ),
    "advanced": Question(
        "What's been on your mind lately?",
        "What do you think about these days?",
        "I've been thinking about my next trip.",
    ),
}
EVERYDAY = _q(
    (
        "What do you like to do on weekends?",
        "What do you do on weekends?",
        "On weekends I like to go hiking.",
    ),
    ("What kind of music do you like?", "What music do you like?", "I like jazz and some K-pop."),
    ("What did you have for lunch today?", "What was your lunch?", "I had kimbap for lunch."),
    ("What's your favorite season?", "Do you like summer or winter?", "My favorite season is autumn."),
    ("Do you have any pets?", "Do you have a dog or a cat?", "I don't have a pet, but I'd love a dog."),
    (
        "What are you looking forward to this week?",
        "What good thing is coming this week?",
        "I'm looking forward to Friday!",
    ),
    (
        "What's your favorite place in your city?",
        "What place in your city do you like?",
        "I love the park near the river.",
    ),
)

# Follow-ups on what the learner just said, by what it was about.
FOLLOW_UPS: dict[str, tuple[Question, ...]] = {
    "liking": _q(
        ("What do you like most about it?", "Why do you like it?", "I like it because it's fun."),
        ("How did you get into it?", "When did you start to like it?", "I started when I was a child."),
    ),
    "past": _q(
        ("What was the best part?", "What did you like best?", "The best part was the food."),
        ("Who did you go with?", "Were you with a friend?", "I went with a good friend."),
    ),
    "good": _q(
        ("What made it so good?", "Why is it good?", "The sun was out, so I was happy."),
    ),
    "bad": _q(
        ("What happened?", "Why?", "I had too much work."),
        ("What usually helps you feel better?", "What makes you feel better?", "A walk usually helps me."),
    ),
    "opinion": _q(
        ("Why do you think so?", "Why?", "Because that's what I've seen in my own life."),
    ),
    "any": _q(
        ("Can you tell me more about that?", "Tell me more, please.", None),
        ("What else can you tell me about it?", "Tell me one more thing, please.", None),
    ),
}

# Invitations that move on when every question has been asked: no question, nothing to repeat.
INVITATIONS = (
    "Tell me about anything you like, I'm listening.",
    "You choose the next topic, tell me anything.",
    "Tell me something about your week.",
)

_PUNCT = re.compile(r"[^a-z0-9' ]+")


def normalized(question: str) -> str:
    """A question in a form that compares equal however it is punctuated or capitalised."""
    return " ".join(_PUNCT.sub(" ", question.lower().replace("\u2019", "'")).split())


def candidates(topic: str | None, difficulty: str) -> Iterator[Question]:
    """The questions a lesson may ask, best first: its topic (or free conversation) at its level,
    then easier levels, everyday questions and harder levels; then, so that a long session never
    runs out, the other topics' questions at its level and at the others."""
    order = {
        "beginner": ("beginner", "everyday", "intermediate", "advanced"),
        "intermediate": ("intermediate", "beginner", "everyday", "advanced"),
        "advanced": ("advanced", "intermediate", "beginner", "everyday"),
    }[difficulty]
    for level in order:
        if level == "everyday":
            yield from EVERYDAY
        elif topic in TOPIC_QUESTIONS:
            yield from TOPIC_QUESTIONS[topic][level]
        else:
            yield FREE_OPENINGS[level]
    for level in (difficulty, *(level for level in order if level not in (difficulty, "everyday"))):
        for other, cells in TOPIC_QUESTIONS.items():
            if other != topic:
                yield from cells[level]


@cache
def _known() -> dict[str, Question]:
    every: list[Question] = []
    for cells in TOPIC_QUESTIONS.values():
        for questions in cells.values():
            every.extend(questions)
    every.extend(FREE_OPENINGS.values())
    every.extend(EVERYDAY)
    for questions in FOLLOW_UPS.values():
        every.extend(questions)
    known: dict[str, Question] = {}
    for question in every:
        known.setdefault(normalized(question.text), question)
        known.setdefault(normalized(question.simple), question)
    return known


def find(question: str) -> Question | None:
    """The scripted question ``question`` is (in its usual or its simple wording), or None."""
    return _known().get(normalized(question))


def first_unasked(questions: Iterable[Question], asked: set[str], *, rotate: int = 0) -> Question | None:
    """The first of ``questions`` (starting at ``rotate``, wrapping) not in ``asked`` (normalized)."""
    pool = list(questions)
    for i in range(len(pool)):
        question = pool[(rotate + i) % len(pool)]
        if normalized(question.text) not in asked and normalized(question.simple) not in asked:
            return question
    return None
