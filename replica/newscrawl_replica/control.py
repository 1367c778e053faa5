"""The control API under ``/_replica/`` (disallowed in robots.txt, never linked).

GET    /_replica/articles               every article: id, path, listing_path, title, date_raw,
                                        flags, state (live|edited|deleted|gone), version, etag
POST   /_replica/articles/{id}          JSON {"title"?, "lead"?, "paragraphs"?, "date_raw"?}: edit
DELETE /_replica/articles/{id}          the article answers 404 and leaves listings and feeds
POST   /_replica/articles/{id}/restore  undo the delete
POST   /_replica/publish                JSON {"count": N}: N new articles at the top
POST   /_replica/template               JSON {"name": "redesign"|"default"}
GET    /_replica/log                    [{"method", "path", "status"}] since start or last clear
DELETE /_replica/log                    clear the request log
GET    /_replica/comment-hits           {"hits": N}
POST   /_replica/reset                  back to the generated state (log and hits cleared too)
GET    /_replica/info                   {"site", "articles", "seed", "template", "lang", "tz"}
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.state import ReplicaState

PREFIX = "/_replica/"


def article_json(state: ReplicaState, art: ArticleSpec) -> dict[str, Any]:
    """The control API's view of one article."""
    return {
        "id": art.id,
        "path": art.path,
        "listing_path": art.listing_path,
        "title": art.title,
        "date_raw": art.date_raw,
        "flags": sorted(art.flags),
        "state": state.state_of(art),
        "version": art.version,
        "etag": state.etag(art),
    }


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


async def _payload(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except json.JSONDecodeError as exc:
        raise web.HTTPBadRequest(text=f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return data


def add_control_routes(app: web.Application, state: ReplicaState) -> None:
    """Register the control API of one site."""

    def find(request: web.Request) -> ArticleSpec:
        try:
            aid = int(request.match_info["id"])
        except ValueError:
            raise web.HTTPNotFound(text="no such article") from None
        art = state.article(aid)
        if art is None:
            raise web.HTTPNotFound(text="no such article")
        return art

    async def articles(request: web.Request) -> web.Response:
        return _json([article_json(state, a) for a in state.site.articles])

    async def edit(request: web.Request) -> web.Response:
        art = find(request)
        changes = await _payload(request)
        unknown = set(changes) - {"title", "lead", "paragraphs", "date_raw"}
        if unknown:
            raise web.HTTPBadRequest(text=f"unknown fields: {sorted(unknown)}")
        return _json(article_json(state, state.edit(art.id, changes)))

    async def delete(request: web.Request) -> web.Response:
        art = find(request)
        state.delete(art.id)
        return _json(article_json(state, art))

    async def restore(request: web.Request) -> web.Response:
        art = find(request)
        state.restore(art.id)
        return _json(article_json(state, art))

    async def publish(request: web.Request) -> web.Response:
        count = int((await _payload(request)).get("count", 1))
        if not 0 < count <= 10_000:
            raise web.HTTPBadRequest(text="count must be between 1 and 10000")
        return _json({"published": [article_json(state, a) for a in state.publish(count)]})

    async def template(request: web.Request) -> web.Response:
        try:
            state.set_template(str((await _payload(request)).get("name", "")))
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return _json({"template": state.template})

    async def get_log(request: web.Request) -> web.Response:
        return _json([{"method": m, "path": p, "status": s} for m, p, s in state.log])

    async def clear_log(request: web.Request) -> web.Response:
        state.log.clear()
        return _json({"cleared": True})

    async def comment_hits(request: web.Request) -> web.Response:
        return _json({"hits": state.comment_hits})

    async def reset(request: web.Request) -> web.Response:
        state.reset()
        state.log.clear()
        state.comment_hits = 0
        return _json({"reset": True})

    async def info(request: web.Request) -> web.Response:
        site = state.site
        return _json(
            {
                "site": site.name,
                "articles": len(site.articles),
                "seed": site.seed,
                "template": state.template,
                "lang": site.lang,
                "tz": site.tz,
            }
        )

    r = app.router
    r.add_get(PREFIX + "articles", articles)
    r.add_post(PREFIX + "articles/{id}", edit)
    r.add_delete(PREFIX + "articles/{id}", delete)
    r.add_post(PREFIX + "articles/{id}/restore", restore)
    r.add_post(PREFIX + "publish", publish)
    r.add_post(PREFIX + "template", template)
    r.add_get(PREFIX + "log", get_log)
    r.add_delete(PREFIX + "log", clear_log)
    r.add_get(PREFIX + "comment-hits", comment_hits)
    r.add_post(PREFIX + "reset", reset)
    r.add_get(PREFIX + "info", info)
