"""`summarize serve`: the clusters of an output folder as web pages, and an HTTP API to brief new ones.

Pages: `/` lists the clusters in --out (newest first) with a form to upload article files or
paste a text; `/clusters/<id>/` is a cluster's page (the cluster.html rendering) or, while it
runs, its progress. API: `POST /api/clusters` (multipart files, or JSON
{"articles": [{"name", "text"}]}) answers 202 with the id and a status URL; `GET
/api/clusters/<id>` gives the status, then the cluster.json document; `GET /api/clusters` lists
them; OpenAPI docs at /docs. Uploads run through the same pipeline, backends and cache as the CLI,
one at a time (summarize/uploads.py).

Safety: the server binds to localhost unless told otherwise, and a non-local --host needs a
--token that every write must bring (Authorization: Bearer); bound to localhost it answers only
requests addressed to localhost (no DNS rebinding) and refuses cross-site form posts. Uploads
are limited per file, per cluster and in bytes per request (413/422 with a JSON reason), ids and
file names never leave --out, and pages carry a Content-Security-Policy that allows no script.

Needs the `serve` extra: pip install 'summarize[serve]'.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import threading
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Optional
from urllib.parse import urlsplit

from summarize.errors import OutputError, UsageError

try:
    from fastapi import FastAPI, HTTPException, Request
    from fastapi.concurrency import run_in_threadpool
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
    from pydantic import BaseModel, Field, ValidationError
    from starlette.datastructures import UploadFile
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ModuleNotFoundError as missing:
    raise UsageError(
        f"summarize serve needs the web server packages ({missing.name} is missing): pip install 'summarize[serve]'"
    ) from missing

from summarize import __version__
from summarize.options import Options
from summarize.report import render_cluster, render_page
from summarize.uploads import ClusterService, Limits, Upload, UploadRejected, output_file

log = logging.getLogger("summarize.serve")

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MEDIA_TYPES = {"cluster.json": "application/json", "cluster.md": "text/markdown; charset=utf-8", "cluster.html": "text/html; charset=utf-8"}
FORM_OVERHEAD = 1_000_000  # multipart boundaries and headers on top of the files' bytes
LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}
PAGE_CACHE_SIZE = 32
UPLOADS_AT_ONCE = 4


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine reaches (localhost, 127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- API models (they document the API at /docs) ------------------------------------------------


class ArticleIn(BaseModel):
    name: str = Field("", max_length=1000, description="A label, used as the file name (made safe); .txt is added")
    text: str = Field(description="The article's text")


class Submission(BaseModel):
    articles: list[ArticleIn] = Field(description="The articles of one cluster (one event)")


class Progress(BaseModel):
    done: int
    total: int
    step: str


class StoredFile(BaseModel):
    name: str = Field(description="The name the client gave")
    stored_as: str = Field(description="The safe name it was stored under (shown in the cluster's outputs)")


class ClusterStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    status_url: str
    page_url: str
    title: str = ""
    articles: int = 0
    skipped: Optional[int] = None
    flags: Optional[int] = Field(None, description="Numbers and names the checks could not support")
    backend: Optional[str] = None
    updated: Optional[str] = Field(None, description="When it finished (done) or was submitted (ISO 8601, UTC)")
    progress: Optional[Progress] = None
    position: Optional[int] = Field(None, description="Clusters ahead of it in the queue")
    error: Optional[str] = None
    files: Optional[list[StoredFile]] = None
    result: Optional[dict] = Field(None, description="The cluster.json document, once done (GET /api/clusters/{id} only)")


class ClusterList(BaseModel):
    clusters: list[ClusterStatus]


class Accepted(BaseModel):
    id: str
    status: Literal["queued"]
    status_url: str
    page_url: str


SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                    "required": ["files"],
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/Submission"}},
        },
    }
}


def _urls(cluster_id: str) -> dict:
    return {"status_url": f"/api/clusters/{cluster_id}", "page_url": f"/clusters/{cluster_id}/"}


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` is refused with 413 before it is stored."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse({"detail": self.message(int(declared))}, status_code=413)
            return await response(scope, receive, send)
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, self.message(received))
            return message

        return await self.app(scope, limited, send)

    def message(self, size: int) -> str:
        return f"upload too large: {size / 1e6:.1f} MB > {self.max_bytes / 1e6:.1f} MB per request; send fewer or smaller files"


class HostGuard:
    """ASGI middleware for a server bound to localhost: answer only requests addressed to localhost
    (a web page cannot reach it through a rebound DNS name), and refuse posts from other sites' pages."""

    def __init__(self, app, local_only: bool):
        self.app, self.local_only = app, local_only

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            host = headers.get(b"host", b"").decode("latin-1")
            origin = headers.get(b"origin", b"").decode("latin-1")
            refusal = None
            if self.local_only and not is_loopback(urlsplit(f"//{host}").hostname or ""):
                refusal = (421, f"this server answers requests for localhost only, not {host!r}")
            elif scope["method"] == "POST" and origin and origin != "null" and urlsplit(origin).netloc != host:
                refusal = (403, "cross-site posts are refused; use the server's own page or its API")
            elif scope["method"] == "POST" and origin == "null":
                refusal = (403, "posts from pages without an origin are refused; use the server's own page or its API")
            if refusal:
                return await JSONResponse({"detail": refusal[1]}, status_code=refusal[0])(scope, receive, send)
        return await self.app(scope, receive, send)


