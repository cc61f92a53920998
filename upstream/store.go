// Package upstream holds the Store interface that the hosted-solution API is served from, and
// the tenant, owner and tariff model that every backend shares.
//
// A Store works at the level of the API's own operations (register a portal, check a name,
// find portals, change a status, remove, read and set a tariff, settings), not at the level of
// rows, because one backend (forwarding to an existing ApiSystem) can only call that
// ApiSystem's endpoints. Every race the API can meet (two registrations of one name, a removal
// during a status change) is settled inside the store, in one transaction or by a unique index,
// never by a check in the caller followed by a write.
package upstream

import (
	"context"
	"errors"
)

// Sentinel errors a Store returns; callers test them with errors.Is and map them to API codes in
// one place (package api).
var (
	// ErrNameTaken means a live or soft-deleted tenant already holds the alias.
	ErrNameTaken = errors.New("portal name already taken")
	// ErrNotFound means no tenant matches the selector.
	ErrNotFound = errors.New("portal not found")
	// ErrPortalLimit means registering would exceed RegisterRequest.MaxActive.
	ErrPortalLimit = errors.New("active portal limit reached")
	// ErrClosed means the store was used after Close.
	ErrClosed = errors.New("store closed")
)

// Store is what the API is served from. Implementations must be safe for concurrent use.
type Store interface {
	// Register creates an Active tenant with its owner. The alias is already lower-cased and
	// validated. It returns ErrNameTaken when any tenant (in any status) holds the alias, and
	// ErrPortalLimit when req.MaxActive > 0 and that many Active tenants exist already; both are
	// decided in the same transaction as the insert. A nil error means the tenant is durable.
	Register(ctx context.Context, req RegisterRequest) (Tenant, error)

	// CheckName reports whether alias is held by a tenant in any status and returns, sorted
	// ascending, the aliases of all tenants (any status) that start with prefix; the caller
	// derives prefix from the alias as SPEC 4.3 says and merges its reserved names.
	CheckName(ctx context.Context, alias, prefix string) (NameCheck, error)

	// Tenant finds one tenant (SPEC 2A "GetTenant"): by ID in any status, else by alias
	// (lower-cased by the caller) unless it is RemovePending, as a removed portal is reachable
	// by id only. ErrNotFound when nothing matches. Every operation below that takes a
	// Selector resolves it the same way.
	Tenant(ctx context.Context, sel Selector) (Tenant, error)

	// FindPortals returns the union of the tenants the query names (SPEC 2A.6), de-duplicated,
	// Active only, ordered by ID ascending; a query naming nothing lists every Active tenant.
	FindPortals(ctx context.Context, q PortalQuery) ([]Tenant, error)

	// SetStatus sets the status of the selected tenant and stamps its status-change time,
	// returning the tenant as saved.
	SetStatus(ctx context.Context, sel Selector, status Status) (Tenant, error)

	// Remove soft-deletes the selected tenant (SPEC 6.3): in one transaction the alias becomes
	// alias+"_deleted"+N and the status RemovePending. It returns the tenant as it was before.
	// Removing a RemovePending tenant changes nothing, so a retried remove is harmless.
	Remove(ctx context.Context, sel Selector) (Tenant, error)

	// Tariff returns the selected tenant with its current quota (DefaultQuota when none was set).
	Tariff(ctx context.Context, sel Selector) (Tenant, Quota, error)

	// SetTariff replaces the selected tenant's quota as a whole and returns it re-read. q is
	// the quota as the caller asked for it (zero fields mean the defaults, sizes in bytes
	// before the MiB truncation of SPEC 7.2): a backend that stores it applies NormalizeQuota
	// once, a forwarding backend sends it on as it is, since normalising twice is not the
	// same (1000 bytes truncate to 0, which a second pass reads as "absent").
	SetTariff(ctx context.Context, sel Selector, q Quota) (Tenant, Quota, error)

	// Setting reads one settings value; ok is false when it is unset. ByID(GlobalScope)
	// (HasID set) addresses the installation-wide scope without a tenant look-up.
	Setting(ctx context.Context, sel Selector, key string) (value string, ok bool, err error)

	// SaveSetting stores one settings value and returns it re-read.
	SaveSetting(ctx context.Context, sel Selector, key, value string) (string, error)

	// Close releases the store's resources. It is safe to call more than once.
	Close() error
}

// GlobalScope is the Selector.ID that addresses installation-wide settings (tenantId = -1).
const GlobalScope int64 = -1

// Selector names one tenant: by ID when HasID, else by Alias.
type Selector struct {
	ID    int64
	HasID bool
	Alias string
}

// ByID selects a tenant by its numeric id.
func ByID(id int64) Selector { return Selector{ID: id, HasID: true} }

// ByAlias selects a tenant by its (lower-cased) alias.
func ByAlias(alias string) Selector { return Selector{Alias: alias} }

// NameCheck is the answer of Store.CheckName.
type NameCheck struct {
	// Taken is true when a tenant in any status holds the alias.
	Taken bool
	// Variants are the aliases starting with the prefix, sorted ascending.
	Variants []string
}

// PortalQuery selects the tenants of portal/get; empty fields select nothing, and a query with
// no field set selects every Active tenant.
type PortalQuery struct {
	// Email matches the owner's e-mail case-insensitively (as given, '+' and dots kept).
	Email string
	// OwnerID matches the owner's user id (portal/get with an e-mail value without '@').
	OwnerID string
	// Alias matches one tenant's alias.
	Alias string
	// ID matches one tenant's id when HasID.
	ID    int64
	HasID bool
}

// Empty reports whether the query names nothing, so it lists every Active tenant.
func (q PortalQuery) Empty() bool {
	return q.Email == "" && q.OwnerID == "" && q.Alias == "" && !q.HasID
}
