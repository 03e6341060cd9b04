-- pageheat event store, DuckDB flavour. Times are ms since the epoch (BIGINT) in every
-- backend, so the same numbers cross from DuckDB to ClickHouse unchanged.
--
-- Each `-- migration N` section is one step of store/duckdb_schema.py MIGRATIONS, applied
-- once per file in order (recorded in its schema_migrations table); a change to the
-- schema is a new section at the end, never an edit of an applied one.

-- migration 1: the event tables of the first release
CREATE TABLE IF NOT EXISTS batches (
    app VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    received BIGINT NOT NULL,
    PRIMARY KEY (app, id)
);

CREATE TABLE IF NOT EXISTS pageviews (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL,
    name VARCHAR NOT NULL, url VARCHAR, path VARCHAR, title VARCHAR, referrer VARCHAR,
    ref_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR, utm_campaign VARCHAR,
    utm_term VARCHAR, utm_content VARCHAR, env VARCHAR, version VARCHAR, service VARCHAR,
    vw DOUBLE, vh DOUBLE, dw DOUBLE, dh DOUBLE, dpr DOUBLE, lang VARCHAR, tz VARCHAR,
    device VARCHAR, browser VARCHAR, os VARCHAR, width_class VARCHAR, sdk VARCHAR
);

CREATE TABLE IF NOT EXISTS interactions (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL, kind VARCHAR NOT NULL,
    name VARCHAR, path VARCHAR, ref_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR,
    utm_campaign VARCHAR, env VARCHAR, version VARCHAR, service VARCHAR,
    x DOUBLE, y DOUBLE, vw DOUBLE, dw DOUBLE, dh DOUBLE, sel VARCHAR, rx DOUBLE, ry DOUBLE,
    tag VARCHAR, text VARCHAR, href VARCHAR, interactive BOOLEAN, pointer VARCHAR,
    fixed BOOLEAN, rage INTEGER, dead BOOLEAN, error BOOLEAN,
    device VARCHAR, browser VARCHAR, os VARCHAR, width_class VARCHAR
);

CREATE TABLE IF NOT EXISTS leaves (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL, vis_ms BIGINT, depth DOUBLE, dh DOUBLE
);

-- The latest scroll event of a view counts: deepest bottom edge and seconds per 5 % band.
CREATE TABLE IF NOT EXISTS scrolls (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL,
    name VARCHAR, path VARCHAR, ref_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR,
    utm_campaign VARCHAR, env VARCHAR, version VARCHAR, service VARCHAR,
    vw DOUBLE, depth DOUBLE, dh DOUBLE, vh DOUBLE, bands DOUBLE[]
);

CREATE TABLE IF NOT EXISTS errors (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL,
    name VARCHAR, path VARCHAR, ref_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR,
    utm_campaign VARCHAR, env VARCHAR, version VARCHAR, service VARCHAR,
    msg VARCHAR, hash VARCHAR, n INTEGER
);

-- The state a page view settled in (a hash of its rendered structure).
CREATE TABLE IF NOT EXISTS layouts (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL,
    name VARCHAR, path VARCHAR, ref_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR,
    utm_campaign VARCHAR, env VARCHAR, version VARCHAR, service VARCHAR,
    vw DOUBLE, width_class VARCHAR, hash VARCHAR, dw DOUBLE, dh DOUBLE
);

-- migration 2: every filter dimension on every table a filtered read narrows
-- Filter dimensions added after the first release (a file made before gets them here):
-- the page view's, copied onto every table a filtered read narrows (store/rows.py
-- VIEW_DIMENSIONS), so that each filter is one condition on each table.
ALTER TABLE pageviews ADD COLUMN IF NOT EXISTS country VARCHAR;
ALTER TABLE pageviews ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE pageviews ADD COLUMN IF NOT EXISTS visitor_type VARCHAR;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS utm_term VARCHAR;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS utm_content VARCHAR;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS country VARCHAR;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS visitor_type VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS utm_term VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS utm_content VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS device VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS browser VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS os VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS country VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS visitor_type VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS utm_term VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS utm_content VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS device VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS browser VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS os VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS country VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE errors ADD COLUMN IF NOT EXISTS visitor_type VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS utm_term VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS utm_content VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS device VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS browser VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS os VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS country VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS visitor_type VARCHAR;

-- migration 3: each visitor's first session, for new and returning visitors at ingest
-- Each visitor's first session (of its earliest page view): what tells a new visitor's
-- page view from a returning one's at ingest without scanning every page view.
CREATE TABLE IF NOT EXISTS visitors (
    app VARCHAR NOT NULL, visitor VARCHAR NOT NULL, session VARCHAR NOT NULL,
    t BIGINT NOT NULL,
    PRIMARY KEY (app, visitor)
);

