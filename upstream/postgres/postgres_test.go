package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/storetest"
)

const defaultTestDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testDSN is the server the tests use: $HOSTEDGATE_TEST_POSTGRES, else a local one.
func testDSN() string {
	if dsn := os.Getenv("HOSTEDGATE_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return defaultTestDSN
}

// adminPool connects to the test server for set-up and clean-up outside the store. An
// unreachable server skips the test on a developer's machine and fails it in CI, where
// PostgreSQL is part of the job and a skip would hide a broken store.
func adminPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	dsn := testDSN()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("HOSTEDGATE_TEST_POSTGRES: %v", err)
	}
	pc.ConnConfig.ConnectTimeout = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err == nil {
		err = pool.Ping(ctx)
		if err != nil {
			pool.Close()
		}
	}
	if err != nil {
		where := pc.ConnConfig.Host + ":" + fmt.Sprint(pc.ConnConfig.Port) + "/" + pc.ConnConfig.Database
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL not reachable at %s (CI=true, so this fails instead of skipping): %v", where, err)
		}
		t.Skipf("PostgreSQL not reachable at %s: start it or set HOSTEDGATE_TEST_POSTGRES (%v)", where, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// freshSchema returns the name of a schema that does not exist yet and is dropped, with
// everything in it, when the test ends.
func freshSchema(t *testing.T, admin *pgxpool.Pool) string {
	t.Helper()
	name := "hg_test_" + randomHex(t, 8)
	dropAtEnd(t, admin, name)
	return name
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// dropAtEnd drops schema name with everything in it when the test ends.
func dropAtEnd(t *testing.T, admin *pgxpool.Pool, name string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(name)+" CASCADE"); err != nil {
			t.Errorf("drop schema %q: %v", name, err)
		}
	})
}

