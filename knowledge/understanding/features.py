"""The learned model's features: the rule engine's evidence plus word and character n-grams.

The rules stay the expert: their stance, votes, flags (negation, hedge, sarcasm, contrast),
signal hits, topic scores and intent hits become features, and the model learns from
labelled examples how much each is worth next to the words themselves. Word n-grams come
from the normalised words (spelling, synonyms and chat words already folded); character
n-grams of the raw text catch typos, dialect spellings and emoji the lexicon does not know
in navigation (answers leave them out, see ``answer_features``).

Every feature is a name with a value; the same function serves training and the running
bot, so the two can never drift apart. Names are built in a fixed order from lists, never
from iterating a set of strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.schema import Question
from knowledge.understanding.answers import Reading
from knowledge.understanding.compiled import Kind

Features = dict[str, float]

CHAR_SIZES = (3, 4, 5)
MAX_CHAR_WORD = 24  # longer "words" (links, numbers run together) add noise, not meaning
VOTE_SCALE = 0.25  # rule vote weights run up to ~10; keep feature values near 1
DOUBT_KINDS = (Kind.HEDGE, Kind.SARCASM)
DOUBT_REASONS = ("contrast", "hedge")
TOP_TOPICS = 3  # candidate topics ranked for a knowledge question
WORD_COUNT_EDGES = (1, 2, 4, 8, 16, 32)  # length buckets of a text, in words


def _bucket(count: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if count <= edge:
            return str(edge)
    return f"{edges[-1]}+"


def lexical(text: str, words: Sequence[str], chars: bool = True) -> Features:
    """Word unigrams and bigrams of the normalised words; character n-grams of the text."""
    features: Features = {}
    for index, word in enumerate(words):
        features[f"w:{word}"] = 1.0
        if index:
            features[f"b:{words[index - 1]}_{word}"] = 1.0
    if words:
        features[f"first:{words[0]}"] = 1.0
        features[f"last:{words[-1]}"] = 1.0
    features[f"len:{_bucket(len(words), WORD_COUNT_EDGES)}"] = 1.0
    if chars:
        for raw in text.lower().split():
            if len(raw) > MAX_CHAR_WORD:
                continue
            padded = f" {raw} "
            for size in CHAR_SIZES:
                for start in range(max(1, len(padded) - size + 1)):
                    features[f"c:{padded[start : start + size]}"] = 1.0
    if text.rstrip().endswith(("?", "？")):
        features["ends?"] = 1.0
    return features


def doubtful(reading: Reading) -> bool:
    """Sarcasm, a hedge or mixed clauses: the calibration treats these apart."""
    if any(m.payload.kind in DOUBT_KINDS for m in reading.selected):
        return True
    votes = reading.decision.votes if reading.decision else []
    stances = {v.stance for v in votes}
    return len(stances) > 1 or any(v.reason in DOUBT_REASONS for v in votes)


def answer_features(
    reading: Reading,
    question: Question | None,
    intent: str | None,
    topic_score: float,
) -> Features:
    """Features of one answer to one question (stance and signal heads)."""
    tokens = reading.tokens
    # No character n-grams for answers: they learned each writer's style rather than the
    # stance (grouped cross-validation with them: stance 0.863, confirmations 31.0% at
    # <= 3% silent errors; without: 0.876 and 26.9%). Spelling is folded by the normaliser.
    features = lexical(tokens.text, tokens.words, chars=False)
    rule = reading.interpretation
    stance = rule.stance.value if rule.stance else "none"
    features[f"r:{stance}"] = 1.0
    # the rules' stance by answer length: a bare "deels" means partly whatever the question,
    # while in a long story the same cue may be one clause among others
    features[f"rl:{stance}:{_bucket(len(tokens.words), WORD_COUNT_EDGES)}"] = 1.0
    features[f"rc:{stance}"] = rule.confidence
    if question is not None:
        features[f"q:{question.id}"] = 1.0
        features[f"qr:{question.id}:{stance}"] = 1.0
        risk = question.risk_if.value if question.risk_if else "none"
        features[f"risk:{risk}:{stance}"] = 1.0
    if reading.decision is not None:
        for vote in reading.decision.votes:
            key = f"v:{vote.reason}:{vote.stance.value}"
            features[key] = features.get(key, 0.0) + vote.weight * VOTE_SCALE
    for match in reading.selected:
        features[f"k:{match.payload.kind.name.lower()}"] = 1.0
    own = question.signal if question else None
    for trigger in reading.triggers:
        state = "ignored" if trigger.ignored else "negated" if trigger.negated else "stated"
        features[f"t:{state}"] = 1.0
        role = "own" if trigger.signal == own else "other"
        features[f"t:{role}:{state}"] = 1.0
    for hit in rule.signals:
        if hit.implied:
            features["sig:implied"] = 1.0  # follows from the rules' stance, not stated
            continue
        features[f"sig:{hit.signal}"] = 1.0
        if hit.signal != own:
            features["sig:other"] = 1.0
    if doubtful(reading):
        features["doubt"] = 1.0
    features[f"ri:{intent or 'none'}"] = 1.0
    if topic_score:
        features["rt"] = min(topic_score, 100.0) / 100
    features[f"sents:{_bucket(tokens.sentence_count, (1, 2, 4))}"] = 1.0
    return features


def intent_features(text: str, words: Sequence[str], intent: str | None, answer: str) -> Features:
    """Features of a message that may be navigation (the intent head)."""
    features = lexical(text, words)
    features[f"ri:{intent or 'none'}"] = 1.0
    features[f"ra:{answer}"] = 1.0  # what the rules would read as an answer to no question
    return features


def topic_candidates(scores: dict[str, float]) -> list[tuple[str, float]]:
    """The best-scored topics, best first (ties by topic id, so the order is fixed)."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:TOP_TOPICS]


def topic_pair_features(
    words: Sequence[str],
    candidates: list[tuple[str, float]],
    rank: int,
    blocked: bool,
) -> Features:
    """Features of one (question, candidate topic) pair. The generic ones (rank, score,
    gap, words) carry no topic id, so a topic added without examples is ranked by the same
    weights as every other; the words paired with the candidate ("tw:") let labelled
    knowledge questions teach which words point to which topic."""
    topic, score = candidates[rank]
    best = candidates[0][1]
    second = candidates[1][1] if len(candidates) > 1 else 0.0
    features: Features = {
        f"rank:{rank}": 1.0,
        "score": score / 100,
        "gap": (best - score) / 100,
        "lead": (score - second) / 100 if rank == 0 else 0.0,
        f"n:{len(candidates)}": 1.0,
    }
    if blocked:
        features["blocked"] = 1.0
    for word in words:
        features[f"w:{word}"] = 1.0  # generic: questions vs. small talk, whatever the topic
        features[f"tw:{topic}:{word}"] = 1.0
    return features