class PageCache:
    """Rendered cluster pages, keyed by their cluster.json's mtime and size (least recently used go first)."""

    def __init__(self, size: int = PAGE_CACHE_SIZE):
        self.size = size
        self._pages: dict[tuple, str] = {}
        self._lock = threading.Lock()  # pages are served from several threads

    def page(self, service: ClusterService, cluster_id: str) -> str | None:
        folder = service.cluster_folder(cluster_id)
        try:
            stat = (folder / "cluster.json").stat() if folder is not None else None
        except OSError:
            stat = None
        if stat is None:
            return None
        key = (cluster_id, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            page = self._pages.pop(key, None)
        if page is None:
            doc = service.document(cluster_id)
            if doc is None:
                return None
            page = render_cluster(doc, datetime.fromtimestamp(stat.st_mtime, timezone.utc), served=True)
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.pop(next(iter(self._pages)))
        return page


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=PAGE_HEADERS)


async def _form_uploads(request: Request, limits: Limits) -> tuple[list[Upload], dict]:
    """The articles of a multipart form (files, and an optional pasted text) and its other fields."""
    try:
        form = await request.form(max_files=limits.files, max_fields=20, max_part_size=limits.file_bytes)
    except StarletteHTTPException as err:  # the parser's own limits: a count or a pasted text over the limits
        if "Too many files" in str(err.detail):
            raise HTTPException(413, f"too many files: more than {limits.files} per cluster; split them into several clusters") from None
        if "exceeded maximum size" in str(err.detail):
            raise HTTPException(413, f"pasted text too large: over {limits.file_bytes / 1e6:.1f} MB per article") from None
        raise
    uploads: list[Upload] = []
    fields = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()  # at most the request's size (BodyLimit)
                if value.filename or data:
                    uploads.append(Upload(value.filename or "", data))
            else:
                fields[key] = value
    finally:
        await form.close()
    if fields.get("text", "").strip():
        uploads.append(Upload(fields.get("name", "") or "pasted", fields["text"].encode("utf-8", "replace"), pasted=True))
    return uploads, fields


async def _json_uploads(request: Request) -> list[Upload]:
    try:
        submission = Submission.model_validate_json(await request.body())
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in err.errors()[:5])
        raise HTTPException(422, f"expected JSON {{\"articles\": [{{\"name\", \"text\"}}]}} ({problems})") from None
    return [Upload(article.name, article.text.encode("utf-8", "replace"), pasted=True) for article in submission.articles]


