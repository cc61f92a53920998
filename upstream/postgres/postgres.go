// Package postgres is the PostgreSQL upstream.Store, for installations that run several
// hostedgate nodes against one database, or that want the tenants in a database server they
// already back up.
//
// Open connects a pgx pool, creates the schema when missing and applies the embedded migrations
// (migrations/*.sql, recorded in hostedgate_schema_migrations) in one transaction under an
// advisory lock, so nodes starting together migrate once. The schema holds:
//
//	hostedgate_tenants       one row per tenant in any status, owner fields as columns,
//	                         marketing fields as JSONB; ids from an identity column
//	  _alias_key             UNIQUE (alias), alias COLLATE "C": every live and removed alias,
//	                         equality and LIKE 'prefix%' look-ups, byte-ordered variants
//	  _owner_email_idx       (lower(owner_email)), portal/get by e-mail
//	  _owner_id_idx          (owner_id), portal/get by user id
//	  _active_idx            (id) WHERE status = 0, the Active listing and its recount
//	hostedgate_quotas        tenant_id -> the quota tariff/set wrote; due_date 'infinity' is
//	                         upstream.MaxDate
//	hostedgate_settings      (scope, key) -> value (bytea); scope -1 is the global scope
//	hostedgate_active_count  one row: the number of Active tenants, kept by triggers on
//	                         hostedgate_tenants and recounted at every Open
//
// Each race the API can meet is settled by the database, never by a check in Go followed by a
// write:
//
//   - Two registrations of one alias: the unique index admits one insert; the other waits for
//     it to commit and fails with unique_violation (23505), which becomes upstream.ErrNameTaken.
//   - The active-portal limit: the insert's trigger increments the counter row, whose row lock
//     makes concurrent registrations (on every node) queue; each then reads the count including
//     all committed ones and its own, and rolls back with upstream.ErrPortalLimit when over.
//   - A removal against a status change or another removal: Remove locks the tenant row (FOR
//     UPDATE) and renames it in the same transaction; an alias selector is re-checked after the
//     lock wait, so the loser of the race sees the renamed tenant as not found. The _deleted[N]
//     name is unique by the same index; a concurrent registration of that very name makes the
//     update fail, and Remove retries with a fresh count.
//   - Tariff and settings writes lock the tenant row FOR SHARE, so they land on a tenant that a
//     concurrent Remove either has not renamed yet or has, never half.
//
// Locks are always taken in the order tenant row, alias index entry, counter row, and nothing
// waits for another lock while holding the counter, so the store cannot deadlock itself;
// deadlock and serialization failures are retried all the same, in case an operator's
// session takes locks in another order.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hostedgate/hostedgate/upstream"
)

// DefaultSchema is the schema Config.Schema falls back to.
const DefaultSchema = "public"

// DefaultConnectTimeout bounds each connection attempt when neither Config.ConnectTimeout nor
// the DSN's connect_timeout sets it: long enough for a server across a WAN, short enough that a
// dead server fails Caddy's provisioning visibly instead of hanging it.
const DefaultConnectTimeout = 5 * time.Second

// maxIdentifierLen is PostgreSQL's NAMEDATALEN-1; a longer schema name would be silently
// truncated by the server, and then address a different schema than the one configured.
const maxIdentifierLen = 63

// maxTxAttempts bounds the retries of a write transaction that lost a race the database
// resolves by aborting one side (deadlock, serialization failure, a rename collision).
const maxTxAttempts = 5

// aliasKey is the unique constraint on hostedgate_tenants.alias; a unique violation of any
// other constraint is not a taken name.
const aliasKey = "hostedgate_tenants_alias_key"

