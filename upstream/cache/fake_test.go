package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
)

// memStore is an in-memory inner store with the Store contract's semantics for the operations
// the cache touches. It counts calls, so a test can tell a hit from a miss, can fail the next
// call of an operation (before or after applying it), and can pause a read between taking its
// answer and returning it, which is the window of the late-Set race. Every write stamps the
// tenant's StatusChanged with a sequence number, so readers can tell older answers from newer.
type memStore struct {
	mu      sync.Mutex
	tenants map[int64]upstream.Tenant
	aliases map[string]int64 // every status, as the name index of a real store
	nextID  int64
	seq     int64
	calls   map[string]int
	fails   map[string]injected
	closed  bool

	// readPause, when set, runs after a read took its answer and before it returns.
	readPause func()
}

type injected struct {
	err   error
	apply bool // apply the write, then fail: an error of unknown outcome
}

func newMemStore() *memStore {
	return &memStore{tenants: map[int64]upstream.Tenant{}, aliases: map[string]int64{}, calls: map[string]int{}, fails: map[string]injected{}}
}

// failNext makes the next call of op fail with err, after applying it when apply is set.
func (m *memStore) failNext(op string, err error, apply bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fails[op] = injected{err: err, apply: apply}
}

func (m *memStore) count(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[op]
}

// enter counts the call and returns the failure injected for it; the caller holds m.mu.
func (m *memStore) enter(ctx context.Context, op string) (injected, error) {
	m.calls[op]++
	if m.closed {
		return injected{}, upstream.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return injected{}, err
	}
	f, ok := m.fails[op]
	delete(m.fails, op)
	if ok && !f.apply {
		return injected{}, f.err
	}
	return f, nil
}

func (m *memStore) pause() {
	if m.readPause != nil {
		m.readPause()
	}
}

func (m *memStore) stamp() time.Time {
	m.seq++
	return time.Unix(0, m.seq).UTC()
}

func (m *memStore) Register(ctx context.Context, req upstream.RegisterRequest) (upstream.Tenant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.enter(ctx, "Register")
	if err != nil {
		return upstream.Tenant{}, err
	}
	t := req.Tenant
	if _, held := m.aliases[t.Alias]; held {
		return upstream.Tenant{}, fmt.Errorf("mem: register %q: %w", t.Alias, upstream.ErrNameTaken)
	}
	m.nextID++
	t.ID, t.Status = m.nextID, upstream.Active
	t.Created = m.stamp()
	t.StatusChanged = t.Created
	m.tenants[t.ID] = t
	m.aliases[t.Alias] = t.ID
	return t, f.err
}

func (m *memStore) CheckName(ctx context.Context, alias, prefix string) (upstream.NameCheck, error) {
	m.mu.Lock()
	_, err := m.enter(ctx, "CheckName")
	if err != nil {
		m.mu.Unlock()
		return upstream.NameCheck{}, err
	}
	check := upstream.NameCheck{Variants: []string{}}
	_, check.Taken = m.aliases[alias]
	for a := range m.aliases {
		if strings.HasPrefix(a, prefix) {
			check.Variants = append(check.Variants, a)
		}
	}
	m.mu.Unlock()
	slices.Sort(check.Variants)
	m.pause()
	return check, nil
}

// resolve finds the selected tenant the way every Store does; the caller holds m.mu.
func (m *memStore) resolve(sel upstream.Selector) (upstream.Tenant, error) {
	if sel.HasID {
		if t, ok := m.tenants[sel.ID]; ok {
			return t, nil
		}
		return upstream.Tenant{}, fmt.Errorf("mem: tenant %d: %w", sel.ID, upstream.ErrNotFound)
	}
	if id, ok := m.aliases[sel.Alias]; ok && m.tenants[id].Status != upstream.RemovePending {
		return m.tenants[id], nil
	}
	return upstream.Tenant{}, fmt.Errorf("mem: tenant %q: %w", sel.Alias, upstream.ErrNotFound)
}

func (m *memStore) Tenant(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	m.mu.Lock()
	_, err := m.enter(ctx, "Tenant")
	if err != nil {
		m.mu.Unlock()
		return upstream.Tenant{}, err
	}
	t, err := m.resolve(sel)
	m.mu.Unlock()
	m.pause()
	return t, err
}

func (m *memStore) SetStatus(ctx context.Context, sel upstream.Selector, status upstream.Status) (upstream.Tenant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.enter(ctx, "SetStatus")
	if err != nil {
		return upstream.Tenant{}, err
	}
	t, err := m.resolve(sel)
	if err != nil {
		return upstream.Tenant{}, err
	}
	t.Status, t.StatusChanged = status, m.stamp()
	m.tenants[t.ID] = t
	return t, f.err
}

func (m *memStore) Remove(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.enter(ctx, "Remove")
	if err != nil {
		return upstream.Tenant{}, err
	}
	before, err := m.resolve(sel)
	if err != nil || before.Status == upstream.RemovePending {
		return before, err
	}
	renamed := before.Alias + "_deleted"
	for n := 1; ; n++ {
		if _, held := m.aliases[renamed]; !held {
			break
		}
		renamed = fmt.Sprintf("%s_deleted%d", before.Alias, n)
	}
	t := before
	t.Alias, t.Status, t.StatusChanged = renamed, upstream.RemovePending, m.stamp()
	delete(m.aliases, before.Alias)
	m.aliases[renamed] = t.ID
	m.tenants[t.ID] = t
	return before, f.err
}

var errNotFaked = errors.New("mem: not faked")

func (m *memStore) FindPortals(context.Context, upstream.PortalQuery) ([]upstream.Tenant, error) {
	return nil, errNotFaked
}

func (m *memStore) Tariff(context.Context, upstream.Selector) (upstream.Tenant, upstream.Quota, error) {
	return upstream.Tenant{}, upstream.Quota{}, errNotFaked
}

func (m *memStore) SetTariff(context.Context, upstream.Selector, upstream.Quota) (upstream.Tenant, upstream.Quota, error) {
	return upstream.Tenant{}, upstream.Quota{}, errNotFaked
}

func (m *memStore) Setting(context.Context, upstream.Selector, string) (string, bool, error) {
	return "", false, errNotFaked
}

func (m *memStore) SaveSetting(context.Context, upstream.Selector, string, string) (string, error) {
	return "", errNotFaked
}

func (m *memStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
