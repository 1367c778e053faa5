"""The replica's sub-commands of ``newscrawl`` (entry-point group ``newscrawl.commands``).

Each is a :class:`newscrawl.cli.Command`; its module is imported only when it runs.
"""

from __future__ import annotations

from newscrawl.cli import Command

demo = Command("crawl the offline replica into output/ (no network needed)", "newscrawl_replica.commands.demo")
replica = Command(
    "serve the offline replica of the ministry sites on 127.0.0.1", "newscrawl_replica.commands.serve"
)