-- migration 4: the heat rollup, so point maps read counted cells
-- Heat rollup (store/rollup.py): each distinct snapped point of a map with its count, per
-- app, view, UTC day, device, width class and kind; kept by the writer's commit, in the
-- same transaction as the interactions it counts.
CREATE TABLE IF NOT EXISTS heat_rollup (
    app VARCHAR NOT NULL, name VARCHAR NOT NULL, day INTEGER NOT NULL,
    device VARCHAR NOT NULL, width_class VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    is_rage INTEGER NOT NULL, is_dead INTEGER NOT NULL, is_error INTEGER NOT NULL,
    sel VARCHAR NOT NULL, touch INTEGER NOT NULL,
    cx DOUBLE NOT NULL, cy DOUBLE NOT NULL, ox DOUBLE NOT NULL, oy DOUBLE NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (app, name, day, device, width_class, kind, is_rage, is_dead, is_error, sel,
                 touch, cx, cy, ox, oy)
);

-- migration 5: every tag of a page view kept, as parallel key and value arrays
-- pageheat.tag(key, value) pairs: keys sorted, each value at its key's position, on the
-- page view and copied onto every table a filtered read narrows (store/rows.py
-- VIEW_DIMENSIONS), so that `tag.KEY=VALUE` is one condition on each table. The fill
-- writes the env, version and service tags that rows written before kept as columns.
ALTER TABLE pageviews ADD COLUMN IF NOT EXISTS tag_keys VARCHAR[];
ALTER TABLE pageviews ADD COLUMN IF NOT EXISTS tag_values VARCHAR[];
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS tag_keys VARCHAR[];
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS tag_values VARCHAR[];
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS tag_keys VARCHAR[];
ALTER TABLE scrolls ADD COLUMN IF NOT EXISTS tag_values VARCHAR[];
ALTER TABLE errors ADD COLUMN IF NOT EXISTS tag_keys VARCHAR[];
ALTER TABLE errors ADD COLUMN IF NOT EXISTS tag_values VARCHAR[];
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS tag_keys VARCHAR[];
ALTER TABLE layouts ADD COLUMN IF NOT EXISTS tag_values VARCHAR[];

-- migration 6: custom goals pages send (pageheat.goal), for goals, conversion and funnels
-- A goal event carries its page view's dimensions like every filtered table; ``goal`` is
-- the goal's name (``name`` is the view's), ``value`` its optional amount.
CREATE TABLE IF NOT EXISTS goals (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL,
    name VARCHAR, path VARCHAR, ref_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR,
    utm_campaign VARCHAR, utm_term VARCHAR, utm_content VARCHAR, env VARCHAR,
    version VARCHAR, service VARCHAR, device VARCHAR, browser VARCHAR, os VARCHAR,
    country VARCHAR, city VARCHAR, visitor_type VARCHAR, tag_keys VARCHAR[], tag_values VARCHAR[],
    goal VARCHAR NOT NULL, value DOUBLE
);

-- migration 7: rollup tiers: a month tier of the heat rollup and per-day session sets
-- The heat rollup's month tier (store/rollup.py TIERS): the same points without the day,
-- per UTC month (YYYYMM), so a map costs its distinct points times the months it spans;
-- kept by the writer's commit beside the day tier, and rewritten in (app, name) order
-- when it has grown (duckdb_rollup.recluster), so a map's read touches one view's rows.
CREATE TABLE IF NOT EXISTS heat_rollup_month (
    app VARCHAR NOT NULL, name VARCHAR NOT NULL, month INTEGER NOT NULL,
    device VARCHAR NOT NULL, width_class VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    is_rage INTEGER NOT NULL, is_dead INTEGER NOT NULL, is_error INTEGER NOT NULL,
    sel VARCHAR NOT NULL, touch INTEGER NOT NULL,
    cx DOUBLE NOT NULL, cy DOUBLE NOT NULL, ox DOUBLE NOT NULL, oy DOUBLE NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (app, name, month, device, width_class, kind, is_rage, is_dead, is_error,
                 sel, touch, cx, cy, ox, oy)
);

-- Each session of a view, per UTC day, device and width class (a 64-bit hash of its id;
-- a row may repeat, reads count distinct): the minimum-sessions check and a heatmap's
-- session count read it instead of every page view.
CREATE TABLE IF NOT EXISTS session_rollup (
    app VARCHAR NOT NULL, name VARCHAR NOT NULL, day INTEGER NOT NULL,
    device VARCHAR NOT NULL, width_class VARCHAR NOT NULL, sid UBIGINT NOT NULL
);

-- How many rows each clustered table had when it was last rewritten in view order.
CREATE TABLE IF NOT EXISTS rollup_clustered (
    name VARCHAR PRIMARY KEY, rows BIGINT NOT NULL
);

-- migration 8: who a session's visitor is, when the site says so (pageheat.identify)
-- One row per identify event: the site's user id and display name ('' when not sent),
-- with the visitor and session that sent it. A session's user is its latest row;
-- `user=` lists the sessions of a user's rows; forgetting a user forgets each visitor
-- id found here. Nothing is written unless the site calls identify.
CREATE TABLE IF NOT EXISTS identities (
    app VARCHAR NOT NULL, view_id VARCHAR NOT NULL, visitor VARCHAR NOT NULL,
    session VARCHAR NOT NULL, t BIGINT NOT NULL,
    user_id VARCHAR NOT NULL, user_name VARCHAR NOT NULL
);
