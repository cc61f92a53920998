package cache

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/storetest"
)

const testTTL = 2 * time.Second

// env is one cache over a memStore with a clock the test moves. Writes on inner bypass the
// cache, as another gateway node's writes would.
type env struct {
	t     *testing.T
	inner *memStore
	s     *Store
	now   time.Time
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, inner: newMemStore(), now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	e.s = newCache(t, e.inner, Config{TTL: testTTL, Now: func() time.Time { return e.now }})
	return e
}

func (e *env) advance(d time.Duration) { e.now = e.now.Add(d) }

// settle waits for ristretto to apply pending Sets, so that a test can tell what is cached;
// the cache's correctness never depends on it.
func (e *env) settle() { e.s.cache.Wait() }

func (e *env) register(s upstream.Store, alias string) upstream.Tenant {
	e.t.Helper()
	t, err := s.Register(context.Background(), storetest.Request(alias))
	if err != nil {
		e.t.Fatalf("Register(%q): %v", alias, err)
	}
	return t
}

// tenant reads through the cache and checks the answer: want is the status expected, or -1
// for ErrNotFound; calls is the number of inner Tenant calls expected afterwards.
func (e *env) tenant(sel upstream.Selector, want upstream.Status, calls int) upstream.Tenant {
	e.t.Helper()
	got, err := e.s.Tenant(context.Background(), sel)
	e.settle()
	switch {
	case want < 0 && !errors.Is(err, upstream.ErrNotFound):
		e.t.Fatalf("Tenant(%+v) = %s %s, %v; want ErrNotFound", sel, got.Alias, got.Status, err)
	case want >= 0 && (err != nil || got.Status != want):
		e.t.Fatalf("Tenant(%+v) = %s %s, %v; want %s", sel, got.Alias, got.Status, err, want)
	}
	if n := e.inner.count("Tenant"); n != calls {
		e.t.Fatalf("Tenant(%+v): %d inner calls, want %d", sel, n, calls)
	}
	return got
}

// check runs CheckName(alias, prefix) through the cache and checks the answer and the number
// of inner CheckName calls afterwards.
func (e *env) check(alias, prefix string, taken bool, variants []string, calls int) {
	e.t.Helper()
	got, err := e.s.CheckName(context.Background(), alias, prefix)
	e.settle()
	if err != nil || got.Taken != taken || !slices.Equal(got.Variants, variants) {
		e.t.Fatalf("CheckName(%q, %q) = %v %v, %v; want %v %v", alias, prefix, got.Taken, got.Variants, err, taken, variants)
	}
	if n := e.inner.count("CheckName"); n != calls {
		e.t.Fatalf("CheckName(%q, %q): %d inner calls, want %d", alias, prefix, n, calls)
	}
}

const notFound upstream.Status = -1

var (
	errBroken  = errors.New("connection reset by peer")
	errTimeout = errors.New("upstream timeout after the write")
)

