"""The browser tests' log-in helper retries ChromeDriver's plain "unknown error" (an
"unhandled inspector error" under load) once, and nothing else: checked with a fake driver
(no browser)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.common.exceptions import (
    InvalidSessionIdException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from webpages import log_in

HICCUP = WebDriverException("unknown error: unhandled inspector error: {\"code\":-32000}")


class _Server:
    url = "http://127.0.0.1:1"
    passwords = {"analyst": "SYNTHETIC-password"}


class _Button:
    def __init__(self, driver: _Driver) -> None:
        self.driver = driver

    def click(self) -> None:
        self.driver.calls.append("click")
        self.driver.raise_on("click")
        self.driver.submitted += 1

    def is_enabled(self) -> bool:  # what EC.staleness_of asks
        if self.driver.submitted:
            raise StaleElementReferenceException("the next page has loaded")
        return True


class _Field:
    def __init__(self, driver: _Driver, name: str) -> None:
        self.driver, self.name = driver, name

    def send_keys(self, text: str) -> None:
        self.driver.typed[self.name] = text


class _Driver:
    """Raises ``failures[step]`` (popped) at the named step: get, find, click."""

    def __init__(self, **failures: list[Exception]) -> None:
        self.failures = failures
        self.calls: list[str] = []
        self.typed: dict[str, str] = {}
        self.submitted = 0

    def raise_on(self, step: str) -> None:
        if self.failures.get(step):
            raise self.failures[step].pop(0)

    def get(self, url: str) -> None:
        self.calls.append(f"get {url}")
        self.raise_on("get")

    def find_element(self, by: str, value: str) -> Any:
        self.raise_on("find")
        return _Field(self, value) if value in ("name", "password") else _Button(self)


def test_an_inspector_error_before_submitting_retries_the_log_in_once():
    driver = _Driver(get=[HICCUP])
    log_in(driver, _Server(), "analyst", next_path="/review")
    assert driver.calls == ["get http://127.0.0.1:1/login?next=/review"] * 2 + ["click"]
    assert driver.typed == {"name": "analyst", "password": "SYNTHETIC-password"}
    assert driver.submitted == 1


def test_an_inspector_error_after_submitting_waits_again_without_submitting_again():
    driver = _Driver()
    button = _Button(driver)
    driver.find_element = lambda by, value: (  # type: ignore[method-assign]
        _Field(driver, value) if value in ("name", "password") else button)
    calls = {"n": 0}
    enabled = button.is_enabled

    def flaky() -> bool:  # the first look at the old page fails in ChromeDriver
        calls["n"] += 1
        if calls["n"] == 1:
            raise HICCUP
        return enabled()

    button.is_enabled = flaky  # type: ignore[method-assign]
    log_in(driver, _Server(), "analyst")
    assert driver.calls.count("click") == 1 and driver.submitted == 1 and calls["n"] == 2


def test_a_second_inspector_error_is_raised():
    driver = _Driver(get=[HICCUP, HICCUP])
    with pytest.raises(WebDriverException, match="unhandled inspector error"):
        log_in(driver, _Server(), "analyst")
    assert driver.submitted == 0 and len(driver.calls) == 2


@pytest.mark.parametrize("error", [TimeoutException("slow"), NoSuchElementException("#name")])
def test_other_webdriver_errors_are_not_retried(error):
    driver = _Driver(find=[error])
    with pytest.raises(type(error)):
        log_in(driver, _Server(), "analyst")
    assert driver.calls == ["get http://127.0.0.1:1/login"] and driver.submitted == 0


class _Leaving:
    """An element whose page is being replaced: ``hiccups`` inspector errors, then stale (or
    ``then`` raised)."""

    def __init__(self, hiccups: int, then: Exception) -> None:
        self.hiccups, self.then, self.asked = hiccups, then, 0

    def is_enabled(self) -> bool:
        self.asked += 1
        if self.asked <= self.hiccups:
            raise HICCUP
        raise self.then


def test_wait_gone_takes_inspector_errors_as_not_yet():
    from webpages import wait_gone

    element = _Leaving(2, StaleElementReferenceException("the next page has loaded"))
    wait_gone(object(), element, timeout=10)
    assert element.asked == 3


def test_wait_gone_raises_other_errors():
    from webpages import wait_gone

    element = _Leaving(1, InvalidSessionIdException("the browser went away"))
    with pytest.raises(InvalidSessionIdException):
        wait_gone(object(), element, timeout=10)
    assert element.asked == 2
