"""Classes in real Chromium: a learner signs up on the page, joins a class by its code and holds a
conversation; the class's teacher follows it in the teacher's view, and another teacher cannot."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.browser.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    StartServer,
    StudioServer,
    log_in,
    new_studio_context,
    set_up_admin,
    watched_page,
)

TEACHER_PASSWORD = "a teacher's long passphrase"
LEARNER_PASSWORD = "a learner's long passphrase"
SENTENCE = "Yesterday I go to the park and I see an dog."


def make_account(server: StudioServer, email: str, name: str, *, teacher: bool = False) -> None:
    """An account the administrator creates over the API (and makes a teacher, with ``teacher``)."""
    login = httpx.post(
        f"{server.base_url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    made = httpx.post(
        f"{server.base_url}/api/users",
        json={"email": email, "name": name, "password": TEACHER_PASSWORD},
        headers=headers,
    )
    made.raise_for_status()
    if not teacher:
        return
    httpx.patch(
        f"{server.base_url}/api/users/{made.json()['id']}", json={"role": "teacher"}, headers=headers
    ).raise_for_status()


def create_class(page: Page, email: str, name: str) -> str:
    """Log in as the teacher ``email``, create a class named ``name`` on /classes; its join code."""
    page.goto("/login")
    log_in(page, email, TEACHER_PASSWORD)
    expect(page.get_by_test_id("current-user")).to_be_visible()
    page.get_by_test_id("nav-classes").click()
    expect(page).to_have_url("/classes")
    page.get_by_label("Class name").fill(name)
    page.get_by_role("button", name="Create class").click()
    card = page.get_by_test_id("class-card").filter(has_text=name)
    expect(card.get_by_test_id("join-code")).to_have_text(
        re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
    )
    expect(card.get_by_test_id("no-learners")).to_be_visible()
    return card.get_by_test_id("join-code").inner_text()


def sign_up(page: Page) -> None:
    page.goto("/signup")
    page.get_by_label("Email").fill("lena@school.example")
    page.get_by_label("Name").fill("Lena Park")
    page.get_by_label("Password", exact=True).fill(LEARNER_PASSWORD)
    page.get_by_label("Confirm password").fill(LEARNER_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_test_id("current-user")).to_have_text("Lena Park")


def join(page: Page, code: str) -> None:
    page.get_by_test_id("nav-classes").click()
    expect(page.get_by_test_id("no-teachers")).to_be_visible()
    page.get_by_label("Class code").fill("NOPE-NOPE")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_test_id("join-error")).to_contain_text("Class code: no class has this code")
    page.get_by_label("Class code").fill(f" {code.lower()} ")
    page.get_by_role("button", name="Join").click()
    mine = page.get_by_test_id("my-teacher")
    expect(mine).to_have_count(1)
    expect(mine.get_by_test_id("teacher-name")).to_have_text("Tess Teacher")
    expect(mine.get_by_test_id("joined-class")).to_have_text("Monday evening")
    expect(page.get_by_test_id("join-error")).to_be_hidden()


def hold_conversation(page: Page) -> str:
    """Start a session, type one sentence with mistakes, end it; the session's id."""
    page.goto("/tutor")
    page.get_by_test_id("start-session").click()
    expect(page).to_have_url(re.compile(r"/tutor/sessions/[0-9a-f-]+$"))
    expect(page.get_by_test_id("tutor-message")).to_have_count(1)
    page.get_by_test_id("message-input").fill(SENTENCE)
    page.get_by_test_id("message-input").press("Enter")
    expect(page.get_by_test_id("tutor-message")).to_have_count(2)
    expect(page.get_by_test_id("correction-card")).not_to_have_count(0)
    page.get_by_test_id("end-session").click()
    expect(page.get_by_test_id("session-summary")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def test_a_learner_signs_up_joins_by_code_and_their_teacher_sees_the_conversation(
    browser: Browser, start_server: StartServer
) -> None:
    server = start_server(FRAMECAST_WEB__SIGNUP="open", FRAMECAST_TUTOR__AVATAR="none")
    contexts = [new_studio_context(browser, server) for _ in range(4)]
    admin, teacher, learner, stranger = contexts
    try:
        admin_page = admin.new_page()
        set_up_admin(admin_page)
        make_account(server, "tess@school.example", "Tess Teacher")
        make_account(server, "tom@school.example", "Tom Other", teacher=True)
        admin_page.goto("/admin/users")
        tess = admin_page.locator('[data-testid="user-row"][data-email="tess@school.example"]')
        expect(tess.get_by_test_id("user-role")).to_have_text("learner")
        tess.get_by_role("button", name="Make teacher").click()
        expect(tess.get_by_test_id("user-role")).to_have_text("teacher")
        with (
            watched_page(teacher, server) as teacher_page,
            watched_page(learner, server) as learner_page,
            watched_page(stranger, server) as stranger_page,
        ):
            code = create_class(teacher_page, "tess@school.example", "Monday evening")
            create_class(stranger_page, "tom@school.example", "Tom's class")

            sign_up(learner_page)
            join(learner_page, code)
            session_id = hold_conversation(learner_page)

            teacher_page.reload()
            card = teacher_page.get_by_test_id("class-card").filter(has_text="Monday evening")
            link = card.get_by_test_id("learner-link")
            expect(link).to_have_text("Lena Park")
            link.click()
            expect(teacher_page).to_have_url(re.compile(r"/classes/learners/\d+$"))
            learner_id = teacher_page.url.rsplit("/", 1)[1]
            expect(teacher_page.get_by_test_id("learner-name")).to_have_text("Lena Park")
            expect(teacher_page.get_by_test_id("progress-body")).to_be_visible()
            grammar = teacher_page.get_by_test_id("score-grammar")
            expect(grammar).to_have_attribute("data-value", re.compile(r"^\d+$"))
            assert 0 < int(grammar.get_attribute("data-value") or 0) < 100
            expect(teacher_page.get_by_test_id("total-sessions").locator(".value")).to_have_text("1")
            chart = teacher_page.get_by_test_id("progress-chart")
            expect(chart.locator('[data-testid="chart-point"][data-series="grammar"]')).to_have_count(1)
            by_type = teacher_page.get_by_test_id("corrections-by-type")
            expect(by_type.get_by_test_id("bar-grammar")).not_to_have_attribute("data-count", "0")
            expect(
                teacher_page.get_by_test_id("common-mistakes").get_by_test_id("mistake")
            ).not_to_have_count(0)
            # Said to the teacher about the learner, never as if the teacher were the learner.
            expect(teacher_page.get_by_test_id("no-practice-attempts")).to_have_text(
                "Lena Park has not practised a phrase yet."
            )
            suggestions = teacher_page.get_by_test_id("suggestion")
            expect(suggestions.first).to_contain_text("Lena Park")
            expect(teacher_page.get_by_test_id("progress-body")).not_to_contain_text(
                re.compile(r"\byour?\b", re.I)
            )
            expect(chart.locator("title").first).to_have_text("Lena Park's scores over time (0 to 100)")
            item = teacher_page.locator(f'[data-testid="session-item"][data-session-id="{session_id}"]')
            item.locator("summary").click()
            transcript = item.get_by_test_id("transcript")
            expect(transcript.locator('[data-role="user"]')).to_contain_text(SENTENCE)
            expect(transcript.get_by_test_id("transcript-correction")).not_to_have_count(0)
            teacher_page.screenshot(path="/tmp/teacher_view.png", full_page=True)

            stranger_page.goto("/classes")
            expect(stranger_page.get_by_test_id("class-card")).to_have_count(1)
            expect(stranger_page.get_by_test_id("learner-link")).to_have_count(0)
            refused = stranger_page.goto(f"/classes/learners/{learner_id}")
            assert refused is not None
            assert refused.status == 404
            expect(stranger_page.locator("body")).not_to_contain_text("Lena")
            own = learner_page.goto(f"/classes/learners/{learner_id}")
            assert own is not None
            assert own.status == 403
    finally:
        for browser_context in contexts:
            browser_context.close()


def test_a_teacher_invites_by_email_the_learner_accepts_and_later_leaves(
    browser: Browser, start_server: StartServer
) -> None:
    server = start_server(FRAMECAST_WEB__SIGNUP="open", FRAMECAST_TUTOR__AVATAR="none")
    contexts = [new_studio_context(browser, server) for _ in range(3)]
    admin, teacher, learner = contexts
    try:
        set_up_admin(admin.new_page())
        make_account(server, "tess@school.example", "Tess Teacher", teacher=True)
        with watched_page(teacher, server) as teacher_page, watched_page(learner, server) as learner_page:
            create_class(teacher_page, "tess@school.example", "Monday evening")
            card = teacher_page.get_by_test_id("class-card")
            card.get_by_test_id("invite-email").fill("lena@school.example")
            card.get_by_role("button", name="Invite").click()
            expect(card.get_by_test_id("pending-invite")).to_contain_text("lena@school.example")

            sign_up(learner_page)
            learner_page.get_by_test_id("nav-classes").click()
            invitation = learner_page.get_by_test_id("invitation")
            expect(invitation).to_contain_text("Monday evening (Tess Teacher)")
            invitation.get_by_role("button", name="Accept").click()
            expect(learner_page.get_by_test_id("my-teacher")).to_contain_text("Tess Teacher")
            expect(learner_page.get_by_test_id("invitations-box")).to_be_hidden()

            learner_page.screenshot(path="/tmp/classes_learner.png", full_page=True)
            teacher_page.reload()
            expect(teacher_page.get_by_test_id("learner-link")).to_have_text("Lena Park")
            expect(teacher_page.get_by_test_id("pending-invite")).to_have_count(0)
            teacher_page.screenshot(path="/tmp/classes_teacher.png", full_page=True)

            # Leaving asks first, as deleting a class does: saying no keeps the learner in it.
            questions: list[str] = []

            def answer(dialog: Dialog, *, accept: bool) -> None:
                questions.append(dialog.message)
                if accept:
                    dialog.accept()
                else:
                    dialog.dismiss()

            learner_page.once("dialog", lambda dialog: answer(dialog, accept=False))
            learner_page.get_by_test_id("leave-class").click()
            learner_page.wait_for_function("() => true")  # lets the dialog's event be handled
            assert len(questions) == 1
            assert "Tess Teacher" in questions[0]
            expect(learner_page.get_by_test_id("my-teacher")).to_have_count(1)
            learner_page.once("dialog", lambda dialog: answer(dialog, accept=True))
            learner_page.get_by_test_id("leave-class").click()
            expect(learner_page.get_by_test_id("no-teachers")).to_be_visible()
            assert len(questions) == 2
            teacher_page.reload()
            expect(teacher_page.get_by_test_id("no-learners")).to_be_visible()
    finally:
        for browser_context in contexts:
            browser_context.close()
