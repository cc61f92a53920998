-- 0001: tenants with their owners, quotas, settings, and the counter of Active tenants.
--
-- Every name carries the hostedgate_ prefix because the default schema is public, which other
-- applications may share. Open runs this file inside the schema it serves (search_path), so no
-- name here is schema-qualified.

-- One row per portal, live or soft-deleted; the owner is one-to-one with the tenant, so the
-- owner's fields are columns here rather than a table that every read would join.
CREATE TABLE hostedgate_tenants (
    -- ALWAYS: an id is never chosen by a caller, so the sequence cannot be overtaken.
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- COLLATE "C": byte order, as the other stores sort variants, and a plain btree on it
    -- serves LIKE 'prefix%' whatever the database's collation is.
    alias               text COLLATE "C" NOT NULL CHECK (alias <> ''),
    domain              text NOT NULL DEFAULT '',
    hosted_region       text,
    industry            integer NOT NULL DEFAULT 0,
    language            text NOT NULL DEFAULT '',
    name                text NOT NULL DEFAULT '',
    time_zone           text NOT NULL DEFAULT '',
    partner_id          text,
    payment_id          text,
    -- upstream.Status: 0 Active, 1 Suspended, 2 RemovePending, ...
    status              smallint NOT NULL CHECK (status >= 0),
    created             timestamptz NOT NULL,
    status_changed      timestamptz NOT NULL,
    owner_id            uuid NOT NULL,
    owner_first_name    text NOT NULL DEFAULT '',
    owner_last_name     text NOT NULL DEFAULT '',
    owner_email         text NOT NULL DEFAULT '',
    owner_phone         text NOT NULL DEFAULT '',
    -- NULL when registered without a password; never anything but an argon2id PHC string, so
    -- a bug that passes the plaintext fails here instead of storing it.
    owner_password_hash text CHECK (owner_password_hash LIKE '$argon2id$%'),
    -- upstream.Marketing: kept for the provider's records, never queried by the API.
    marketing           jsonb NOT NULL DEFAULT '{}',
    -- Holds the aliases of every tenant in every status (removed ones under their _deleted
    -- name), so a duplicate alias cannot be committed whatever the callers race.
    CONSTRAINT hostedgate_tenants_alias_key UNIQUE (alias)
);

-- portal/get by e-mail compares whole addresses case-insensitively ('+' and dots kept).
CREATE INDEX hostedgate_tenants_owner_email_idx ON hostedgate_tenants (lower(owner_email));
-- portal/get with a user id instead of an e-mail.
CREATE INDEX hostedgate_tenants_owner_id_idx ON hostedgate_tenants (owner_id);
-- portal/get lists Active tenants in id order, and Open recounts them.
CREATE INDEX hostedgate_tenants_active_idx ON hostedgate_tenants (id) WHERE status = 0;

-- A tenant's quota as tariff/set last wrote it; no row means upstream.DefaultQuota.
CREATE TABLE hostedgate_quotas (
    tenant_id      bigint PRIMARY KEY REFERENCES hostedgate_tenants (id) ON DELETE CASCADE,
    active_users   bigint NOT NULL,
    -- 'infinity' is upstream.MaxDate (no end), whose 100 ns tick timestamptz cannot hold.
    due_date       timestamptz NOT NULL,
    features       text NOT NULL DEFAULT '',
    max_file_size  bigint NOT NULL,
    max_total_size bigint NOT NULL
);

-- Settings per scope, as the reference's core settings table: the tenant id, or -1 for the
-- installation-wide scope (which is why there is no foreign key). The value is bytea so any
-- string comes back byte for byte, NUL and invalid UTF-8 included.
CREATE TABLE hostedgate_settings (
    scope bigint NOT NULL CHECK (scope = -1 OR scope > 0),
    key   text NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (scope, key)
);

-- The number of Active tenants, one row. Register checks MaxActive against it in its own
-- transaction; the row lock its increment takes is what makes concurrent registrations
-- (on any node) see each other's count, so the limit is exact.
CREATE TABLE hostedgate_active_count (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    active    bigint NOT NULL
);
INSERT INTO hostedgate_active_count (singleton, active) VALUES (true, 0);

-- The counter follows the tenants table through triggers rather than through the store's code,
-- so a status changed by hand in psql keeps it right too. The schema comes from the trigger's
-- table, not from search_path, so a session with another search_path still finds the counter.
CREATE FUNCTION hostedgate_count_active() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('UPDATE %I.hostedgate_active_count SET active = 0', TG_TABLE_SCHEMA);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.status = 0 THEN
            delta := delta + 1;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.status = 0 THEN
            delta := delta - 1;
        END IF;
    END IF;
    IF delta <> 0 THEN
        EXECUTE format('UPDATE %I.hostedgate_active_count SET active = active + $1', TG_TABLE_SCHEMA)
            USING delta;
    END IF;
    RETURN NULL;
END
$$;

-- The WHEN clauses keep changes that do not move a tenant into or out of Active (a Suspended
-- tenant removed, a rename) off the counter row, so they do not queue behind registrations.
CREATE TRIGGER hostedgate_tenants_count_insert
    AFTER INSERT ON hostedgate_tenants
    FOR EACH ROW WHEN (NEW.status = 0)
    EXECUTE FUNCTION hostedgate_count_active();
CREATE TRIGGER hostedgate_tenants_count_update
    AFTER UPDATE OF status ON hostedgate_tenants
    FOR EACH ROW WHEN ((OLD.status = 0) <> (NEW.status = 0))
    EXECUTE FUNCTION hostedgate_count_active();
CREATE TRIGGER hostedgate_tenants_count_delete
    AFTER DELETE ON hostedgate_tenants
    FOR EACH ROW WHEN (OLD.status = 0)
    EXECUTE FUNCTION hostedgate_count_active();
CREATE TRIGGER hostedgate_tenants_count_truncate
    AFTER TRUNCATE ON hostedgate_tenants
    FOR EACH STATEMENT
    EXECUTE FUNCTION hostedgate_count_active();
