// Package bolt is the embedded upstream.Store: one bbolt file on local disk, for installations
// that run the hosted-solution API without an existing ApiSystem or a database server.
//
// Every operation is one bbolt transaction, and bbolt runs one write transaction at a time, so
// the races the API can meet (two registrations of one name, the active-portal limit, a removal
// during a status change) are settled by that serialisation: a check and the write it guards
// always happen in the same transaction. Each commit is fsynced before it returns, so a nil
// error from Register means the tenant survives a crash or power loss.
//
// The file holds these top-level buckets:
//
//	tenants       id (8-byte big-endian) -> JSON of upstream.Tenant; its sequence assigns ids
//	aliases       alias -> id, for every tenant in every status, so a soft-deleted tenant's
//	              renamed alias (example_deleted1) keeps its name taken and shows in variants
//	owner_emails  lower-cased owner e-mail, 0x00, id -> empty (one e-mail, many tenants)
//	owner_ids     lower-cased owner user id, 0x00, id -> empty
//	quotas        id -> JSON of upstream.Quota, absent until tariff/set
//	settings      scope (8-byte big-endian two's complement; GlobalScope is all ones), key -> value
//	meta          "schema" -> format version, "active" -> count of Active tenants
//
// Keys sort by id in id-keyed buckets, so listings come out in id order without sorting, and
// alias prefix scans (CheckName) are a cursor seek.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/hostedgate/hostedgate/upstream"
)

// DefaultTimeout is how long Open waits for the file lock when Options.Timeout is zero: long
// enough to ride out a previous process that is still shutting down, short enough that a
// second instance pointed at the same file fails visibly instead of hanging.
const DefaultTimeout = 5 * time.Second

// schemaVersion is the layout described in the package comment. Open refuses a file written by
// a newer layout rather than misreading it.
const schemaVersion = 1

// ErrLocked means Open gave up waiting for the file lock, which another process (or another
// open Store in this process) holds. The error Open returns wraps it and bbolt.ErrTimeout.
var ErrLocked = errors.New("database file is locked by another process")

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Timeout bounds the wait for the exclusive file lock; zero or negative means
	// DefaultTimeout. bbolt's own default would wait forever.
	Timeout time.Duration
	// Now is the clock that stamps Created and StatusChanged; nil means time.Now. The store
	// converts what it returns to UTC.
	Now func() time.Time
	// BatchDelay is how long a write waits for others to share its fsync; zero means
	// DefaultBatchDelay. Longer makes bigger batches under load and slower lone writes.
	BatchDelay time.Duration
}

// DefaultBatchDelay is the default Options.BatchDelay: short next to an fsync.
const DefaultBatchDelay = 2 * time.Millisecond

var (
	bucketTenants     = []byte("tenants")
	bucketAliases     = []byte("aliases")
	bucketOwnerEmails = []byte("owner_emails")
	bucketOwnerIDs    = []byte("owner_ids")
	bucketQuotas      = []byte("quotas")
	bucketSettings    = []byte("settings")
	bucketMeta        = []byte("meta")

	metaSchema = []byte("schema")
	metaActive = []byte("active")
)

var allBuckets = [][]byte{bucketTenants, bucketAliases, bucketOwnerEmails, bucketOwnerIDs, bucketQuotas, bucketSettings, bucketMeta}

// Store is the bbolt-backed upstream.Store. It is safe for concurrent use.
type Store struct {
	db   *bbolt.DB
	path string
	now  func() time.Time

	// mu is held shared by every operation's transaction and exclusively by Close, so Close
	// waits for running transactions and every later call sees closed and fails with
	// upstream.ErrClosed rather than bbolt's "database not open".
	mu     sync.RWMutex
	closed bool
}

var _ upstream.Store = (*Store)(nil)

