package cache

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/bolt"
	"github.com/hostedgate/hostedgate/upstream/storetest"
)

func openBolt(t testing.TB) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "hostedgate.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newCache(t testing.TB, inner upstream.Store, cfg Config) *Store {
	t.Helper()
	s, err := New(inner, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestContract runs the whole suite through the cache: everything it writes goes through the
// decorator, so no answer may be stale.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) upstream.Store {
		return newCache(t, openBolt(t), Config{})
	})
}

// TestContractTinyCache runs it again with a cache that must evict on almost every Set, which
// exercises the paths where an entry is dropped or rejected.
func TestContractTinyCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T) upstream.Store {
		return newCache(t, openBolt(t), Config{MaxCost: 2})
	})
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		inner   upstream.Store
		cfg     Config
		wantErr string
		wantTTL time.Duration
	}{
		{"defaults", newMemStore(), Config{}, "", DefaultTTL},
		{"own ttl", newMemStore(), Config{TTL: time.Minute, MaxCost: 5}, "", time.Minute},
		{"no inner store", nil, Config{}, "cache: no inner store", 0},
		{"negative ttl", newMemStore(), Config{TTL: -time.Second}, "cache: negative TTL -1s", 0},
		{"negative max cost", newMemStore(), Config{MaxCost: -1}, "cache: negative MaxCost -1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.inner, tt.cfg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("New: error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.ttl != tt.wantTTL || s.now == nil {
				t.Fatalf("ttl %s, now set %v; want %s and a clock", s.ttl, s.now != nil, tt.wantTTL)
			}
		})
	}
}

func TestCloseClosesInner(t *testing.T) {
	inner := newMemStore()
	s, err := New(inner, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(context.Background(), storetest.Request("closing")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tenant(context.Background(), upstream.ByAlias("closing")); err != nil {
		t.Fatal(err)
	}
	s.cache.Wait()
	if err := s.Close(); err != nil || !inner.closed {
		t.Fatalf("Close: %v, inner closed %v", err, inner.closed)
	}
	// A cached answer is not served after Close.
	if _, err := s.Tenant(context.Background(), upstream.ByAlias("closing")); !errors.Is(err, upstream.ErrClosed) {
		t.Fatalf("Tenant after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestAnswersAreCopies checks that a caller changing a returned tenant or name check does not
// change what the next caller gets from the cache.
func TestAnswersAreCopies(t *testing.T) {
	ctx := context.Background()
	s := newCache(t, newMemStore(), Config{})
	if _, err := s.Register(ctx, storetest.Request("shared")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := s.Tenant(ctx, upstream.ByAlias("shared"))
		if err != nil {
			t.Fatal(err)
		}
		if *got.PartnerID != "0f3a3c4e-7a51-4c1e-9a4b-2f3d9e8b1c77" {
			t.Fatalf("PartnerID %q: changed through an earlier answer", *got.PartnerID)
		}
		*got.PartnerID = "changed by the caller"
		s.cache.Wait()
	}
	for range 2 {
		check, err := s.CheckName(ctx, "shared", "shared")
		if err != nil {
			t.Fatal(err)
		}
		if len(check.Variants) != 1 || check.Variants[0] != "shared" {
			t.Fatalf("variants %v: changed through an earlier answer", check.Variants)
		}
		check.Variants[0] = "changed"
		s.cache.Wait()
	}
	if hits, _ := s.Stats(); hits != 2 {
		t.Fatalf("%d hits, want 2 (the second read of each)", hits)
	}
}

// TestFindPortalsByAliasAlone: a query by portal name alone is answered from the cached
// tenant look-up, with the same answer as the store's and no staleness after local writes.
func TestFindPortalsByAliasAlone(t *testing.T) {
	ctx := context.Background()
	c, err := New(openBolt(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tn, err := c.Register(ctx, storetest.Request("aliasonly"))
	if err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		t.Helper()
		ts, err := c.FindPortals(ctx, upstream.PortalQuery{Alias: "aliasonly"})
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, x := range ts {
			out = append(out, x.Alias)
		}
		return out
	}
	if got := names(); len(got) != 1 || got[0] != "aliasonly" {
		t.Fatalf("active: %v", got)
	}
	if _, err := c.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Suspended); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 0 {
		t.Fatalf("suspended portals are not listed: %v", got)
	}
	if _, err := c.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Active); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 1 {
		t.Fatalf("active again: %v", got)
	}
	if _, err := c.Remove(ctx, upstream.ByAlias("aliasonly")); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 0 {
		t.Fatalf("removed: %v", got)
	}
	if ts, err := c.FindPortals(ctx, upstream.PortalQuery{Alias: "nosuchportal"}); err != nil || ts == nil || len(ts) != 0 {
		t.Fatalf("unknown alias: %v %v", ts, err)
	}
}
