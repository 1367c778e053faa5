"""A stored word-level diff as text: coloured for a terminal, plain markers, or HTML.

Plain text marks inserted words ``[+like this+]``, deleted words ``{-like this-}``, changes in
volatile regions ``(~{-12-}[+13+]~)`` and normalisation-only changes ``(=...=)``; a moved
passage carries ``>>`` where it went and ``<<`` where it came from. On a terminal the same
changes are green, red, and dim grey. Long unchanged runs are cut to their first and last
:data:`CONTEXT` words around ``…``. Equal runs are stored as counts, so the new revision's text
is needed to render them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Final, Literal

from newscrawl.changes.diff import Op, tokens

__all__ = ["CONTEXT", "Style", "render_ops"]

Style = Literal["plain", "ansi", "html"]
#: Unchanged words shown on each side of a change.
CONTEXT: Final = 8

_ANSI: Final = {"+": "\x1b[32m", "-": "\x1b[31m", "dim": "\x1b[2m", "reset": "\x1b[0m"}


def render_ops(ops: Sequence[Op], new_text: str | None, style: Style = "plain") -> str:
    """*ops* (a diff from some old text to *new_text*) rendered in *style*."""
    words = tokens(new_text)
    cursor = 0
    out: list[str] = []
    last = len(ops) - 1
    for index, op in enumerate(ops):
        if "=" in op:
            run = words[cursor : cursor + op["="]]
            cursor += op["="]
            out.append(
                _escape(" ".join(_context(run, first=index == 0, last=index == last)), style)
            )
            continue
        if "+" in op:
            cursor += len(op["+"].split(" "))
        out.append(_change(op, style))
    return " ".join(part for part in out if part)


def _context(run: list[str], *, first: bool, last: bool) -> list[str]:
    head = [] if first else run[:CONTEXT]
    tail = [] if last else run[-CONTEXT:]
    if len(run) <= len(head) + len(tail) or (not first and not last and len(run) <= 2 * CONTEXT):
        return run
    return [*head, "…", *tail]


def _escape(text: str, style: Style) -> str:
    return html.escape(text, quote=False) if style == "html" else text


def _change(op: Op, style: Style) -> str:
    kind = op.get("k")
    old = _escape(op.get("-", ""), style)
    new = _escape(op.get("+", ""), style)
    if style == "html":
        parts = []
        if old:
            parts.append(f'<del class="{kind or "change"}">{old}</del>')
        if new:
            parts.append(f'<ins class="{kind or "change"}">{new}</ins>')
        body = "".join(parts)
        if kind in ("volatile", "trivial"):
            return f'<span style="color:#888" class="{kind}">{body}</span>'
        return body
    if style == "ansi":
        if kind in ("volatile", "trivial"):
            text = " ".join(p for p in (old and f"-{old}", new and f"+{new}") if p)
            return f"{_ANSI['dim']}{text}{_ANSI['reset']}"
        parts = []
        if old:
            parts.append(f"{_ANSI['-']}{old}{_ANSI['reset']}")
        if new:
            parts.append(f"{_ANSI['+']}{new}{_ANSI['reset']}")
        text = " ".join(parts)
    else:
        text = "".join(p for p in (old and f"{{-{old}-}}", new and f"[+{new}+]") if p)
        if kind == "volatile":
            return f"(~{text}~)"
        if kind == "trivial":
            return f"(={text}=)"
    if kind == "moved":
        return f">>{text}" if old else f"<<{text}"
    return text
