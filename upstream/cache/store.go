package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hostedgate/hostedgate/upstream"
)

var _ upstream.Store = (*Store)(nil)

// Errors of the inner store are returned as they are: the decorator adds no failure of its
// own but ErrClosed and a canceled context, which it checks before answering from the cache,
// so a canceled request is not served either way.

// Tenant implements upstream.Store from the cache, keyed by id or by alias as sel selects.
// ErrNotFound is cached as well; a by-alias one only until the next name-changing write here.
func (s *Store) Tenant(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	if err := ctx.Err(); err != nil {
		return upstream.Tenant{}, fmt.Errorf("cache: tenant: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.Tenant{}, closedError("tenant")
	}
	key := tenantKey(sel)
	gen := s.generation(key)
	now := s.now()
	if e, ok := s.lookup(key, gen, now); ok {
		return cloneTenant(e.tenant), e.err
	}
	tg := s.tagFor(gen)
	t, err := s.inner.Tenant(ctx, sel)
	switch {
	case err == nil:
		s.put(key, entry{tenant: cloneTenant(t), expires: now.Add(s.ttl), tag: tg})
	case errors.Is(err, upstream.ErrNotFound):
		s.put(key, entry{err: err, expires: now.Add(s.ttl), tag: tg, byName: !sel.HasID})
	}
	return t, err
}

// CheckName implements upstream.Store from the cache, keyed by alias, prefix and the name
// generation.
func (s *Store) CheckName(ctx context.Context, alias, prefix string) (upstream.NameCheck, error) {
	if err := ctx.Err(); err != nil {
		return upstream.NameCheck{}, fmt.Errorf("cache: check name %q: %w", alias, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.NameCheck{}, closedError("check name")
	}
	// The name generation is loaded once, before the inner read, and goes into the key: an
	// answer read before a name-changing write is stored under a key no later look-up builds.
	names := s.names.Load()
	key := nameKey(names, alias, prefix)
	gen := s.generation(key)
	now := s.now()
	if e, ok := s.lookup(key, gen, now); ok {
		return upstream.NameCheck{Taken: e.check.Taken, Variants: slices.Clone(e.check.Variants)}, nil
	}
	tg := tag{epoch: s.epoch.Load(), gen: gen.Load(), names: names}
	check, err := s.inner.CheckName(ctx, alias, prefix)
	if err == nil {
		cached := upstream.NameCheck{Taken: check.Taken, Variants: slices.Clone(check.Variants)}
		s.put(key, entry{check: cached, expires: now.Add(s.ttl), tag: tg, byName: true})
	}
	return check, err
}

// FindPortals implements upstream.Store by asking the inner store: no cached answer could be
// invalidated per key (see the package comment).
//
// A query by portal name alone (the billing panel's look-up of one portal) is the cached
// Tenant look-up by alias, kept when Active: the same answer, since a name look-up never finds
// a RemovePending tenant and FindPortals lists Active ones only.
func (s *Store) FindPortals(ctx context.Context, q upstream.PortalQuery) ([]upstream.Tenant, error) {
	if q.Alias != "" && q.Email == "" && q.OwnerID == "" && !q.HasID {
		t, err := s.Tenant(ctx, upstream.ByAlias(q.Alias))
		switch {
		case errors.Is(err, upstream.ErrNotFound):
			return []upstream.Tenant{}, nil
		case err != nil:
			return nil, err
		case t.Status != upstream.Active:
			return []upstream.Tenant{}, nil
		}
		return []upstream.Tenant{t}, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, closedError("find portals")
	}
	return s.inner.FindPortals(ctx, q)
}

// Tariff implements upstream.Store by asking the inner store (see the package comment).
func (s *Store) Tariff(ctx context.Context, sel upstream.Selector) (upstream.Tenant, upstream.Quota, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.Tenant{}, upstream.Quota{}, closedError("tariff")
	}
	return s.inner.Tariff(ctx, sel)
}

// Setting implements upstream.Store by asking the inner store (see the package comment).
func (s *Store) Setting(ctx context.Context, sel upstream.Selector, key string) (string, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return "", false, closedError("setting")
	}
	return s.inner.Setting(ctx, sel, key)
}

