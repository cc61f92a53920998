// Package cache is an upstream.Store decorator that answers the hot, read-only look-ups of the
// API (Tenant and CheckName) from an in-process ristretto cache, for installations whose store
// is a network hop away (PostgreSQL, a forwarding ApiSystem) and that run several gateway nodes
// against it.
//
// # What is cached, and why only that
//
// Only answers that may be slightly stale across a cluster are kept:
//
//   - Tenant(sel), keyed by id or by alias: a node that has not seen another node's write yet
//     (a suspension, a removal) answers as if the request had arrived a moment earlier. Every
//     decision that must be exact (a name's uniqueness, the portal limit, which tenant a write
//     applies to) is taken by the inner store inside its own transaction, never from a cached
//     answer, because every write goes to the inner store with the caller's selector.
//   - CheckName(alias, prefix): a name registered elsewhere may look free for up to TTL, which
//     costs little: Register is refused by the inner store with ErrNameTaken all the same.
//
// FindPortals, Tariff and Setting go to the inner store every time. FindPortals is a union over
// e-mails, owner ids, aliases and the Active filter, so any write anywhere may change any
// answer and no per-key invalidation exists for it; it is also a rare administrative call.
// Tariff and Setting are what a billing system writes on one node and reads back on another
// (tariff/set, then tariff/get): a stale read there is a lost update in the caller's eyes, and
// a stale quota feeds limits, so neither is worth the few look-ups it would save.
//
// # Staleness bound
//
// A cached answer is served only while Config.Now is before the time taken just before its
// inner read started plus Config.TTL, so a write made on another node (or directly on the inner store) is seen
// here at most TTL after it returned. ErrNotFound is cached too (a negative entry), under the
// same bound; every other error is returned and forgotten.
//
// Writes made through this Store are seen by it at once: each write invalidates, after the
// inner store returned, every key it can have changed (see Store.Register and the other write
// methods).
//
// # The late Set
//
// ristretto applies a Set asynchronously and may drop it, so nothing here relies on a Set
// having happened: a miss simply asks the inner store. The danger is the opposite one: a
// reader fetches a value, a write commits and invalidates the key, and only then does the
// reader's Set land, which would bring the pre-write value back for a whole TTL. Deleting the
// key cannot prevent that, and cache.Wait only flushes the Sets already made, not one a reader
// is still about to make. So every entry carries the generations it was read under, loaded before the
// inner read started, and a Get accepts an entry only while those generations are current:
//
//   - a per-key generation, held in a fixed array of counters the keys hash onto (a collision
//     only costs an extra miss), bumped by a write for every key it affects;
//   - the name generation, bumped by every write that can change which names exist (Register,
//     Remove, SetStatus), which name checks and negative by-alias entries depend on; for name
//     checks it is part of the key too, so a late Set lands under a key nobody asks for;
//   - an epoch, bumped when a write failed without saying whether it was applied (a timeout, a
//     broken connection), which invalidates everything at once.
//
// A writer bumps after the inner write returned, so a value read before the write carries an
// older generation and is refused from that moment on, whenever its Set lands; a value read
// after the bump was read after the commit. The Del that follows a bump only frees memory.
package cache

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/hostedgate/hostedgate/upstream"
)

// Defaults applied by New to a zero Config field.
const (
	// DefaultTTL bounds how stale a cached answer may be: long enough to absorb a burst of
	// look-ups of one portal, short enough that a change made on another node is seen here
	// by the time a client retries.
	DefaultTTL = 2 * time.Second
	// DefaultMaxCost is the number of entries kept; each costs 1.
	DefaultMaxCost = 10000
)

// generationStripes is the number of per-key generation counters. Writes are rare, so the
// counters are read far more than written and need no padding; more stripes only make the
// extra misses of a collision rarer.
const generationStripes = 1 << 12

// Config configures New. The zero value is ready to use.
type Config struct {
	// TTL is the staleness bound: how long an answer read from the inner store is served
	// without asking again. Default DefaultTTL.
	TTL time.Duration
	// MaxCost is the number of entries the cache holds. Default DefaultMaxCost.
	MaxCost int64
	// Now is the clock entries expire by. Default time.Now.
	Now func() time.Time
}

// Store is the caching upstream.Store. It is safe for concurrent use.
type Store struct {
	inner upstream.Store
	cache *ristretto.Cache[string, entry]
	ttl   time.Duration
	now   func() time.Time

	// gens are the per-key generations, names the name generation, epoch the generation of
	// everything; see the package comment.
	gens  [generationStripes]atomic.Uint64
	names atomic.Uint64
	epoch atomic.Uint64

	hits, misses atomic.Uint64

	// mu is held shared by every operation and exclusively by Close, because ristretto's
	// Close must not run while a Get, Set or Del is in flight, and no cached answer may be
	// served once Close began.
	mu     sync.RWMutex
	closed bool
}

// tag is the generations an answer was read under, loaded before the inner read started.
type tag struct {
	epoch, gen, names uint64
}

// entry is one cached answer.
type entry struct {
	tenant upstream.Tenant
	check  upstream.NameCheck
	// err is nil or an ErrNotFound; no other error is cached.
	err error
	// expires is checked against Config.Now, so an injected clock decides; ristretto's own TTL
	// runs on the wall clock and only frees memory.
	expires time.Time
	tag     tag
	// byName marks answers that depend on which names exist (name checks, and "no tenant has
	// this alias"), valid only while the name generation is unchanged. A Remove renames to an
	// alias its answer does not name, and this is what keeps a negative entry under the new
	// alias from outliving it.
	byName bool
}