// openStore opens a store on schema and closes it when the test ends (before the schema drop,
// as cleanups run last-in first-out).
func openStore(t *testing.T, schema string, mod ...func(*Config)) *Store {
	t.Helper()
	cfg := Config{DSN: testDSN(), Schema: schema, MaxConns: 8}
	for _, m := range mod {
		m(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(schema %q): %v", schema, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	admin := adminPool(t)
	storetest.Run(t, func(t *testing.T) upstream.Store {
		return openStore(t, freshSchema(t, admin))
	})
}

// TestConcurrentOpen starts nodes together on one new schema: all must come up, and the
// advisory lock must have let exactly one of them apply each migration.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	const nodes = 5
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		stores = make([]*Store, nodes)
		errs   = make([]error, nodes)
	)
	for i := range nodes {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			stores[i], errs[i] = Open(ctx, Config{DSN: testDSN(), Schema: schema, MaxConns: 2})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: Open: %v", i, err)
			continue
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	if t.Failed() {
		t.FailNow()
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := admin.Query(context.Background(), "SELECT version FROM "+quoteIdent(schema)+".hostedgate_schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != len(ms) {
		t.Fatalf("recorded migrations %v, want one row for each of %d files", versions, len(ms))
	}
	for i, v := range versions {
		if int(v) != i+1 {
			t.Fatalf("recorded migrations %v, want 1..%d", versions, len(ms))
		}
	}
	// Every node works on the one schema: a name one registers is taken for the others.
	ctx := context.Background()
	if _, err := stores[0].Register(ctx, storetest.Request("shared")); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores[1:] {
		if _, err := s.Register(ctx, storetest.Request("shared")); !errors.Is(err, upstream.ErrNameTaken) {
			t.Errorf("node %d: Register(shared) = %v, want ErrNameTaken", i+1, err)
		}
	}
}

// TestNodesRace runs the two races of the contract across two stores, as two nodes would.
func TestNodesRace(t *testing.T) {
	t.Parallel()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	nodes := []*Store{openStore(t, schema), openStore(t, schema)}
	const n, limit = 30, 7
	var (
		wg                   sync.WaitGroup
		start                = make(chan struct{})
		mu                   sync.Mutex
		named, limited, took int
		unknown              []error
	)
	for i := range n {
		wg.Go(func() {
			s := nodes[i%2]
			req := storetest.Request(fmt.Sprintf("node%02d", i))
			req.MaxActive = limit
			<-start
			_, errLimit := s.Register(context.Background(), req)
			_, errName := s.Register(context.Background(), storetest.Request("onename"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errLimit == nil:
				took++
			case errors.Is(errLimit, upstream.ErrPortalLimit):
				limited++
			default:
				unknown = append(unknown, errLimit)
			}
			switch {
			case errName == nil:
				named++
			case !errors.Is(errName, upstream.ErrNameTaken):
				unknown = append(unknown, errName)
			}
		})
	}
	close(start)
	wg.Wait()
	// "onename" registrations count as Active too, so the limited ones may see up to one
	// more; what must hold is that the limit was never exceeded and one name won.
	if named != 1 || len(unknown) != 0 || took+limited != n {
		t.Fatalf("%d registered onename, %d within the limit, %d limited, errors %v", named, took, limited, unknown)
	}
	all, err := nodes[1].FindPortals(context.Background(), upstream.PortalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	limitedActive := 0
	for _, tn := range all {
		if strings.HasPrefix(tn.Alias, "node") {
			limitedActive++
		}
	}
	if limitedActive != took || took > limit || took < limit-1 {
		t.Fatalf("%d limited registrations stored, %d succeeded; want %d or %d (limit %d with onename counted)", limitedActive, took, limit-1, limit, limit)
	}
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	s := openStore(t, schema)
	kept, err := s.Register(ctx, storetest.Request("persisted"))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.Register(ctx, storetest.Request("removed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, upstream.ByID(gone.ID)); err != nil {
		t.Fatal(err)
	}
	paused, err := s.Register(ctx, storetest.Request("paused"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx, upstream.ByID(paused.ID), upstream.Suspended); err != nil {
		t.Fatal(err)
	}
	quota := upstream.Quota{ActiveUsers: 7, DueDate: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), Features: "portals:3", MaxFileSize: 1500000}
	if _, _, err := s.SetTariff(ctx, upstream.ByID(kept.ID), quota); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSetting(ctx, upstream.ByID(upstream.GlobalScope), "web.portal-name", "Office"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, schema)
	got, err := s.Tenant(ctx, upstream.ByAlias("persisted"))
	if err != nil || got.ID != kept.ID || got.Owner != kept.Owner || !got.Created.Equal(kept.Created) || got.Marketing != kept.Marketing {
		t.Fatalf("after reopen: %+v, %v; want %+v", got, err, kept)
	}
	if got, err := s.Tenant(ctx, upstream.ByID(gone.ID)); err != nil || got.Alias != "removed_deleted" || got.Status != upstream.RemovePending {
		t.Fatalf("removed tenant after reopen: %+v, %v", got, err)
	}
	if _, q, err := s.Tariff(ctx, upstream.ByID(kept.ID)); err != nil || q != upstream.NormalizeQuota(quota.ActiveUsers, quota.DueDate, quota.Features, quota.MaxFileSize, quota.MaxTotalSize) {
		t.Fatalf("tariff after reopen: %+v, %v; want %+v normalised", q, err, quota)
	}
	if v, ok, err := s.Setting(ctx, upstream.ByID(upstream.GlobalScope), "web.portal-name"); err != nil || !ok || v != "Office" {
		t.Fatalf("setting after reopen: %q %v %v", v, ok, err)
	}
	// The id sequence and the Active count survive: one Active tenant, so MaxActive 2 admits
	// exactly one more, with a new id.
	req := storetest.Request("another")
	req.MaxActive = 2
	next, err := s.Register(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= paused.ID {
		t.Fatalf("id %d after reopen, not above %d", next.ID, paused.ID)
	}
	req = storetest.Request("onetoomany")
	req.MaxActive = 2
	if _, err := s.Register(ctx, req); !errors.Is(err, upstream.ErrPortalLimit) {
		t.Fatalf("third Active after reopen: %v, want ErrPortalLimit", err)
	}
}

// TestActiveCountFollowsHandEdits changes statuses behind the store's back: the triggers keep
// the counter right, and Open repairs a counter edited directly.
func TestActiveCountFollowsHandEdits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	s := openStore(t, schema)
	for _, a := range []string{"count1", "count2", "count3"} {
		if _, err := s.Register(ctx, storetest.Request(a)); err != nil {
			t.Fatal(err)
		}
	}
	limited := func(alias string, max int) error {
		req := storetest.Request(alias)
		req.MaxActive = max
		_, err := s.Register(ctx, req)
		return err
	}
	tenants := quoteIdent(schema) + ".hostedgate_tenants"
	if _, err := admin.Exec(ctx, "UPDATE "+tenants+" SET status = 1 WHERE alias IN ('count1', 'count2')"); err != nil {
		t.Fatal(err)
	}
	if err := limited("count4", 2); err != nil {
		t.Fatalf("one Active after a hand-made suspension, MaxActive 2: %v", err)
	}
	if _, err := admin.Exec(ctx, "DELETE FROM "+tenants+" WHERE alias = 'count4'"); err != nil {
		t.Fatal(err)
	}
	if err := limited("count5", 2); err != nil {
		t.Fatalf("one Active after a hand-made deletion, MaxActive 2: %v", err)
	}
	if err := limited("count6", 2); !errors.Is(err, upstream.ErrPortalLimit) {
		t.Fatalf("two Active, MaxActive 2: %v, want ErrPortalLimit", err)
	}

	if _, err := admin.Exec(ctx, "UPDATE "+quoteIdent(schema)+".hostedgate_active_count SET active = 40"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, schema)
	if err := limited("count6", 3); err != nil {
		t.Fatalf("Register with 2 of 3 Active after the recount: %v", err)
	}
}

// TestSchemaNameQuoted opens a schema whose name is an injection attempt with quotes, a comma
// (a search_path separator), a semicolon and upper case: it must be created under exactly that
// name and work, while the schema the name tries to drop survives.
func TestSchemaNameQuoted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	victim := "hg_v_" + randomHex(t, 4)
	dropAtEnd(t, admin, victim)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+quoteIdent(victim)); err != nil {
		t.Fatal(err)
	}
	weird := `Hg"` + randomHex(t, 4) + `"; DROP SCHEMA ` + victim + ` CASCADE; --,x`
	if len(weird) > maxIdentifierLen {
		t.Fatalf("test schema name %q is longer than %d bytes", weird, maxIdentifierLen)
	}
	dropAtEnd(t, admin, weird)

	s := openStore(t, weird)
	tn, err := s.Register(ctx, storetest.Request("quoted"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Tenant(ctx, upstream.ByAlias("quoted")); err != nil || got.ID != tn.ID {
		t.Fatalf("Tenant = %+v, %v", got, err)
	}
	var tables int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'hostedgate\\_%'", weird).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 5 {
		t.Fatalf("%d hostedgate tables in schema %q, want 5", tables, weird)
	}
	var victimExists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", victim).Scan(&victimExists); err != nil {
		t.Fatal(err)
	}
	if !victimExists {
		t.Fatalf("schema %q was dropped through the schema name %q", victim, weird)
	}
}

func TestSchemaNameRejected(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		strings.Repeat("a", maxIdentifierLen+1),
		"pg_hostedgate",
		"PG_Temp",
		"$user",
		"bad\x00name",
		"bad\xffname",
	} {
		s, err := Open(context.Background(), Config{DSN: "postgres://nobody@127.0.0.1:1/none", Schema: name})
		if err == nil {
			_ = s.Close()
			t.Errorf("Open accepted schema name %q", name)
			continue
		}
		if !strings.Contains(err.Error(), "schema name") {
			t.Errorf("Open(schema %q): error %q does not say what is wrong", name, err)
		}
	}
	if got, err := schemaName(""); err != nil || got != DefaultSchema {
		t.Errorf("schemaName(\"\") = %q, %v; want %q", got, err, DefaultSchema)
	}
	if got, err := schemaName(strings.Repeat("a", maxIdentifierLen)); err != nil || len(got) != maxIdentifierLen {
		t.Errorf("schemaName(63 bytes) = %q, %v", got, err)
	}
}

// TestOpenErrorsHidePassword makes Open fail at parsing and at connecting with a password in
// the DSN; neither error may show it.
func TestOpenErrorsHidePassword(t *testing.T) {
	t.Parallel()
	const secret = "Db-Passw0rd-Secret"
	for _, dsn := range []string{
		"postgres://hostedgate:" + secret + "@127.0.0.1:1/test?sslmode=disable", // nothing listens on port 1
		"postgres://hostedgate:" + secret + "@127.0.0.1:1/test?sslmode=bogus",
		"host=127.0.0.1 port=1 password=" + secret + " sslmode=disable connect_timeout=x",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s, err := Open(ctx, Config{DSN: dsn, ConnectTimeout: time.Second})
		cancel()
		if err == nil {
			_ = s.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err)} {
			if strings.Contains(text, secret) {
				t.Fatalf("Open error shows the password: %s", text)
			}
		}
	}
	if _, err := Open(context.Background(), Config{}); err == nil || !strings.Contains(err.Error(), "empty DSN") {
		t.Fatalf("Open without DSN: %v", err)
	}
}

// TestPasswordOnlyHashed looks for the plaintext in every column of the stored row.
func TestPasswordOnlyHashed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	s := openStore(t, schema)
	const secret = "Plaintext-Must-Not-Hit-Disk-42"
	req := storetest.Request("secretive")
	req.Password = secret
	if _, err := s.Register(ctx, req); err != nil {
		t.Fatal(err)
	}
	var row string
	if err := admin.QueryRow(ctx, "SELECT t::text FROM "+quoteIdent(schema)+".hostedgate_tenants t WHERE alias = 'secretive'").Scan(&row); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, secret) {
		t.Fatal("the tenant row contains the plaintext password")
	}
	if !strings.Contains(row, "$argon2id$v=19$") {
		t.Fatalf("the tenant row holds no argon2id hash: %s", row)
	}
	// The column refuses anything else, so a bug cannot store a plaintext either.
	_, err := admin.Exec(ctx, "UPDATE "+quoteIdent(schema)+".hostedgate_tenants SET owner_password_hash = $1", secret)
	if err == nil || !strings.Contains(err.Error(), "23514") {
		t.Fatalf("storing a non-argon2id hash: %v, want a check violation", err)
	}
}