def create_app(
    out_dir: Path, options: Options, *, token: str | None = None, limits: Limits = Limits(), local_only: bool = True,
    service: ClusterService | None = None,
) -> FastAPI:
    """The web app over `out_dir`. `local_only`: bound to localhost (see HostGuard)."""
    service = service or ClusterService(out_dir, options, limits)
    pages = PageCache()
    # Bodies are read (and held in memory) by at most this many uploads at once; the others wait
    # unread, so memory stays within UPLOADS_AT_ONCE times the request limit however many arrive.
    receiving = asyncio.Semaphore(UPLOADS_AT_ONCE)

    @asynccontextmanager
    async def lifespan(_app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(
        title="summarize",
        version=__version__,
        description="Brief clusters of news articles: translate each to English, summarise it, then the whole cluster, "
        "with citations and checks of every number and name.",
        lifespan=lifespan,
    )
    def openapi() -> dict:
        """FastAPI's schema, plus the JSON submission (read by hand, as the endpoint also takes multipart)."""
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            submission = Submission.model_json_schema(ref_template="#/components/schemas/{model}")
            schema["components"]["schemas"].update(submission.pop("$defs", {}), Submission=submission)
        return app.openapi_schema

    app.openapi = openapi
    app.add_middleware(BodyLimit, max_bytes=limits.total_bytes + FORM_OVERHEAD)
    app.add_middleware(HostGuard, local_only=local_only)

    @app.exception_handler(StarletteHTTPException)
    async def errors(request: Request, error: StarletteHTTPException):
        wants_page = "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api")
        if not wants_page or error.status_code < 400:
            return await http_exception_handler(request, error)
        page = render_page("serve_error.html.j2", status=error.status_code, message=str(error.detail), served=True)
        return _html(page, error.status_code)

    def authorised(request: Request, form_token: str = "") -> None:
        if token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        given = given.strip() if scheme.lower() == "bearer" else form_token
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "this server needs its token to accept articles (Authorization: Bearer TOKEN)",
                                headers={"WWW-Authenticate": "Bearer"})

    async def submit(uploads: list[Upload]) -> str:
        try:
            return await run_in_threadpool(service.submit, uploads)
        except UploadRejected as err:
            raise HTTPException(err.status, str(err)) from None
        except OutputError as err:
            raise HTTPException(507, str(err)) from None

    def described(entry: dict) -> dict:
        return entry | _urls(entry["id"])

    # -- API -----------------------------------------------------------------------------------

    @app.post("/api/clusters", status_code=202, response_model=Accepted, openapi_extra=SUBMISSION_BODY,
              responses={401: {}, 413: {}, 415: {}, 422: {}}, tags=["clusters"])
    async def create_cluster(request: Request, response: Response):
        """Brief a new cluster: article files (multipart, field `files`) or JSON texts. Runs in the background."""
        authorised(request)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in {"multipart/form-data", "application/json"}:
            raise HTTPException(415, "send multipart/form-data (files) or application/json ({\"articles\": [...]})")
        async with receiving:
            if content_type == "multipart/form-data":
                uploads, _ = await _form_uploads(request, limits)
            else:
                uploads = await _json_uploads(request)
            cluster_id = await submit(uploads)
        response.headers["Location"] = f"/api/clusters/{cluster_id}"
        return {"id": cluster_id, "status": "queued", **_urls(cluster_id)}

    @app.get("/api/clusters", response_model=ClusterList, response_model_exclude_none=True, tags=["clusters"])
    def list_clusters():
        """Every cluster in the output folder and every upload not yet done, newest first."""
        return {"clusters": [described(entry) for entry in service.clusters()]}

    @app.get("/api/clusters/{cluster_id}", response_model=ClusterStatus, response_model_exclude_none=True,
             responses={404: {}}, tags=["clusters"])
    def get_cluster(cluster_id: str):
        """A cluster's status; once done, `result` holds its cluster.json document."""
        entry = service.status(cluster_id)
        if entry is None:
            raise HTTPException(404, f"no cluster {cluster_id!r} in this server's output folder")
        if entry["status"] == "done":
            entry["result"] = service.document(cluster_id)
        return described(entry)

    # -- pages ---------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home():
        page = render_page("serve_list.html.j2", clusters=service.clusters(), limits=limits, needs_token=token is not None,
                           out_dir=str(out_dir), served=True)
        return _html(page)

    @app.post("/upload", include_in_schema=False)
    async def upload_form(request: Request):
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            raise HTTPException(415, "the upload form sends multipart/form-data")
        async with receiving:
            uploads, fields = await _form_uploads(request, limits)
            authorised(request, fields.get("token", ""))
            cluster_id = await submit(uploads)
        return RedirectResponse(f"/clusters/{cluster_id}/", status_code=303)

    @app.get("/clusters/{cluster_id}", include_in_schema=False)
    def cluster_redirect(cluster_id: str):
        if service.status(cluster_id) is None:
            raise HTTPException(404, f"no cluster {cluster_id!r} here")
        return RedirectResponse(f"/clusters/{cluster_id}/", status_code=308)

    @app.get("/clusters/{cluster_id}/", response_class=HTMLResponse, include_in_schema=False)
    def cluster_page(cluster_id: str):
        page = pages.page(service, cluster_id)
        if page is not None:
            return _html(page)
        entry = service.status(cluster_id)
        if entry is None:
            raise HTTPException(404, f"no cluster {cluster_id!r} here")
        return _html(render_page("serve_job.html.j2", job=entry, served=True))

    @app.get("/clusters/{cluster_id}/{name}", include_in_schema=False)
    def cluster_file(cluster_id: str, name: str):
        folder = service.cluster_folder(cluster_id)
        path = output_file(folder, name) if folder is not None else None
        if path is None:
            raise HTTPException(404, f"no file {name!r} for cluster {cluster_id!r}")
        return FileResponse(path, media_type=MEDIA_TYPES[name], headers=PAGE_HEADERS)

    return app


def check_exposure(host: str, token: str | None) -> None:
    """A server other machines can reach must have a token for writes."""
    if not is_loopback(host) and not token:
        raise UsageError(
            f"--host {host} lets other machines reach the server; pass --token SECRET (or set SUMMARIZE_TOKEN) "
            "so that only clients sending 'Authorization: Bearer SECRET' can submit articles"
        )


def run_server(out_dir: Path, host: str, port: int, token: str | None, options: Options, limits: Limits = Limits()) -> None:
    """Serve `out_dir` until SIGINT/SIGTERM. A cluster running at that moment is left in staging
    (never half-visible) and runs again at the next start; finished clusters are already in place."""
    import uvicorn

    check_exposure(host, token)
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create {out_dir} ({err.strerror}); choose another --out directory") from err
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    app = create_app(out_dir, options, token=token, limits=limits, local_only=is_loopback(host))
    shown = f"[{host}]" if ":" in host else host
    log.info("serving %s at http://%s:%d/ (API docs at /docs); backend %s", out_dir, shown, port, options.backend)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5, server_header=False)


__all__ = ["create_app", "run_server", "check_exposure", "is_loopback", "Limits"]
