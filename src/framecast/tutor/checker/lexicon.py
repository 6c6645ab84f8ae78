"""Word tables the rules share: nouns that are always countable, nouns that are never, and how "a" or
"an" goes before a word; and ``words``, which the rule modules use to write their own tables.

The lists are deliberately closed: a rule inserts "a" only before a noun it knows to be countable in
every ordinary use ("dog", "nurse", "umbrella"), never before one that is also a mass noun ("chicken",
"paper", "room").
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The words of ``text`` split on white space: a table written as prose stays readable."""
    return frozenset(text.split())


COUNTABLE = words(
    """
    actor actress airport album animal answer apartment apple app article artist aunt baby backpack bag
    ball balloon banana band bank bathroom beach bed bedroom bicycle bike bill bird birthday blanket
    boat book bookstore boss bottle box boy boyfriend branch bridge brother building bus businessman
    cafe cake calendar camera candle cap car card carrot castle cat chair chance chef child city
    classmate classroom client coat colleague comedian company computer concert contract cookie country
    cousin coworker cup customer daughter day decision dentist designer desk dictionary doctor dog doll
    door dress driver egg elephant email employee engineer envelope eraser essay exam factory farmer
    festival film flight flower fork friend game garden gift girl girlfriend glove grandchild
    grandfather grandmother guest guitar hamburger hat hobby holiday horse hospital hotel house
    housewife husband idea island jacket job joke journalist key kid kitchen knife lake laptop lawyer
    lecture lesson letter library lie magazine man manager map market meal meeting member message minute
    mirror mistake month motorcycle mountain movie museum musician neighbor neighbour nephew newspaper
    niece notebook nurse office officer orange painter painting palace parent park party passport pen
    pencil person pet phone photo photographer piano picture pilot plane plate player poem politician
    problem professor program programmer project question rabbit reason receptionist report restaurant
    ring river road rule salesperson sandwich scientist secretary shirt shoe shop singer sister skirt
    smartphone sofa soldier son song spoon stadium station store story street student suitcase
    supermarket table tablet taxi teacher temple tent test textbook ticket tiger tourist towel town toy
    train tree trip truck umbrella uncle uniform university vacation vase village violin visitor waiter
    waitress wallet watch website wedding week wife window woman word worker writer year youtuber
    """
)
# Countable only as "an experience" / "a good time": with an adjective, after "be" or "have".
COUNTABLE_WITH_ADJECTIVE = frozenset({"experience", "time", "day", "life", "trip", "weekend", "idea"})

UNCOUNTABLE = words(
    """
    advice baggage behavior cash clothing equipment evidence feedback fun furniture garbage homework
    housework information jewelry knowledge luggage machinery mail money music news permission progress
    research scenery software stuff traffic trash vocabulary weather
    """
)
# Mass nouns for many/much: "much water", "little milk" (a superset of UNCOUNTABLE).
MASS = UNCOUNTABLE | words("""
    air bread butter cheese coffee electricity food gas gold juice meat milk oil paper patience
    pollution rain rice salt sand snow soup sugar tea water wine wood work
    """)

# Spelled with a vowel but said with a consonant sound, and the reverse.
_CONSONANT_SOUND = ("uni", "use", "usu", "uti", "eur", "one", "once", "ufo", "ukul", "ura", "ure", "uti")
_VOWEL_SOUND = ("hour", "honest", "honour", "honor", "heir", "herb")
# Letters whose names start with a vowel sound: "an MBA", "an FBI agent", "an X-ray".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")


def wants_an(text: str) -> bool | None:
    """Whether "an" goes before ``text`` (by its first sound), or None when that cannot be told."""
    if not text or not text[0].isalpha():
        return None
    if len(text) > 1 and text.isupper():
        # "MBA" is read letter by letter; "NASA" as a word, whose first sound is left undecided.
        if len(text) <= 3 or not any(c in "AEIOU" for c in text[1:]):
            return text[0] in _VOWEL_LETTERS
        return None
    word = text.lower()
    if word.startswith(_VOWEL_SOUND):
        return True
    if word.startswith(_CONSONANT_SOUND):
        return False
    return word[0] in "aeiou"


def article_for(text: str) -> str:
    return "an" if wants_an(text) else "a"