// Config configures Open. Only DSN is required.
type Config struct {
	// DSN is the libpq connection string or postgres:// URL (see pgx's ParseConfig), e.g.
	// "postgres://hostedgate@db.internal:5432/hostedgate?sslmode=verify-full". A search_path
	// in it is overridden by Schema.
	DSN string
	// Schema is the schema the tables live in, created by Open when missing; empty means
	// DefaultSchema. Any name PostgreSQL accepts works (it is always quoted), except names
	// starting with "pg_", "$user", and names over 63 bytes, which Open rejects.
	Schema string
	// MaxConns caps the pool's connections; zero or negative means pgx's default (the
	// larger of 4 and the number of CPUs), or pool_max_conns from the DSN.
	MaxConns int32
	// Now is the clock that stamps Created and StatusChanged; nil means time.Now. Stamps are
	// kept in UTC at microsecond precision, the precision of timestamptz.
	Now func() time.Time
	// ConnectTimeout bounds each connection attempt; zero means the DSN's connect_timeout,
	// or DefaultConnectTimeout when the DSN has none.
	ConnectTimeout time.Duration
}

// Store is the PostgreSQL-backed upstream.Store. It is safe for concurrent use, also by several
// processes on one schema.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	now    func() time.Time

	// mu is held shared by every operation and exclusively by Close, so Close waits for
	// running operations and every later call fails with upstream.ErrClosed rather than
	// pgxpool's "closed pool".
	mu     sync.RWMutex
	closed bool
}

var _ upstream.Store = (*Store)(nil)

// Open connects to the database, creates cfg.Schema when missing and brings it to the newest
// migration. ctx bounds the whole of it, including the wait for another node's migration. The
// returned Store owns a pool; Close releases it.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	schema, err := schemaName(cfg.Schema)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	fail := func(err error) (*Store, error) {
		return nil, fmt.Errorf("postgres: open schema %q: %w", schema, err)
	}
	if cfg.DSN == "" {
		return fail(errors.New("empty DSN"))
	}
	// pgx redacts the password from its parse errors, so the DSN cannot leak through them.
	pc, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		return fail(err)
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	switch {
	case cfg.ConnectTimeout > 0:
		pc.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	case pc.ConnConfig.ConnectTimeout <= 0:
		pc.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	// The schema reaches the server as a startup parameter, quoted, so no query text is
	// built from it and every connection of the pool addresses it from its first statement.
	pc.ConnConfig.RuntimeParams["search_path"] = quoteIdent(schema)
	if pc.ConnConfig.RuntimeParams["application_name"] == "" {
		pc.ConnConfig.RuntimeParams["application_name"] = "hostedgate"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return fail(err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{pool: pool, schema: schema, now: now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return fail(withContext(ctx, err))
	}
	return s, nil
}

// schemaName applies the default and refuses names that quoting cannot make safe: ones the
// server would truncate, reserve or treat specially in search_path.
func schemaName(name string) (string, error) {
	if name == "" {
		return DefaultSchema, nil
	}
	switch {
	case len(name) > maxIdentifierLen:
		return "", fmt.Errorf("schema name of %d bytes: PostgreSQL allows at most %d", len(name), maxIdentifierLen)
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return "", fmt.Errorf("schema name %q: not valid UTF-8 text", name)
	case strings.HasPrefix(strings.ToLower(name), "pg_"):
		return "", fmt.Errorf("schema name %q: names starting with pg_ are reserved for the system", name)
	case name == "$user":
		// search_path reads "$user" as the session user's schema even when quoted.
		return "", fmt.Errorf("schema name %q: has a special meaning in search_path", name)
	}
	return name, nil
}

// quoteIdent quotes an identifier for SQL text or search_path: wrapped in double quotes with
// inner ones doubled, so it is taken literally (case, spaces, commas and quotes included).
func quoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// Schema returns the schema the store works in.
func (s *Store) Schema() string { return s.schema }

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	release, err := s.enter(ctx)
	if err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	defer release()
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", withContext(ctx, err))
	}
	return nil
}

// Close waits for running operations and closes the pool. Later calls of any method return
// upstream.ErrClosed; Close itself may be called again and returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.pool.Close()
	return nil
}