// Open opens the store file at path, creating it (mode 0600) and its parent directory (mode
// 0700) when missing. It holds an exclusive lock on the file until Close; if another holder does
// not let go within opts.Timeout, Open fails with an error wrapping ErrLocked.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("bolt: open: empty path")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("bolt: open %s: create directory: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: %w (gave up after %s): %w", path, ErrLocked, timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	db.MaxBatchDelay = opts.BatchDelay
	if db.MaxBatchDelay <= 0 {
		db.MaxBatchDelay = DefaultBatchDelay
	}
	if err := db.Update(initialize); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return &Store{db: db, path: path, now: now}, nil
}

// initialize creates missing buckets, checks the layout version and recounts the Active
// tenants, so the counter Register checks MaxActive against is exact even if a file was
// edited by hand or written by an older build.
func initialize(tx *bbolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(metaSchema); v != nil {
		if got := decodeUint(v); got != schemaVersion {
			return fmt.Errorf("file has layout version %d, this build reads version %d", got, schemaVersion)
		}
	} else if err := meta.Put(metaSchema, encodeUint(schemaVersion)); err != nil {
		return err
	}
	var active uint64
	err := tx.Bucket(bucketTenants).ForEach(func(k, v []byte) error {
		var s struct {
			Status upstream.Status `json:"status"`
		}
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("decode tenant %d: %w", decodeUint(k), err)
		}
		if s.Status == upstream.Active {
			active++
		}
		return nil
	})
	if err != nil {
		return err
	}
	return meta.Put(metaActive, encodeUint(active))
}

// Close releases the file and its lock after running operations finish. Later calls of any
// method return upstream.ErrClosed; Close itself may be called again and returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", s.path, err)
	}
	return nil
}

// Register implements upstream.Store. A password is hashed before the write transaction opens,
// because argon2 takes tens of milliseconds and bbolt admits one writer at a time.
func (s *Store) Register(ctx context.Context, req upstream.RegisterRequest) (upstream.Tenant, error) {
	tenant := req.Tenant
	tenant.Alias = strings.ToLower(tenant.Alias)
	fail := func(err error) (upstream.Tenant, error) {
		return upstream.Tenant{}, fmt.Errorf("bolt: register %q: %w", tenant.Alias, err)
	}
	if tenant.Alias == "" {
		return fail(errors.New("empty alias"))
	}
	tenant.Owner.PasswordHash = ""
	if req.Password != "" {
		// A duplicate or over-limit request should cost no argon2 run, or a flood of them
		// would tie up the hash slots. The write transaction checks again.
		if err := s.view(ctx, func(t *txn) error { return t.admit(tenant.Alias, req.MaxActive) }); err != nil {
			return fail(err)
		}
		hash, err := upstream.HashPassword(req.Password)
		if err != nil {
			return fail(err)
		}
		tenant.Owner.PasswordHash = hash
	}
	ownerID, err := uuid.NewRandom()
	if err != nil {
		return fail(fmt.Errorf("owner id: %w", err))
	}
	tenant.Owner.ID = ownerID.String()
	now := s.now().UTC()
	tenant.Status = upstream.Active
	tenant.Created = now
	tenant.StatusChanged = now

	err = s.update(ctx, func(t *txn) error {
		if err := t.admit(tenant.Alias, req.MaxActive); err != nil {
			return err
		}
		seq, err := t.tenants().NextSequence()
		if err != nil {
			return fmt.Errorf("next id: %w", err)
		}
		tenant.ID = int64(seq)
		id := idKey(tenant.ID)
		if err := t.putTenant(tenant); err != nil {
			return err
		}
		if err := t.aliases().Put([]byte(tenant.Alias), id); err != nil {
			return err
		}
		if tenant.Owner.Email != "" {
			if err := t.ownerEmails().Put(indexKey(emailKey(tenant.Owner.Email), tenant.ID), nil); err != nil {
				return err
			}
		}
		if err := t.ownerIDs().Put(indexKey(ownerIDKey(tenant.Owner.ID), tenant.ID), nil); err != nil {
			return err
		}
		return t.addActive(1)
	})
	if err != nil {
		return fail(err)
	}
	return tenant, nil
}

