"""What editors see of a poll in the admin: results read-only, CSV export."""

import csv
import io

import pytest

from polls.models import Poll
from tests.polls.factories import make_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("chief", "chief@example.com", "pw-1234567")
    client.force_login(admin)
    return client


def test_the_change_page_shows_counts_and_shares_read_only(editor_client):
    poll = make_poll(votes=[8, 5, 4])
    page = editor_client.get(f"/admin/polls/poll/{poll.pk}/change/").content.decode()
    assert "<td>Дороги</td><td>8</td><td>47,06%</td>" in page
    assert "<td>Школи</td><td>5</td><td>29,41%</td>" in page
    assert "<th>17</th><th>100,00%</th>" in page


def test_a_poll_without_votes_totals_no_share(editor_client):
    poll = make_poll(votes=[0, 0, 0])
    page = editor_client.get(f"/admin/polls/poll/{poll.pk}/change/").content.decode()
    assert "<td>Дороги</td><td>0</td><td>0,00%</td>" in page
    assert "<th>0</th><th>0,00%</th>" in page
    assert 'name="choices-0-votes"' not in page  # counters are not a form field


def test_saving_the_poll_in_the_admin_keeps_the_counted_votes(editor_client):
    poll = make_poll(votes=[8, 5, 4])
    form = editor_client.get(f"/admin/polls/poll/{poll.pk}/change/").context["adminform"].form
    data = {
        "question": "Нове формулювання",
        "opens_at_0": form["opens_at"].value().strftime("%d.%m.%Y"),
        "opens_at_1": form["opens_at"].value().strftime("%H:%M:%S"),
        "closes_at_0": form["closes_at"].value().strftime("%d.%m.%Y"),
        "closes_at_1": form["closes_at"].value().strftime("%H:%M:%S"),
        "is_published": "on",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "3",
    }
    for index, choice in enumerate(poll.choices.all()):
        data |= {
            f"choices-{index}-id": choice.pk,
            f"choices-{index}-poll": poll.pk,
            f"choices-{index}-text": choice.text,
            f"choices-{index}-position": index,
            f"choices-{index}-votes": 0,  # a forged field is ignored
        }
    response = editor_client.post(f"/admin/polls/poll/{poll.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Poll.objects.get().question == "Нове формулювання"
    assert list(poll.choices.values_list("votes", flat=True)) == [8, 5, 4]


def new_poll_form(answers, *, published=True):
    data = {
        "question": "Де облаштувати новий сквер?",
        "opens_at_0": "01.12.2026",
        "opens_at_1": "09:00:00",
        "closes_at_0": "20.12.2026",
        "closes_at_1": "18:00:00",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
    }
    if published:
        data["is_published"] = "on"
    for index in range(3):
        # An untouched extra row sends its initial position, as the browser does.
        text = answers[index] if index < len(answers) else ""
        data |= {f"choices-{index}-text": text, f"choices-{index}-position": 0}
    return data


@pytest.mark.parametrize("answers", [[], ["Біля ставка"]], ids=["none", "one"])
def test_a_published_poll_needs_two_answers(editor_client, answers):
    response = editor_client.post("/admin/polls/poll/add/", new_poll_form(answers))
    assert response.status_code == 200
    assert "Опублікованому опитуванню потрібні щонайменше дві відповіді." in (
        response.content.decode()
    )
    assert not Poll.objects.exists()


def test_a_draft_poll_may_wait_for_its_answers(editor_client):
    response = editor_client.post("/admin/polls/poll/add/", new_poll_form([], published=False))
    assert response.status_code == 302
    assert Poll.objects.get().choices.count() == 0


def test_a_published_poll_with_two_answers_is_saved(editor_client):
    response = editor_client.post(
        "/admin/polls/poll/add/", new_poll_form(["Біля ставка", "У центрі"])
    )
    assert response.status_code == 302
    assert list(Poll.objects.get().choices.values_list("text", flat=True)) == [
        "Біля ставка",
        "У центрі",
    ]


def test_csv_export_has_every_answer_with_votes_and_shares(editor_client):
    poll = make_poll(votes=[1, 1, 1])
    response = editor_client.post(
        "/admin/polls/poll/",
        {"action": "export_results_csv", "_selected_action": [poll.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["poll", "question", "answer", "votes", "share_percent"]
    assert [row[2:] for row in rows[1:]] == [
        ["Дороги", "1", "33.34"],
        ["Школи", "1", "33.33"],
        ["Парки", "1", "33.33"],
    ]
    assert sum(float(row[4]) for row in rows[1:]) == pytest.approx(100.0)
