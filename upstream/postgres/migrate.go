package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrationFiles holds the schema, one numbered file per step (NNNN_what.sql). A file, once
// released, is never edited: a change is a new file, because nodes record by number what
// they applied.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the pg_advisory_xact_lock key that serialises Open's migration step
// across every process using the database: "hostedga" in ASCII, so it is recognisable in
// pg_locks (classid 0x686f7374, objid 0x65646761) and unlikely to meet another application's
// key. It is one key for all schemas on purpose: CREATE SCHEMA IF NOT EXISTS itself races
// (two sessions can both find the schema missing), and migrating takes milliseconds.
const migrationLockKey int64 = 0x686f737465646761

// migration is one embedded schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded files in version order. Versions must start at 1 and
// have no gaps or duplicates, so a misnamed file fails every Open (and the tests) instead of
// being skipped on some nodes.
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_description.sql", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: strings.TrimSuffix(base, ".sql"), sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions start at 1, without gaps or duplicates)", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate creates the schema when missing and applies the migrations it lacks, all in one
// transaction under migrationLockKey: nodes that start together queue on the lock, the first
// does the work, the others find it done. A failure rolls everything back, so a schema is
// never left half-migrated. It ends by recounting the Active tenants (see recountActive).
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s.schema).Scan(&exists); err != nil {
			return fmt.Errorf("look up schema: %w", err)
		}
		// Only when missing: CREATE SCHEMA IF NOT EXISTS demands the CREATE privilege on the
		// database even when the schema exists, which a least-privilege role may lack.
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+quoteIdent(s.schema)); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
		}
		// The session's search_path names the schema already (RuntimeParams), but setting it
		// for this transaction too keeps the unqualified names of the migration files inside
		// the schema even if a pooler dropped the startup parameter.
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", quoteIdent(s.schema)); err != nil {
			return fmt.Errorf("set search_path: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS hostedgate_schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
		rows, err := tx.Query(ctx, "SELECT version FROM hostedgate_schema_migrations")
		if err != nil {
			return fmt.Errorf("read applied migrations: %w", err)
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return fmt.Errorf("read applied migrations: %w", err)
		}
		// A newer build has migrated this schema; reading it with this build's queries could
		// misread or corrupt data, so refuse rather than guess.
		if len(applied) > 0 {
			if newest := int(slices.Max(applied)); newest > len(ms) {
				return fmt.Errorf("schema has migration version %d, this build knows versions up to %d", newest, len(ms))
			}
		}
		for _, m := range ms {
			if slices.Contains(applied, int32(m.version)) {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO hostedgate_schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
		}
		return recountActive(ctx, tx)
	})
}

// recountActive sets the Active counter from the tenants themselves, so MaxActive is exact even
// after something bypassed the triggers (a restore with triggers disabled, an edit of the
// counter row). The counter row is locked by a statement of its own first: under READ
// COMMITTED, the count that follows then takes its snapshot after every writer that already
// moved the counter has committed, and writers after it wait for the lock and add their delta
// to the recounted value.
func recountActive(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SELECT active FROM hostedgate_active_count FOR UPDATE"); err != nil {
		return fmt.Errorf("lock active counter: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE hostedgate_active_count SET active = (SELECT count(*) FROM hostedgate_tenants WHERE status = 0)"); err != nil {
		return fmt.Errorf("recount active tenants: %w", err)
	}
	return nil
}