// CheckName implements upstream.Store.
func (s *Store) CheckName(ctx context.Context, alias, prefix string) (upstream.NameCheck, error) {
	alias, prefix = strings.ToLower(alias), strings.ToLower(prefix)
	check := upstream.NameCheck{Variants: []string{}}
	err := s.view(ctx, func(t *txn) error {
		check.Taken = t.aliases().Get([]byte(alias)) != nil
		p := []byte(prefix)
		c := t.aliases().Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			check.Variants = append(check.Variants, string(k))
		}
		return nil
	})
	if err != nil {
		return upstream.NameCheck{}, fmt.Errorf("bolt: check name %q: %w", alias, err)
	}
	return check, nil
}

// Tenant implements upstream.Store.
func (s *Store) Tenant(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	var tenant upstream.Tenant
	err := s.view(ctx, func(t *txn) (err error) {
		tenant, err = t.resolve(sel)
		return err
	})
	if err != nil {
		return upstream.Tenant{}, fmt.Errorf("bolt: get %s: %w", describe(sel), err)
	}
	return tenant, nil
}

// FindPortals implements upstream.Store.
func (s *Store) FindPortals(ctx context.Context, q upstream.PortalQuery) ([]upstream.Tenant, error) {
	found := []upstream.Tenant{}
	err := s.view(ctx, func(t *txn) error {
		if q.Empty() {
			return t.tenants().ForEach(func(k, v []byte) error {
				tenant, err := decodeTenant(k, v)
				if err == nil && tenant.Status == upstream.Active {
					found = append(found, tenant)
				}
				return err
			})
		}
		var ids []int64
		if q.Email != "" {
			ids = t.scanIndex(t.ownerEmails(), emailKey(q.Email), ids)
		}
		if q.OwnerID != "" {
			ids = t.scanIndex(t.ownerIDs(), ownerIDKey(q.OwnerID), ids)
		}
		if q.Alias != "" {
			if v := t.aliases().Get([]byte(strings.ToLower(q.Alias))); v != nil {
				ids = append(ids, int64(decodeUint(v)))
			}
		}
		if q.HasID {
			ids = append(ids, q.ID)
		}
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			tenant, err := t.tenant(id)
			if errors.Is(err, upstream.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if tenant.Status == upstream.Active {
				found = append(found, tenant)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: find portals: %w", err)
	}
	return found, nil
}

// SetStatus implements upstream.Store.
func (s *Store) SetStatus(ctx context.Context, sel upstream.Selector, status upstream.Status) (upstream.Tenant, error) {
	var tenant upstream.Tenant
	err := s.update(ctx, func(t *txn) (err error) {
		if tenant, err = t.resolve(sel); err != nil {
			return err
		}
		return t.changeStatus(&tenant, status, s.now().UTC())
	})
	if err != nil {
		return upstream.Tenant{}, fmt.Errorf("bolt: set status of %s to %s: %w", describe(sel), status, err)
	}
	return tenant, nil
}

// Remove implements upstream.Store: the soft delete of SPEC 6.3. The old alias key leaves the
// index in the same transaction that adds the renamed one, so the name is free for a new
// registration the moment Remove returns, and never free while the tenant still holds it.
func (s *Store) Remove(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	var before upstream.Tenant
	err := s.update(ctx, func(t *txn) (err error) {
		if before, err = t.resolve(sel); err != nil {
			return err
		}
		if before.Status == upstream.RemovePending {
			return nil // removed already: a retried remove changes nothing
		}
		removed := before
		removed.Alias = t.deletedAlias(before.Alias)
		if err := t.aliases().Delete([]byte(before.Alias)); err != nil {
			return err
		}
		if err := t.aliases().Put([]byte(removed.Alias), idKey(removed.ID)); err != nil {
			return err
		}
		return t.changeStatus(&removed, upstream.RemovePending, s.now().UTC())
	})
	if err != nil {
		return upstream.Tenant{}, fmt.Errorf("bolt: remove %s: %w", describe(sel), err)
	}
	return before, nil
}

// Tariff implements upstream.Store.
func (s *Store) Tariff(ctx context.Context, sel upstream.Selector) (upstream.Tenant, upstream.Quota, error) {
	var (
		tenant upstream.Tenant
		quota  upstream.Quota
	)
	err := s.view(ctx, func(t *txn) (err error) {
		if tenant, err = t.resolve(sel); err != nil {
			return err
		}
		quota, err = t.quota(tenant.ID)
		return err
	})
	if err != nil {
		return upstream.Tenant{}, upstream.Quota{}, fmt.Errorf("bolt: get tariff of %s: %w", describe(sel), err)
	}
	return tenant, quota, nil
}

// SetTariff implements upstream.Store. q is normalised (defaults, MiB truncation) once, here,
// and the answer is decoded from what was written.
func (s *Store) SetTariff(ctx context.Context, sel upstream.Selector, q upstream.Quota) (upstream.Tenant, upstream.Quota, error) {
	var (
		tenant upstream.Tenant
		quota  upstream.Quota
	)
	q = upstream.NormalizeQuota(q.ActiveUsers, q.DueDate, q.Features, q.MaxFileSize, q.MaxTotalSize)
	err := s.update(ctx, func(t *txn) (err error) {
		if tenant, err = t.resolve(sel); err != nil {
			return err
		}
		v, err := json.Marshal(q)
		if err != nil {
			return fmt.Errorf("encode quota: %w", err)
		}
		if err := t.quotas().Put(idKey(tenant.ID), v); err != nil {
			return err
		}
		quota, err = t.quota(tenant.ID)
		return err
	})
	if err != nil {
		return upstream.Tenant{}, upstream.Quota{}, fmt.Errorf("bolt: set tariff of %s: %w", describe(sel), err)
	}
	return tenant, quota, nil
}

// Setting implements upstream.Store.
func (s *Store) Setting(ctx context.Context, sel upstream.Selector, key string) (value string, ok bool, err error) {
	err = s.view(ctx, func(t *txn) error {
		scope, err := t.scope(sel)
		if err != nil {
			return err
		}
		v := t.settings().Get(settingKey(scope, key))
		value, ok = string(v), v != nil
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("bolt: get setting %q of %s: %w", key, describe(sel), err)
	}
	return value, ok, nil
}

// SaveSetting implements upstream.Store.
func (s *Store) SaveSetting(ctx context.Context, sel upstream.Selector, key, value string) (string, error) {
	var saved string
	err := s.update(ctx, func(t *txn) error {
		scope, err := t.scope(sel)
		if err != nil {
			return err
		}
		k := settingKey(scope, key)
		if err := t.settings().Put(k, []byte(value)); err != nil {
			return err
		}
		saved = string(t.settings().Get(k))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("bolt: save setting %q of %s: %w", key, describe(sel), err)
	}
	return saved, nil
}

// view runs fn in a read transaction.
func (s *Store) view(ctx context.Context, fn func(*txn) error) error {
	return s.run(ctx, false, fn)
}

// update runs fn in a write transaction, committed (and fsynced) when fn returns nil. Writes
// go through bbolt's Batch: concurrent ones share one transaction and one fsync (group
// commit), and none returns before that fsync, so an acknowledged write is still durable. A
// batch whose fn fails is rolled back and each fn is run again alone, so fn keeps all its
// effects inside the transaction and may run twice.
func (s *Store) update(ctx context.Context, fn func(*txn) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, write bool, fn func(*txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return upstream.ErrClosed
	}
	do := s.db.View
	if write {
		do = s.db.Batch
	}
	return do(func(tx *bbolt.Tx) error { return fn(openTxn(tx)) })
}

// txn is one transaction. Buckets are opened when first used: opening all seven for every
// read was a tenth of a portal/get.
type txn struct {
	tx      *bbolt.Tx
	buckets [7]*bbolt.Bucket
}

func openTxn(tx *bbolt.Tx) *txn { return &txn{tx: tx} }

func (t *txn) bucket(i int, name []byte) *bbolt.Bucket {
	if t.buckets[i] == nil {
		t.buckets[i] = t.tx.Bucket(name)
	}
	return t.buckets[i]
}

func (t *txn) tenants() *bbolt.Bucket     { return t.bucket(0, bucketTenants) }
func (t *txn) aliases() *bbolt.Bucket     { return t.bucket(1, bucketAliases) }
func (t *txn) ownerEmails() *bbolt.Bucket { return t.bucket(2, bucketOwnerEmails) }
func (t *txn) ownerIDs() *bbolt.Bucket    { return t.bucket(3, bucketOwnerIDs) }
func (t *txn) quotas() *bbolt.Bucket      { return t.bucket(4, bucketQuotas) }
func (t *txn) settings() *bbolt.Bucket    { return t.bucket(5, bucketSettings) }
func (t *txn) meta() *bbolt.Bucket        { return t.bucket(6, bucketMeta) }

// admit returns the reason a new tenant with alias may not be registered now, in the order of
// SPEC 2A.2: a taken name (step 5) before the portal limit (step 8).
func (t *txn) admit(alias string, maxActive int) error {
	if t.aliases().Get([]byte(alias)) != nil {
		return upstream.ErrNameTaken
	}
	if maxActive > 0 && t.active() >= uint64(maxActive) {
		return upstream.ErrPortalLimit
	}
	return nil
}

func (t *txn) active() uint64 { return decodeUint(t.meta().Get(metaActive)) }

func (t *txn) addActive(delta int64) error {
	n := int64(t.active()) + delta
	if n < 0 {
		// Only a damaged counter gets here; Open recounts it, so do not make it worse.
		n = 0
	}
	return t.meta().Put(metaActive, encodeUint(uint64(n)))
}

// changeStatus stamps and saves a new status, keeping the Active counter in step.
func (t *txn) changeStatus(tenant *upstream.Tenant, status upstream.Status, now time.Time) error {
	var delta int64
	switch {
	case tenant.Status != upstream.Active && status == upstream.Active:
		delta = 1
	case tenant.Status == upstream.Active && status != upstream.Active:
		delta = -1
	}
	tenant.Status = status
	tenant.StatusChanged = now
	if err := t.putTenant(*tenant); err != nil {
		return err
	}
	if delta != 0 {
		return t.addActive(delta)
	}
	return nil
}

// deletedAlias is the name a removed tenant's alias becomes (SPEC 6.3): alias+"_deleted" when
// no alias starts with that yet, else alias+"_deleted"+N for N such aliases. Should that name
// exist anyway (N counts names, so one gap and a later suffix can collide) N counts up until
// the name is free, because the alias index must stay unique.
func (t *txn) deletedAlias(alias string) string {
	base := alias + "_deleted"
	n := 0
	p := []byte(base)
	c := t.aliases().Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		n++
	}
	for {
		name := base
		if n > 0 {
			name += strconv.Itoa(n)
		}
		if t.aliases().Get([]byte(name)) == nil {
			return name
		}
		n++
	}
}

// resolve is the shared tenant lookup of SPEC 2A: by id in any status; by alias only while
// the tenant is not RemovePending, since a removed portal is reachable by tenantId alone
// (SPEC 2A, 6.2) even though its renamed alias stays in the index for variants.
func (t *txn) resolve(sel upstream.Selector) (upstream.Tenant, error) {
	if sel.HasID {
		return t.tenant(sel.ID)
	}
	if sel.Alias == "" {
		return upstream.Tenant{}, upstream.ErrNotFound
	}
	v := t.aliases().Get([]byte(strings.ToLower(sel.Alias)))
	if v == nil {
		return upstream.Tenant{}, upstream.ErrNotFound
	}
	tenant, err := t.tenant(int64(decodeUint(v)))
	if err == nil && tenant.Status == upstream.RemovePending {
		return upstream.Tenant{}, upstream.ErrNotFound
	}
	return tenant, err
}

// scope is the settings scope sel addresses: GlobalScope without a look-up, else the id of an
// existing tenant.
func (t *txn) scope(sel upstream.Selector) (int64, error) {
	if sel.HasID && sel.ID == upstream.GlobalScope {
		return upstream.GlobalScope, nil
	}
	tenant, err := t.resolve(sel)
	if err != nil {
		return 0, err
	}
	return tenant.ID, nil
}

func (t *txn) tenant(id int64) (upstream.Tenant, error) {
	k := idKey(id)
	v := t.tenants().Get(k)
	if v == nil {
		return upstream.Tenant{}, upstream.ErrNotFound
	}
	return decodeTenant(k, v)
}

func (t *txn) putTenant(tenant upstream.Tenant) error {
	v, err := json.Marshal(tenant)
	if err != nil {
		return fmt.Errorf("encode tenant %d: %w", tenant.ID, err)
	}
	return t.tenants().Put(idKey(tenant.ID), v)
}

func (t *txn) quota(id int64) (upstream.Quota, error) {
	v := t.quotas().Get(idKey(id))
	if v == nil {
		return upstream.DefaultQuota(), nil
	}
	var q upstream.Quota
	if err := json.Unmarshal(v, &q); err != nil {
		return upstream.Quota{}, fmt.Errorf("decode quota of tenant %d: %w", id, err)
	}
	return q, nil
}

// scanIndex appends the ids filed under value in a value, 0x00, id index. The length check
// keeps a value that extends this one (value+"\x00…") from matching.
func (t *txn) scanIndex(b *bbolt.Bucket, value string, ids []int64) []int64 {
	p := append([]byte(value), 0)
	c := b.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		if len(k) == len(p)+8 {
			ids = append(ids, int64(decodeUint(k[len(p):])))
		}
	}
	return ids
}

func decodeTenant(k, v []byte) (upstream.Tenant, error) {
	var tenant upstream.Tenant
	if err := json.Unmarshal(v, &tenant); err != nil {
		return upstream.Tenant{}, fmt.Errorf("decode tenant %d: %w", decodeUint(k), err)
	}
	return tenant, nil
}

// emailKey is how an owner e-mail is filed and looked up: lower-cased and otherwise as given,
// so "Owner+Tag@Example.com" and "owner+tag@example.com" meet, and "owner@example.com" does
// not (SPEC 2A.6 compares whole addresses, case-insensitively, as the MySQL collation does).
func emailKey(email string) string { return strings.ToLower(email) }

// ownerIDKey files a user id in its canonical lower-case hyphenated form when it is a GUID, so
// the braced or upper-case spellings .NET's Guid parser accepts find it too.
func ownerIDKey(id string) string {
	if u, err := uuid.Parse(id); err == nil {
		return u.String()
	}
	return strings.ToLower(id)
}

func indexKey(value string, id int64) []byte {
	k := make([]byte, 0, len(value)+1+8)
	k = append(k, value...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

func settingKey(scope int64, key string) []byte {
	k := make([]byte, 0, 8+len(key))
	k = binary.BigEndian.AppendUint64(k, uint64(scope))
	return append(k, key...)
}

func idKey(id int64) []byte { return encodeUint(uint64(id)) }

func encodeUint(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// decodeUint reads an 8-byte big-endian value; anything else (a missing key) reads as 0.
func decodeUint(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// describe names a selector in error messages.
func describe(sel upstream.Selector) string {
	if sel.HasID {
		return "tenant " + strconv.FormatInt(sel.ID, 10)
	}
	return "tenant " + strconv.Quote(sel.Alias)
}
