// Package storetest is the contract every upstream.Store backend must meet, as one test suite:
// a backend's own test calls Run with a function that opens a fresh, empty store.
//
// The suite tests what the API relies on and cannot check itself: that a name is unique under
// concurrent registration, the soft delete and its _deleted[N] rename, the variants of a name
// check, e-mail and id look-ups with the Active-only filter, status changes, tariffs, settings
// scopes, the active-portal limit under concurrency, and that an owner password reaches the
// store only as an argon2id hash. Argon2 is slow under the race detector, so only the subtest
// about passwords registers with one.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hostedgate/hostedgate/upstream"
)

// Run runs the contract suite against the store open returns. open is called once per subtest
// and must return an empty store, closed by open's own t.Cleanup (Close is idempotent, and one
// subtest closes its store early).
func Run(t *testing.T, open func(t *testing.T) upstream.Store) {
	RunExcept(t, open)
}

// RunExcept is Run for a backend that cannot meet some subtests by its nature (a forwarding
// store cannot read back what its upstream never answers): the subtests named in skip are
// reported as skipped. The caller says why next to the list. A name that is no subtest fails
// the test, so a renamed subtest is not skipped silently.
func RunExcept(t *testing.T, open func(t *testing.T) upstream.Store, skip ...string) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s upstream.Store)
	}{
		{"RegisterAssignsFields", testRegisterAssignsFields},
		{"ConcurrentRegisterOneAlias", testConcurrentRegisterOneAlias},
		{"IDsUniqueAndIncreasing", testIDsUniqueAndIncreasing},
		{"RemoveRenamesAndFreesName", testRemoveRenamesAndFreesName},
		{"RemoveSkipsTakenSuffix", testRemoveSkipsTakenSuffix},
		{"RemoveAnyStatus", testRemoveAnyStatus},
		{"CheckNameVariants", testCheckNameVariants},
		{"TenantLookup", testTenantLookup},
		{"FindPortalsByEmail", testFindPortalsByEmail},
		{"FindPortalsUnion", testFindPortalsUnion},
		{"SetStatus", testSetStatus},
		{"Tariff", testTariff},
		{"Settings", testSettings},
		{"PortalLimit", testPortalLimit},
		{"PortalLimitConcurrent", testPortalLimitConcurrent},
		{"PasswordHashed", testPasswordHashed},
		{"ContextCanceled", testContextCanceled},
		{"Close", testClose},
	}
	unknown := map[string]bool{}
	for _, name := range skip {
		unknown[name] = true
	}
	for _, tt := range tests {
		delete(unknown, tt.name)
	}
	if len(unknown) > 0 {
		t.Fatalf("RunExcept: no subtests named %v", slices.Sorted(maps.Keys(unknown)))
	}
	for _, tt := range tests {
		if slices.Contains(skip, tt.name) {
			t.Run(tt.name, func(t *testing.T) { t.Skip("skipped for this backend") })
			continue
		}
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// Request returns a valid registration for alias with every optional field set, so a backend
// that drops one is caught by a round-trip comparison. The owner e-mail is alias@example.com.
func Request(alias string) upstream.RegisterRequest {
	partner := "0f3a3c4e-7a51-4c1e-9a4b-2f3d9e8b1c77"
	return upstream.RegisterRequest{Tenant: upstream.Tenant{
		Alias:     alias,
		Industry:  10,
		Language:  "de-DE",
		Name:      "Cloud Office Applications",
		TimeZone:  "W. Europe Standard Time",
		PartnerID: &partner,
		Owner: upstream.Owner{
			FirstName: "Ada",
			LastName:  "Lovelace",
			Email:     alias + "@example.com",
			Phone:     "+49 30 1234567",
		},
		Marketing: upstream.Marketing{Spam: true, Analytics: true, AffiliateID: "aff-1", Campaign: "spring"},
	}}
}

func register(t *testing.T, s upstream.Store, req upstream.RegisterRequest) upstream.Tenant {
	t.Helper()
	tenant, err := s.Register(context.Background(), req)
	if err != nil {
		t.Fatalf("Register(%q): %v", req.Tenant.Alias, err)
	}
	return tenant
}

func tenant(t *testing.T, s upstream.Store, sel upstream.Selector) upstream.Tenant {
	t.Helper()
	got, err := s.Tenant(context.Background(), sel)
	if err != nil {
		t.Fatalf("Tenant(%+v): %v", sel, err)
	}
	return got
}

func setStatus(t *testing.T, s upstream.Store, sel upstream.Selector, status upstream.Status) upstream.Tenant {
	t.Helper()
	got, err := s.SetStatus(context.Background(), sel, status)
	if err != nil {
		t.Fatalf("SetStatus(%+v, %s): %v", sel, status, err)
	}
	if got.Status != status {
		t.Fatalf("SetStatus(%+v, %s) returned status %s", sel, status, got.Status)
	}
	return got
}

func remove(t *testing.T, s upstream.Store, sel upstream.Selector) upstream.Tenant {
	t.Helper()
	got, err := s.Remove(context.Background(), sel)
	if err != nil {
		t.Fatalf("Remove(%+v): %v", sel, err)
	}
	return got
}

func find(t *testing.T, s upstream.Store, q upstream.PortalQuery) []string {
	t.Helper()
	found, err := s.FindPortals(context.Background(), q)
	if err != nil {
		t.Fatalf("FindPortals(%+v): %v", q, err)
	}
	aliases := make([]string, 0, len(found))
	for i, tn := range found {
		if tn.Status != upstream.Active {
			t.Errorf("FindPortals(%+v) returned %s in status %s", q, tn.Alias, tn.Status)
		}
		if i > 0 && tn.ID <= found[i-1].ID {
			t.Errorf("FindPortals(%+v) not in ascending id order: %d after %d", q, tn.ID, found[i-1].ID)
		}
		aliases = append(aliases, tn.Alias)
	}
	return aliases
}

// sameTenant compares tenants with time.Equal for the timestamps, which a backend may keep at
// a coarser precision as long as Register returns what it stored.
func sameTenant(a, b upstream.Tenant) bool {
	if !a.Created.Equal(b.Created) || !a.StatusChanged.Equal(b.StatusChanged) {
		return false
	}
	a.Created, a.StatusChanged, b.Created, b.StatusChanged = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func sameQuota(a, b upstream.Quota) bool {
	return a.ActiveUsers == b.ActiveUsers && a.Features == b.Features && a.MaxFileSize == b.MaxFileSize &&
		a.MaxTotalSize == b.MaxTotalSize && a.DueDate.Equal(b.DueDate)
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func testRegisterAssignsFields(t *testing.T, s upstream.Store) {
	start := time.Now().Add(-time.Second)
	req := Request("example")
	req.Tenant.ID = 999
	req.Tenant.Status = upstream.Suspended
	req.Tenant.Owner.ID = "caller-chosen"
	req.Tenant.Owner.PasswordHash = "caller-chosen"
	got := register(t, s, req)

	if got.ID <= 0 || got.ID == 999 {
		t.Errorf("ID = %d, want a positive store-assigned id", got.ID)
	}
	if got.Alias != "example" || got.Status != upstream.Active {
		t.Errorf("alias %q status %s, want example Active", got.Alias, got.Status)
	}
	if got.Created.Location() != time.UTC || got.Created.Before(start) || got.Created.After(time.Now().Add(time.Second)) {
		t.Errorf("Created = %v, want about now in UTC", got.Created)
	}
	if !got.StatusChanged.Equal(got.Created) {
		t.Errorf("StatusChanged = %v, want Created %v", got.StatusChanged, got.Created)
	}
	if u, err := uuid.Parse(got.Owner.ID); err != nil || got.Owner.ID != u.String() || u.Version() != 4 {
		t.Errorf("Owner.ID = %q, want a lower-case hyphenated random UUID", got.Owner.ID)
	}
	if got.Owner.PasswordHash != "" {
		t.Errorf("PasswordHash = %q for a registration without password", got.Owner.PasswordHash)
	}
	want := req.Tenant
	want.ID, want.Status, want.Created, want.StatusChanged = got.ID, upstream.Active, got.Created, got.StatusChanged
	want.Owner.ID, want.Owner.PasswordHash = got.Owner.ID, ""
	if !sameTenant(got, want) {
		t.Errorf("Register returned\n%+v\nwant\n%+v", got, want)
	}
	if byID := tenant(t, s, upstream.ByID(got.ID)); !sameTenant(byID, got) {
		t.Errorf("Tenant(ByID) = %+v, want %+v", byID, got)
	}
	if byAlias := tenant(t, s, upstream.ByAlias("example")); !sameTenant(byAlias, got) {
		t.Errorf("Tenant(ByAlias) = %+v, want %+v", byAlias, got)
	}
	other := register(t, s, Request("example2"))
	if other.Owner.ID == got.Owner.ID {
		t.Errorf("two tenants share owner id %s", got.Owner.ID)
	}
}

func testConcurrentRegisterOneAlias(t *testing.T, s upstream.Store) {
	const n = 50
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		ok      []upstream.Tenant
		taken   int
		unknown []error
	)
	for range n {
		wg.Go(func() {
			<-start
			tn, err := s.Register(context.Background(), Request("racing"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok = append(ok, tn)
			case errors.Is(err, upstream.ErrNameTaken):
				taken++
			default:
				unknown = append(unknown, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(ok) != 1 || taken != n-1 || len(unknown) != 0 {
		t.Fatalf("%d successes, %d ErrNameTaken, other errors %v; want 1, %d, none", len(ok), taken, unknown, n-1)
	}
	if got := find(t, s, upstream.PortalQuery{}); !slices.Equal(got, []string{"racing"}) {
		t.Fatalf("stored portals %v, want [racing]", got)
	}
	if got := tenant(t, s, upstream.ByAlias("racing")); got.ID != ok[0].ID {
		t.Fatalf("alias resolves to id %d, the winner has %d", got.ID, ok[0].ID)
	}
}

func testIDsUniqueAndIncreasing(t *testing.T, s upstream.Store) {
	var last int64
	for i := range 5 {
		tn := register(t, s, Request(fmt.Sprintf("serial%d", i)))
		if tn.ID <= last {
			t.Fatalf("id %d after %d: not increasing", tn.ID, last)
		}
		last = tn.ID
	}
	const n = 20
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids = map[int64]string{}
	)
	for i := range n {
		wg.Go(func() {
			tn, err := s.Register(context.Background(), Request(fmt.Sprintf("parallel%d", i)))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if prev, dup := ids[tn.ID]; dup {
				t.Errorf("id %d given to %s and %s", tn.ID, prev, tn.Alias)
			}
			ids[tn.ID] = tn.Alias
		})
	}
	wg.Wait()
	if len(ids) != n {
		t.Fatalf("%d distinct ids for %d registrations", len(ids), n)
	}
	for id, alias := range ids {
		if id <= last {
			t.Errorf("%s got id %d, not above the earlier %d", alias, id, last)
		}
		if got := tenant(t, s, upstream.ByID(id)); got.Alias != alias {
			t.Errorf("id %d holds %q, want %q", id, got.Alias, alias)
		}
	}
	highest := slices.Max(slices.Collect(maps.Keys(ids)))
	if tn := register(t, s, Request("afterwards")); tn.ID <= highest {
		t.Fatalf("id %d after %d: not increasing", tn.ID, highest)
	}
}

func testRemoveRenamesAndFreesName(t *testing.T, s upstream.Store) {
	first := register(t, s, Request("example"))
	before := remove(t, s, upstream.ByAlias("example"))
	if !sameTenant(before, first) {
		t.Fatalf("Remove returned %+v, want the tenant as before %+v", before, first)
	}
	removed := tenant(t, s, upstream.ByID(first.ID))
	if removed.Alias != "example_deleted" || removed.Status != upstream.RemovePending {
		t.Fatalf("after removal: alias %q status %s, want example_deleted RemovePending", removed.Alias, removed.Status)
	}
	if removed.StatusChanged.Before(first.StatusChanged) {
		t.Errorf("StatusChanged went back from %v to %v", first.StatusChanged, removed.StatusChanged)
	}
	if removed.Owner != first.Owner || !removed.Created.Equal(first.Created) {
		t.Errorf("removal changed owner or creation: %+v", removed)
	}

	second := register(t, s, Request("example")) // the name is free again
	if second.ID == first.ID {
		t.Fatal("re-registration reused the removed tenant's id")
	}
	if got := remove(t, s, upstream.ByID(second.ID)); got.Alias != "example" || got.Status != upstream.Active {
		t.Fatalf("Remove returned alias %q status %s, want example Active", got.Alias, got.Status)
	}
	if got := tenant(t, s, upstream.ByID(second.ID)); got.Alias != "example_deleted1" {
		t.Fatalf("second removal renamed to %q, want example_deleted1", got.Alias)
	}

	third := register(t, s, Request("example"))
	remove(t, s, upstream.ByAlias("example"))
	if got := tenant(t, s, upstream.ByID(third.ID)); got.Alias != "example_deleted2" {
		t.Fatalf("third removal renamed to %q, want example_deleted2", got.Alias)
	}
	check, err := s.CheckName(context.Background(), "example", "example")
	if err != nil {
		t.Fatal(err)
	}
	if check.Taken {
		t.Error("example taken after its holders were removed")
	}
	if want := []string{"example_deleted", "example_deleted1", "example_deleted2"}; !slices.Equal(check.Variants, want) {
		t.Errorf("variants %v, want %v", check.Variants, want)
	}
	if got := find(t, s, upstream.PortalQuery{}); len(got) != 0 {
		t.Errorf("removed tenants listed: %v", got)
	}
}

// testRemoveSkipsTakenSuffix covers the collision SPEC 6.3's counting rule allows: the count of
// names starting with alias_deleted points at a name that exists; the rename must still give a
// unique alias.
func testRemoveSkipsTakenSuffix(t *testing.T, s upstream.Store) {
	register(t, s, Request("loop_deleted1")) // one name with the prefix, so N = 1 names a taken alias
	tn := register(t, s, Request("loop"))
	remove(t, s, upstream.ByID(tn.ID))
	if got := tenant(t, s, upstream.ByID(tn.ID)); got.Alias != "loop_deleted2" {
		t.Fatalf("renamed to %q, want loop_deleted2", got.Alias)
	}
	if got := tenant(t, s, upstream.ByAlias("loop_deleted1")); got.ID == tn.ID {
		t.Fatal("loop_deleted1 now resolves to the removed tenant")
	}
}

func testRemoveAnyStatus(t *testing.T, s upstream.Store) {
	tn := register(t, s, Request("suspended"))
	setStatus(t, s, upstream.ByID(tn.ID), upstream.Suspended)
	before := remove(t, s, upstream.ByAlias("suspended"))
	if before.Status != upstream.Suspended {
		t.Fatalf("Remove returned status %s, want the old Suspended", before.Status)
	}
	// A RemovePending tenant is reachable by id; removing it again (a retry) changes nothing:
	// no second rename to suspended_deleted_deleted.
	again := remove(t, s, upstream.ByID(tn.ID))
	if again.Status != upstream.RemovePending || again.Alias != "suspended_deleted" {
		t.Fatalf("second Remove returned %q %s, want suspended_deleted RemovePending", again.Alias, again.Status)
	}
	if got := tenant(t, s, upstream.ByID(tn.ID)); got.Status != upstream.RemovePending || got.Alias != "suspended_deleted" {
		t.Fatalf("after second removal: %q %s", got.Alias, got.Status)
	}
	if check, err := s.CheckName(context.Background(), "suspended", "suspended"); err != nil || len(check.Variants) != 1 {
		t.Fatalf("a retried remove renamed again: variants %v (%v)", check.Variants, err)
	}
	_, err := s.Remove(context.Background(), upstream.ByID(tn.ID+1000))
	wantErr(t, "Remove(unknown id)", err, upstream.ErrNotFound)
	_, err = s.Remove(context.Background(), upstream.ByAlias("suspended"))
	wantErr(t, "Remove(removed alias)", err, upstream.ErrNotFound)
}

func testCheckNameVariants(t *testing.T, s upstream.Store) {
	for _, a := range []string{"alphabet", "alpha2", "beta", "alpha1", "alp", "alpha"} {
		register(t, s, Request(a))
	}
	gone := register(t, s, Request("alpha3"))
	remove(t, s, upstream.ByID(gone.ID))
	setStatus(t, s, upstream.ByAlias("alpha2"), upstream.Suspended)

	tests := []struct {
		alias, prefix string
		taken         bool
		variants      []string
	}{
		{"alpha1", "alpha", true, []string{"alpha", "alpha1", "alpha2", "alpha3_deleted", "alphabet"}},
		{"alpha2", "alpha", true, []string{"alpha", "alpha1", "alpha2", "alpha3_deleted", "alphabet"}}, // suspended holds its name
		{"alpha3", "alpha", false, []string{"alpha", "alpha1", "alpha2", "alpha3_deleted", "alphabet"}},
		{"alpha3_deleted", "alpha3", true, []string{"alpha3_deleted"}},
		{"alphab", "alphab", false, []string{"alphabet"}},
		{"beta", "beta", true, []string{"beta"}},
		{"gamma", "gamma", false, nil},
	}
	for _, tt := range tests {
		got, err := s.CheckName(context.Background(), tt.alias, tt.prefix)
		if err != nil {
			t.Fatalf("CheckName(%q, %q): %v", tt.alias, tt.prefix, err)
		}
		if got.Taken != tt.taken || !slices.Equal(got.Variants, tt.variants) {
			t.Errorf("CheckName(%q, %q) = %v %v, want %v %v", tt.alias, tt.prefix, got.Taken, got.Variants, tt.taken, tt.variants)
		}
	}
}

func testTenantLookup(t *testing.T, s upstream.Store) {
	a := register(t, s, Request("lookup"))
	b := register(t, s, Request("paused"))
	setStatus(t, s, upstream.ByID(b.ID), upstream.Suspended)
	c := register(t, s, Request("removed"))
	remove(t, s, upstream.ByID(c.ID))

	if got := tenant(t, s, upstream.ByID(a.ID)); got.Alias != "lookup" {
		t.Errorf("ByID(%d) = %q", a.ID, got.Alias)
	}
	if got := tenant(t, s, upstream.ByAlias("lookup")); got.ID != a.ID {
		t.Errorf("ByAlias(lookup) = id %d, want %d", got.ID, a.ID)
	}
	if got := tenant(t, s, upstream.ByAlias("paused")); got.ID != b.ID || got.Status != upstream.Suspended {
		t.Errorf("ByAlias(paused) = id %d %s, want %d Suspended", got.ID, got.Status, b.ID)
	}
	if got := tenant(t, s, upstream.ByID(c.ID)); got.Status != upstream.RemovePending || got.Alias != "removed_deleted" {
		t.Errorf("ByID(removed) = %q %s, want removed_deleted RemovePending", got.Alias, got.Status)
	}
	// A removed portal is reachable by id only (SPEC 2A, 6.2), its renamed alias included;
	// restored by id, it is reachable by that alias again.
	if _, err := s.Tenant(context.Background(), upstream.ByAlias("removed_deleted")); !errors.Is(err, upstream.ErrNotFound) {
		t.Errorf("ByAlias(removed_deleted) of a RemovePending tenant: %v, want ErrNotFound", err)
	}
	for _, op := range []func() error{
		func() error {
			_, err := s.SetStatus(context.Background(), upstream.ByAlias("removed_deleted"), upstream.Active)
			return err
		},
		func() error {
			_, _, err := s.Tariff(context.Background(), upstream.ByAlias("removed_deleted"))
			return err
		},
		func() error {
			_, err := s.Remove(context.Background(), upstream.ByAlias("removed_deleted"))
			return err
		},
		func() error {
			_, err := s.SaveSetting(context.Background(), upstream.ByAlias("removed_deleted"), "k", "v")
			return err
		},
	} {
		if err := op(); !errors.Is(err, upstream.ErrNotFound) {
			t.Errorf("an operation by the renamed alias of a removed portal: %v, want ErrNotFound", err)
		}
	}
	setStatus(t, s, upstream.ByID(c.ID), upstream.Active)
	if got := tenant(t, s, upstream.ByAlias("removed_deleted")); got.ID != c.ID {
		t.Errorf("restored: ByAlias(removed_deleted) = id %d, want %d", got.ID, c.ID)
	}
	setStatus(t, s, upstream.ByID(c.ID), upstream.RemovePending)
	// tenantId wins over the alias when both are given.
	if got := tenant(t, s, upstream.Selector{ID: b.ID, HasID: true, Alias: "lookup"}); got.ID != b.ID {
		t.Errorf("selector with id %d and alias lookup found id %d", b.ID, got.ID)
	}
	for _, sel := range []upstream.Selector{
		upstream.ByAlias("removed"),
		upstream.ByAlias("nosuchportal"),
		upstream.ByID(c.ID + 1000),
		upstream.ByID(0),
		upstream.ByID(upstream.GlobalScope),
		{},
		{ID: a.ID}, // an id without HasID selects by the empty alias
	} {
		_, err := s.Tenant(context.Background(), sel)
		wantErr(t, fmt.Sprintf("Tenant(%+v)", sel), err, upstream.ErrNotFound)
	}
}

func testFindPortalsByEmail(t *testing.T, s upstream.Store) {
	req := Request("tagged")
	req.Tenant.Owner.Email = "Owner+Tag@Example.com"
	tagged := register(t, s, req)
	req = Request("plain")
	req.Tenant.Owner.Email = "owner@example.com"
	plain := register(t, s, req)
	req = Request("second")
	req.Tenant.Owner.Email = "OWNER+tag@example.COM"
	register(t, s, req)
	req = Request("hidden")
	req.Tenant.Owner.Email = "owner+tag@example.com"
	hidden := register(t, s, req)
	setStatus(t, s, upstream.ByID(hidden.ID), upstream.Suspended)
	req = Request("gone")
	req.Tenant.Owner.Email = "owner+tag@example.com"
	gone := register(t, s, req)
	remove(t, s, upstream.ByID(gone.ID))

	tests := []struct {
		email string
		want  []string
	}{
		{"owner+tag@example.com", []string{"tagged", "second"}},
		{"OWNER+TAG@EXAMPLE.COM", []string{"tagged", "second"}},
		{"Owner+Tag@Example.com", []string{"tagged", "second"}},
		{"owner@example.com", []string{"plain"}},
		{"owner", nil},
		{"ownertag@example.com", nil},
		{"owner+tag@example.co", nil},
		{"owner+tag@example.com.evil", nil},
		{"nobody@example.com", nil},
	}
	for _, tt := range tests {
		if got := find(t, s, upstream.PortalQuery{Email: tt.email}); !slices.Equal(got, tt.want) {
			t.Errorf("FindPortals(Email %q) = %v, want %v", tt.email, got, tt.want)
		}
	}

	if got := find(t, s, upstream.PortalQuery{OwnerID: tagged.Owner.ID}); !slices.Equal(got, []string{"tagged"}) {
		t.Errorf("FindPortals(OwnerID) = %v, want [tagged]", got)
	}
	if got := find(t, s, upstream.PortalQuery{OwnerID: strings.ToUpper(plain.Owner.ID)}); !slices.Equal(got, []string{"plain"}) {
		t.Errorf("FindPortals(upper-case OwnerID) = %v, want [plain]", got)
	}
	if got := find(t, s, upstream.PortalQuery{OwnerID: hidden.Owner.ID}); len(got) != 0 {
		t.Errorf("FindPortals(suspended owner's id) = %v, want none", got)
	}
	if got := find(t, s, upstream.PortalQuery{OwnerID: uuid.NewString()}); len(got) != 0 {
		t.Errorf("FindPortals(unknown OwnerID) = %v, want none", got)
	}
}

func testFindPortalsUnion(t *testing.T, s upstream.Store) {
	a := register(t, s, Request("first"))
	b := register(t, s, Request("second"))
	c := register(t, s, Request("third"))
	d := register(t, s, Request("fourth"))
	setStatus(t, s, upstream.ByID(d.ID), upstream.Suspended)
	e := register(t, s, Request("fifth"))
	remove(t, s, upstream.ByID(e.ID))

	found, err := s.FindPortals(context.Background(), upstream.PortalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if found == nil {
		t.Error("FindPortals returned nil; want an empty or filled slice so it encodes as a JSON array")
	}
	tests := []struct {
		name string
		q    upstream.PortalQuery
		want []string
	}{
		{"empty query lists every Active", upstream.PortalQuery{}, []string{"first", "second", "third"}},
		{"alias", upstream.PortalQuery{Alias: "second"}, []string{"second"}},
		{"id", upstream.PortalQuery{ID: c.ID, HasID: true}, []string{"third"}},
		{"union ordered by id", upstream.PortalQuery{Email: "third@example.com", Alias: "first", ID: b.ID, HasID: true},
			[]string{"first", "second", "third"}},
		{"de-duplicated", upstream.PortalQuery{Email: "first@example.com", OwnerID: a.Owner.ID, Alias: "first", ID: a.ID, HasID: true},
			[]string{"first"}},
		{"suspended filtered out", upstream.PortalQuery{Alias: "fourth", ID: d.ID, HasID: true, Email: "fourth@example.com"}, nil},
		{"suspended dropped from a union", upstream.PortalQuery{Alias: "fourth", ID: b.ID, HasID: true}, []string{"second"}},
		{"removed by id filtered out", upstream.PortalQuery{ID: e.ID, HasID: true}, nil},
		{"removed by its e-mail filtered out", upstream.PortalQuery{Email: "fifth@example.com"}, nil},
		{"unknown names nothing", upstream.PortalQuery{Alias: "nosuchportal", ID: e.ID + 1000, HasID: true}, nil},
		{"id 0 is a selector, not 'no id'", upstream.PortalQuery{ID: 0, HasID: true}, nil},
	}
	for _, tt := range tests {
		if got := find(t, s, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: FindPortals(%+v) = %v, want %v", tt.name, tt.q, got, tt.want)
		}
	}
}

func testSetStatus(t *testing.T, s upstream.Store) {
	tn := register(t, s, Request("toggle"))
	suspended := setStatus(t, s, upstream.ByAlias("toggle"), upstream.Suspended)
	if suspended.ID != tn.ID || suspended.Alias != "toggle" || suspended.StatusChanged.Before(tn.StatusChanged) {
		t.Errorf("SetStatus returned %+v", suspended)
	}
	if got := tenant(t, s, upstream.ByID(tn.ID)); !sameTenant(got, suspended) {
		t.Errorf("re-read %+v, want %+v", got, suspended)
	}
	if got := find(t, s, upstream.PortalQuery{}); len(got) != 0 {
		t.Errorf("suspended tenant listed: %v", got)
	}
	active := setStatus(t, s, upstream.ByAlias("toggle"), upstream.Active)
	if active.StatusChanged.Before(suspended.StatusChanged) {
		t.Errorf("StatusChanged went back from %v to %v", suspended.StatusChanged, active.StatusChanged)
	}
	if got := find(t, s, upstream.PortalQuery{}); !slices.Equal(got, []string{"toggle"}) {
		t.Errorf("listed %v after reactivation, want [toggle]", got)
	}

	// A removed tenant can be brought back by id; it keeps its _deleted alias (SPEC 6.3).
	remove(t, s, upstream.ByID(tn.ID))
	back := setStatus(t, s, upstream.ByID(tn.ID), upstream.Active)
	if back.Alias != "toggle_deleted" {
		t.Errorf("reactivated tenant has alias %q, want toggle_deleted", back.Alias)
	}
	if got := find(t, s, upstream.PortalQuery{}); !slices.Equal(got, []string{"toggle_deleted"}) {
		t.Errorf("listed %v, want [toggle_deleted]", got)
	}

	_, err := s.SetStatus(context.Background(), upstream.ByAlias("toggle"), upstream.Active)
	wantErr(t, "SetStatus(removed alias)", err, upstream.ErrNotFound)
	_, err = s.SetStatus(context.Background(), upstream.ByID(tn.ID+1000), upstream.Active)
	wantErr(t, "SetStatus(unknown id)", err, upstream.ErrNotFound)
}

func testTariff(t *testing.T, s upstream.Store) {
	ctx := context.Background()
	tn := register(t, s, Request("tariffed"))
	gotTenant, q, err := s.Tariff(ctx, upstream.ByAlias("tariffed"))
	if err != nil {
		t.Fatal(err)
	}
	if gotTenant.ID != tn.ID || !sameQuota(q, upstream.DefaultQuota()) {
		t.Fatalf("Tariff = tenant %d %+v, want %d %+v", gotTenant.ID, q, tn.ID, upstream.DefaultQuota())
	}

	// SetTariff takes the quota as asked for and normalises it once (SPEC 7.2).
	due := time.Date(2031, 7, 13, 0, 0, 0, 0, time.UTC)
	asked := upstream.Quota{ActiveUsers: 25, DueDate: due, Features: "whitelabel,portals:5", MaxFileSize: 1500000, MaxTotalSize: 1099511627776}
	want := upstream.NormalizeQuota(25, due, "whitelabel,portals:5", 1500000, 1099511627776)
	gotTenant, q, err = s.SetTariff(ctx, upstream.ByID(tn.ID), asked)
	if err != nil {
		t.Fatal(err)
	}
	if gotTenant.ID != tn.ID || !sameQuota(q, want) {
		t.Fatalf("SetTariff = tenant %d %+v, want %d %+v", gotTenant.ID, q, tn.ID, want)
	}
	if q.MaxFileSize != 1048576 || q.MaxTotalSize != 1099511627776 || !q.DueDate.Equal(due) {
		t.Fatalf("SetTariff stored %+v", q)
	}
	if _, q, err = s.Tariff(ctx, upstream.ByID(tn.ID)); err != nil || !sameQuota(q, want) {
		t.Fatalf("Tariff after set = %+v, %v; want %+v", q, err, want)
	}

	// tariff/set replaces the quota as a whole: a second set with defaults forgets the first.
	if _, q, err = s.SetTariff(ctx, upstream.ByAlias("tariffed"), upstream.Quota{}); err != nil {
		t.Fatal(err)
	}
	if !sameQuota(q, upstream.DefaultQuota()) {
		t.Fatalf("second SetTariff = %+v, want defaults %+v", q, upstream.DefaultQuota())
	}
	// A size under 1 MiB truncates to 0 and reads back as 0, not as the default: normalised
	// exactly once.
	if _, q, err = s.SetTariff(ctx, upstream.ByAlias("tariffed"), upstream.Quota{MaxTotalSize: 1000}); err != nil {
		t.Fatal(err)
	}
	if q.MaxTotalSize != 0 || q.MaxFileSize != 1073741824 {
		t.Fatalf("SetTariff(maxTotalSize 1000) = %+v, want maxTotalSize 0", q)
	}
	if _, _, err = s.SetTariff(ctx, upstream.ByAlias("tariffed"), upstream.Quota{}); err != nil {
		t.Fatal(err)
	}

	// Any status: a suspended tenant by alias, a removed one by id; quotas stay per tenant.
	other := register(t, s, Request("othertariff"))
	setStatus(t, s, upstream.ByID(other.ID), upstream.Suspended)
	if _, q, err = s.SetTariff(ctx, upstream.ByAlias("othertariff"), asked); err != nil || !sameQuota(q, want) {
		t.Fatalf("SetTariff(suspended) = %+v, %v", q, err)
	}
	remove(t, s, upstream.ByID(other.ID))
	if _, q, err = s.Tariff(ctx, upstream.ByID(other.ID)); err != nil || !sameQuota(q, want) {
		t.Fatalf("Tariff(removed by id) = %+v, %v; want %+v", q, err, want)
	}
	if _, q, err = s.Tariff(ctx, upstream.ByID(tn.ID)); err != nil || !sameQuota(q, upstream.DefaultQuota()) {
		t.Fatalf("Tariff of the first tenant changed to %+v, %v", q, err)
	}

	_, _, err = s.Tariff(ctx, upstream.ByAlias("nosuchportal"))
	wantErr(t, "Tariff(unknown)", err, upstream.ErrNotFound)
	_, _, err = s.SetTariff(ctx, upstream.ByID(other.ID+1000), asked)
	wantErr(t, "SetTariff(unknown)", err, upstream.ErrNotFound)
	_, _, err = s.SetTariff(ctx, upstream.ByAlias("othertariff"), asked)
	wantErr(t, "SetTariff(removed alias)", err, upstream.ErrNotFound)
}

func testSettings(t *testing.T, s upstream.Store) {
	ctx := context.Background()
	tn := register(t, s, Request("configured"))
	global := upstream.ByID(upstream.GlobalScope)

	if v, ok, err := s.Setting(ctx, global, "web.portal-name"); err != nil || ok || v != "" {
		t.Fatalf("unset global setting = %q %v %v, want \"\" false nil", v, ok, err)
	}
	if v, err := s.SaveSetting(ctx, global, "web.portal-name", "Global Office"); err != nil || v != "Global Office" {
		t.Fatalf("SaveSetting(global) = %q, %v", v, err)
	}
	if v, err := s.SaveSetting(ctx, upstream.ByAlias("configured"), "web.portal-name", "Tenant Office"); err != nil || v != "Tenant Office" {
		t.Fatalf("SaveSetting(tenant) = %q, %v", v, err)
	}
	check := func(sel upstream.Selector, key, want string, wantOK bool) {
		t.Helper()
		v, ok, err := s.Setting(ctx, sel, key)
		if err != nil || ok != wantOK || v != want {
			t.Errorf("Setting(%+v, %q) = %q %v %v, want %q %v", sel, key, v, ok, err, want, wantOK)
		}
	}
	check(global, "web.portal-name", "Global Office", true)
	check(upstream.ByID(tn.ID), "web.portal-name", "Tenant Office", true)
	check(upstream.ByAlias("configured"), "web.portal-name", "Tenant Office", true)
	check(upstream.ByID(tn.ID), "web.portal-name2", "", false)
	check(upstream.ByID(tn.ID), "web.portal-nam", "", false)

	// Overwrite, and a value with JSON-ish and non-ASCII content comes back byte for byte.
	const odd = `{"a":[1,2]} äöü ∑ ` + "\t\n"
	if v, err := s.SaveSetting(ctx, upstream.ByID(tn.ID), "web.portal-name", odd); err != nil || v != odd {
		t.Fatalf("SaveSetting(overwrite) = %q, %v", v, err)
	}
	check(upstream.ByID(tn.ID), "web.portal-name", odd, true)
	check(global, "web.portal-name", "Global Office", true)

	// Settings reach a tenant in any status, removed ones by id.
	remove(t, s, upstream.ByID(tn.ID))
	check(upstream.ByID(tn.ID), "web.portal-name", odd, true)

	for _, sel := range []upstream.Selector{upstream.ByAlias("configured"), upstream.ByAlias("nosuchportal"), upstream.ByID(tn.ID + 1000), upstream.ByID(-2)} {
		_, _, err := s.Setting(ctx, sel, "k")
		wantErr(t, fmt.Sprintf("Setting(%+v)", sel), err, upstream.ErrNotFound)
		_, err = s.SaveSetting(ctx, sel, "k", "v")
		wantErr(t, fmt.Sprintf("SaveSetting(%+v)", sel), err, upstream.ErrNotFound)
	}
	check(global, "k", "", false)
}

func testPortalLimit(t *testing.T, s upstream.Store) {
	ctx := context.Background()
	limited := func(alias string) upstream.RegisterRequest {
		req := Request(alias)
		req.MaxActive = 2
		return req
	}
	register(t, s, limited("limit1"))
	second := register(t, s, limited("limit2"))
	_, err := s.Register(ctx, limited("limit3"))
	wantErr(t, "third registration with MaxActive 2", err, upstream.ErrPortalLimit)
	// The name check comes before the limit, as in SPEC 2A.2.
	_, err = s.Register(ctx, limited("limit1"))
	wantErr(t, "taken name at the limit", err, upstream.ErrNameTaken)
	// MaxActive 0 means no limit.
	unlimited := register(t, s, Request("limit3"))

	// Three Active now; only Active tenants count.
	setStatus(t, s, upstream.ByID(unlimited.ID), upstream.Suspended)
	_, err = s.Register(ctx, limited("limit4"))
	wantErr(t, "two Active, MaxActive 2", err, upstream.ErrPortalLimit)
	remove(t, s, upstream.ByID(second.ID))
	fourth := register(t, s, limited("limit4"))
	_, err = s.Register(ctx, limited("limit5"))
	wantErr(t, "limit reached again", err, upstream.ErrPortalLimit)
	setStatus(t, s, upstream.ByID(fourth.ID), upstream.Suspended)
	register(t, s, limited("limit5"))

	// Bringing tenants back counts them again: three Active with a removed one restored.
	setStatus(t, s, upstream.ByID(second.ID), upstream.Active)
	req := limited("limit6")
	req.MaxActive = 3
	_, err = s.Register(ctx, req)
	wantErr(t, "three Active, MaxActive 3", err, upstream.ErrPortalLimit)
	req.MaxActive = 4
	register(t, s, req)
	if got := find(t, s, upstream.PortalQuery{}); len(got) != 4 {
		t.Fatalf("Active tenants %v, want 4", got)
	}
}

func testPortalLimitConcurrent(t *testing.T, s upstream.Store) {
	const n, limit = 20, 5
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		ok      int
		limited int
		unknown []error
	)
	for i := range n {
		wg.Go(func() {
			req := Request(fmt.Sprintf("crowd%02d", i))
			req.MaxActive = limit
			<-start
			_, err := s.Register(context.Background(), req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, upstream.ErrPortalLimit):
				limited++
			default:
				unknown = append(unknown, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok != limit || limited != n-limit || len(unknown) != 0 {
		t.Fatalf("%d successes, %d ErrPortalLimit, other errors %v; want %d, %d, none", ok, limited, unknown, limit, n-limit)
	}
	if got := find(t, s, upstream.PortalQuery{}); len(got) != limit {
		t.Fatalf("Active tenants %v, want %d", got, limit)
	}
}

// testPasswordHashed is the one subtest that hashes (argon2 is slow under -race): three
// successful registrations with a password and three refused ones, which must cost no hash.
func testPasswordHashed(t *testing.T, s upstream.Store) {
	ctx := context.Background()
	const secret = "Sekr3t-Plaintext-Passw0rd"
	req := Request("secured")
	req.Password = secret
	tn := register(t, s, req)

	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(tn.Owner.PasswordHash, prefix) {
		t.Fatalf("PasswordHash %q is not argon2id with the default parameters", tn.Owner.PasswordHash)
	}
	if !upstream.VerifyPassword(tn.Owner.PasswordHash, secret) {
		t.Fatal("stored hash does not verify the password")
	}
	if upstream.VerifyPassword(tn.Owner.PasswordHash, "Sekr3t-Plaintext-Passw0rD") {
		t.Fatal("stored hash verifies a wrong password")
	}
	stored := tenant(t, s, upstream.ByID(tn.ID))
	if stored.Owner.PasswordHash != tn.Owner.PasswordHash {
		t.Fatalf("re-read hash %q, registered %q", stored.Owner.PasswordHash, tn.Owner.PasswordHash)
	}
	found, err := s.FindPortals(ctx, upstream.PortalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{tn, stored, found} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Fatalf("plaintext password in tenant JSON %s", b)
		}
	}

	// Same password, new salt: the hashes differ.
	req = Request("secured2")
	req.Password = secret
	if tn2 := register(t, s, req); tn2.Owner.PasswordHash == tn.Owner.PasswordHash {
		t.Fatal("two registrations with one password share a hash")
	}

	// The failures that can carry a password never show it.
	leaks := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err)} {
			if strings.Contains(text, secret) {
				t.Fatalf("%s: error shows the password: %s", what, text)
			}
		}
	}
	req = Request("secured")
	req.Password = secret
	_, err = s.Register(ctx, req)
	wantErr(t, "duplicate with password", err, upstream.ErrNameTaken)
	leaks("duplicate with password", err)

	req = Request("secured3")
	req.Password = secret
	req.MaxActive = 2
	_, err = s.Register(ctx, req)
	wantErr(t, "over the limit with password", err, upstream.ErrPortalLimit)
	leaks("over the limit with password", err)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	req.MaxActive = 0
	_, err = s.Register(canceled, req)
	wantErr(t, "canceled with password", err, context.Canceled)
	leaks("canceled with password", err)

}

func testContextCanceled(t *testing.T, s upstream.Store) {
	register(t, s, Request("existing"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Register(ctx, Request("canceled"))
	wantErr(t, "Register", err, context.Canceled)
	if check, err := s.CheckName(context.Background(), "canceled", "canceled"); err != nil || check.Taken {
		t.Fatalf("a canceled registration was stored: %+v, %v", check, err)
	}
	_, err = s.CheckName(ctx, "existing", "existing")
	wantErr(t, "CheckName", err, context.Canceled)
	_, err = s.Tenant(ctx, upstream.ByAlias("existing"))
	wantErr(t, "Tenant", err, context.Canceled)
	_, err = s.FindPortals(ctx, upstream.PortalQuery{})
	wantErr(t, "FindPortals", err, context.Canceled)
	_, err = s.SetStatus(ctx, upstream.ByAlias("existing"), upstream.Suspended)
	wantErr(t, "SetStatus", err, context.Canceled)
	_, err = s.Remove(ctx, upstream.ByAlias("existing"))
	wantErr(t, "Remove", err, context.Canceled)
	if got := tenant(t, s, upstream.ByAlias("existing")); got.Status != upstream.Active {
		t.Fatalf("a canceled status change or removal was applied: %s", got.Status)
	}
}

func testClose(t *testing.T, s upstream.Store) {
	ctx := context.Background()
	tn := register(t, s, Request("closing"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	sel := upstream.ByID(tn.ID)
	_, err := s.Register(ctx, Request("afterclose"))
	wantErr(t, "Register", err, upstream.ErrClosed)
	_, err = s.CheckName(ctx, "closing", "closing")
	wantErr(t, "CheckName", err, upstream.ErrClosed)
	_, err = s.Tenant(ctx, sel)
	wantErr(t, "Tenant", err, upstream.ErrClosed)
	_, err = s.FindPortals(ctx, upstream.PortalQuery{})
	wantErr(t, "FindPortals", err, upstream.ErrClosed)
	_, err = s.SetStatus(ctx, sel, upstream.Suspended)
	wantErr(t, "SetStatus", err, upstream.ErrClosed)
	_, err = s.Remove(ctx, sel)
	wantErr(t, "Remove", err, upstream.ErrClosed)
	_, _, err = s.Tariff(ctx, sel)
	wantErr(t, "Tariff", err, upstream.ErrClosed)
	_, _, err = s.SetTariff(ctx, sel, upstream.DefaultQuota())
	wantErr(t, "SetTariff", err, upstream.ErrClosed)
	_, _, err = s.Setting(ctx, upstream.ByID(upstream.GlobalScope), "k")
	wantErr(t, "Setting", err, upstream.ErrClosed)
	_, err = s.SaveSetting(ctx, upstream.ByID(upstream.GlobalScope), "k", "v")
	wantErr(t, "SaveSetting", err, upstream.ErrClosed)
}
