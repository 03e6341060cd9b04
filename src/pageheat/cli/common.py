"""What the ``pageheat`` commands share: the settings they run with and how they open the
stores."""

from __future__ import annotations

import sys

import click

from pageheat.settings import Settings, SettingsError

DATA_HELP = "Data directory (DuckDB and SQLite files); PAGEHEAT_DATA by default."


def _settings(**overrides) -> Settings:
    try:
        return Settings.load({k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        raise click.BadParameter(str(exc)) from None


def _pageheat(**overrides):
    from pageheat.app import Pageheat

    return Pageheat(_settings(**overrides))


def _meta(data: str | None):
    from pageheat.app import open_meta

    return open_meta(_settings(data=data))


def _password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)
