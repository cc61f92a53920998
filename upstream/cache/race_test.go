package cache

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/storetest"
)

// raceStore is a memStore whose reads yield between taking their answer and returning it, so
// that writes and their invalidations often fall between a reader's inner read and its Set:
// the late Set the generations must defeat. The TTL is an hour, so only an invalidation can
// retire an answer within the test.
func raceStore(t *testing.T) *Store {
	inner := newMemStore()
	inner.readPause = func() {
		for range rand.IntN(8) {
			runtime.Gosched()
		}
	}
	return newCache(t, inner, Config{TTL: time.Hour})
}

// TestLateSetOneWriter has one goroutine register, suspend, reactivate and remove one alias in
// a loop while many read it by alias and check the name. A read during which no write ran
// must see exactly the state the last returned write left: phase counts writes twice (odd
// while one runs), and a read is judged only when phase was the same even number before and
// after it.
func TestLateSetOneWriter(t *testing.T) {
	const (
		alias   = "racing"
		writes  = 1000
		readers = 16
	)
	ctx := context.Background()
	s := raceStore(t)
	var (
		phase  atomic.Uint64
		stamp  atomic.Int64 // StatusChanged of the tenant the last write returned
		judged atomic.Int64
		stop   atomic.Bool
		wg     sync.WaitGroup
	)
	for range readers {
		wg.Go(func() {
			for !stop.Load() {
				p := phase.Load()
				want := stamp.Load()
				check, checkErr := s.CheckName(ctx, alias, alias)
				tn, tenantErr := s.Tenant(ctx, upstream.ByAlias(alias))
				if phase.Load() != p || p%2 == 1 {
					continue
				}
				judged.Add(1)
				if checkErr != nil || (tenantErr != nil && !errors.Is(tenantErr, upstream.ErrNotFound)) {
					t.Errorf("after %d writes: CheckName %v, Tenant %v", p/2, checkErr, tenantErr)
					return
				}
				// Writes cycle through Register, Suspend, Activate, Remove.
				done := p / 2
				registered := done%4 != 0
				if check.Taken != registered {
					t.Errorf("after %d writes: CheckName taken %v, want %v", done, check.Taken, registered)
					return
				}
				if (tenantErr == nil) != registered {
					t.Errorf("after %d writes: Tenant by alias %v, want found %v", done, tenantErr, registered)
					return
				}
				if registered && tn.StatusChanged.UnixNano() != want {
					t.Errorf("after %d writes: Tenant by alias has version %d, the last write returned %d", done, tn.StatusChanged.UnixNano(), want)
					return
				}
			}
		})
	}

	// A failing write ends the test; the readers must be stopped before the cache is closed.
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	var result upstream.Tenant
	for i := range writes {
		phase.Add(1)
		var err error
		switch i % 4 {
		case 0:
			result, err = s.Register(ctx, storetest.Request(alias))
		case 1:
			result, err = s.SetStatus(ctx, upstream.ByAlias(alias), upstream.Suspended)
		case 2:
			result, err = s.SetStatus(ctx, upstream.ByAlias(alias), upstream.Active)
		case 3:
			_, err = s.Remove(ctx, upstream.ByAlias(alias))
		}
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		stamp.Store(result.StatusChanged.UnixNano())
		phase.Add(1)
		// Every eighth write waits for a judged read (or 5ms), so that reads in quiet windows
		// are judged too, and not only reads that overlap a write.
		if i%8 == 0 {
			before, deadline := judged.Load(), time.Now().Add(5*time.Millisecond)
			for judged.Load() == before && time.Now().Before(deadline) {
				runtime.Gosched()
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if t.Failed() {
		return
	}
	if judged.Load() < writes/16 {
		t.Fatalf("only %d reads ran without a write overlapping them; the test proved little", judged.Load())
	}
	t.Logf("%d reads judged", judged.Load())
}

// TestLateSetManyWriters has several goroutines set the status of one tenant, by id and by
// alias, while many read it both ways. Every write stamps a higher version, and a reader must
// never get a version older than the newest write that had returned when its read began.
func TestLateSetManyWriters(t *testing.T) {
	const (
		writers = 4
		writes  = 500 // each
		readers = 16
	)
	ctx := context.Background()
	s := raceStore(t)
	tn, err := s.Register(ctx, storetest.Request("contended"))
	if err != nil {
		t.Fatal(err)
	}
	selectors := []upstream.Selector{upstream.ByID(tn.ID), upstream.ByAlias("contended")}
	var (
		returned atomic.Int64 // the highest version a returned write produced
		stop     atomic.Bool
		reads    atomic.Int64
		rg, wg   sync.WaitGroup
	)
	returned.Store(tn.StatusChanged.UnixNano())
	for i := range readers {
		rg.Go(func() {
			sel := selectors[i%2]
			for !stop.Load() {
				floor := returned.Load()
				got, err := s.Tenant(ctx, sel)
				if err != nil {
					t.Errorf("Tenant(%+v): %v", sel, err)
					return
				}
				reads.Add(1)
				if v := got.StatusChanged.UnixNano(); v < floor {
					t.Errorf("Tenant(%+v) served version %d after a write of version %d had returned", sel, v, floor)
					return
				}
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				status := upstream.Active
				if i%2 == 0 {
					status = upstream.Suspended
				}
				got, err := s.SetStatus(ctx, selectors[(w+i)%2], status)
				if err != nil {
					t.Errorf("SetStatus: %v", err)
					return
				}
				for v := got.StatusChanged.UnixNano(); ; {
					cur := returned.Load()
					if v <= cur || returned.CompareAndSwap(cur, v) {
						break
					}
				}
				// Quiet moments, in which readers are served from the cache.
				if i%4 == 0 {
					time.Sleep(20 * time.Microsecond)
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	rg.Wait()
	if hits, _ := s.Stats(); hits == 0 {
		t.Fatal("no read was served from the cache; the test proved little")
	}
	t.Logf("%d reads", reads.Load())
}
