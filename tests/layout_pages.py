"""The hand-written pages of tests/fixtures/layouts and what a reader sees in them.

A made-up ministry whose pages changed layout on 1 March 2024 (``moe_en.toml``: layout ``2017``
until then, ``2026`` since): one page of each layout, a page of a later redesign that neither
layout reads (``redesign.html``) and that redesign's "page not found". The expected fields are
read off the HTML by hand, never from the extraction's output.
"""

from __future__ import annotations

from newscrawl.profiles import load_profile
from tests.helpers import FIXTURES

FOLDER = FIXTURES / "layouts"
PROFILE_FILE = FOLDER / "moe_en.toml"
PROFILE = load_profile(PROFILE_FILE)
BASE = "https://www.moe.example"
OLD = (BASE + "/en/news/1187/Minister-opens-40-new-village-schools", "old_2017.html")
NEW = (BASE + "/en/news/9342/Exam-results-published-a-week-early", "new_2026.html")
REDESIGN = (BASE + "/en/news/10050/New-curriculum-for-science-classes", "redesign.html")
NOT_FOUND = (BASE + "/en/news/10051/x", "not_found.html")

OLD_FIELDS = {
    "title": "Minister opens 40 new village schools",
    "lead": "Forty schools built with local councils opened in three provinces.",
    "body": (
        "The minister opened forty new primary schools in villages of three provinces on "
        "Tuesday, each built with the help of its local council.\n\n"
        "Every school has six classrooms, a library and a heated hall for winter, and will "
        "teach about two hundred children.\n\n"
        "Teachers for the new schools were hired from the villages themselves, the ministry said."
    ),
    "tags": ["schools", "villages"],
    "published_at": "2017-12-05",  # "5 December 2017": a date only
    "layout": "2017",
}
NEW_FIELDS = {
    "title": "Exam results published a week early",
    "lead": "Pupils can read their final-year results online from Friday.",
    "body": (
        "The results of this year's final-year exams are published a week earlier than "
        "planned, the ministry announced on Saturday.\n\n"
        "Pupils read them on the ministry's portal with their exam number; schools receive a "
        "printed copy next week.\n\n"
        "Marking was faster because papers were scanned and marked on screen for the first time."
    ),
    "tags": ["exams", "schools"],
    "published_at": "2026-11-28T10:30:00+03:30",  # Iran has kept +03:30 all year since 2022
    "layout": "2026",
}
REDESIGN_PARAGRAPHS = [
    "Science classes in secondary schools will follow a new curriculum from next autumn",
    "The new curriculum was written over two years by a panel of teachers",
    "Schools will receive the new textbooks and laboratory kits over the summer",
]


def page(which: tuple[str, str]) -> tuple[str, bytes]:
    url, name = which
    return url, (FOLDER / name).read_bytes()
