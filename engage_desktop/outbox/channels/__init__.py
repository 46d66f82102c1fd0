"""Reply channels: one adapter per network (Mastodon, Bluesky, e-mail, manual).

Adapters are Qt-free and never touch the workspace; the outbox
(:mod:`engage_desktop.outbox.send`) decides when to call them and records the
outcome. See :mod:`engage_desktop.outbox.channels.base` for the contract.
"""
