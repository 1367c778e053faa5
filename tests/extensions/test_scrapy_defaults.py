"""Scrapy extensions that newscrawl's settings switch off, built with the project's values."""

from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.remote_control import RemoteControl
from scrapy.extensions.telnet import TelnetConsole
from scrapy.utils.test import get_crawler

from newscrawl import settings as project

SWITCHES = ("TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED")


def project_crawler() -> Crawler:
    """A crawler with newscrawl's values of the extensions' switches."""
    return get_crawler(settings_dict={name: getattr(project, name) for name in SWITCHES})


@pytest.mark.parametrize("extension", [RemoteControl, TelnetConsole])
def test_no_code_execution_server_is_opened_by_a_crawl(extension: type) -> None:
    """The telnet console and Scrapy 2.19's remote control (an HTTP server that runs posted
    Python code, with a job file per crawl in the user's state directory) switch themselves off."""
    with pytest.raises(NotConfigured):
        extension.from_crawler(project_crawler())
