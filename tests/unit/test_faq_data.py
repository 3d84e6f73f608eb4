"""The FAQ the help window shows (resources/help/faq.json) is DOR's FAQ as published
(resources/help/third-party-access-faq.txt, the page's text): the same questions in the
same order, each answer in the same words, paragraphs and bullets, with its source."""

from __future__ import annotations

import json
import re
from typing import Any

from mtc_desktop.resources import resource

FAQ_IDS = (
    "what-is",
    "who-starts",
    "tp-request",
    "tx-approve",
    "tx-change",
    "tx-cancel",
    "tp-cancel",
    "sign-up-client",
    "impersonation",
    "tp-view-clients",
    "itin",
    "reactivate",
    "letters",
    "poa-vs-third-party",
    "tp-manage-my-clients",
    "tp-missing-manage-my-clients",
    "tp-sees-client",
)
# The one correction made to the published words (a missing space).
CORRECTIONS = {"Accesssection": "Access section"}


def _clean(text: str) -> str:
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()
    for wrong, right in CORRECTIONS.items():
        text = text.replace(wrong, right)
    return text


def parse_faq_text(text: str) -> list[dict[str, Any]]:
    """The published page's questions and answers: a question is a line ending in "?"
    after the table of contents, a bullet line starts with "•" (indented deeper: a bullet
    of the bullet before), any other line is a paragraph; the page's feedback box ends it."""
    body = text.split("Table of Contents", 1)[1].split("Help Us Improve Mass.gov", 1)[0]
    answers: list[dict[str, Any]] = []
    for raw in body.splitlines():
        if not raw.strip():
            continue
        stripped = raw.lstrip(" \u00a0")
        if stripped.startswith("•"):
            depth = (len(raw) - len(stripped)) // 4  # two spaces: a bullet; six: under one
            item = {"text": _clean(stripped[1:])}
            blocks = answers[-1]["blocks"]
            if not blocks or "list" not in blocks[-1]:
                blocks.append({"list": []})
            items = blocks[-1]["list"]
            if depth >= 1:
                items[-1].setdefault("list", []).append(item)
            else:
                items.append(item)
        elif _clean(raw).endswith("?") and not raw.startswith(" "):
            answers.append({"question": _clean(raw), "blocks": []})
        else:
            answers[-1]["blocks"].append({"paragraph": _clean(raw)})
    return answers


def _published() -> list[dict[str, Any]]:
    return parse_faq_text(resource("help", "third-party-access-faq.txt").read_text("utf-8"))


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("help", "faq.json").read_text("utf-8"))
    return data


def test_the_faq_has_the_published_questions_one_to_one_in_order_with_the_agreed_ids() -> None:
    published = _published()
    shipped = _shipped()["answers"]
    assert [a["question"] for a in shipped] == [a["question"] for a in published]
    assert len(shipped) == 17
    assert tuple(a["id"] for a in shipped) == FAQ_IDS


def test_every_answer_is_the_published_answer_word_for_word() -> None:
    for shipped, published in zip(_shipped()["answers"], _published(), strict=True):
        assert shipped["blocks"] == published["blocks"], shipped["id"]


def test_the_one_correction_is_said_where_it_is_made() -> None:
    answers = {a["id"]: a for a in _shipped()["answers"]}
    text = json.dumps(answers["tp-request"]["blocks"], ensure_ascii=False)
    assert "Third-party Access section" in text
    assert "Accesssection" not in text
    assert "Accesssection" in answers["tp-request"]["comment"]
    assert [a["id"] for a in answers.values() if "comment" in a] == ["tp-request"]


def test_the_source_is_named_with_its_date() -> None:
    source = _shipped()["source"]
    assert source["title"] == "Third-party access to MassTaxConnect FAQs"
    assert source["url"] == (
        "https://www.mass.gov/info-details/third-party-access-to-masstaxconnect-faqs"
    )
    assert source["updated"] == "Updated: August 16, 2022"
    assert source["updated"] in resource("help", "third-party-access-faq.txt").read_text("utf-8")
