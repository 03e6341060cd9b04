"""The ``pageheat`` command: serve, demo, app create, render, settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pageheat.cli.common import DATA_HELP, _pageheat, _settings
from pageheat.cli.users import user
from pageheat.filters import FILTERS
from pageheat.kinds import KINDS
from pageheat.settings import as_markdown

if TYPE_CHECKING:
    from pageheat.store.migrations import Migration


@click.group()
@click.version_option(package_name="pageheat")
def cli() -> None:
    """pageheat: self-hosted web heatmaps. Start with `pageheat demo` or `pageheat serve`."""


cli.add_command(user)


@cli.command()
@click.option("--data", help=DATA_HELP)
@click.option("--host", help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8000).")
def serve(data: str | None, host: str | None, port: int | None) -> None:
    """Run the collector, the query API and the dashboard."""
    from pageheat.privacy import RetentionJob
    from pageheat.web.ops import configure_logging
    from pageheat.web.run import serve as run_serve

    ph = _pageheat(data=data, host=host, port=port)
    configure_logging(ph.settings.log_json)
    click.echo(f"pageheat on {ph.public_url}  (dashboard {ph.public_url}/ , data {ph.data_dir})")
    click.echo(f"admin token: {ph.admin_token}")
    retention = RetentionJob(ph, ph.settings.retention_every_s).start()
    try:
        run_serve(ph)
    finally:
        retention.stop()


@cli.command()
@click.option("--data", help=DATA_HELP)
@click.option("--port", type=int, help="Port of pageheat (default 8000).")
@click.option("--site-port", type=int, default=8001, show_default=True,
              help="Port of the demo site.")  # fmt: skip
@click.option("--visits", type=int, default=800, show_default=True,
              help="Synthetic visits recorded on first start (0 for none).")  # fmt: skip
def demo(data: str | None, port: int | None, site_port: int, visits: int) -> None:
    """Run pageheat with a demo site and a demo app, seeded with visits on first start."""
    from pageheat.demo.run import run_demo

    run_demo(_pageheat(data=data, port=port), site_port=site_port, visits=visits)


@cli.group()
def app() -> None:
    """Manage apps (the sites that send events)."""


@app.command("create")
@click.argument("name")
@click.option(
    "--origin", "origins", multiple=True, help="Allowed origin, e.g. https://shop.example (repeat)."
)
@click.option("--data", help=DATA_HELP)
def app_create(name: str, origins: tuple[str, ...], data: str | None) -> None:
    """Create an app and print it as JSON, with its script tag."""
    ph = _pageheat(data=data)
    try:
        a = ph.meta.create_app(name, list(origins))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    finally:
        ph.close()
    click.echo(json.dumps({"key": a.key, "name": a.name, "origins": list(a.origins),
                           "script_tag": ph.script_tag(a.key)}))  # fmt: skip


@app.command("list")
@click.option("--data", help=DATA_HELP)
def app_list(data: str | None) -> None:
    """List apps as JSON lines."""
    ph = _pageheat(data=data)
    try:
        for a in ph.meta.list_apps():
            click.echo(json.dumps({"key": a.key, "name": a.name, "origins": list(a.origins)}))
    finally:
        ph.close()


@app.command("rules")
@click.argument("key")
@click.option(
    "--add",
    "added",
    nargs=2,
    multiple=True,
    metavar="PATTERN NAME",
    help="Name the views whose URL path matches the glob PATTERN (e.g. /product/*)"
    " NAME; repeat to add several. A pattern already there gets the new name.",
)
@click.option("--remove", "removed", multiple=True, metavar="PATTERN", help="Remove a rule.")
@click.option("--data", help=DATA_HELP)
def app_rules(key: str, added: tuple, removed: tuple[str, ...], data: str | None) -> None:
    """Show, add or remove an app's view-name rules (printed as JSON, in the order tried).

    At ingest, a page view without an explicit name (pageheat.startView) gets the name of
    the first rule whose pattern matches its URL path: `*` matches within one path segment,
    `**` across segments, `?` one character. Other paths keep their folded path (/users/?).
    Page views already stored keep their names.
    """  # fmt: skip
    ph = _pageheat(data=data)
    try:
        try:
            for pattern, name in added:
                ph.meta.add_view_rule(key, pattern, name)
            for pattern in removed:
                ph.meta.remove_view_rule(key, pattern)
            a = ph.meta.app(key)
            if a is None:
                raise LookupError(f"no app with key {key!r}")
        except (LookupError, ValueError) as exc:
            raise click.BadParameter(str(exc.args[0] if exc.args else exc)) from None
        click.echo(json.dumps({"key": a.key, "rules": [
            {"pattern": p, "name": n} for p, n in a.view_rules]}))  # fmt: skip
    finally:
        ph.close()


@app.command("delete")
@click.argument("key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--data", help=DATA_HELP)
def app_delete(key: str, yes: bool, data: str | None) -> None:
    """Delete an app with every event, snapshot and background it has (no undo)."""
    from pageheat.privacy import delete_app

    if not yes:
        click.confirm(f"Delete app {key} and all its data?", abort=True)
    ph = _pageheat(data=data)
    try:
        try:
            counts = delete_app(ph, key)
        except LookupError as exc:
            raise click.BadParameter(str(exc.args[0])) from None
        click.echo(json.dumps({"deleted": key, "rows": counts}))
    finally:
        ph.close()


@app.command("policy")
@click.argument("key")
@click.option("--retention-days", metavar="DAYS|default",
              help="Days its events are kept (0: forever; default: PAGEHEAT_RETENTION_DAYS).")  # fmt: skip
@click.option("--bots", type=click.Choice(["keep", "drop", "default"]),
              help="Store batches from bots, crawlers and headless browsers, or drop them"
                   " (default: PAGEHEAT_KEEP_BOTS).")  # fmt: skip
@click.option("--data", help=DATA_HELP)
def app_policy(key: str, retention_days: str | None, bots: str | None, data: str | None) -> None:
    """Show or change an app's retention and bot filter (printed as JSON)."""
    changes: dict = {}
    if retention_days is not None:
        if retention_days == "default":
            changes["retention_days"] = None
        elif retention_days.isdigit():
            changes["retention_days"] = int(retention_days)
        else:
            raise click.BadParameter("--retention-days must be a number of days or default")
    if bots is not None:
        changes["keep_bots"] = {"keep": True, "drop": False, "default": None}[bots]
    ph = _pageheat(data=data)
    try:
        try:
            a = ph.meta.set_policy(key, **changes) if changes else ph.meta.app(key)
            if a is None:
                raise LookupError(f"no app with key {key!r}")
        except (LookupError, ValueError) as exc:
            raise click.BadParameter(str(exc.args[0] if exc.args else exc)) from None
        s = ph.settings
        click.echo(json.dumps({
            "key": a.key,
            "retention_days": a.retention_days if a.retention_days is not None else s.retention_days,
            "keep_bots": a.keep_bots if a.keep_bots is not None else s.keep_bots,
            "own": {"retention_days": a.retention_days, "keep_bots": a.keep_bots},
        }))  # fmt: skip
    finally:
        ph.close()