// TestLikeMetacharacters checks that the prefix searches (variants and the _deleted count)
// match metacharacters literally.
func TestLikeMetacharacters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	s := openStore(t, freshSchema(t, admin))
	for _, a := range []string{"a_c", "abc", "a%c", "axc", `a\c`, "escxdeleted"} {
		if _, err := s.Register(ctx, storetest.Request(a)); err != nil {
			t.Fatal(err)
		}
	}
	for prefix, want := range map[string][]string{
		"a_": {"a_c"},
		"a%": {"a%c"},
		`a\`: {`a\c`},
		"a":  {"a%c", `a\c`, "a_c", "abc", "axc"}, // byte order: % \ _ b x
	} {
		check, err := s.CheckName(ctx, "zzz", prefix)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(check.Variants, want) {
			t.Errorf("variants of %q = %q, want %q", prefix, check.Variants, want)
		}
	}
	// An unescaped "_" in "esc_deleted%" would count escxdeleted and make this esc_deleted1.
	tn, err := s.Register(ctx, storetest.Request("esc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, upstream.ByID(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Tenant(ctx, upstream.ByID(tn.ID)); err != nil || got.Alias != "esc_deleted" {
		t.Fatalf("renamed to %q (%v), want esc_deleted", got.Alias, err)
	}
}

// TestIndexesServeQueries explains the store's look-ups with sequential scans priced out: each
// must be able to use its index, or a large installation would scan every tenant.
func TestIndexesServeQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	openStore(t, schema).Close()
	conn, err := admin.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, set := range []string{"SET LOCAL enable_seqscan = off", "SELECT set_config('search_path', $1, true)"} {
		var args []any
		if strings.Contains(set, "$1") {
			args = append(args, quoteIdent(schema))
		}
		if _, err := tx.Exec(ctx, set, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		query, index string
		args         []any
	}{
		{checkName, "hostedgate_tenants_alias_key", []any{"example", likePrefix("exa_")}},
		{deletedAliases, "hostedgate_tenants_alias_key", []any{likePrefix("example_deleted")}},
		{"SELECT " + tenantColumns + " FROM hostedgate_tenants t WHERE lower(t.owner_email) = lower($1)", "hostedgate_tenants_owner_email_idx", []any{"Owner+Tag@Example.com"}},
		{"SELECT " + tenantColumns + " FROM hostedgate_tenants t WHERE t.owner_id = $1", "hostedgate_tenants_owner_id_idx", []any{"0f3a3c4e-7a51-4c1e-9a4b-2f3d9e8b1c77"}},
		{"SELECT " + tenantColumns + " FROM hostedgate_tenants t WHERE t.status = 0 ORDER BY t.id", "hostedgate_tenants_active_idx", nil},
	} {
		rows, err := tx.Query(ctx, "EXPLAIN "+c.query, c.args...)
		if err != nil {
			t.Fatalf("EXPLAIN %s: %v", c.query, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if plan := strings.Join(lines, "\n"); !strings.Contains(plan, c.index) {
			t.Errorf("%s\ndoes not use %s:\n%s", c.query, c.index, plan)
		}
	}
}

// TestContextDeadline blocks an operation on a row lock held by another session: it must give
// up at its deadline with an error matching context.DeadlineExceeded, change nothing, and leave
// the store usable.
func TestContextDeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	s := openStore(t, schema)
	tn, err := s.Register(ctx, storetest.Request("locked"))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT 1 FROM "+quoteIdent(schema)+".hostedgate_tenants WHERE id = $1 FOR UPDATE", tn.ID); err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func(context.Context) error{
		"SetStatus": func(ctx context.Context) error {
			_, err := s.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Suspended)
			return err
		},
		"Remove": func(ctx context.Context) error {
			_, err := s.Remove(ctx, upstream.ByAlias("locked"))
			return err
		},
	} {
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		start := time.Now()
		err := op(short)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s on a locked row: %v, want context.DeadlineExceeded", name, err)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("%s returned %s after its 300ms deadline", name, elapsed)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Tenant(ctx, upstream.ByID(tn.ID))
	if err != nil || got.Status != upstream.Active || got.Alias != "locked" {
		t.Fatalf("after the timed-out operations: %+v, %v; want locked Active", got, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestInjectedClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	berlin := time.FixedZone("CET", 3600)
	var (
		mu  sync.Mutex
		now = time.Date(2024, 5, 1, 12, 20, 30, 123456789, berlin)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func() { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Hour) }
	s := openStore(t, freshSchema(t, admin), func(c *Config) { c.Now = clock })
	want := clock().Truncate(time.Microsecond)
	tn, err := s.Register(ctx, storetest.Request("clocked"))
	if err != nil {
		t.Fatal(err)
	}
	if !tn.Created.Equal(want) || tn.Created.Location() != time.UTC || !tn.StatusChanged.Equal(want) {
		t.Fatalf("Created %v StatusChanged %v, want %v in UTC", tn.Created, tn.StatusChanged, want)
	}
	advance()
	got, err := s.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Suspended)
	if err != nil || !got.StatusChanged.Equal(want.Add(time.Hour)) || !got.Created.Equal(tn.Created) {
		t.Fatalf("SetStatus: %+v, %v; want StatusChanged %v", got, err, want.Add(time.Hour))
	}
	advance()
	if _, err := s.Remove(ctx, upstream.ByID(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Tenant(ctx, upstream.ByID(tn.ID)); err != nil || !got.StatusChanged.Equal(want.Add(2*time.Hour)) {
		t.Fatalf("after Remove: StatusChanged %v, %v; want %v", got.StatusChanged, err, want.Add(2*time.Hour))
	}
}

func TestErrorsCarryContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	s := openStore(t, freshSchema(t, admin))
	if _, err := s.Register(ctx, storetest.Request("example")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Register(ctx, storetest.Request("example"))
	if want := `postgres: register "example": portal name already taken`; err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
	_, err = s.SetStatus(ctx, upstream.ByID(42), upstream.Active)
	if want := `postgres: set status of tenant 42 to Active: portal not found`; err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}

// TestSettingBytes stores values text columns could not hold.
func TestSettingBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	s := openStore(t, freshSchema(t, admin))
	global := upstream.ByID(upstream.GlobalScope)
	for _, v := range []string{"nul\x00inside", "not utf-8 \xff\xfe", ""} {
		saved, err := s.SaveSetting(ctx, global, "raw", v)
		if err != nil || saved != v {
			t.Fatalf("SaveSetting(%q) = %q, %v", v, saved, err)
		}
		if got, ok, err := s.Setting(ctx, global, "raw"); err != nil || !ok || got != v {
			t.Fatalf("Setting after saving %q = %q %v %v", v, got, ok, err)
		}
	}
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 || ms[0].name != "0001_init" {
		t.Fatalf("migrations %+v", ms)
	}
}

// TestNewerSchemaRefused records a migration this build does not know; Open must refuse the
// schema instead of running old queries against a newer layout.
func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := adminPool(t)
	schema := freshSchema(t, admin)
	openStore(t, schema).Close()
	if _, err := admin.Exec(ctx, "INSERT INTO "+quoteIdent(schema)+".hostedgate_schema_migrations (version, name) VALUES (999, '0999_future')"); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, Config{DSN: testDSN(), Schema: schema})
	if err == nil {
		_ = s.Close()
		t.Fatal("Open accepted a schema with migration 999")
	}
	if !strings.Contains(err.Error(), "version 999") {
		t.Fatalf("Open error %q does not name the version", err)
	}
}
