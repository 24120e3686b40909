"""Find the knowledge topic a typed question is about, or none (then the bot says so).

Each topic has strong phrases (one names the topic: "C87", "leefbaar loon"), related
phrases (several together point at it) and example questions. The score (0..100) is the
phrase evidence, or - when no topic is named by a strong phrase - the similarity to an
example question when that is higher. Below the
threshold, or when the text asks something the bot must never answer from a topic
(someone's personal data, the weather), there is no match.
"""

from __future__ import annotations

from collections.abc import Collection

from rapidfuzz import fuzz, process

from knowledge.understanding.lexicon import TopicsFile
from knowledge.understanding.normalise import Normaliser
from knowledge.understanding.phrases import PhraseIndex, compile_phrase, select_longest
from knowledge.understanding.types import TopicMatch

STRONG_SCORE = 60.0
EXTRA_STRONG_SCORE = 15.0
RELATED_SCORE = 20.0
FIRST_NAMED_BONUS = 10.0  # the topic named first is what the question is about
EXAMPLE_BONUS = 0.1  # share of the example similarity added to break ties


class TopicFinder:
    """Scores every topic for a question; precomputes phrase indexes and examples."""

    def __init__(
        self, normaliser: Normaliser, words: TopicsFile, available: Collection[str]
    ) -> None:
        self.normaliser = normaliser
        self.settings = words.settings
        self.index = PhraseIndex()
        self.blockers = PhraseIndex()
        self.examples: list[str] = []
        self.example_topics: list[str] = []
        self.examples_of: dict[str, list[str]] = {}
        usable = set(available)
        for entry in words.topics:
            if usable and entry.topic not in usable:
                continue
            for phrase in entry.strong:
                self.index.add(compile_phrase(phrase, normaliser), (entry.topic, True))
            for phrase in entry.related:
                self.index.add(compile_phrase(phrase, normaliser), (entry.topic, False))
            for example in entry.examples:
                normalised = " ".join(normaliser.tokens(example).words)
                self.examples.append(normalised)
                self.example_topics.append(entry.topic)
                self.examples_of.setdefault(entry.topic, []).append(normalised)
        for phrase in words.not_a_topic:
            self.blockers.add(compile_phrase(phrase, normaliser), None)

    def lookup(self, text: str) -> TopicMatch | None:
        scores, blocked = self.scores(text)
        if blocked or not scores:
            return None
        best = max(scores, key=lambda topic: scores[topic])
        score = min(100.0, scores[best])
        if score < self.settings.min_score:
            return None
        return TopicMatch(best, round(score, 1))

    def scores(self, text: str) -> tuple[dict[str, float], bool]:
        """Every topic's evidence score, and whether the text asks what is never answered."""
        tokens = self.normaliser.tokens(text or "")
        if not tokens.words:
            return {}, False
        if self.blockers.find(tokens):
            return {}, True
        scores: dict[str, float] = {}
        strong_seen: dict[str, int] = {}
        for match in select_longest(self.index.find(tokens)):
            topic, strong = match.payload
            if strong:
                count = strong_seen.get(topic, 0)
                score = STRONG_SCORE if count == 0 else EXTRA_STRONG_SCORE
                if not strong_seen:
                    score += FIRST_NAMED_BONUS  # "what does leverage mean in due diligence"
                scores[topic] = scores.get(topic, 0.0) + score
                strong_seen[topic] = count + 1
            else:
                scores[topic] = scores.get(topic, 0.0) + RELATED_SCORE
        query = " ".join(tokens.words)
        if strong_seen:
            # a topic named outright beats a look-alike example; examples break ties
            for topic in scores:
                examples = self.examples_of.get(topic)
                if examples:
                    best = process.extractOne(query, examples, scorer=fuzz.token_sort_ratio)
                    scores[topic] += EXAMPLE_BONUS * best[1]
        elif self.examples:
            for _, similarity, index in process.extract(
                query, self.examples, scorer=fuzz.token_sort_ratio, limit=3
            ):
                topic = self.example_topics[index]
                bonus = EXAMPLE_BONUS * similarity
                if similarity >= self.settings.example_min_similarity:
                    scores[topic] = max(scores.get(topic, 0.0), similarity) + bonus
                elif topic in scores:
                    scores[topic] += bonus
        return scores, False
