"""VADER constants, copied verbatim from NLTK 3.10.4 ``nltk/sentiment/vader.py``.

They are copied rather than imported because importing NLTK costs about half a
second per process (the app and every pool worker would pay it). The unit tests
compare every table here with ``nltk.sentiment.vader.VaderConstants`` so a drift
in NLTK is caught.

NLTK is the reference; where the vaderSentiment package differs (emoji
translation, "but", negation, ALL CAPS, punctuation emphasis) the engine follows
NLTK's code, not vaderSentiment's.
"""

from __future__ import annotations

import string

# Empirically derived mean sentiment intensity increase for booster words.
B_INCR = 0.293
B_DECR = -0.293
# Increase for ALL CAPS emphasis of a word while other words are not capitalised.
C_INCR = 0.733
# Negation scalar.
N_SCALAR = -0.74

NEGATE = frozenset(
    {
        "aint",
        "arent",
        "cannot",
        "cant",
        "couldnt",
        "darent",
        "didnt",
        "doesnt",
        "ain't",
        "aren't",
        "can't",
        "couldn't",
        "daren't",
        "didn't",
        "doesn't",
        "dont",
        "hadnt",
        "hasnt",
        "havent",
        "isnt",
        "mightnt",
        "mustnt",
        "neither",
        "don't",
        "hadn't",
        "hasn't",
        "haven't",
        "isn't",
        "mightn't",
        "mustn't",
        "neednt",
        "needn't",
        "never",
        "none",
        "nope",
        "nor",
        "not",
        "nothing",
        "nowhere",
        "oughtnt",
        "shant",
        "shouldnt",
        "uhuh",
        "wasnt",
        "werent",
        "oughtn't",
        "shan't",
        "shouldn't",
        "uh-uh",
        "wasn't",
        "weren't",
        "without",
        "wont",
        "wouldnt",
        "won't",
        "wouldn't",
        "rarely",
        "seldom",
        "despite",
    }
)

_BOOST_UP = [
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormously",
    "entirely",
    "especially",
    "exceptionally",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fucking",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredibly",
    "intensely",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "totally",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utterly",
    "very",
]
_BOOST_DOWN = [
    "almost",
    "barely",
    "hardly",
    "just enough",
    "kind of",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginally",
    "occasionally",
    "partly",
    "scarcely",
    "slightly",
    "somewhat",
    "sort of",
    "sorta",
    "sortof",
    "sort-of",
]
#: Booster/dampener words ("degree adverbs") and their scalar.
BOOSTER_DICT: dict[str, float] = {
    **dict.fromkeys(_BOOST_UP, B_INCR),
    **dict.fromkeys(_BOOST_DOWN, B_DECR),
}

#: Idioms whose valence replaces the valence of the sentiment word inside them.
SPECIAL_CASE_IDIOMS: dict[str, float] = {
    "the shit": 3,
    "the bomb": 3,
    "bad ass": 1.5,
    "yeah right": -2,
    "cut the mustard": 2,
    "kiss of death": -1.5,
    "hand to mouth": -2,
}

#: Punctuation that NLTK strips from the start or end of a token.
PUNC_LIST = (
    ".",
    "!",
    "?",
    ",",
    ";",
    ":",
    "-",
    "'",
    '"',
    "!!",
    "!!!",
    "??",
    "???",
    "?!?",
    "!?!",
    "?!?!",
    "!?!?",
)

#: Characters NLTK's ``REGEX_REMOVE_PUNCTUATION`` removes (ASCII punctuation only).
PUNCTUATION = frozenset(string.punctuation)

#: Every word of a multi-word idiom or booster key. An idiom or bigram booster can
#: only match when a word of the window is one of these, so most texts skip the
#: string building of NLTK's ``_idioms_check``.
IDIOM_WORDS = frozenset(
    word for key in (*SPECIAL_CASE_IDIOMS, *BOOSTER_DICT) if " " in key for word in key.split(" ")
)