// Register implements upstream.Store. After the inner store returned it invalidates the new
// tenant's id and alias keys (a negative answer may be cached under either) and bumps the name
// generation, which every name check depends on: the new alias changes the answer of every
// check whose alias it is or whose prefix it starts with.
//
// ErrNameTaken invalidates the alias too, because it means another node holds a name this
// node may have cached as free. An error that does not say whether the tenant was stored
// invalidates everything.
func (s *Store) Register(ctx context.Context, req upstream.RegisterRequest) (upstream.Tenant, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.Tenant{}, closedError("register")
	}
	t, err := s.inner.Register(ctx, req)
	switch {
	case err == nil:
		s.names.Add(1)
		s.invalidate(idKey(t.ID), aliasKey(t.Alias), aliasKey(req.Tenant.Alias))
	case errors.Is(err, upstream.ErrNameTaken):
		s.names.Add(1)
		s.invalidate(aliasKey(req.Tenant.Alias))
	case !definite(err):
		s.epoch.Add(1)
	}
	return t, err
}

// SetStatus implements upstream.Store. It invalidates the tenant's id and alias keys and the
// selector's: the alias key covers a RemovePending tenant restored by id, whose alias_deleted
// answered ErrNotFound by alias until now. It bumps the name generation as well, although by
// the Store contract a status change renames nothing: a forwarding upstream's name rules are
// its own, and status changes are rare enough that the insurance costs nothing.
//
// ErrNotFound invalidates the selector's key and the name checks, as the tenant may have been
// removed elsewhere; an error that does not say whether the status was set invalidates
// everything.
func (s *Store) SetStatus(ctx context.Context, sel upstream.Selector, status upstream.Status) (upstream.Tenant, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.Tenant{}, closedError("set status")
	}
	t, err := s.inner.SetStatus(ctx, sel, status)
	s.afterTenantWrite(sel, t, err)
	return t, err
}

// Remove implements upstream.Store. It invalidates the tenant's id key, its old alias (from the
// tenant as it was before) and the selector's key, and bumps the name generation, which the
// renamed alias_deleted[N] changes for name checks. The new alias is not in Remove's answer;
// all that can be cached under it is a negative by-alias entry (no tenant held it, and a
// RemovePending tenant is not reachable by alias), and those depend on the name generation.
// Errors invalidate as they do for SetStatus.
func (s *Store) Remove(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.Tenant{}, closedError("remove")
	}
	t, err := s.inner.Remove(ctx, sel)
	s.afterTenantWrite(sel, t, err)
	return t, err
}

// afterTenantWrite is the invalidation SetStatus and Remove share.
func (s *Store) afterTenantWrite(sel upstream.Selector, t upstream.Tenant, err error) {
	switch {
	case err == nil:
		s.names.Add(1)
		s.invalidate(tenantKey(sel), idKey(t.ID), aliasKey(t.Alias))
	case errors.Is(err, upstream.ErrNotFound):
		s.names.Add(1)
		s.invalidate(tenantKey(sel))
	case !definite(err):
		s.epoch.Add(1)
	}
}

// SetTariff implements upstream.Store. It invalidates nothing: neither a Tenant nor a
// NameCheck answer contains the quota.
func (s *Store) SetTariff(ctx context.Context, sel upstream.Selector, q upstream.Quota) (upstream.Tenant, upstream.Quota, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.Tenant{}, upstream.Quota{}, closedError("set tariff")
	}
	return s.inner.SetTariff(ctx, sel, q)
}

// SaveSetting implements upstream.Store. It invalidates nothing: no cached answer contains a
// setting.
func (s *Store) SaveSetting(ctx context.Context, sel upstream.Selector, key, value string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return "", closedError("save setting")
	}
	return s.inner.SaveSetting(ctx, sel, key, value)
}
