"""``pageheat user``: dashboard accounts from the command line."""

from __future__ import annotations

import json

import click

from pageheat.cli.common import DATA_HELP, _meta, _password


@click.group()
def user() -> None:
    """Dashboard accounts: who may sign in with a user name and password."""


@user.command("create")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--viewer", is_flag=True, help="May read every app but not change apps.")
@click.option("--data", help=DATA_HELP)
def user_create(name: str, password_stdin: bool, viewer: bool, data: str | None) -> None:
    """Make an account; the password is asked twice (or read with --password-stdin)."""
    meta = _meta(data)
    try:
        try:
            made = meta.accounts.create_user(name, _password(name, password_stdin), not viewer)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        click.echo(json.dumps({"user": made.name, "admin": made.admin}))
    finally:
        meta.close()


@user.command("list")
@click.option("--data", help=DATA_HELP)
def user_list(data: str | None) -> None:
    """Every account, one JSON object per line."""
    meta = _meta(data)
    try:
        for u in meta.accounts.users():
            click.echo(json.dumps({"user": u.name, "admin": u.admin, "created_ms": u.created_ms}))
    finally:
        meta.close()


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--data", help=DATA_HELP)
def user_password(name: str, password_stdin: bool, data: str | None) -> None:
    """Set a new password; the user's sessions end."""
    meta = _meta(data)
    try:
        try:
            meta.accounts.set_password(name, _password(name, password_stdin))
        except (LookupError, ValueError) as exc:
            raise click.BadParameter(str(exc.args[0])) from None
        click.echo(json.dumps({"user": name, "password": "changed"}))
    finally:
        meta.close()


@user.command("delete")
@click.argument("name")
@click.option("--data", help=DATA_HELP)
def user_delete(name: str, data: str | None) -> None:
    """Remove an account with its sessions and API tokens (its saved heatmaps stay)."""
    meta = _meta(data)
    try:
        if not meta.accounts.delete_user(name):
            raise click.BadParameter(f"no user {name!r}")
        click.echo(json.dumps({"deleted": name}))
    finally:
        meta.close()


@user.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@click.option("--app", "apps", multiple=True, help="Only this app (repeat; default: every app).")
@click.option("--data", help=DATA_HELP)
def user_token(name: str, label: str, apps: tuple[str, ...], data: str | None) -> None:
    """Make an API token of a user (printed once; send it as Authorization: Bearer)."""
    meta = _meta(data)
    try:
        if name != "admin" and name not in {u.name for u in meta.accounts.users()}:
            raise click.BadParameter(f"no user {name!r}")
        missing = [a for a in apps if meta.app(a) is None]
        if missing:
            raise click.BadParameter(f"no app with key {missing[0]!r}")
        token, secret = meta.accounts.create_token(name, label, list(apps) or None)
        click.echo(json.dumps({"id": token.id, "user": name, "apps": token.apps,
                               "token": secret}))  # fmt: skip
    finally:
        meta.close()