func TestStaleness(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"repeated reads within the TTL are hits", func(t *testing.T, e *env) {
			tn := e.register(e.s, "hot")
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 1)
			e.tenant(upstream.ByAlias("hot"), upstream.Active, 2)
			e.advance(testTTL - time.Nanosecond)
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 2)
			e.tenant(upstream.ByAlias("hot"), upstream.Active, 2)
			e.check("hot", "hot", true, []string{"hot"}, 1)
			e.check("hot", "hot", true, []string{"hot"}, 1)
			if hits, misses := e.s.Stats(); hits != 3 || misses != 3 {
				t.Fatalf("Stats = %d hits %d misses, want 3 3", hits, misses)
			}
		}},
		{"registered elsewhere is taken once the TTL passed", func(t *testing.T, e *env) {
			e.check("elsewhere", "elsewhere", false, []string{}, 1)
			e.tenant(upstream.ByAlias("elsewhere"), notFound, 1)
			e.register(e.inner, "elsewhere")
			// Within the TTL this node may still answer from before the registration.
			e.advance(testTTL / 2)
			e.check("elsewhere", "elsewhere", false, []string{}, 1)
			e.tenant(upstream.ByAlias("elsewhere"), notFound, 1)
			// A TTL after the reads, it must not.
			e.advance(testTTL / 2)
			e.check("elsewhere", "elsewhere", true, []string{"elsewhere"}, 2)
			e.tenant(upstream.ByAlias("elsewhere"), upstream.Active, 2)
		}},
		{"removed elsewhere is not found once the TTL passed", func(t *testing.T, e *env) {
			tn := e.register(e.s, "doomed")
			e.tenant(upstream.ByAlias("doomed"), upstream.Active, 1)
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 2)
			if _, err := e.inner.Remove(ctx, upstream.ByID(tn.ID)); err != nil {
				t.Fatal(err)
			}
			e.advance(testTTL - time.Nanosecond)
			e.tenant(upstream.ByAlias("doomed"), upstream.Active, 2)
			e.advance(time.Nanosecond)
			e.tenant(upstream.ByAlias("doomed"), notFound, 3)
			if got := e.tenant(upstream.ByID(tn.ID), upstream.RemovePending, 4); got.Alias != "doomed_deleted" {
				t.Fatalf("by id after removal: alias %q, want doomed_deleted", got.Alias)
			}
		}},
		{"register here is taken at once", func(t *testing.T, e *env) {
			e.check("fresh", "fresh", false, []string{}, 1)
			e.check("fresh2", "fresh", false, []string{}, 2) // a check the new alias is a variant of
			e.tenant(upstream.ByAlias("fresh"), notFound, 1)
			e.tenant(upstream.ByID(1), notFound, 2) // the id the registration will get
			tn := e.register(e.s, "fresh")
			if tn.ID != 1 {
				t.Fatalf("registered with id %d, want 1", tn.ID)
			}
			e.check("fresh", "fresh", true, []string{"fresh"}, 3)
			e.check("fresh2", "fresh", false, []string{"fresh"}, 4)
			e.tenant(upstream.ByAlias("fresh"), upstream.Active, 3)
			e.tenant(upstream.ByID(1), upstream.Active, 4)
		}},
		{"remove here is not found at once", func(t *testing.T, e *env) {
			tn := e.register(e.s, "leaving")
			e.tenant(upstream.ByAlias("leaving"), upstream.Active, 1)
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 2)
			e.check("leaving", "leaving", true, []string{"leaving"}, 1)
			if _, err := e.s.Remove(ctx, upstream.ByAlias("leaving")); err != nil {
				t.Fatal(err)
			}
			e.tenant(upstream.ByAlias("leaving"), notFound, 3)
			if got := e.tenant(upstream.ByID(tn.ID), upstream.RemovePending, 4); got.Alias != "leaving_deleted" {
				t.Fatalf("by id after removal: alias %q, want leaving_deleted", got.Alias)
			}
			e.check("leaving", "leaving", false, []string{"leaving_deleted"}, 2)
			// The freed name can be registered again and is found at once.
			again := e.register(e.s, "leaving")
			if got := e.tenant(upstream.ByAlias("leaving"), upstream.Active, 5); got.ID != again.ID {
				t.Fatalf("by alias after re-registration: id %d, want %d", got.ID, again.ID)
			}
		}},
		{"status set here is seen at once", func(t *testing.T, e *env) {
			tn := e.register(e.s, "toggle")
			e.tenant(upstream.ByAlias("toggle"), upstream.Active, 1)
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 2)
			if _, err := e.s.SetStatus(ctx, upstream.ByAlias("toggle"), upstream.Suspended); err != nil {
				t.Fatal(err)
			}
			e.tenant(upstream.ByAlias("toggle"), upstream.Suspended, 3)
			e.tenant(upstream.ByID(tn.ID), upstream.Suspended, 4)
			e.tenant(upstream.ByID(tn.ID), upstream.Suspended, 4)
		}},
		{"restored here is reachable by its renamed alias at once", func(t *testing.T, e *env) {
			tn := e.register(e.s, "phoenix")
			if _, err := e.s.Remove(ctx, upstream.ByID(tn.ID)); err != nil {
				t.Fatal(err)
			}
			e.tenant(upstream.ByAlias("phoenix_deleted"), notFound, 1)
			e.tenant(upstream.ByAlias("phoenix_deleted"), notFound, 1)
			if _, err := e.s.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Active); err != nil {
				t.Fatal(err)
			}
			e.tenant(upstream.ByAlias("phoenix_deleted"), upstream.Active, 2)
		}},
		{"a negative answer is kept for the TTL only", func(t *testing.T, e *env) {
			e.tenant(upstream.ByAlias("later"), notFound, 1)
			e.tenant(upstream.ByAlias("later"), notFound, 1)
			e.register(e.inner, "later")
			e.advance(testTTL)
			e.tenant(upstream.ByAlias("later"), upstream.Active, 2)
		}},
		{"errors are not cached", func(t *testing.T, e *env) {
			e.register(e.s, "flaky")
			e.inner.failNext("Tenant", errBroken, false)
			if _, err := e.s.Tenant(ctx, upstream.ByAlias("flaky")); !errors.Is(err, errBroken) {
				t.Fatalf("Tenant: %v, want the inner store's error", err)
			}
			e.settle()
			e.tenant(upstream.ByAlias("flaky"), upstream.Active, 2)
			e.inner.failNext("CheckName", errBroken, false)
			if _, err := e.s.CheckName(ctx, "flaky", "flaky"); !errors.Is(err, errBroken) {
				t.Fatalf("CheckName: %v, want the inner store's error", err)
			}
			e.settle()
			e.check("flaky", "flaky", true, []string{"flaky"}, 2)
			canceled, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := e.s.Tenant(canceled, upstream.ByAlias("nosuch")); !errors.Is(err, context.Canceled) {
				t.Fatalf("Tenant(canceled): %v", err)
			}
			e.settle()
			e.tenant(upstream.ByAlias("nosuch"), notFound, 3)
		}},
		{"a canceled request is not answered from the cache", func(t *testing.T, e *env) {
			e.register(e.s, "cached")
			e.tenant(upstream.ByAlias("cached"), upstream.Active, 1)
			e.check("cached", "cached", true, []string{"cached"}, 1)
			canceled, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := e.s.Tenant(canceled, upstream.ByAlias("cached")); !errors.Is(err, context.Canceled) {
				t.Fatalf("Tenant(canceled): %v, want context.Canceled", err)
			}
			if _, err := e.s.CheckName(canceled, "cached", "cached"); !errors.Is(err, context.Canceled) {
				t.Fatalf("CheckName(canceled): %v, want context.Canceled", err)
			}
		}},
		{"a register refused here learns the name taken elsewhere", func(t *testing.T, e *env) {
			e.check("contested", "contested", false, []string{}, 1)
			e.tenant(upstream.ByAlias("contested"), notFound, 1)
			e.register(e.inner, "contested")
			if _, err := e.s.Register(ctx, storetest.Request("contested")); !errors.Is(err, upstream.ErrNameTaken) {
				t.Fatalf("Register: %v, want ErrNameTaken", err)
			}
			e.check("contested", "contested", true, []string{"contested"}, 2)
			e.tenant(upstream.ByAlias("contested"), upstream.Active, 2)
		}},
		{"a write of unknown outcome invalidates everything", func(t *testing.T, e *env) {
			tn := e.register(e.s, "unsure")
			other := e.register(e.s, "bystander")
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 1)
			e.tenant(upstream.ByID(other.ID), upstream.Active, 2)
			e.inner.failNext("SetStatus", errTimeout, true)
			if _, err := e.s.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Suspended); !errors.Is(err, errTimeout) {
				t.Fatalf("SetStatus: %v, want the inner store's error", err)
			}
			e.tenant(upstream.ByID(tn.ID), upstream.Suspended, 3)
			e.tenant(upstream.ByID(other.ID), upstream.Active, 4)
		}},
		{"a refused write invalidates nothing", func(t *testing.T, e *env) {
			tn := e.register(e.s, "steady")
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 1)
			if _, err := e.s.SetStatus(ctx, upstream.ByID(tn.ID+100), upstream.Suspended); !errors.Is(err, upstream.ErrNotFound) {
				t.Fatalf("SetStatus(unknown): %v, want ErrNotFound", err)
			}
			e.tenant(upstream.ByID(tn.ID), upstream.Active, 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newEnv(t)) })
	}
}
