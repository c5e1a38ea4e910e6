"""The service in Debian's chromium, headless (selenium, the system's chromedriver; nothing is
downloaded): a student signs in with a token, uploads the Week 1 correct example and sees
11/11; the instructor's page shows the submission. Screenshots go to docs/ with
``AUTOGRADER_SCREENSHOTS=1``."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_server import ROOT, WEEK1, Server

from autograder.serve import auth
from autograder.serve.store import Store

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                 reason="needs Debian's chromium and chromium-driver")]


@pytest.fixture
def browser() -> Iterator[object]:
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look for a driver online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,1500"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _sign_in(driver: object, url: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + "/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "token").send_keys(token)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "signin").click()  # type: ignore[attr-defined]


def _wait_for(driver: object, text: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in driver.page_source:  # type: ignore[attr-defined]
            return
        time.sleep(0.5)
    raise TimeoutError(f"{text!r} did not appear: {driver.page_source[:2000]}")  # type: ignore[attr-defined]


def _shoot(driver: object, name: str) -> None:
    if os.environ.get("AUTOGRADER_SCREENSHOTS"):
        import base64

        # the whole page, beyond the window (Chrome DevTools)
        shot = driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        (ROOT / "docs" / name).write_bytes(base64.b64decode(shot["data"]))


def test_student_uploads_and_instructor_sees_it(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    data = tmp_path / "data"
    store = Store(data)
    student = auth.add_person(store, "alice", "Alice Example")
    for other in ("bob", "carol"):
        auth.add_person(store, other, other.title())
    teacher = auth.add_person(store, "prof", "The Instructor", auth.INSTRUCTOR)
    server = Server(data, "--jobs", "1").start()
    driver = browser
    try:
        _sign_in(driver, server.url, student)
        _wait_for(driver, "My submissions", 30)
        driver.find_element(By.ID, "notebook").send_keys(str(WEEK1 / "correct.ipynb"))  # type: ignore[attr-defined]
        driver.find_element(By.ID, "submit").click()  # type: ignore[attr-defined]
        _wait_for(driver, "<strong>11</strong> / 11", 900)  # the page follows the grading
        assert "feedback for alice" in driver.page_source  # type: ignore[attr-defined]
        _shoot(driver, "serve-student.png")
        driver.get(server.url + "/me")  # type: ignore[attr-defined]
        _wait_for(driver, "counts", 10)
        _shoot(driver, "serve-student-history.png")

        driver.delete_all_cookies()  # type: ignore[attr-defined]
        _sign_in(driver, server.url, teacher)
        _wait_for(driver, "Class overview", 30)
        driver.get(server.url + "/instructor/a/week1")  # type: ignore[attr-defined]
        _wait_for(driver, "Not submitted (2)", 30)
        page = driver.page_source  # type: ignore[attr-defined]
        assert "/instructor/people/alice" in page and "11 / 11" in page
        _shoot(driver, "serve-instructor.png")
    finally:
        server.stop()
