"""Column auto-mapping on the documented export headers of real listening tools."""

from __future__ import annotations

import pytest

from engage_desktop.core.errors import InvalidInput
from engage_desktop.inbox.import_map import auto_map, normalize_header, parse_map

# Brandwatch Consumer Research mention export (CSV/XLSX column titles of its
# documented mention fields: date, title, url, domain, sentiment, pageType,
# language, author, fullText, snippet, resourceId, threadId, ...).
BRANDWATCH = [
    "Query Id", "Query Name", "Date", "Title", "Url", "Domain", "Sentiment", "Page Type",
    "Language", "Country", "Author", "Full Name", "Full Text", "Snippet", "Resource Id",
    "Thread Id", "Twitter Followers", "Impact", "Reach (new)",
]  # fmt: skip
# Meltwater monitoring export.
MELTWATER = [
    "Date", "Headline", "URL", "Opening Text", "Hit Sentence", "Source", "Influencer",
    "Country", "Subregion", "Language", "Reach", "Desktop Reach", "Mobile Reach",
    "Twitter Social Echo", "Facebook Social Echo", "Reddit Social Echo",
    "National Viewership", "Engagement", "AVE", "Sentiment", "Key Phrases", "Input Name",
    "Keywords", "Twitter Authority", "Tweet Id", "Twitter Id", "Twitter Client",
    "Twitter Screen Name", "Twitter User Profile Url", "Twitter Bio", "Twitter Followers",
    "Twitter Following", "Alternate Date Format", "Time", "State", "City", "Body",
    "Document Tags", "Hashtag",
]  # fmt: skip
# Talkwalker document export (its documented document fields, flattened).
TALKWALKER = [
    "url", "indexed", "search_indexed", "published", "title", "content", "content_snippet",
    "root_url", "domain_url", "host_url", "lang", "sentiment", "source_type", "post_type",
    "extra_author_attributes.name", "extra_author_attributes.short_name", "engagement",
    "reach",
]  # fmt: skip
# Our own export.
OURS = ["id", "external_id", "source", "url", "author", "title", "text", "published",
        "sentiment", "sentiment_label", "status", "tags"]  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            BRANDWATCH,
            {"text": "Full Text", "title": "Title", "author": "Author", "published": "Date",
             "url": "Url", "id": "Resource Id", "sentiment": "Sentiment", "source": "Domain",
             "language": "Language", "followers": "Twitter Followers"},
        ),
        (
            MELTWATER,
            {"text": "Body", "title": "Headline", "author": "Influencer", "published": "Date",
             "url": "URL", "id": "Tweet Id", "sentiment": "Sentiment", "source": "Source",
             "language": "Language", "tags": "Document Tags"},
        ),
        (
            TALKWALKER,
            {"text": "content", "title": "title", "published": "published", "url": "url",
             "sentiment": "sentiment", "language": "lang",
             "author": "extra_author_attributes.name", "source": "source_type"},
        ),
        (
            OURS,
            {"text": "text", "id": "id", "source": "source", "url": "url", "author": "author",
             "title": "title", "published": "published", "sentiment": "sentiment",
             "sentiment_label": "sentiment_label", "status": "status", "tags": "tags",
             "external_id": "external_id"},
        ),
    ],
    ids=["brandwatch", "meltwater", "talkwalker", "ours"],
)  # fmt: skip
def test_real_export_headers_map_by_themselves(headers, expected):
    mapping = auto_map(headers)
    for field, header in expected.items():
        assert mapping.get(field) == header, field
    assert set(mapping.fields.values()).isdisjoint(mapping.unused)


def test_case_spacing_underscores_and_camel_case_are_ignored():
    assert normalize_header(" FULL_TEXT ") == "full text"
    assert normalize_header("createdAt") == "created at"
    assert normalize_header("Screen-Name") == "screen name"
    mapping = auto_map(["createdAt", "screenName", "MESSAGE", "Permalink", "postId"])
    assert mapping.fields == {
        "text": "MESSAGE", "author": "screenName", "published": "createdAt",
        "url": "Permalink", "id": "postId",
    }  # fmt: skip


def test_map_overrides_and_unmaps():
    overrides = parse_map(["text=Snippet,id=Thread Id", "source="])
    assert overrides == {"text": "Snippet", "id": "Thread Id", "source": ""}
    mapping = auto_map(BRANDWATCH, overrides)
    assert mapping.get("text") == "Snippet" and mapping.get("id") == "Thread Id"
    assert mapping.get("source") is None and "Domain" in mapping.unused
    # A header named loosely still finds its column.
    assert auto_map(BRANDWATCH, {"text": "full text"}).get("text") == "Full Text"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["body=Full Text"], "'body' is not a field"),
        (["text=Nope"], "has no column 'Nope'"),
        (["textFull Text"], "write FIELD=HEADER"),
    ],
)
def test_bad_map_is_a_usage_error(values, message):
    with pytest.raises(InvalidInput, match=message):
        auto_map(BRANDWATCH, parse_map(values))