// Register implements upstream.Store. A password is hashed before the transaction opens,
// because argon2 takes tens of milliseconds, and a transaction that takes the counter lock
// would hold every other registration for that long.
func (s *Store) Register(ctx context.Context, req upstream.RegisterRequest) (upstream.Tenant, error) {
	tenant := req.Tenant
	tenant.Alias = strings.ToLower(tenant.Alias)
	fail := func(err error) (upstream.Tenant, error) {
		return upstream.Tenant{}, fmt.Errorf("postgres: register %q: %w", tenant.Alias, withContext(ctx, err))
	}
	if tenant.Alias == "" {
		return fail(errors.New("empty alias"))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()

	tenant.Owner.PasswordHash = ""
	if req.Password != "" {
		// A duplicate or over-limit request should cost no argon2 run, or a flood of them
		// would tie up the hash slots. The transaction checks again.
		if err := s.admit(ctx, tenant.Alias, req.MaxActive); err != nil {
			return fail(err)
		}
		hash, err := upstream.HashPassword(req.Password)
		if err != nil {
			return fail(err)
		}
		tenant.Owner.PasswordHash = hash
	}
	ownerID, err := uuid.NewRandom()
	if err != nil {
		return fail(fmt.Errorf("owner id: %w", err))
	}
	tenant.Owner.ID = ownerID.String()
	now := s.stamp()
	tenant.Status = upstream.Active
	tenant.Created = now
	tenant.StatusChanged = now

	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// The unique index decides a taken name here, before the limit, as SPEC 2A.2 orders
		// them; a concurrent insert of the alias makes this wait for its outcome.
		err := tx.QueryRow(ctx, insertTenant,
			tenant.Alias, tenant.Domain, tenant.HostedRegion, tenant.Industry, tenant.Language,
			tenant.Name, tenant.TimeZone, tenant.PartnerID, tenant.PaymentID, int16(tenant.Status),
			tenant.Created, tenant.StatusChanged, tenant.Owner.ID, tenant.Owner.FirstName,
			tenant.Owner.LastName, tenant.Owner.Email, tenant.Owner.Phone,
			nullIfEmpty(tenant.Owner.PasswordHash), tenant.Marketing,
		).Scan(&tenant.ID)
		if isAliasViolation(err) {
			return upstream.ErrNameTaken
		}
		if err != nil {
			return err
		}
		if req.MaxActive <= 0 {
			return nil
		}
		// The insert's trigger has incremented the counter and holds its row lock until
		// commit, so this count includes every registration committed before and none can
		// commit in between.
		var active int64
		if err := tx.QueryRow(ctx, "SELECT active FROM hostedgate_active_count").Scan(&active); err != nil {
			return fmt.Errorf("read active count: %w", err)
		}
		if active > int64(req.MaxActive) {
			return upstream.ErrPortalLimit
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return tenant, nil
}

// admit is Register's cheap pre-check: the reason a tenant with alias would be refused now, in
// the order of SPEC 2A.2 (taken name, then portal limit). It takes no locks, so it can only
// refuse early; the transaction decides.
func (s *Store) admit(ctx context.Context, alias string, maxActive int) error {
	var (
		taken  bool
		active int64
	)
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM hostedgate_tenants WHERE alias = $1),
		(SELECT active FROM hostedgate_active_count)`, alias).Scan(&taken, &active)
	switch {
	case err != nil:
		return err
	case taken:
		return upstream.ErrNameTaken
	case maxActive > 0 && active >= int64(maxActive):
		return upstream.ErrPortalLimit
	}
	return nil
}

// CheckName implements upstream.Store, in one statement so Taken and Variants come from one
// snapshot.
func (s *Store) CheckName(ctx context.Context, alias, prefix string) (upstream.NameCheck, error) {
	alias, prefix = strings.ToLower(alias), strings.ToLower(prefix)
	fail := func(err error) (upstream.NameCheck, error) {
		return upstream.NameCheck{}, fmt.Errorf("postgres: check name %q: %w", alias, withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	check := upstream.NameCheck{}
	if err := s.pool.QueryRow(ctx, checkName, prefixSearch, alias, likePrefix(prefix)).Scan(&check.Taken, &check.Variants); err != nil {
		return fail(err)
	}
	if check.Variants == nil {
		check.Variants = []string{}
	}
	return check, nil
}

// Tenant implements upstream.Store.
func (s *Store) Tenant(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	fail := func(err error) (upstream.Tenant, error) {
		return upstream.Tenant{}, fmt.Errorf("postgres: get %s: %w", describe(sel), withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	where, arg, ok := selectorWhere(sel, 1)
	if !ok {
		return fail(upstream.ErrNotFound)
	}
	tenant, err := selectTenant(ctx, s.pool, where, "", arg)
	if err != nil {
		return fail(err)
	}
	return tenant, nil
}

// rowQuerier is what selectTenant reads with: the pool, or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// selectTenant reads the one tenant where selects (from selectorWhere), with lock ("",
// "FOR UPDATE", "FOR SHARE") when it runs in a transaction; ErrNotFound when there is none.
func selectTenant(ctx context.Context, q rowQuerier, where, lock string, arg any) (upstream.Tenant, error) {
	var ts tenantScan
	if err := q.QueryRow(ctx, "SELECT "+tenantColumns+" FROM hostedgate_tenants t WHERE "+where+" "+lock, arg).Scan(ts.dest()...); err != nil {
		return upstream.Tenant{}, notFound(err)
	}
	return ts.tenant()
}

// FindPortals implements upstream.Store as one statement: the named conditions joined by OR,
// each served by its own index (the planner combines them with a BitmapOr), then filtered to
// Active and ordered by id.
func (s *Store) FindPortals(ctx context.Context, q upstream.PortalQuery) ([]upstream.Tenant, error) {
	fail := func(err error) ([]upstream.Tenant, error) {
		return nil, fmt.Errorf("postgres: find portals: %w", withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()

	var (
		terms []string
		args  []any
	)
	add := func(cond string, arg any) {
		args = append(args, arg)
		terms = append(terms, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if q.Email != "" {
		add("lower(t.owner_email) = lower($?)", q.Email)
	}
	if q.OwnerID != "" {
		// Owner ids are UUIDs; the braced or upper-case spellings .NET accepts parse too,
		// and anything else cannot match (nor reach the server as an invalid uuid).
		if u, err := uuid.Parse(q.OwnerID); err == nil {
			add("t.owner_id = $?", u.String())
		}
	}
	if q.Alias != "" {
		add("t.alias = $?", strings.ToLower(q.Alias))
	}
	if q.HasID {
		add("t.id = $?", q.ID)
	}
	found := []upstream.Tenant{}
	query := "SELECT " + tenantColumns + " FROM hostedgate_tenants t WHERE t.status = " + statusSQL(upstream.Active)
	switch {
	case len(terms) > 0:
		query += " AND (" + strings.Join(terms, " OR ") + ")"
	case !q.Empty():
		return found, nil // it named only an owner id that cannot exist
	}
	rows, err := s.pool.Query(ctx, query+" ORDER BY t.id", args...)
	if err != nil {
		return fail(err)
	}
	var ts tenantScan
	_, err = pgx.ForEachRow(rows, ts.dest(), func() error {
		tenant, err := ts.tenant()
		found = append(found, tenant)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return found, nil
}

// SetStatus implements upstream.Store in one statement: the update finds, locks and changes
// the row at once, and its trigger moves the Active counter in the same transaction.
func (s *Store) SetStatus(ctx context.Context, sel upstream.Selector, status upstream.Status) (upstream.Tenant, error) {
	fail := func(err error) (upstream.Tenant, error) {
		return upstream.Tenant{}, fmt.Errorf("postgres: set status of %s to %s: %w", describe(sel), status, withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	where, arg, ok := selectorWhere(sel, 3)
	if !ok {
		return fail(upstream.ErrNotFound)
	}
	var ts tenantScan
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "UPDATE hostedgate_tenants t SET status = $1, status_changed = $2 WHERE "+where+" RETURNING "+tenantColumns,
			int16(status), s.stamp(), arg).Scan(ts.dest()...)
	})
	if err != nil {
		return fail(notFound(err))
	}
	tenant, err := ts.tenant()
	if err != nil {
		return fail(err)
	}
	return tenant, nil
}

// Remove implements upstream.Store: the soft delete of SPEC 6.3, in one transaction that locks
// the tenant row first, so a concurrent status change or removal waits and then sees the result.
// The old alias is free for a new registration the moment Remove commits, and never before.
func (s *Store) Remove(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	fail := func(err error) (upstream.Tenant, error) {
		return upstream.Tenant{}, fmt.Errorf("postgres: remove %s: %w", describe(sel), withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	where, arg, ok := selectorWhere(sel, 1)
	if !ok {
		return fail(upstream.ErrNotFound)
	}
	var before upstream.Tenant
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if before, err = selectTenant(ctx, tx, where, "FOR UPDATE", arg); err != nil {
			return err
		}
		if before.Status == upstream.RemovePending {
			return nil // removed already: a retried remove changes nothing
		}
		renamed, err := deletedAlias(ctx, tx, before.Alias)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE hostedgate_tenants SET alias = $1, status = $2, status_changed = $3 WHERE id = $4",
			renamed, int16(upstream.RemovePending), s.stamp(), before.ID)
		if isAliasViolation(err) {
			// Someone registered the computed name after it was counted; count again.
			return fmt.Errorf("%w: %q was taken meanwhile", errRetry, renamed)
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return before, nil
}

// deletedAlias is the name a removed tenant's alias becomes (SPEC 6.3): alias+"_deleted" when
// no alias starts with that yet, else alias+"_deleted"+N for N such aliases. Should that name
// exist anyway (N counts names, so one gap and a later suffix can collide) N counts up until the
// name is free, because the alias index must stay unique. It reads the prefix once; the unique
// index catches a name registered after that read.
func deletedAlias(ctx context.Context, tx pgx.Tx, alias string) (string, error) {
	base := alias + "_deleted"
	rows, err := tx.Query(ctx, deletedAliases, prefixSearch, likePrefix(base))
	if err != nil {
		return "", err
	}
	existing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	taken := make(map[string]bool, len(existing))
	for _, a := range existing {
		taken[a] = true
	}
	for n := len(existing); ; n++ {
		name := base
		if n > 0 {
			name += strconv.Itoa(n)
		}
		if !taken[name] {
			return name, nil
		}
	}
}

// Tariff implements upstream.Store, reading the tenant and its quota in one statement.
func (s *Store) Tariff(ctx context.Context, sel upstream.Selector) (upstream.Tenant, upstream.Quota, error) {
	fail := func(err error) (upstream.Tenant, upstream.Quota, error) {
		return upstream.Tenant{}, upstream.Quota{}, fmt.Errorf("postgres: get tariff of %s: %w", describe(sel), withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	where, arg, ok := selectorWhere(sel, 1)
	if !ok {
		return fail(upstream.ErrNotFound)
	}
	var (
		ts tenantScan
		qs quotaScan
	)
	err = s.pool.QueryRow(ctx, "SELECT "+tenantColumns+", "+quotaColumns+
		" FROM hostedgate_tenants t LEFT JOIN hostedgate_quotas q ON q.tenant_id = t.id WHERE "+where, arg).
		Scan(append(ts.dest(), qs.dest()...)...)
	if err != nil {
		return fail(notFound(err))
	}
	tenant, err := ts.tenant()
	if err != nil {
		return fail(err)
	}
	return tenant, qs.quota(), nil
}

// SetTariff implements upstream.Store. q is normalised (defaults, MiB truncation) once, here,
// and the answer is what the upsert wrote.
func (s *Store) SetTariff(ctx context.Context, sel upstream.Selector, q upstream.Quota) (upstream.Tenant, upstream.Quota, error) {
	q = upstream.NormalizeQuota(q.ActiveUsers, q.DueDate, q.Features, q.MaxFileSize, q.MaxTotalSize)
	fail := func(err error) (upstream.Tenant, upstream.Quota, error) {
		return upstream.Tenant{}, upstream.Quota{}, fmt.Errorf("postgres: set tariff of %s: %w", describe(sel), withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	where, arg, ok := selectorWhere(sel, 1)
	if !ok {
		return fail(upstream.ErrNotFound)
	}
	var (
		tenant upstream.Tenant
		quota  upstream.Quota
	)
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if tenant, err = selectTenant(ctx, tx, where, "FOR SHARE", arg); err != nil {
			return err
		}
		var qs quotaScan
		err = tx.QueryRow(ctx, `INSERT INTO hostedgate_quotas AS q (tenant_id, active_users, due_date, features, max_file_size, max_total_size)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id) DO UPDATE SET active_users = EXCLUDED.active_users, due_date = EXCLUDED.due_date,
				features = EXCLUDED.features, max_file_size = EXCLUDED.max_file_size, max_total_size = EXCLUDED.max_total_size
			RETURNING `+quotaColumns,
			tenant.ID, int64(q.ActiveUsers), dueDateValue(q.DueDate), q.Features, q.MaxFileSize, q.MaxTotalSize,
		).Scan(qs.dest()...)
		quota = qs.quota()
		return err
	})
	if err != nil {
		return fail(err)
	}
	return tenant, quota, nil
}

// Setting implements upstream.Store.
func (s *Store) Setting(ctx context.Context, sel upstream.Selector, key string) (value string, ok bool, err error) {
	fail := func(err error) (string, bool, error) {
		return "", false, fmt.Errorf("postgres: get setting %q of %s: %w", key, describe(sel), withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	var v []byte
	if isGlobal(sel) {
		err = s.pool.QueryRow(ctx, "SELECT value FROM hostedgate_settings WHERE scope = $1 AND key = $2", upstream.GlobalScope, key).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", false, nil
		}
	} else {
		where, arg, found := selectorWhere(sel, 1)
		if !found {
			return fail(upstream.ErrNotFound)
		}
		// The join tells a missing tenant (no row) from an unset key (a NULL value).
		err = s.pool.QueryRow(ctx, "SELECT s.value FROM hostedgate_tenants t LEFT JOIN hostedgate_settings s ON s.scope = t.id AND s.key = $2 WHERE "+where,
			arg, key).Scan(&v)
		err = notFound(err)
	}
	if err != nil {
		return fail(err)
	}
	return string(v), v != nil, nil
}

// SaveSetting implements upstream.Store. A tenant's row is locked FOR SHARE while its value is
// written, so a concurrent Remove by alias cannot slip between the look-up and the write.
func (s *Store) SaveSetting(ctx context.Context, sel upstream.Selector, key, value string) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("postgres: save setting %q of %s: %w", key, describe(sel), withContext(ctx, err))
	}
	release, err := s.enter(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	where, arg, found := selectorWhere(sel, 1)
	if !found && !isGlobal(sel) {
		return fail(upstream.ErrNotFound)
	}
	var saved []byte
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		scope := upstream.GlobalScope
		if !isGlobal(sel) {
			if err := tx.QueryRow(ctx, "SELECT t.id FROM hostedgate_tenants t WHERE "+where+" FOR SHARE", arg).Scan(&scope); err != nil {
				return notFound(err)
			}
		}
		// []byte{} rather than nil for "": nil would reach the server as NULL.
		return tx.QueryRow(ctx, `INSERT INTO hostedgate_settings (scope, key, value) VALUES ($1, $2, $3)
			ON CONFLICT (scope, key) DO UPDATE SET value = EXCLUDED.value RETURNING value`,
			scope, key, append([]byte{}, value...)).Scan(&saved)
	})
	if err != nil {
		return fail(err)
	}
	return string(saved), nil
}

// enter admits one operation: it fails fast on a done context or a closed store and otherwise
// holds the store open until release is called.
func (s *Store) enter(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, upstream.ErrClosed
	}
	return s.mu.RUnlock, nil
}

// errRetry marks a transaction that lost a race it can win on a second run.
var errRetry = errors.New("lost a race, retrying")

// inTx runs fn in a READ COMMITTED transaction, committed when fn returns nil, and runs it
// again (up to maxTxAttempts times) when the database aborted it as one side of a deadlock or
// serialization conflict, or fn reported errRetry.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
		if err == nil || attempt >= maxTxAttempts || ctx.Err() != nil || !retryable(err) {
			return err
		}
	}
}

func retryable(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// isAliasViolation reports whether err is a unique violation of the alias index.
func isAliasViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == aliasKey
}

// notFound turns "no row" into upstream.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return upstream.ErrNotFound
	}
	return err
}

// withContext makes an error caused by a done context match its cause. pgx answers a cancel
// that reached the server as the server's error (57014, "canceling statement due to user
// request"), which errors.Is does not tie to context.Canceled or DeadlineExceeded.
func withContext(ctx context.Context, err error) error {
	if cause := ctx.Err(); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}

// stamp is the store's clock reading as it will read back: UTC, whole microseconds.
func (s *Store) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// isGlobal reports whether sel addresses the installation-wide settings scope.
func isGlobal(sel upstream.Selector) bool { return sel.HasID && sel.ID == upstream.GlobalScope }

// selectorWhere is the shared tenant look-up of SPEC 2A as a condition on table alias t with
// its argument at placeholder n: by id in any status; by alias only while the tenant is not
// RemovePending, since a removed portal is reachable by tenantId alone (SPEC 2A, 6.2) even
// though its renamed alias stays in the index for variants. ok is false when sel names nothing.
func selectorWhere(sel upstream.Selector, n int) (where string, arg any, ok bool) {
	p := "$" + strconv.Itoa(n)
	if sel.HasID {
		return "t.id = " + p, sel.ID, true
	}
	if sel.Alias == "" {
		return "", nil, false
	}
	return "t.alias = " + p + " AND t.status <> " + statusSQL(upstream.RemovePending), strings.ToLower(sel.Alias), true
}

// statusSQL renders a status constant into query text; only compile-time constants reach it,
// and a constant lets the planner match the partial Active index.
func statusSQL(st upstream.Status) string { return strconv.Itoa(int(st)) }

// likePrefix is a LIKE pattern matching the strings that start with prefix: the
// metacharacters (backslash, the escape character the queries declare; '%'; '_', which every
// _deleted alias contains) are escaped, so they match only themselves.
func likePrefix(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
}

// nullIfEmpty stores an empty string as NULL, for columns where NULL means "none".
func nullIfEmpty(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// describe names a selector in error messages.
func describe(sel upstream.Selector) string {
	if sel.HasID {
		return "tenant " + strconv.FormatInt(sel.ID, 10)
	}
	return "tenant " + strconv.Quote(sel.Alias)
}

// Statements shared by the operations (and the index tests, which explain them).
const (
	// tenantColumns is the column list tenantScan.dest scans, for table alias t.
	tenantColumns = `t.id, t.alias, t.domain, t.hosted_region, t.industry, t.language, t.name, t.time_zone,
		t.partner_id, t.payment_id, t.status, t.created, t.status_changed, t.owner_id::text,
		t.owner_first_name, t.owner_last_name, t.owner_email, t.owner_phone, t.owner_password_hash, t.marketing`

	// quotaColumns is the column list quotaScan.dest scans, for table alias q.
	quotaColumns = `q.active_users, q.due_date, q.features, q.max_file_size, q.max_total_size`

	insertTenant = `INSERT INTO hostedgate_tenants (alias, domain, hosted_region, industry, language, name, time_zone,
		partner_id, payment_id, status, created, status_changed, owner_id, owner_first_name, owner_last_name,
		owner_email, owner_phone, owner_password_hash, marketing)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		RETURNING id`

	// deletedAliases lists the aliases with a prefix, for deletedAlias.
	deletedAliases = `SELECT alias FROM hostedgate_tenants WHERE alias LIKE $1 ESCAPE '\'`

	checkName = `SELECT EXISTS (SELECT 1 FROM hostedgate_tenants WHERE alias = $1),
		ARRAY(SELECT alias FROM hostedgate_tenants WHERE alias LIKE $2 ESCAPE '\' ORDER BY alias)`
)

