"""Typed answers to a checklist question: understood, confirmed, corrected, never dropped.

- A message that reads as a question is answered as one; when it could also be the answer,
  the user is asked which it is. A question is never stored as an answer.
- A finding typed without an answer to the question itself is stored at once (so it is
  never lost), echoed back ("Ik hoor: ...") and the question is asked again; the answer that
  follows keeps it.
- At "Ik begrijp: nee — klopt dat?" a correction in words ("nee, ik bedoel dat ze WEL ...")
  is read as the new answer; the user's own words stay the answer text.
"""

from __future__ import annotations

from typing import Any

from conversations.choices import encode
from conversations.menu import (
    answer_country_question,
    answer_knowledge_question,
    looks_like_question,
)
from conversations.questions import (
    ask_question,
    continue_work,
    current_question,
    record_answer,
    with_heard,
)
from conversations.states import State
from conversations.turn import Turn
from conversations.typed_words import drop_leading_words, starts_with
from knowledge.schema import Question, Stance
from knowledge.understanding.types import Interpretation
from storage import AnswerRecord, AssessmentRecord, SignalRecord

CONFIRM_WORDS = 3  # "ja", "ja klopt", "nee dat klopt niet" confirm; longer text is an answer
ANSWER_OR_QUESTION = "answer_or_question"  # a pending answer that may have been a question


def reads_as_question(turn: Turn, text: str) -> bool:
    """A question mark at the end, or a question opener first ("heeft vietnam c87 ...")."""
    return looks_like_question(text) or starts_with(turn.knowledge, "question_openers", text) > 0


def answer_by_text(turn: Turn, text: str) -> State:
    """Stores a typed answer it understood, asks to confirm an unsure one, answers a
    knowledge question, or keeps a finding and asks for the answer."""
    found = current_question(turn)
    if found is None:
        return continue_work(turn)
    assessment, question = found
    if answer_country_question(turn, text, asked_only=True):
        return ask_question(turn)  # "Heeft Bangladesh C87 geratificeerd", "?" or not
    understood = turn.understanding.interpret(question.id, text)
    has_stance = understood.stance is not None and understood.stance in question.answers
    sure = has_stance and understood.is_sure(turn.confirm_threshold)
    if reads_as_question(turn, text):
        topic = turn.understanding.lookup(text)
        if topic is not None and not sure and answer_knowledge_question(turn, text):
            return ask_question(turn)
        if has_stance and (topic is not None or looks_like_question(text)):
            answer = _answer_of(question, text, understood)
            turn.data["pending"] = _pending(assessment.position, answer, ANSWER_OR_QUESTION, sure)
            return ask_confirm(turn)
    if not has_stance:
        return _no_answer(turn, assessment, question, text, understood)
    answer = _answer_of(question, text, understood)
    return _store_or_confirm(turn, assessment, answer, sure)


def _answer_of(question: Question, text: str, understood: Interpretation) -> AnswerRecord:
    signals = tuple(SignalRecord(h.signal, h.evidence, h.implied) for h in understood.signals)
    stance = understood.stance.value if understood.stance is not None else None
    return AnswerRecord(question.id, text, stance, signals, understood.confidence)


def _store_or_confirm(
    turn: Turn, assessment: AssessmentRecord, answer: AnswerRecord, sure: bool
) -> State:
    if sure:
        return record_answer(turn, assessment, answer, typed=True)
    turn.data["pending"] = _pending(assessment.position, answer)
    return ask_confirm(turn)


def _no_answer(
    turn: Turn,
    assessment: AssessmentRecord,
    question: Question,
    text: str,
    understood: Interpretation,
) -> State:
    """No answer to the question: a knowledge question, a finding to keep, or not understood."""
    if answer_knowledge_question(turn, text):
        return ask_question(turn)
    stated = [hit for hit in understood.signals if not hit.implied]
    if stated:
        return _keep_finding(turn, assessment, question, text, understood)
    turn.say("unknown_topic" if looks_like_question(text) else "not_understood")
    return ask_question(turn)


def _keep_finding(
    turn: Turn,
    assessment: AssessmentRecord,
    question: Question,
    text: str,
    understood: Interpretation,
) -> State:
    """Stores the finding now (without a stance), says what was heard, asks the question."""
    keep_findings(turn, assessment, _answer_of(question, text, understood))
    return ask_question(turn)


def keep_findings(turn: Turn, assessment: AssessmentRecord, answer: AnswerRecord) -> None:
    """Stores the findings stated in ``answer`` without a stance and says what was heard;
    the answer given next on this question keeps them."""
    stated = tuple(hit for hit in answer.signals if not hit.implied)
    kept = AnswerRecord(answer.question, answer.text, None, stated, None)
    kept = with_heard(turn, assessment, kept)
    kept = AnswerRecord(kept.question, kept.text, None, kept.signals, None)
    turn.store.save_answer(turn.user_id, assessment.id, kept)
    turn.data["heard"] = {"index": assessment.position, "text": kept.text}
    titles = []
    for hit in kept.signals:
        signal = turn.knowledge.signals.get(hit.signal)
        title = signal.title.get(turn.language).lower() if signal else hit.signal
        if title not in titles:
            titles.append(title)
    turn.say("heard", findings=", ".join(titles))


