"""The tone check and where secrets are kept."""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backend import KeyringBackend

from engage_desktop.composer.tone import check_tone, compound
from engage_desktop.workspace import secrets


def test_negative_reply_is_warned_with_the_words_that_pull_it_down():
    report = check_tone("That is a stupid question, your setup is terrible and awful.", "Nadia")
    assert report.label == "negative" and report.compound < -0.5
    [warning] = report.warnings
    assert "reads negative" in warning and "'stupid'" in warning


def test_friendly_reply_with_greeting_and_name_has_no_hints():
    report = check_tone("Hi Nadia, thanks for telling us! We are happy to help.", "Nadia")
    assert report.label == "positive" and report.warnings == () and report.hints == ()


def test_missing_greeting_and_name_are_hinted():
    report = check_tone("The firmware update fixes it.", "Nadia")
    assert any("No greeting" in h for h in report.hints)
    assert any("customer's name (Nadia)" in h for h in report.hints)
    assert check_tone("@nadia@x.example Hello Nadia, the update fixes it.", "Nadia").hints == ()
    assert check_tone("   ", "Nadia").hints == ()


def test_compound_matches_vader():
    assert compound("I love it") > 0.5
    assert compound("I hate it") < -0.5


class MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_secrets_go_to_the_os_keyring_when_there_is_one(memory_keyring):
    name = secrets.secret_name("mastodon", "https://Mastodon.Social/", "Nimbus@mastodon.social")
    assert name == "mastodon:https://mastodon.social:nimbus@mastodon.social"
    secrets.set_secret(name, "tok")
    assert memory_keyring.store == {("engage-desktop", name): "tok"}
    assert secrets.get_secret(name) == "tok"
    assert not secrets.fallback_path().exists()
    assert "OS keyring" in secrets.storage_note()
    secrets.delete_secret(name)
    assert secrets.get_secret(name) is None


def test_without_a_keyring_secrets_go_to_a_private_file():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        _check_file_fallback()
    finally:
        keyring.set_keyring(previous)


def _check_file_fallback():
    assert not secrets.uses_keyring()
    assert "no OS keyring is available" in secrets.storage_note()
    secrets.set_secret("a", "1")
    secrets.set_secret("b", "2")
    path = secrets.fallback_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secrets.get_secret("a") == "1"
    secrets.delete_secret("a")
    assert secrets.get_secret("a") is None and secrets.get_secret("b") == "2"


def test_an_apology_is_not_a_negative_tone():
    report = check_tone(
        "Hi Jonas, sorry about the trouble with your router. We will sort out a replacement.",
        "Jonas",
    )
    assert report.label != "negative" and report.warnings == ()
    assert compound("sorry about the trouble") < 0  # raw VADER would have warned