// prefixSearch is the execution mode of the LIKE 'prefix%' queries: an unnamed statement,
// planned with its pattern each time. A cached prepared statement may switch to a generic plan,
// which cannot turn a parameter pattern into an index range and scans every tenant.
const prefixSearch = pgx.QueryExecModeExec

// tenantScan receives one row of tenantColumns.
type tenantScan struct {
	t      upstream.Tenant
	status int16
	hash   *string
	// marketing is scanned as JSON text and decoded into a fresh value by tenant, because
	// decoding into a reused struct would keep fields a later row leaves out.
	marketing []byte
}

func (ts *tenantScan) dest() []any {
	t := &ts.t
	return []any{&t.ID, &t.Alias, &t.Domain, &t.HostedRegion, &t.Industry, &t.Language, &t.Name, &t.TimeZone,
		&t.PartnerID, &t.PaymentID, &ts.status, &t.Created, &t.StatusChanged, &t.Owner.ID,
		&t.Owner.FirstName, &t.Owner.LastName, &t.Owner.Email, &t.Owner.Phone, &ts.hash, &ts.marketing}
}

// tenant returns the scanned tenant. pgx reads timestamptz in the local zone; the model's
// times are UTC.
func (ts *tenantScan) tenant() (upstream.Tenant, error) {
	t := ts.t
	t.Status = upstream.Status(ts.status)
	t.Created = t.Created.UTC()
	t.StatusChanged = t.StatusChanged.UTC()
	t.Owner.PasswordHash = ""
	if ts.hash != nil {
		t.Owner.PasswordHash = *ts.hash
	}
	t.Marketing = upstream.Marketing{}
	if err := json.Unmarshal(ts.marketing, &t.Marketing); err != nil {
		return upstream.Tenant{}, fmt.Errorf("decode marketing of tenant %d: %w", t.ID, err)
	}
	return t, nil
}