# -- confirming an unsure answer ----------------------------------------------------------


def _pending(
    index: int, answer: AnswerRecord, kind: str = "unsure", sure: bool = False
) -> dict[str, Any]:
    return {
        "index": index,
        "kind": kind,
        "sure": sure,  # understood surely (only asked because it might be a question)
        "text": answer.text,
        "stance": answer.stance,
        "confidence": answer.confidence,
        "signals": [[s.signal, s.evidence, s.implied] for s in answer.signals],
    }


def _pending_answer(turn: Turn, question: Question) -> AnswerRecord | None:
    pending = turn.data.get("pending")
    if not isinstance(pending, dict) or pending.get("stance") not in {s.value for s in Stance}:
        return None
    signals = tuple(
        SignalRecord(str(s[0]), str(s[1]), bool(s[2]))
        for s in pending.get("signals", [])
        if isinstance(s, list) and len(s) == 3
    )
    return AnswerRecord(
        question.id,
        str(pending.get("text", "")),
        str(pending["stance"]),
        signals,
        pending.get("confidence"),
    )


def _pending_kind(turn: Turn) -> str:
    pending = turn.data.get("pending")
    return str(pending.get("kind", "unsure")) if isinstance(pending, dict) else "unsure"


def ask_confirm(turn: Turn) -> State:
    """Asks whether the unsure understanding is right, or whether the text was a question."""
    found = current_question(turn)
    answer = _pending_answer(turn, found[1]) if found else None
    if found is None or answer is None:
        turn.data.pop("pending", None)
        return continue_work(turn)
    assessment, _ = found
    here = (assessment.id, assessment.position)
    if _pending_kind(turn) == ANSWER_OR_QUESTION:
        choices = (
            turn.choice("button.its_answer", encode("ok", *here)),
            turn.choice("button.its_question", encode("qq", *here)),
        )
        turn.say("question_or_answer", choices=choices)
        return State.CONFIRM
    choices = (
        turn.choice("button.confirm_yes", encode("ok", *here)),
        turn.choice("button.confirm_no", encode("ch", *here)),
    )
    turn.say("confirm", choices=choices, answer=turn.stance_label(str(answer.stance)))
    return State.CONFIRM


def confirm_pending(turn: Turn) -> State:
    """Stores the confirmed answer; an answer that might have been a question is checked
    for certainty first."""
    found = current_question(turn)
    answer = _pending_answer(turn, found[1]) if found else None
    kind = _pending_kind(turn)
    pending = turn.data.pop("pending", None)
    if found is None or answer is None:
        return continue_work(turn)
    if kind == ANSWER_OR_QUESTION:
        sure = isinstance(pending, dict) and pending.get("sure") is True
        return _store_or_confirm(turn, found[0], answer, sure)
    return record_answer(turn, found[0], answer, typed=True)


def reject_pending(turn: Turn) -> State:
    """Forgets the unsure stance and asks the question again with its buttons; findings the
    text stated are kept (and echoed), never dropped with the stance."""
    found = current_question(turn)
    answer = _pending_answer(turn, found[1]) if found else None
    turn.data.pop("pending", None)
    if found is not None and answer is not None and any(not s.implied for s in answer.signals):
        keep_findings(turn, found[0], answer)
    turn.say("choose_yourself")
    return ask_question(turn)


def pending_was_a_question(turn: Turn) -> State:
    """The text was a question: answers it when a topic fits, then asks the question again."""
    pending = turn.data.pop("pending", None)
    text = str(pending.get("text", "")) if isinstance(pending, dict) else ""
    if not (text and answer_knowledge_question(turn, text)):
        turn.say("unknown_topic")
    return ask_question(turn)


def confirm_by_text(turn: Turn, text: str) -> State:
    """A short yes confirms, a short no lets the user choose, a correction in words is the
    new answer, and any other text is a new answer."""
    found = current_question(turn)
    if found is None:
        turn.data.pop("pending", None)
        return continue_work(turn)
    assessment, question = found
    if len(text.split()) <= CONFIRM_WORDS:
        reply = turn.understanding.interpret(question.id, text)
        if reply.stance is Stance.YES and reply.confidence >= turn.confirm_threshold:
            return confirm_pending(turn)
        if reply.stance is Stance.NO and reply.confidence >= turn.confirm_threshold:
            return reject_pending(turn)
    opener = starts_with(turn.knowledge, "correction", text)
    earlier = _pending_answer(turn, question)
    turn.data.pop("pending", None)
    if opener and earlier is not None:
        return _correct(turn, assessment, question, earlier, text, opener)
    return answer_by_text(turn, text)


def _correct(
    turn: Turn,
    assessment: AssessmentRecord,
    question: Question,
    earlier: AnswerRecord,
    text: str,
    opener: int,
) -> State:
    """Reads the words after "nee, ik bedoel" as the answer; both typed texts are kept."""
    meant = drop_leading_words(text, opener)
    understood = turn.understanding.interpret(question.id, meant) if meant else None
    if understood is None or understood.stance not in question.answers:
        turn.say("choose_yourself")
        return ask_question(turn)
    corrected = _answer_of(question, f"{earlier.text} — {text}", understood)
    return _store_or_confirm(
        turn, assessment, corrected, understood.is_sure(turn.confirm_threshold)
    )
