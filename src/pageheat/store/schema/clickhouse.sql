-- pageheat event store, ClickHouse flavour. Runs on ClickHouse 18.16 (Debian's package)
-- and on current releases: the extended MergeTree syntax only (current releases refuse
-- `MergeTree(date, key, 8192)`), no TTL clause (18.16 has none: retention is a delete
-- job), no Nullable in sorting keys, no LowCardinality.
--
-- {name} is a table's name on this node: the table itself on a single server, the
-- shard-local table (`name_local`) under a Distributed table of the same columns on a
-- cluster (store/clickhouse_schema.py SHARDING says how each is sharded). Times are ms
-- since the epoch (Int64) in every backend, so the same numbers cross from DuckDB.
-- Booleans are UInt8.
--
-- Each `-- migration N` section is one step of store/clickhouse_schema.py MIGRATIONS,
-- applied once per node in order (recorded in its schema_migrations table); a change to
-- the schema is a new section at the end, never an edit of an applied one. 18.16 has no
-- `ADD COLUMN IF NOT EXISTS`: the record, not the statement, keeps a step from running twice.

-- migration 1: the event tables, with every filter dimension and the visitors table

-- A batch id claimed by one writer (its token); the earliest claim of an id wins.
CREATE TABLE IF NOT EXISTS {db}.{batches} (
    app String, id String, received Int64, token String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(received, 1000)))
ORDER BY (app, id);

CREATE TABLE IF NOT EXISTS {db}.{pageviews} (
    app String, view_id String, visitor String, session String, t Int64,
    name String, url String, path String, title String, referrer String,
    ref_source String, utm_source String, utm_medium String, utm_campaign String,
    utm_term String, utm_content String, env String, version String, service String,
    vw Float64, vh Float64, dw Float64, dh Float64, dpr Float64, lang String, tz String,
    device String, browser String, os String, width_class String, sdk String,
    country String, city String, visitor_type String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, name, t);

CREATE TABLE IF NOT EXISTS {db}.{interactions} (
    app String, view_id String, visitor String, session String, t Int64, kind String,
    name String, path String, ref_source String, utm_source String, utm_medium String,
    utm_campaign String, utm_term String, utm_content String, env String, version String,
    service String, device String, browser String, os String, country String, city String,
    visitor_type String,
    x Float64, y Float64, vw Float64, dw Float64, dh Float64, sel String, rx Float64,
    ry Float64, tag String, text String, href String, interactive UInt8, pointer String,
    fixed UInt8, rage Int32, dead UInt8, error UInt8, width_class String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, name, kind, t);

CREATE TABLE IF NOT EXISTS {db}.{leaves} (
    app String, view_id String, visitor String, session String, t Int64,
    vis_ms Int64, depth Float64, dh Float64
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, view_id, t);

CREATE TABLE IF NOT EXISTS {db}.{scrolls} (
    app String, view_id String, visitor String, session String, t Int64,
    name String, path String, ref_source String, utm_source String, utm_medium String,
    utm_campaign String, utm_term String, utm_content String, env String, version String,
    service String, device String, browser String, os String, country String, city String,
    visitor_type String,
    vw Float64, depth Float64, dh Float64, vh Float64, bands Array(Float64)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, name, t);

CREATE TABLE IF NOT EXISTS {db}.{errors} (
    app String, view_id String, visitor String, session String, t Int64,
    name String, path String, ref_source String, utm_source String, utm_medium String,
    utm_campaign String, utm_term String, utm_content String, env String, version String,
    service String, device String, browser String, os String, country String, city String,
    visitor_type String,
    msg String, hash String, n Int32
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, name, t);

CREATE TABLE IF NOT EXISTS {db}.{layouts} (
    app String, view_id String, visitor String, session String, t Int64,
    name String, path String, ref_source String, utm_source String, utm_medium String,
    utm_campaign String, utm_term String, utm_content String, env String, version String,
    service String, device String, browser String, os String, country String, city String,
    visitor_type String,
    vw Float64, width_class String, hash String, dw Float64, dh Float64
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, view_id, t);

-- Each visitor's first session: appended when a commit decides it (a first visit, or an
-- earlier session arriving late); reads take the earliest row (argMin), so merges that
-- keep any one row per visitor change nothing.
CREATE TABLE IF NOT EXISTS {db}.{visitors} (
    app String, visitor String, session String, t Int64
) ENGINE = ReplacingMergeTree()
ORDER BY (app, visitor);

