"""``settings``: list, read and change the workspace's declared settings."""

from __future__ import annotations

import argparse
import json

from engage_desktop.cli.common import open_workspace, out


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``settings`` command group."""
    p = sub.add_parser("settings", parents=[parent], help="the workspace's settings")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[parent], help="every setting with its value")
    listing.set_defaults(func=cmd_list)
    get = actions.add_parser("get", parents=[parent], help="one setting's value (JSON)")
    get.add_argument("key")
    get.set_defaults(func=cmd_get)
    put = actions.add_parser("set", parents=[parent], help="change a setting")
    put.add_argument("key")
    put.add_argument("value", help="the new value; JSON for business hours")
    put.set_defaults(func=cmd_set)


def cmd_list(args: argparse.Namespace) -> int:
    """One line per editable setting: key, value, and what it does."""
    from engage_desktop.workspace import settings as S

    with open_workspace(args) as ws:
        for decl in S.SETTINGS:
            if decl.editable:
                value = json.dumps(S.get(ws, decl))
                out(f"{decl.key} = {value}    # {decl.label}: {decl.description}")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    """Print one setting's value as JSON."""
    from engage_desktop.workspace import settings as S

    decl = S.setting(args.key)
    with open_workspace(args) as ws:
        out(json.dumps(ws.get_setting(args.key, decl.default)))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    """Check the value against the setting's type, store it (logged), confirm."""
    from engage_desktop.workspace import settings as S

    decl = S.setting(args.key)
    value = decl.parse(args.value)
    with open_workspace(args, write=True) as ws:
        ws.set_setting(args.key, value)
    out(f"{args.key} = {json.dumps(value)}")
    return 0