// quotaScan receives quotaColumns, NULL throughout when the tenant has no quota row.
type quotaScan struct {
	activeUsers, maxFileSize, maxTotalSize *int64
	features                               *string
	dueDate                                pgtype.Timestamptz
}

func (qs *quotaScan) dest() []any {
	return []any{&qs.activeUsers, &qs.dueDate, &qs.features, &qs.maxFileSize, &qs.maxTotalSize}
}

func (qs *quotaScan) quota() upstream.Quota {
	if qs.activeUsers == nil {
		return upstream.DefaultQuota()
	}
	q := upstream.Quota{ActiveUsers: int(*qs.activeUsers), DueDate: upstream.MaxDate}
	if qs.features != nil {
		q.Features = *qs.features
	}
	if qs.maxFileSize != nil {
		q.MaxFileSize = *qs.maxFileSize
	}
	if qs.maxTotalSize != nil {
		q.MaxTotalSize = *qs.maxTotalSize
	}
	switch qs.dueDate.InfinityModifier {
	case pgtype.Finite:
		q.DueDate = qs.dueDate.Time.UTC()
	case pgtype.NegativeInfinity:
		q.DueDate = time.Time{} // only a hand edit writes -infinity; read it as "no date"
	}
	return q
}

// dueDateValue is how a due date is stored: MaxDate (and anything later) as 'infinity', since
// its 100 ns tick is below timestamptz's microsecond precision and would not read back equal.
func dueDateValue(d time.Time) pgtype.Timestamptz {
	if !d.Before(upstream.MaxDate) {
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: d.UTC(), Valid: true}
}