// New returns a Store that caches inner's Tenant and CheckName answers. The Store owns inner:
// Close closes it.
func New(inner upstream.Store, cfg Config) (*Store, error) {
	if inner == nil {
		return nil, errors.New("cache: no inner store")
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MaxCost == 0 {
		cfg.MaxCost = DefaultMaxCost
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TTL < 0 {
		return nil, fmt.Errorf("cache: negative TTL %s", cfg.TTL)
	}
	if cfg.MaxCost < 0 {
		return nil, fmt.Errorf("cache: negative MaxCost %d", cfg.MaxCost)
	}
	c, err := ristretto.NewCache(&ristretto.Config[string, entry]{
		NumCounters: 10 * cfg.MaxCost,
		MaxCost:     cfg.MaxCost,
		BufferItems: 64,
		// Cost counts entries, not bytes.
		IgnoreInternalCost: true,
		// A Set that lands after a fresher one for the same key would only cost a miss (the
		// Get refuses it), but keeping the fresher one saves that miss.
		ShouldUpdate: func(cur, prev entry) bool {
			return cur.tag.epoch >= prev.tag.epoch && cur.tag.gen >= prev.tag.gen && cur.tag.names >= prev.tag.names
		},
	})
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &Store{inner: inner, cache: c, ttl: cfg.TTL, now: cfg.Now}, nil
}

// Close closes the cache and then the inner store, after running operations finish. Later
// calls of any method return upstream.ErrClosed; Close itself may be called again and returns
// nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cache.Close()
	return s.inner.Close()
}

// Stats returns how many Tenant and CheckName calls were answered from the cache (hits) and
// how many asked the inner store (misses), since New.
func (s *Store) Stats() (hits, misses uint64) {
	return s.hits.Load(), s.misses.Load()
}

func closedError(op string) error {
	return fmt.Errorf("cache: %s: %w", op, upstream.ErrClosed)
}

// Keys are lower-cased although the caller lower-cases aliases already: the stores match
// aliases case-insensitively, and a write must invalidate whatever spelling a read used.
func idKey(id int64) string        { return "id:" + strconv.FormatInt(id, 10) }
func aliasKey(alias string) string { return "alias:" + strings.ToLower(alias) }

func tenantKey(sel upstream.Selector) string {
	if sel.HasID {
		return idKey(sel.ID)
	}
	return aliasKey(sel.Alias)
}

// nameKey includes the alias length, so no alias/prefix pair spells another's key.
func nameKey(names uint64, alias, prefix string) string {
	alias, prefix = strings.ToLower(alias), strings.ToLower(prefix)
	return "name:" + strconv.FormatUint(names, 10) + ":" + strconv.Itoa(len(alias)) + ":" + alias + prefix
}

// generation returns the counter key hashes onto. The hash is FNV-1a, not a seeded one, so
// which keys share a counter is the same in every run; a collision costs only a miss, so
// there is nothing for a chosen key to attack.
func (s *Store) generation(key string) *atomic.Uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	return &s.gens[h&(generationStripes-1)]
}

// tagFor loads the generations an answer for key is about to be read under.
func (s *Store) tagFor(gen *atomic.Uint64) tag {
	return tag{epoch: s.epoch.Load(), gen: gen.Load(), names: s.names.Load()}
}

// lookup returns the entry for key if it is there, unexpired and read under the current
// generations. It counts the hit or the miss.
func (s *Store) lookup(key string, gen *atomic.Uint64, now time.Time) (entry, bool) {
	e, ok := s.cache.Get(key)
	ok = ok && now.Before(e.expires) && e.tag.epoch == s.epoch.Load() && e.tag.gen == gen.Load() &&
		(!e.byName || e.tag.names == s.names.Load())
	if ok {
		s.hits.Add(1)
	} else {
		s.misses.Add(1)
	}
	return e, ok
}

// put caches e. A dropped Set is fine: the next look-up asks the inner store.
func (s *Store) put(key string, e entry) {
	s.cache.SetWithTTL(key, e, 1, s.ttl)
}

// invalidate makes the cached answers for keys unusable. It must run after the write that
// changed them returned, so that any answer read before the write carries an older generation.
func (s *Store) invalidate(keys ...string) {
	for _, k := range keys {
		s.generation(k).Add(1)
	}
	for _, k := range keys {
		s.cache.Del(k)
	}
}

// definite reports whether err says the inner store changed nothing. Anything else (a
// canceled context, a timeout, a broken connection, an upstream's own error) may come after
// the write was applied, so the caller must assume it was.
func definite(err error) bool {
	return errors.Is(err, upstream.ErrNotFound) || errors.Is(err, upstream.ErrNameTaken) ||
		errors.Is(err, upstream.ErrPortalLimit) || errors.Is(err, upstream.ErrClosed)
}

// cloneTenant copies what t points to, so a caller that changes a returned tenant cannot
// change the cached one, nor another caller's.
func cloneTenant(t upstream.Tenant) upstream.Tenant {
	t.HostedRegion = cloneString(t.HostedRegion)
	t.PartnerID = cloneString(t.PartnerID)
	t.PaymentID = cloneString(t.PaymentID)
	if t.Upstream != nil {
		u := *t.Upstream
		u.ReferenceWelcome = cloneString(u.ReferenceWelcome)
		t.Upstream = &u
	}
	return t
}

func cloneString(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
