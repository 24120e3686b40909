"""Shared assessments in the store: invitations, members, and who may do what."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import AnswerRecord, NotFoundError, Store
from storage.store import ANSWERS_KEPT_PER_QUESTION
from storage.team import INVITATION_HOURS, normalise_code


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "team.db") as opened:
        for user in ("owner", "bram", "cor", "stranger"):
            opened.add_user(user, "nl")
        yield opened


def team(store: Store) -> int:
    """An assessment of "owner" that bram and cor joined, in that order."""
    assessment = store.create_assessment("owner", "union")
    for user in ("bram", "cor"):
        code, _ = store.create_invitation("owner", assessment.id)
        offer = store.find_invitation(code)
        assert store.accept_invitation(user, offer.invitation) is not None
        store.set_member_name(user, assessment.id, user.title())
    return assessment.id


def test_a_code_is_single_use_and_shows_what_it_leads_to(store: Store) -> None:
    assessment = store.create_assessment("owner", "union")
    store.update_assessment("owner", assessment.id, name="Zoë BV")
    store.set_member_name("owner", assessment.id, "Anna")
    code, _ = store.create_invitation("owner", assessment.id)
    offer = store.find_invitation(f" {code[:4].lower()}-{code[4:]} ")  # typed loosely
    assert (offer.name, offer.checklist, offer.owner_name) == ("Zoë BV", "union", "Anna")
    joined = store.accept_invitation("bram", offer.invitation)
    assert (joined.role, joined.members, joined.position) == ("member", 2, 0)
    assert store.find_invitation(code) is None
    assert store.accept_invitation("cor", offer.invitation) is None
    assert store.find_assessment("cor", assessment.id) is None
    assert code not in str(store.db.execute("SELECT * FROM invitations").fetchall())
    assert normalise_code("ab cd-ef") == "ABCDEF"


def test_expired_withdrawn_and_forged_codes_lead_nowhere(store: Store) -> None:
    assessment = store.create_assessment("owner", "union")
    old, _ = store.create_invitation(
        "owner", assessment.id, at=datetime.now(UTC) - timedelta(hours=INVITATION_HOURS + 1)
    )
    assert store.find_invitation(old) is None
    code, invitation = store.create_invitation("owner", assessment.id)
    assert [i.id for i in store.open_invitations("owner", assessment.id)] == [invitation.id]
    assert store.withdraw_invitation("owner", assessment.id, invitation.id)
    assert store.find_invitation(code) is None
    assert store.accept_invitation("bram", invitation.id) is None
    assert store.find_invitation("ABCDEFGHJK") is None
    with pytest.raises(NotFoundError):
        store.create_invitation("stranger", assessment.id)


def test_every_member_answers_and_both_answers_are_kept(store: Store) -> None:
    assessment = team(store)
    for user, stance in (("owner", "yes"), ("bram", "no"), ("cor", "no")):
        store.save_answer(user, assessment, AnswerRecord("union.present", stance, stance))
    store.save_answer("bram", assessment, AnswerRecord("union.present", "deels", "partly"))
    assert store.answers_for("bram", assessment)["union.present"].stance == "partly"
    assert store.answers_for("owner", assessment)["union.present"].stance == "yes"
    latest = {a.user: a.stance for a in store.team_answers("cor", assessment)}
    assert latest == {"owner": "yes", "bram": "partly", "cor": "no"}
    with pytest.raises(NotFoundError):
        store.save_answer("stranger", assessment, AnswerRecord("union.present", "ja", "yes"))
    assert store.team_answers("stranger", assessment) == []


def test_removed_and_leaving_members_see_nothing_and_keep_their_answers(store: Store) -> None:
    assessment = team(store)
    store.save_answer("cor", assessment, AnswerRecord("union.present", "nee", "no"))
    cor = store.members("owner", assessment)[2]
    with pytest.raises(NotFoundError):
        store.remove_member("bram", assessment, cor.id)  # only the owner removes
    store.remove_member("owner", assessment, cor.id)
    assert store.find_assessment("cor", assessment) is None
    assert store.list_assessments("cor") == []
    assert store.members("cor", assessment) == []
    assert [a.user for a in store.team_answers("owner", assessment)] == ["cor"]
    assert store.leave("bram", assessment)
    assert not store.leave("owner", assessment)  # the owner hands over first
    assert store.find_assessment("owner", assessment).members == 1


def test_handing_over_and_forgetting(store: Store) -> None:
    assessment = team(store)
    store.save_answer("bram", assessment, AnswerRecord("union.present", "nee", "no"))
    store.save_answer("owner", assessment, AnswerRecord("union.present", "ja", "yes"))
    cor = store.members("owner", assessment)[2]
    store.hand_over("owner", assessment, cor.id)
    assert store.find_assessment("cor", assessment).role == "owner"
    assert store.find_assessment("owner", assessment).role == "member"
    with pytest.raises(NotFoundError):
        store.update_assessment("owner", assessment, name="x")  # no longer the owner's
    # A member's /forget: their answers and membership only.
    store.delete_user_data("bram")
    assert {a.user for a in store.team_answers("cor", assessment)} == {"owner"}
    # The owner's /forget: the longest-standing member takes over.
    assert store.successor("cor", assessment).user == "owner"
    store.delete_user_data("cor")
    assert store.find_assessment("owner", assessment).role == "owner"
    store.delete_user_data("owner")  # nobody left: the checklist goes
    assert store.db.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0] == 0


def test_only_the_owner_deletes_it_for_everyone_and_retention_takes_it_all(
    store: Store,
) -> None:
    assessment = team(store)
    store.save_answer("bram", assessment, AnswerRecord("union.present", "nee", "no"))
    assert not store.delete_assessment("bram", assessment)
    store.create_invitation("owner", assessment)
    counts = store.purge_untouched(1, at=datetime.now(UTC) + timedelta(days=2))
    assert (counts.assessments, counts.answers) == (1, 1)
    for table in ("members", "invitations", "answers"):
        assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_two_members_answering_the_same_question_at_once_both_keep_theirs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "team.db"
    with Store(path) as store:
        for user in ("owner", "bram"):
            store.add_user(user, "nl")
        assessment = store.create_assessment("owner", "union").id
        code, _ = store.create_invitation("owner", assessment)
        store.accept_invitation("bram", store.find_invitation(code).invitation)

    def answer_often(user: str, stance: str) -> None:
        with Store(path) as own:  # a connection of its own, as another process would
            for _ in range(25):
                own.save_answer(user, assessment, AnswerRecord("union.present", stance, stance))

    threads = [
        threading.Thread(target=answer_often, args=("owner", "yes")),
        threading.Thread(target=answer_often, args=("bram", "no")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Store(path) as store:
        latest = {a.user: a.stance for a in store.team_answers("owner", assessment)}
        assert latest == {"owner": "yes", "bram": "no"}
        # each member's own history is capped; neither cap touches the other's answers
        kept = store.db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        assert kept == 2 * ANSWERS_KEPT_PER_QUESTION


def test_the_latest_answer_to_one_question_is_the_one_answers_for_gives(store: Store) -> None:
    """``latest_answer`` (one indexed read when a question is asked) agrees with
    ``answers_for`` for every member and question: own answers only, the last one wins,
    a kept finding without a stance counts, and a former member or stranger gets none."""
    assessment = team(store)
    saved = (
        ("owner", "union.present", "yes"),
        ("bram", "union.present", "no"),
        ("bram", "union.present", "partly"),
        ("bram", "union.access", None),  # a finding kept without a stance
        ("cor", "union.access", "no"),
        ("bram", "union.access", "yes"),
    )
    for user, question, stance in saved:
        store.save_answer(user, assessment, AnswerRecord(question, f"{user} {stance}", stance))
    store.leave("cor", assessment)
    questions = ("union.present", "union.access", "union.never_answered")
    for user in ("owner", "bram", "cor", "stranger"):
        latest = store.answers_for(user, assessment)
        for question in questions:
            assert store.latest_answer(user, assessment, question) == latest.get(question)
    assert store.latest_answer("bram", assessment, "union.present").stance == "partly"
    assert store.latest_answer("bram", assessment, "union.access").stance == "yes"
    assert store.latest_answer("cor", assessment, "union.access") is None
