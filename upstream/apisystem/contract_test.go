package apisystem

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/api"
	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/bolt"
	"github.com/hostedgate/hostedgate/upstream/storetest"
	"github.com/hostedgate/hostedgate/validate"
)

// newUpstream starts an in-process ApiSystem: hostedgate's own API over a fresh bolt store,
// serving SPEC 2A under /api with the upstream's machine key. It trusts X-Forwarded-For and
// X-Forwarded-Proto, as an ApiSystem behind hostedgate would.
func newUpstream(t *testing.T, mod func(*api.Config)) *httptest.Server {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "upstream.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	verifier, err := auth.NewVerifier(auth.Config{Keys: []string{upstreamKey}})
	if err != nil {
		t.Fatal(err)
	}
	// The contract's fixtures use names as short as "alp" and the renamed "loop_deleted1";
	// which names an upstream accepts is its own business, not the forwarding store's.
	names, err := validate.PortalNameRules{MinLength: 3, Pattern: `^[a-z0-9][a-z0-9_-]*[a-z0-9]$`, Reserved: []string{}}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	people, err := validate.NewNames("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{Store: store, Verifier: verifier, PortalNames: names, Names: people,
		Password: validate.DefaultPasswordPolicy(), BaseDomain: "example.com", ReferenceKey: upstreamKey, MaxBodyBytes: 1 << 16}
	if mod != nil {
		mod(&cfg)
	}
	h, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, found := strings.CutPrefix(r.URL.EscapedPath(), "/api")
		ep, ok := api.Resolve(rest)
		if !found || !ok {
			h.NotFound(w, r)
			return
		}
		scheme := r.Header.Get("X-Forwarded-Proto")
		if scheme == "" {
			scheme = "http"
		}
		h.Serve(w, r, ep, api.Client{IP: r.Header.Get("X-Forwarded-For"), Scheme: scheme})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func openForwarding(t *testing.T, srv *httptest.Server) *Store {
	t.Helper()
	s, err := New(Config{Doer: srv.Client(), BaseURL: srv.URL, MachineKey: upstreamKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestContract runs the store contract through the wire. The skipped subtests check what the
// SPEC 2A answers cannot carry; TestEndToEnd covers the parts of them that do hold.
func TestContract(t *testing.T) {
	storetest.RunExcept(t, func(t *testing.T) upstream.Store { return openForwarding(t, newUpstream(t, nil)) },
		// The tenant object has no owner name, e-mail or phone, no marketing flags, no zone id
		// (only its display name) and no status-change time, so the registered tenant cannot
		// equal the request; and Register's answer carries the confirmation links, which no
		// later read has.
		"RegisterAssignsFields",
		// Compares Register's result with Remove's (the links again), and ends with the
		// variants of a free name: validateportalname names variants only when the name is
		// taken (SPEC 2A.5).
		"RemoveRenamesAndFreesName",
		// Ends with the variants of the freed name, which the wire does not carry either.
		"RemoveAnyStatus",
		// Asks for the variants of free names ("alpha3", "alphab"), which the wire does not
		// carry for the same reason.
		"CheckNameVariants",
		// Sets RemovePending through SetStatus; portal/status turns every status but Active
		// into Suspended (SPEC 2A.4), so no removed tenant can be put back in that state.
		"TenantLookup",
		// RegisterRequest.MaxActive is not on the wire: the upstream's own limit applies, and
		// its portalsCountTooMuch is ErrPortalLimit (TestEndToEnd).
		"PortalLimit",
		"PortalLimitConcurrent",
		// The upstream hashes the password and no answer returns a hash; that the password
		// reaches the upstream body and no error is TestRequests' and TestAnswers' business.
		"PasswordHashed",
	)
}

// TestEndToEnd: what the skipped subtests check that does hold through the wire, and the
// edge mode itself: hostedgate's API over this store over an upstream ApiSystem.
func TestEndToEnd(t *testing.T) {
	ctx := withOrigin()
	s := openForwarding(t, newUpstream(t, func(c *api.Config) { c.MaxPortals = 2 }))

	req := storetest.Request("example")
	req.Password = secret
	req.LanguageKey, req.TimeZoneName = "de", "W. Europe Standard Time"
	first, err := s.Register(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if up := first.Upstream; up == nil ||
		!strings.HasPrefix(up.Reference, "https://example.example.com/confirm.aspx?type=Auth&key=") ||
		up.ReferenceWelcome == nil || !strings.HasPrefix(*up.ReferenceWelcome, "https://example.example.com/api/2.0/portal/sendcongratulations?userid="+first.Owner.ID) ||
		up.TimeZoneName != "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna" {
		t.Fatalf("Upstream view %+v: want the upstream's https links and zone name", first.Upstream)
	}
	if first.Language != "de-DE" || first.Domain != "example.example.com" || first.Status != upstream.Active {
		t.Fatalf("registered %+v", first)
	}
	reread, err := s.Tenant(ctx, upstream.ByAlias("example"))
	if err != nil {
		t.Fatal(err)
	}
	withoutLinks := *first.Upstream
	withoutLinks.Reference, withoutLinks.ReferenceWelcome = "", nil
	want := first
	want.Upstream = &withoutLinks
	if !reflect.DeepEqual(reread, want) {
		t.Fatalf("re-read %+v\nwant %+v", reread, want)
	}

	if _, err := s.Register(ctx, req); !errors.Is(err, upstream.ErrNameTaken) {
		t.Fatalf("duplicate: %v, want ErrNameTaken", err)
	}
	if _, err := s.Register(ctx, storetest.Request("example2")); err != nil {
		t.Fatal(err)
	}
	check, err := s.CheckName(ctx, "example2", "ignored")
	if err != nil || !check.Taken || !slices.Equal(check.Variants, []string{"example", "example2"}) {
		t.Fatalf("CheckName(example2) = %+v, %v", check, err)
	}

	// Soft delete: renamed, reachable by id only, the name free again.
	before, err := s.Remove(ctx, upstream.ByAlias("example"))
	if err != nil || before.Alias != "example" || before.Status != upstream.Active {
		t.Fatalf("Remove = %+v, %v", before, err)
	}
	removed, err := s.Tenant(ctx, upstream.ByID(first.ID))
	if err != nil || removed.Alias != "example_deleted" || removed.Status != upstream.RemovePending {
		t.Fatalf("removed tenant %+v, %v", removed, err)
	}
	for _, sel := range []upstream.Selector{upstream.ByAlias("example_deleted"), upstream.ByAlias("example"),
		upstream.ByID(first.ID + 1000), upstream.ByID(0), upstream.ByID(upstream.GlobalScope), {}, {ID: first.ID}} {
		if _, err := s.Tenant(ctx, sel); !errors.Is(err, upstream.ErrNotFound) {
			t.Errorf("Tenant(%+v): %v, want ErrNotFound", sel, err)
		}
	}
	if check, err := s.CheckName(ctx, "example", "example"); err != nil || check.Taken {
		t.Fatalf("CheckName(example) after removal = %+v, %v", check, err)
	}
	if _, err := s.Remove(ctx, upstream.ByID(first.ID)); err != nil {
		t.Fatalf("a retried remove: %v", err)
	}
	if got, err := s.Tenant(ctx, upstream.ByID(first.ID)); err != nil || got.Alias != "example_deleted" {
		t.Fatalf("a retried remove renamed again: %+v, %v", got, err)
	}

	// The upstream's limit (MaxPortals 2, one Active now) and its own refusals reach the caller.
	if _, err := s.Register(ctx, storetest.Request("third")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, storetest.Request("fourth")); !errors.Is(err, upstream.ErrPortalLimit) {
		t.Fatalf("over the upstream's limit: %v, want ErrPortalLimit", err)
	}
	weak := storetest.Request("weakpassword")
	weak.Password = "short"
	_, err = s.Register(ctx, weak)
	var up *upstream.UpstreamError
	if !errors.As(err, &up) || up.Status != 400 || up.Code != "passPolicyError" {
		t.Fatalf("weak password: %v, want the upstream's passPolicyError", err)
	}
}

// TestEdgeMode serves requests through hostedgate's API configured with this store, as the
// root handler does in edge mode: the caller's token is checked against hostedgate's own key,
// the upstream's answers come through as the upstream gave them.
func TestEdgeMode(t *testing.T) {
	srv := newUpstream(t, func(c *api.Config) {
		c.Password = validate.PasswordPolicy{MinLength: 12, MaxLength: 120} // stricter than the edge
	})
	s := openForwarding(t, srv)
	verifier, err := auth.NewVerifier(auth.Config{Keys: []string{edgeKey}})
	if err != nil {
		t.Fatal(err)
	}
	names, err := validate.PortalNameRules{}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	people, err := validate.NewNames("")
	if err != nil {
		t.Fatal(err)
	}
	edge, err := api.New(api.Config{Store: s, Verifier: verifier, PortalNames: names, Names: people,
		Password: validate.DefaultPasswordPolicy(), BaseDomain: "edge.example.net", ReferenceKey: edgeKey, MaxBodyBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", auth.Sign(edgeKey, "caller", time.Now(), auth.URLToken))
		w := httptest.NewRecorder()
		ep, _ := api.Resolve(strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/api"))
		edge.Serve(w, r, ep, api.Client{IP: clientIP, Scheme: "https"})
		return w
	}

	const body = `{"portalName":"edgeportal","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","language":"de"`
	w := serve("POST", "/api/portal/register", body+`,"password":"Passw0rd-long"}`)
	var reg struct {
		Reference string `json:"reference"`
		Tenant    struct {
			Domain       string `json:"domain"`
			TimeZoneName string `json:"timeZoneName"`
			Language     string `json:"language"`
		} `json:"tenant"`
		ReferenceWelcome *string `json:"referenceWelcome"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &reg); w.Code != 200 || err != nil {
		t.Fatalf("register: %d %s", w.Code, w.Body)
	}
	// The links and the domain are the upstream's, signed with its key, for the client's scheme.
	if !strings.HasPrefix(reg.Reference, "https://edgeportal.example.com/confirm.aspx?type=Auth&key=") ||
		reg.ReferenceWelcome == nil || reg.Tenant.Domain != "edgeportal.example.com" ||
		reg.Tenant.TimeZoneName != "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna" || reg.Tenant.Language != "de-DE" {
		t.Fatalf("register answer %s", w.Body)
	}

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"the upstream's stricter password policy", "POST", "/api/portal/register", body + `,"portalName":"other1","password":"Passw0rd-1"}`,
			400, `{"error":"passPolicyError","message":"Password is incorrect"}`},
		{"a taken name", "POST", "/api/portal/validateportalname", `{"portalName":"edgeportal"}`,
			400, `{"error":"portalNameExist","message":"Portal already exists","variants":["edgeportal"]}`},
		{"not found", "GET", "/api/tariff/get?portalName=nosuchportal", "",
			400, `{"error":"portalNameNotFound","message":"Portal not found"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(tc.method, tc.path, tc.body)
			if w.Code != tc.status || !sameJSON(w.Body.Bytes(), []byte(tc.want)) {
				t.Fatalf("%d %s\nwant %d %s", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}

	// An upstream that refuses hostedgate's token is a broken dependency, not the caller's
	// authorization failure.
	wrongKey, err := New(Config{Doer: srv.Client(), BaseURL: srv.URL, MachineKey: edgeKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrongKey.Tenant(context.Background(), upstream.ByAlias("edgeportal"))
	if err == nil || !strings.Contains(err.Error(), "refused hostedgate's token") {
		t.Fatalf("wrong upstream key: %v", err)
	}
	var up *upstream.UpstreamError
	if errors.As(err, &up) {
		t.Fatalf("a refused token passes on as %#v", up)
	}
}
