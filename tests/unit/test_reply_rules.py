"""Channel length rules, saved-reply variables, idempotency keys."""

from __future__ import annotations

from engage_desktop.composer.reply_rules import (
    grapheme_count,
    handle_prefix,
    mastodon_length,
    reply_channel_for,
    rule_for,
)
from engage_desktop.core.ids import TID_PATTERN, new_tid
from engage_desktop.core.templates import first_name, render, templatize


def test_graphemes_count_what_a_reader_sees():
    assert grapheme_count("abc") == 3
    assert grapheme_count("e\u0301") == 1  # e + combining acute
    assert grapheme_count("👍🏽") == 1  # thumbs up + skin tone
    assert grapheme_count("👨‍👩‍👧‍👦") == 1  # a ZWJ family of seven code points
    assert grapheme_count("🇫🇷🇩🇪") == 2  # two flags, four regional indicators
    assert grapheme_count("\r\n") == 1
    assert grapheme_count("") == 0


def test_bluesky_rule_is_300_graphemes():
    rule = rule_for("bluesky")
    assert (rule.limit, rule.unit) == (300, "graphemes")
    assert rule.fits("🇫🇷" * 300) and not rule.fits("🇫🇷" * 301)
    assert rule.remaining("👍🏽" * 10) == 290


def test_mastodon_counts_links_as_23_and_mentions_without_domain():
    url = "https://example.com/a/very/long/path/that/goes/on/and/on/and/on"
    assert mastodon_length(url) == 23
    assert mastodon_length("@dana@mastodon.social hi") == len("@dana hi")
    assert mastodon_length("mail me at a@b.example") == len("mail me at a@b.example")
    assert rule_for("mastodon").limit == 500
    assert rule_for("mastodon", 5000).limit == 5000


def test_email_and_manual_have_no_limit():
    for channel in ("email", "manual"):
        rule = rule_for(channel)
        assert rule.limit is None and rule.remaining("x" * 100_000) is None
        assert rule.fits("x" * 100_000)


def test_reply_channels_and_handle_prefill():
    assert reply_channel_for("mastodon") == "mastodon"
    assert reply_channel_for("review") == "manual"
    assert handle_prefix("mastodon", "dana", "https://mastodon.example/@dana/1") == (
        "@dana@mastodon.example "
    )
    assert handle_prefix("mastodon", "@dana@fosstodon.org", None) == "@dana@fosstodon.org "
    assert handle_prefix("bluesky", "dana.bsky.social", None) == ""


def test_render_fills_known_variables_and_reports_missing():
    values = {"first_name": "Nadia", "product": "Nimbus Router X2", "agent": "Dana", "author": None}
    out = render("Hi {first_name}, your {product}? {author} {unknown} {agent}", values)
    assert out.text == "Hi Nadia, your Nimbus Router X2? {author} {unknown} Dana"
    assert out.missing == ("author",)


def test_templatize_turns_values_back_into_variables():
    values = {
        "first_name": "Nadia",
        "brand": "Nimbus",
        "product": "Nimbus Router X2",
        "agent": "Dana",
    }
    text = "Hi Nadia, the Nimbus Router X2 is covered by Nimbus. Danapoint. Dana"
    assert templatize(text, values) == (
        "Hi {first_name}, the {product} is covered by {brand}. Danapoint. {agent}"
    )


def test_first_name():
    assert first_name("Chloé Fischer") == "Chloé"
    assert first_name(None, "dana@mastodon.social") == "dana"
    assert first_name("", None) is None


def test_tids_are_unique_sortable_and_valid_record_keys():
    keys = [new_tid() for _ in range(2000)]
    assert len(set(keys)) == len(keys)
    assert all(TID_PATTERN.match(k) for k in keys)
    assert new_tid(1_000_000, 0) < new_tid(2_000_000, 0)