@app.command("replay")
@click.argument("key")
@click.option("--on/--off", "on", default=None, help="Record this app's sessions, or stop.")
@click.option("--sample", type=click.FloatRange(0, 1), metavar="SHARE",
              help="Share of sessions recorded, 0 to 1 (by a hash of the session id).")  # fmt: skip
@click.option("--data", help=DATA_HELP)
def app_replay(key: str, on: bool | None, sample: float | None, data: str | None) -> None:
    """Show or change an app's session replay: whether sessions are recorded and which
    share of them (printed as JSON). Heatmaps count every visitor whatever this says."""
    changes: dict = {}
    if on is not None:
        changes["replay"] = on
    if sample is not None:
        changes["replay_sample"] = sample
    ph = _pageheat(data=data)
    try:
        try:
            a = ph.meta.change_app(key, **changes) if changes else ph.meta.app(key)
            if a is None:
                raise LookupError(f"no app with key {key!r}")
        except (LookupError, ValueError) as exc:
            raise click.BadParameter(str(exc.args[0] if exc.args else exc)) from None
        click.echo(json.dumps({"key": a.key, "replay": a.replay,
                               "replay_sample": a.replay_sample}))  # fmt: skip
    finally:
        ph.close()


@cli.command()
@click.argument("visitor", required=False)
@click.option("--user", help="A user id the site identified (pageheat.identify) instead:"
              " every visitor id identified as it is forgotten.")  # fmt: skip
