"""Stack Exchange questions through API 2.3 ``/search/advanced`` (site, tagged, q).

The source address is the API call itself,
``https://api.stackexchange.com/2.3/search/advanced?site=superuser&q=WORDS&tagged=wifi``,
or a site's search page (``https://superuser.com/search?q=WORDS``), which becomes it.

The API's rules are honoured: a ``backoff`` field means "do not call this method
again for N seconds" (paging stops and the next run waits); every answer carries
``quota_remaining`` of the daily quota (300 requests a day per address without an
app key, 10,000 with one: ``key`` in the source's options; keys are not secret),
shown in the source's health; a spent quota or a ``throttle_violation`` becomes a
wait until the quota renews. The cursor is the newest ``creation_date`` seen, sent
back as ``fromdate``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from engage_desktop.sources.api import (
    epoch_date,
    error_json,
    read_json,
    text_int,
)
from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient, wait_words
from engage_desktop.sources.item import FeedItem
from engage_desktop.sources.sanitize import clean_html, html_to_text

API = "https://api.stackexchange.com/2.3"
PAGE = 50
MAX_PAGES = 3
SERVICE = "Stack Exchange"
#: Sites whose own domain is not ``NAME.stackexchange.com``.
_OWN_DOMAINS = {
    "stackoverflow.com": "stackoverflow",
    "superuser.com": "superuser",
    "serverfault.com": "serverfault",
    "askubuntu.com": "askubuntu",
    "mathoverflow.net": "mathoverflow",
}


def site_of_host(host: str) -> str | None:
    """The API site name of a Stack Exchange host, or None for other hosts."""
    host = host.lower().removeprefix("www.")
    if host in _OWN_DOMAINS:
        return _OWN_DOMAINS[host]
    if host.endswith(".stackexchange.com") and host.count(".") == 2:
        return host.split(".")[0]
    return None


def search_of(url: str) -> tuple[str, dict[str, str]]:
    """The search endpoint and its site/q/tagged parameters for a source address.

    Raises:
        ValueError: The address names no site or nothing to search, in words.
    """
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if v and v[0].strip()}
    if parts.path.rstrip("/").endswith("/search/advanced"):
        endpoint = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        site = query.get("site")
    else:
        endpoint = f"{API}/search/advanced"
        site = site_of_host(parts.hostname or "")
        if "q" not in query and query.get("tagged") is None:
            query = {}
    if not site:
        raise ValueError(
            f"{url} names no Stack Exchange site; use "
            "https://api.stackexchange.com/2.3/search/advanced?site=NAME&q=WORDS"
        )
    params = {"site": site}
    for key in ("q", "tagged", "title", "key"):
        if query.get(key):
            params[key] = query[key].strip()
    if "q" not in params and "tagged" not in params and "title" not in params:
        raise ValueError(f"{url} has nothing to search for; add q=WORDS or tagged=TAG")
    return endpoint, params


def search_url(site: str, words: str, *, api: str = API) -> str:
    """The source address of a search of ``site`` for ``words``."""
    return f"{api}/search/advanced?{urlencode({'site': site, 'q': words})}"


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """Questions created since the cursor, newest first; the quota left in the note."""
    try:
        endpoint, params = search_of(spec.url)
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    key = spec.config.get("key")
    if isinstance(key, str) and key:
        params["key"] = key
    since = int(spec.cursor) if spec.cursor and spec.cursor.isdigit() else None
    newest = since
    items: list[FeedItem] = []
    quota: tuple[int, int] | None = None
    wait: float | None = None
    for page in range(1, MAX_PAGES + 1):
        call = {
            **params, "order": "desc", "sort": "creation", "pagesize": str(PAGE),
            "page": str(page), "filter": "withbody",
        }  # fmt: skip
        if since is not None:
            call["fromdate"] = str(since + 1)
        try:
            response = http.get(endpoint, params=call, accept="application/json")
        except FetchError as exc:
            raise _explained(exc) from None
        data = read_json(response, SERVICE)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise FetchError("Stack Exchange's answer has no list of items; check the address")
        left, most = text_int(data.get("quota_remaining")), text_int(data.get("quota_max"))
        if left is not None:
            quota = (left, most or 0)
        for question in data["items"]:
            item = question_item(question)
            if item is None:
                continue
            items.append(item)
            created = text_int(question.get("creation_date"))
            if created is not None and (newest is None or created > newest):
                newest = created
        backoff = text_int(data.get("backoff"))
        if backoff:
            wait = float(backoff)  # the API's rule: no call to this method before then
            break
        if not data.get("has_more") or (quota is not None and quota[0] <= 0):
            break
    note = None
    if quota is not None:
        note = f"quota left today: {quota[0]:,} of {quota[1]:,} requests"
        if quota[0] <= 0:
            wait = max(wait or 0.0, _until_midnight_utc())
            note += f"; spent, the source waits {wait_words(wait)} until it renews"
    if wait and quota is not None and quota[0] > 0:
        note = f"{note}; the API asked for a pause of {wait_words(wait)}"
    return FetchOutcome(
        items=items, cursor=str(newest) if newest is not None else None, note=note, wait_s=wait
    )


def _until_midnight_utc() -> float:
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def _explained(exc: FetchError) -> FetchError:
    """An API error (HTTP 400 with ``error_id``/``error_name``) in words."""
    body = error_json(exc)
    name = str(body.get("error_name") or "")
    message = str(body.get("error_message") or "")[:200]
    if name == "throttle_violation" or exc.status == 429:
        wait = exc.retry_after or _seconds_in(message) or _until_midnight_utc()
        return FetchError(
            "Stack Exchange is throttling this address (throttle_violation): "
            f"{message or 'too many requests'}; the source waits {wait_words(wait)}",
            retry_after=wait,
            status=exc.status,
        )
    if name == "no_method" or exc.status == 404:
        return FetchError("the Stack Exchange API has no such method; check the address")
    if name:
        return FetchError(
            f"Stack Exchange refused the search ({name}): {message}", status=exc.status
        )
    return exc


def _seconds_in(message: str) -> float | None:
    """The wait in "more requests available in 80000 seconds"."""
    words = message.split()
    for i, word in enumerate(words[:-1]):
        if word.isdigit() and words[i + 1].startswith("second"):
            return min(float(word), 24 * 3600.0)
    return None


def question_item(question: object) -> FeedItem | None:
    """One question as a FeedItem (its id is the thread of its answers)."""
    if not isinstance(question, dict):
        return None
    qid, link = question.get("question_id"), question.get("link")
    if qid is None or not isinstance(link, str):
        return None
    owner = question.get("owner") if isinstance(question.get("owner"), dict) else {}
    body = question.get("body")
    title = question.get("title")
    name = owner.get("display_name") if isinstance(owner.get("display_name"), str) else None
    return FeedItem(
        item_key=link,
        url=link,
        title=html_to_text(title) if isinstance(title, str) else None,
        text=html_to_text(body) if isinstance(body, str) else str(title or ""),
        html=clean_html(body) if isinstance(body, str) else None,
        published=epoch_date(question.get("creation_date")) or datetime.now(UTC),
        author_name=name,
        author_handle=str(owner["user_id"]) if owner.get("user_id") is not None else name,
        author_url=owner.get("link") if isinstance(owner.get("link"), str) else None,
        remote_id=str(qid),
        thread_id=str(qid),
        replies=text_int(question.get("answer_count")),
        score=text_int(question.get("score")),
    )
