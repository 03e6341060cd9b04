-- pageheat event store, ClickHouse flavour. Runs on ClickHouse 18.16 (Debian's package)
-- and on current releases: the extended MergeTree syntax only (current releases refuse
-- `MergeTree(date, key, 8192)`), no TTL clause (18.16 has none: retention is a delete
-- job), no Nullable in sorting keys, no LowCardinality.
--
-- {name} is a table's name on this node: the table itself on a single server, the
-- shard-local table (`name_local`) under a Distributed table of the same columns on a
-- cluster (store/clickhouse_schema.py SHARDING says how each is sharded). Times are ms
-- since the epoch (Int64) in every backend, so the same numbers cross from DuckDB.
-- Booleans are UInt8. Every statement is idempotent: `pageheat migrate` runs them all.

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

-- Visitors' DOM snapshots as sanitised static HTML (compressed by the column codec).
CREATE TABLE IF NOT EXISTS {db}.{snapshots} (
    id String, app String, view String, width_class String, layout_hash String,
    url String, vw Float64, dw Float64, dh Float64, captured Int64, html String
) ENGINE = MergeTree()
ORDER BY (app, view, width_class, layout_hash);

-- Backgrounds: the PNG is base64 text, so both engines return it unchanged.
CREATE TABLE IF NOT EXISTS {db}.{backgrounds} (
    id String, app String, view String, width_class String, url String, width Int32,
    height Int32, captured Int64, png String, source String,
    layout_hash Nullable(String), snapshot_id Nullable(String)
) ENGINE = MergeTree()
ORDER BY (app, view, id);

-- The box of every clicked selector in a background; (0, 0, 0, 0) when it is not there.
-- Replacing a background's boxes appends a new version (sel '' marks a version, so an
-- empty set of boxes is one too); reads take the latest version.
CREATE TABLE IF NOT EXISTS {db}.{element_rects} (
    background String, version Int64, sel String,
    x Float64, y Float64, w Float64, h Float64
) ENGINE = MergeTree()
ORDER BY (background, version, sel);

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