@click.option("--app", "key", help="Only in this app (default: every app).")
@click.option("--data", help=DATA_HELP)
def forget(visitor: str | None, user: str | None, key: str | None, data: str | None) -> None:
    """Delete every event and replay of one visitor id (the tracker's pageheat_vid), or
    of every visitor id the site identified as a user (``--user ID``).

    Prints the rows deleted per table as JSON (with --user, the visitor ids found per
    app too). Run it with the server stopped, or against the same data directory the
    server uses only when the server is not running (DuckDB has one writer process).
    """
    from pageheat.privacy import forget_user, forget_visitor

    if (visitor is None) == (user is None):
        raise click.UsageError("give a VISITOR id or --user ID (one of them)")
    ph = _pageheat(data=data)
    try:
        if key and ph.meta.app(key) is None:
            raise click.BadParameter(f"no app with key {key!r}")
        if user is not None:
            found, counts = forget_user(ph, user, key)
            click.echo(json.dumps({"user": user, "visitors": found, "rows": counts}))
        else:
            counts = forget_visitor(ph, str(visitor), key)
            click.echo(json.dumps({"visitor": visitor, "rows": counts}))
    finally:
        ph.close()


@cli.command()
@click.option("--data", help=DATA_HELP)
def expire(data: str | None) -> None:
    """Apply every app's retention now (`serve` also does it every retention_every_s)."""
    from pageheat.privacy import expire as run_expire

    ph = _pageheat(data=data)
    try:
        click.echo(json.dumps(run_expire(ph)))
    finally:
        ph.close()


def _filters(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--filter NAME=VALUE`` options as a Query's filters (a repeated name: any value)."""
    from pageheat.store.base import parse_filters

    raw: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"--filter {pair!r} must be NAME=VALUE, e.g. device=mobile")
        raw.setdefault(name.strip(), []).append(value)
    try:
        return parse_filters({n: ",".join(v) for n, v in raw.items()})
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.option("--data", help=DATA_HELP)
@click.option("--app", "key", required=True, help="App key.")
@click.option("--view", required=True, help="View name, e.g. /pricing.")
@click.option("--kind", type=click.Choice(list(KINDS)), default="click", show_default=True,
              help="The heatmap kind (pageheat.kinds).")  # fmt: skip
@click.option(
    "--width", default="desktop", show_default=True, help="desktop, tablet, mobile or MIN-MAX."
)
@click.option("--from", "start", help="ISO date or date-time (UTC).")
@click.option("--to", "end", help="ISO date or date-time (UTC), exclusive.")
@click.option("--background", help="Background id (default: the most common page state).")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="NAME=VALUE",
    help="Only these visits, e.g. device=mobile, utm_source=news, visitor=returning,"
    f" env=prod (repeat). NAME is one of {', '.join(FILTERS)}.",
)
@click.option("--scale", type=click.Choice(["relative", "absolute"]), default="relative",
              show_default=True,
              help="relative: to the map's own peak; absolute: per 1 000 page views.")  # fmt: skip
@click.option("--peak", type=float,
              help="With --scale absolute: points per 1 000 page views drawn at full heat"
                   " (one scale for several maps).")  # fmt: skip