-- migration 2: the heat rollup and the view that keeps it, so point maps read counted cells
-- Heat rollup (store/rollup.py): each distinct snapped point of a map with its count, per
-- app, view, UTC day, device, width class and kind. Kept by the materialised view below
-- on every insert into interactions (on a cluster: on each shard's own rows); merges add
-- up the counts of a key. Reads always sum(n) by key, so unmerged parts and the negative
-- rows a deletion adds change nothing.
CREATE TABLE IF NOT EXISTS {db}.{heat_rollup} (
    app String, name String, day Int32, device String, width_class String, kind String,
    is_rage UInt8, is_dead UInt8, is_error UInt8, sel String, touch UInt8,
    cx Float64, cy Float64, ox Float64, oy Float64, n Int64
) ENGINE = SummingMergeTree(n)
PARTITION BY toYYYYMM(toDateTime(toInt64(day) * 86400))
ORDER BY (app, name, day, device, width_class, kind, is_rage, is_dead, is_error, sel,
          touch, cx, cy, ox, oy);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{heat_rollup_mv} TO {db}.{heat_rollup}
AS {rollup_select} FROM {db}.{interactions} GROUP BY {rollup_group};

-- migration 3: every tag of a page view kept, as parallel key and value arrays
-- pageheat.tag(key, value) pairs: keys sorted, each value at its key's position, on the
-- page view and copied onto every table a filtered read narrows (store/rows.py
-- VIEW_DIMENSIONS), so that `tag.KEY=VALUE` is one condition on each table (18.16 has no
-- Map type). Rows written before have no such columns in their parts: the DEFAULT gives
-- them their env, service and version tags (the only ones kept then) when read, with no
-- mutation; every insert since writes both arrays.
ALTER TABLE {db}.{pageviews} ADD COLUMN tag_keys Array(String) DEFAULT arrayFilter((k, v) -> v != '', ['env', 'service', 'version'], [env, service, version]);
ALTER TABLE {db}.{pageviews} ADD COLUMN tag_values Array(String) DEFAULT arrayFilter(v -> v != '', [env, service, version]);
ALTER TABLE {db}.{interactions} ADD COLUMN tag_keys Array(String) DEFAULT arrayFilter((k, v) -> v != '', ['env', 'service', 'version'], [env, service, version]);
ALTER TABLE {db}.{interactions} ADD COLUMN tag_values Array(String) DEFAULT arrayFilter(v -> v != '', [env, service, version]);
ALTER TABLE {db}.{scrolls} ADD COLUMN tag_keys Array(String) DEFAULT arrayFilter((k, v) -> v != '', ['env', 'service', 'version'], [env, service, version]);
ALTER TABLE {db}.{scrolls} ADD COLUMN tag_values Array(String) DEFAULT arrayFilter(v -> v != '', [env, service, version]);
ALTER TABLE {db}.{errors} ADD COLUMN tag_keys Array(String) DEFAULT arrayFilter((k, v) -> v != '', ['env', 'service', 'version'], [env, service, version]);
ALTER TABLE {db}.{errors} ADD COLUMN tag_values Array(String) DEFAULT arrayFilter(v -> v != '', [env, service, version]);
ALTER TABLE {db}.{layouts} ADD COLUMN tag_keys Array(String) DEFAULT arrayFilter((k, v) -> v != '', ['env', 'service', 'version'], [env, service, version]);
ALTER TABLE {db}.{layouts} ADD COLUMN tag_values Array(String) DEFAULT arrayFilter(v -> v != '', [env, service, version]);

-- migration 4: custom goals pages send (pageheat.goal), for goals, conversion and funnels
-- A goal event carries its page view's dimensions like every filtered table; `goal` is the
-- goal's name (`name` is the view's), `value` its optional amount.
CREATE TABLE IF NOT EXISTS {db}.{goals} (
    app String, view_id String, visitor String, session String, t Int64,
    name String, path String, ref_source String, utm_source String, utm_medium String,
    utm_campaign String, utm_term String, utm_content String, env String, version String,
    service String, device String, browser String, os String, country String, city String,
    visitor_type String, tag_keys Array(String), tag_values Array(String),
    goal String, value Nullable(Float64)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, goal, t);

-- migration 5: rollup tiers: a month tier of the heat rollup and per-day session sets
-- The heat rollup's month tier (store/rollup.py TIERS): the same points without the
-- day, per UTC month (YYYYMM), kept by its own materialised view; sorted by view, so a
-- map reads its view's rows of the months it spans.
CREATE TABLE IF NOT EXISTS {db}.{heat_rollup_month} (
    app String, name String, month Int32, device String, width_class String, kind String,
    is_rage UInt8, is_dead UInt8, is_error UInt8, sel String, touch UInt8,
    cx Float64, cy Float64, ox Float64, oy Float64, n Int64
) ENGINE = SummingMergeTree(n)
PARTITION BY month
ORDER BY (app, name, month, device, width_class, kind, is_rage, is_dead, is_error, sel,
          touch, cx, cy, ox, oy);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{heat_rollup_month_mv} TO {db}.{heat_rollup_month}
AS {rollup_month_select} FROM {db}.{interactions} GROUP BY {rollup_month_group};

-- Each view's sessions per UTC day, device and width class, as an exact set state
-- (uniqExact): merged across days and shards, they count each session once; the
-- minimum-sessions check and a heatmap's session count read them, not the page views.
CREATE TABLE IF NOT EXISTS {db}.{session_rollup} (
    app String, name String, day Int32, device String, width_class String,
    sessions AggregateFunction(uniqExact, String)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(toDateTime(toInt64(day) * 86400))
ORDER BY (app, name, day, device, width_class);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{session_rollup_mv} TO {db}.{session_rollup}
AS {session_select} FROM {db}.{pageviews} GROUP BY {session_group};

-- migration 6: who a session's visitor is, when the site says so (pageheat.identify)
-- One row per identify event: the site's user id and display name ('' when not sent),
-- with the visitor and session that sent it; sorted by user, so `user=` and forgetting a
-- user read one user's rows. Nothing is written unless the site calls identify.
CREATE TABLE IF NOT EXISTS {db}.{identities} (
    app String, view_id String, visitor String, session String, t Int64,
    user_id String, user_name String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(t, 1000)))
ORDER BY (app, user_id, t);
