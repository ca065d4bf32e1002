"""Helpers of the browser tests: log in through the form, keep screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

__all__ = ["screenshot", "log_in", "log_out", "wait_for", "wait_text", "By", "DEMO_BODIES",
           "SMALL_SITE", "CYRILLIC_SURNAMES"]

#: remains in the demonstration loaded for the web tests (small: the identification of the
#: stored case runs in the fixture, and stores the proposals the review pages show)
DEMO_BODIES = 40
#: a second, small site: its three examined remains (2 male, 1 female) are all small cells
SMALL_SITE = "WEBTEST-S2"
#: SYNTHETIC missing persons with Ukrainian surnames (in no particular order)
CYRILLIC_SURNAMES = ("Їжак", "Іваненко", "Бойко", "Ґалаґан", "Гнатюк", "Євтушенко", "Яковенко",
                     "Ищенко")


def screenshot(driver: Any, name: str) -> None:
    """Keep a screenshot (only when HOMECOMING_SCREENSHOTS names a folder)."""
    folder = os.environ.get("HOMECOMING_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def _chromedriver_hiccup(exc: WebDriverException) -> bool:
    """ChromeDriver's plain "unknown error" (e.g. "unhandled inspector error" under load),
    not one of its subclasses: a timeout or a missing element is a real failure."""
    return type(exc) is WebDriverException


def log_in(driver: Any, server: Any, name: str, password: str | None = None,
           next_path: str = "") -> None:
    """Log in through the form and wait until the next page has loaded.

    A plain :class:`WebDriverException` (ChromeDriver's "unhandled inspector error" on a
    loaded machine) is retried once: before the form is submitted, the whole log-in; once it
    is submitted, only the wait for the next page (submitting again would count a second
    attempt, which the lockout test counts)."""
    url = server.url + "/login" + (f"?next={next_path}" if next_path else "")
    secret = server.passwords[name] if password is None else password
    button = None
    for attempt in (1, 2):
        try:
            driver.get(url)
            driver.find_element(By.ID, "name").send_keys(name)
            driver.find_element(By.ID, "password").send_keys(secret)
            button = driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]")
            break
        except WebDriverException as exc:
            if attempt == 2 or not _chromedriver_hiccup(exc):
                raise
    assert button is not None
    try:
        button.click()
    except WebDriverException as exc:
        if not _chromedriver_hiccup(exc):
            raise
    wait_gone(driver, button)  # the next page has loaded


def wait_gone(driver: Any, element: Any, timeout: float = 30) -> None:
    """Wait until ``element`` has left the page (the next page has loaded). ChromeDriver's
    plain "unknown error" while the old document is being replaced (e.g. "unhandled
    inspector error") means "not yet", as a still-attached element does; any other error
    is a failure."""
    stale = EC.staleness_of(element)

    def gone(d: Any) -> bool:
        try:
            return bool(stale(d))
        except WebDriverException as exc:
            if _chromedriver_hiccup(exc):
                return False
            raise

    WebDriverWait(driver, timeout).until(gone)



def wait_for(driver: Any, css: str, timeout: float = 30) -> Any:
    """The element matching ``css`` once it is present (ChromeDriver's plain "unknown error"
    while a page is being replaced counts as not yet)."""
    present = EC.presence_of_element_located((By.CSS_SELECTOR, css))

    def found(d: Any) -> Any:
        try:
            return present(d)
        except WebDriverException as exc:
            if _chromedriver_hiccup(exc):
                return False
            raise

    return WebDriverWait(driver, timeout).until(found)


def wait_text(driver: Any, css: str, text: str, timeout: float = 30) -> None:
    """Wait until the element matching ``css`` shows ``text`` (after a page load)."""
    def shown(d: Any) -> bool:
        try:
            return bool(d.find_element(By.CSS_SELECTOR, css).text == text)
        except Exception:  # not there yet, or replaced by the next page
            return False

    WebDriverWait(driver, timeout).until(shown)


def log_out(driver: Any) -> None:
    """Log out with the header's button and wait for the log-in page."""
    button = driver.find_element(By.CSS_SELECTOR, "form.logout button")
    button.click()
    wait_gone(driver, button)
    wait_for(driver, "#name")