@click.option("--goal", help="A goal's id: what --kind conversion colours by.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.png or FILE.json")  # fmt: skip
def render(
    data, key, view, kind, width, start, end, background, filters, scale, peak, goal,
    out: Path,
) -> None:  # fmt: skip
    """Render a heatmap to a PNG (over the page's background) or to JSON."""
    from pageheat import heat, reports
    from pageheat.params import parse_time
    from pageheat.store.base import Query

    if out.suffix not in {".png", ".json"}:
        raise click.BadParameter("--out must end in .png or .json")
    chosen = _filters(filters)
    ph = _pageheat(data=data)
    try:
        try:
            query = Query(
                app=key, view=view, width=ph.width_range(width),
                start_ms=parse_time(start, "--from"), end_ms=parse_time(end, "--to"),
                filters=chosen,
            )  # fmt: skip
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        if ph.meta.app(key) is None:
            raise click.BadParameter(f"no app with key {key!r}")
        if not background and ph.backgrounds.choose(query) is None:
            try:
                ph.backgrounds.capture_now(query, ph.store.points(query).selectors)
            except Exception as exc:
                click.echo(f"no background: {exc}", err=True)
        try:
            rendered = reports.render(ph, query, kind, capture=False, background=background,
                                      scale=scale, peak=peak, goal=goal)  # fmt: skip
        except (ValueError, LookupError) as exc:
            raise click.BadParameter(str(exc)) from None
        if out.suffix == ".png":
            out.write_bytes(reports.heatmap_png(ph, rendered))
        else:
            out.write_text(json.dumps({**reports.heatmap_json(rendered), "filters": chosen}))
        h = rendered.heatmap
        what = f"{h.total} points" if isinstance(h, heat.Heatmap) else f"{h.page_views} page views"
        click.echo(f"{out}: {kind} map of {what}, {rendered.sessions} sessions")
    finally:
        ph.backgrounds.shooter.close()
        ph.close()


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print the documentation table instead.")
def settings_cmd(markdown: bool) -> None:
    """List every setting with its value in force."""
    if markdown:
        click.echo(as_markdown(), nl=False)
        return
    for setting, value in _settings().items():
        click.echo(f"{setting.env}={value}    # {setting.help}")


@cli.command()
@click.option(
    "--app", "key", metavar="KEY", help="App to fill (default: a new app named Generated)."
)
@click.option("--events", type=float, default=1e6, show_default=True,
              help="About how many events (rows) to write; 1e8 for a hundred million.")  # fmt: skip
@click.option(
    "--days", type=float, default=30.0, show_default=True, help="Spread over the last DAYS."
)
@click.option("--views", type=int, default=40, show_default=True, help="Pages of the app.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--chunk", type=float, default=5e6, show_default=True,
              help="Events per store transaction (bounds memory).")  # fmt: skip
@click.option("--data", help=DATA_HELP)
def generate(
    key: str | None, events: float, days: float, views: int, seed: int, chunk: float,
    data: str | None,
) -> None:  # fmt: skip
    """Write realistic synthetic traffic straight into the store (for benchmarks)."""
    import time

    from pageheat.generate import tables

    ph = _pageheat(data=data)
    try:
        if key is None:
            key = ph.meta.create_app("Generated", ["https://shop.example"]).key
        elif ph.meta.app(key) is None:
            raise click.BadParameter(f"no app with key {key!r}", param_hint="--app")
        total, n, t0 = int(events), 0, time.perf_counter()
        part = 0
        while n < total:
            size = int(min(chunk, total - n))
            made, rows = tables(key, size, seed=seed * 1_000 + part, views=views, days=days,
                                classes=ph.store.widths)  # fmt: skip
            ph.store.load(made)
            n += rows
            part += 1
            click.echo(f"{n:,} events ({n / (time.perf_counter() - t0):,.0f}/s)", err=True)
        click.echo(f"app {key}: {n:,} events in {time.perf_counter() - t0:.1f} s")
    finally:
        ph.close()


# -- schemas and moving events between stores --------------------------------------------

EVENTS_URL_HELP = (
    "Event store URL (clickhouse://HOST:9000/DB[?cluster=NAME] or duckdb:PATH);"
    " PAGEHEAT_EVENTS_URL, else the DuckDB file in the data directory."
)


def _events_store(data: str | None, events_url: str | None):
    from pageheat.app import open_store

    return open_store(_settings(data=data, events_url=events_url))


