package cache

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/storetest"
)

// benchTenants is how many tenants the benchmarks read, in turn by id and by alias: more than
// one, so the cache is not a single hot key, and far fewer than MaxCost.
const benchTenants = 100

// remoteStore stands for a store one network round trip away (PostgreSQL, a forwarding
// ApiSystem): every Tenant call waits for the delay before the bolt store answers. It yields
// in a loop rather than sleeping, because timer slack can stretch a 200µs sleep to a
// millisecond and more, which would flatter the cache.
type remoteStore struct {
	upstream.Store
	delay time.Duration
}

func (s remoteStore) Tenant(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	for start := time.Now(); time.Since(start) < s.delay; {
		runtime.Gosched()
	}
	return s.Store.Tenant(ctx, sel)
}

// benchSelectors opens a bolt store with benchTenants tenants and returns it with the
// selectors to read them by. The registrations run at once, so they share bolt's fsyncs.
func benchSelectors(b *testing.B) (upstream.Store, []upstream.Selector) {
	s := openBolt(b)
	sels := make([]upstream.Selector, 2*benchTenants)
	var wg sync.WaitGroup
	for i := range benchTenants {
		wg.Go(func() {
			t, err := s.Register(context.Background(), storetest.Request(fmt.Sprintf("bench%03d", i)))
			if err != nil {
				b.Error(err)
				return
			}
			sels[2*i], sels[2*i+1] = upstream.ByID(t.ID), upstream.ByAlias(t.Alias)
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return s, sels
}

func BenchmarkTenantUncached(b *testing.B) { benchmarkTenant(b, false) }

func BenchmarkTenantCached(b *testing.B) { benchmarkTenant(b, true) }

// benchmarkTenant reads Tenant over the bolt store as it is and behind a simulated 200µs
// round trip, one reader at a time and from parallel readers, directly or through the cache.
func benchmarkTenant(b *testing.B, cached bool) {
	backends := []struct {
		name  string
		delay time.Duration
	}{{"bolt", 0}, {"remote200us", 200 * time.Microsecond}}
	for _, backend := range backends {
		for _, parallel := range []bool{false, true} {
			name := backend.name + "/serial"
			if parallel {
				name = backend.name + "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				inner, sels := benchSelectors(b)
				if backend.delay > 0 {
					inner = remoteStore{Store: inner, delay: backend.delay}
				}
				s := inner
				var c *Store
				if cached {
					c = newCache(b, inner, Config{})
					s = c
				}
				read := func(i int) {
					if _, err := s.Tenant(context.Background(), sels[i%len(sels)]); err != nil {
						b.Error(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				if parallel {
					b.RunParallel(func(pb *testing.PB) {
						for i := 0; pb.Next(); i++ {
							read(i)
						}
					})
				} else {
					for i := 0; b.Loop(); i++ {
						read(i)
					}
				}
				b.StopTimer()
				if c != nil {
					hits, misses := c.Stats()
					b.ReportMetric(float64(hits)/float64(hits+misses), "hit-ratio")
				}
			})
		}
	}
}