@cli.command()
@click.option("--data", help=DATA_HELP)
@click.option("--events-url", help=EVENTS_URL_HELP)
@click.option("--meta-url", help="Metadata URL (SQLAlchemy); PAGEHEAT_META_URL by default.")
def migrate(data: str | None, events_url: str | None, meta_url: str | None) -> None:
    """Create or upgrade the schemas of the configured stores (events, pictures and
    metadata), and move the pictures a previous version kept in the event store into the
    picture store.

    Idempotent: run it before starting new collector/web processes after an upgrade. On
    a ClickHouse cluster it visits every node named in the cluster's remote_servers.
    """
    from pageheat.meta import MetaStore
    from pageheat.meta.migrations import head
    from pageheat.pictures import legacy, migrations, open_pictures

    s = _settings(data=data, events_url=events_url, meta_url=meta_url)
    url = s.events_url
    pictures = open_pictures(s)
    try:
        if url.startswith("clickhouse:"):
            from pageheat.store.clickhouse_client import Target
            from pageheat.store.clickhouse_schema import upgrade

            for node, applied in upgrade(Target.parse(url)):
                click.echo(f"events: ClickHouse {node.host}:{node.port}/{node.database} up to date")
                _echo_applied(applied)
            moved = legacy.move_from_clickhouse(url, pictures)
        else:
            import duckdb

            from pageheat.app import duckdb_path
            from pageheat.store import duckdb_schema

            path = duckdb_path(s)
            moved = legacy.move_from_duckdb(path, pictures)
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(path))
            try:
                applied = duckdb_schema.migrate(con)
            finally:
                con.close()
            click.echo(f"events: DuckDB {url or s.data_dir / 'events.duckdb'} up to date")
            _echo_applied(applied)
        where = (s.meta_url or "sqlite").split(":", 1)[0]
        click.echo(f"pictures: {where} at revision {migrations.head()} (was"
                   f" {_was(pictures.migrated_from)}; {moved} moved out of the event store)")  # fmt: skip
    finally:
        pictures.close()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    meta = MetaStore(s.meta_url or f"sqlite:///{s.data_dir / 'meta.sqlite'}")
    meta.close()
    click.echo(f"metadata: {(s.meta_url or 'sqlite').split(':', 1)[0]} at revision {head()}"
               f" (was {_was(meta.migrated_from)})")  # fmt: skip


def _was(migrated_from: str) -> str:
    """Where an Alembic chain found a database (``pageheat.migrating``), in words."""
    return {"new": "a new database", "legacy": "before migrations"}.get(
        migrated_from, f"at {migrated_from}"
    )


def _echo_applied(applied: Sequence[Migration]) -> None:
    """One line per event-store migration applied (none when it was up to date)."""
    for m in applied:
        click.echo(f"  applied migration {m.id}: {m.why}")


@cli.command("export")
@click.option("--data", help=DATA_HELP)
@click.option("--events-url", help=EVENTS_URL_HELP)
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="FILE.jsonl (JSON lines) or a directory (one Parquet file per table).")  # fmt: skip
def export_cmd(data: str | None, events_url: str | None, out: Path) -> None:
    """Write every raw event (and each visitor's first session) of the event store."""
    from pageheat.store.transfer import export

    store = _events_store(data, events_url)
    try:
        counts = export(store, out)
    finally:
        store.close()
    click.echo(json.dumps({"out": str(out), "rows": counts}))


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--data", help=DATA_HELP)
@click.option("--events-url", help=EVENTS_URL_HELP)
def import_cmd(source: Path, data: str | None, events_url: str | None) -> None:
    """Load an export (FILE.jsonl or a Parquet directory) into the event store.

    Rows are added as they are: import into an empty store (moving from DuckDB to
    ClickHouse), or the events are there twice.
    """
    from pageheat.store.transfer import import_

    store = _events_store(data, events_url)
    try:
        counts = import_(store, source)
    finally:
        store.close()
    click.echo(json.dumps({"source": str(source), "rows": counts}))


@cli.command("pictures-copy")
@click.option("--data", help=DATA_HELP)
@click.option("--meta-url", help="Where the pictures are now; PAGEHEAT_META_URL by default.")
@click.option("--to", "to", required=True, help="SQLAlchemy URL of the picture store to fill.")
def pictures_copy(data: str | None, meta_url: str | None, to: str) -> None:
    """Copy every snapshot and background (PNG and element boxes) into another picture
    store: moving an embedded install's ``pictures.sqlite`` into the metadata PostgreSQL
    of a scale-out one. Ids are kept; what the target has already is skipped."""
    from pageheat.pictures import SQLPictures, open_pictures

    source = open_pictures(_settings(data=data, meta_url=meta_url))
    target = SQLPictures(to)
    try:
        copied = target.load(source.dump())
        click.echo(json.dumps({"copied": copied, "to": target.count()}))
    finally:
        source.close()
        target.close()
