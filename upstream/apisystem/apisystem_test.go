package apisystem

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/upstream"
)

const (
	upstreamKey = "upstream-machine-key"
	edgeKey     = "edge-machine-key" // hostedgate's own key, which the upstream must not accept
	secret      = "Sekr3t-Plaintext-Passw0rd"
	clientIP    = "198.51.100.7"
	ownerID     = "be7bc931-b966-493e-a8b5-56fc7d21f9c8"
	partnerID   = "0f3a3c4e-7a51-4c1e-9a4b-2f3d9e8b1c77"
	berlin      = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
)

var clock = time.Date(2026, 5, 1, 10, 20, 30, 0, time.UTC)

// tenantJSON is a tenant object as the Workspace ApiSystem writes it (SPEC 6.1).
func tenantJSON(id int64, alias, status string) string {
	return fmt.Sprintf(`{"created":"2024-05-01T10:20:30.1234567Z","domain":"%[2]s.onlyoffice.eu","hostedRegion":null,`+
		`"industry":10,"language":"de-DE","name":"Cloud Office Applications","ownerId":"%[4]s","partnerId":null,`+
		`"paymentId":null,"portalName":"%[2]s","status":"%[3]s","tenantId":%[1]d,"timeZoneName":"%[5]s"}`,
		id, alias, status, ownerID, berlin)
}

// wantTenant is what tenantJSON parses to.
func wantTenant(id int64, alias string, status upstream.Status) upstream.Tenant {
	return upstream.Tenant{
		ID:       id,
		Alias:    alias,
		Domain:   alias + ".onlyoffice.eu",
		Industry: 10,
		Language: "de-DE",
		Name:     "Cloud Office Applications",
		Status:   status,
		Created:  time.Date(2024, 5, 1, 10, 20, 30, 123456700, time.UTC),
		Owner:    upstream.Owner{ID: ownerID},
		Upstream: &upstream.UpstreamView{TimeZoneName: berlin},
	}
}

const tariffJSON = `{"activeUsers":25,"dueDate":"2031-07-13T00:00:00","features":"whitelabel,portals:5",` +
	`"maxFileSize":1048576,"maxTotalSize":1099511627776,"state":1}`

var wantQuota = upstream.Quota{ActiveUsers: 25, DueDate: time.Date(2031, 7, 13, 0, 0, 0, 0, time.UTC),
	Features: "whitelabel,portals:5", MaxFileSize: 1048576, MaxTotalSize: 1099511627776}

// canned is one answer of the fake ApiSystem.
type canned struct {
	status      int
	contentType string // default application/json; charset=utf-8
	body        string
}

func ok(body string) canned { return canned{status: 200, body: body} }

type recorded struct {
	method, path string
	query        url.Values
	header       http.Header
	body         []byte
}

// fakeAPISystem records every request and answers them with its canned answers in order,
// repeating the last.
type fakeAPISystem struct {
	mu      sync.Mutex
	answers []canned
	got     []recorded
}

func (f *fakeAPISystem) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.got = append(f.got, recorded{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), body})
	a := canned{status: 500, body: "no answer configured"}
	if len(f.answers) > 0 {
		a = f.answers[0]
		if len(f.answers) > 1 {
			f.answers = f.answers[1:]
		}
	}
	f.mu.Unlock()
	ct := a.contentType
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (f *fakeAPISystem) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.got...)
}

func newStore(t *testing.T, h http.Handler, mod func(*Config)) *Store {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{Doer: srv.Client(), BaseURL: srv.URL, MachineKey: upstreamKey, Now: func() time.Time { return clock }}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func withOrigin() context.Context {
	return upstream.WithOrigin(context.Background(), upstream.Origin{ClientIP: clientIP, Scheme: "https"})
}

// sameJSON compares two JSON texts as values, numbers by their literal.
func sameJSON(a, b []byte) bool {
	decode := func(raw []byte) (any, bool) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		return v, dec.Decode(&v) == nil
	}
	va, okA := decode(a)
	vb, okB := decode(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

type wantRequest struct {
	method, path string
	query        url.Values
	body         string // "" for none
}

// checkRequest asserts one request: its method, path, query, body and exactly the headers a
// forwarded request carries, with a token for the upstream's key and for no other.
func checkRequest(t *testing.T, got recorded, want wantRequest) {
	t.Helper()
	if got.method != want.method || got.path != want.path {
		t.Errorf("request %s %s, want %s %s", got.method, got.path, want.method, want.path)
	}
	if len(got.query) != 0 || len(want.query) != 0 {
		if !reflect.DeepEqual(got.query, want.query) {
			t.Errorf("query %v, want %v", got.query, want.query)
		}
	}
	switch {
	case want.body == "" && len(got.body) != 0:
		t.Errorf("body %s, want none", got.body)
	case want.body != "" && !sameJSON(got.body, []byte(want.body)):
		t.Errorf("body %s\nwant %s", got.body, want.body)
	}
	allowed := map[string]bool{"Authorization": true, "Accept": true, "User-Agent": true, "Content-Type": true,
		"Content-Length": true, "Accept-Encoding": true, "X-Forwarded-For": true, "X-Forwarded-Proto": true}
	for k := range got.header {
		if !allowed[k] {
			t.Errorf("unexpected header %s: %q", k, got.header.Values(k))
		}
	}
	wantCT := ""
	if want.body != "" {
		wantCT = "application/json"
	}
	for k, v := range map[string]string{"Accept": "application/json", "User-Agent": "hostedgate", "Content-Type": wantCT,
		"X-Forwarded-For": clientIP, "X-Forwarded-Proto": "https"} {
		if g := got.header.Values(k); (v == "" && len(g) != 0) || (v != "" && (len(g) != 1 || g[0] != v)) {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	token := got.header.Get("Authorization")
	if want := auth.Sign(upstreamKey, "hostedgate", clock, auth.StdPadded); token != want {
		t.Errorf("Authorization %q, want %q", token, want)
	}
	for _, tc := range []struct {
		key  string
		want error
	}{{upstreamKey, nil}, {edgeKey, auth.ErrInvalid}} {
		v, err := auth.NewVerifier(auth.Config{Keys: []string{tc.key}, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(token); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("token checked with key %q: %v, want %v", tc.key, err, tc.want)
		}
	}
}

type tenantAndQuota struct {
	Tenant upstream.Tenant
	Quota  upstream.Quota
}

type setting struct {
	Value string
	OK    bool
}

func fullRequest() upstream.RegisterRequest {
	partner := partnerID
	return upstream.RegisterRequest{
		Tenant: upstream.Tenant{
			Alias: "example", Industry: 10, Language: "de-DE", Name: "Cloud Office Applications",
			TimeZone: "W. Europe Standard Time", PartnerID: &partner,
			Owner:     upstream.Owner{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "+49 30 1234567"},
			Marketing: upstream.Marketing{Spam: true, Calls: true, Analytics: true, AffiliateID: "aff-1", Campaign: "spring"},
		},
		Password:     secret,
		MaxActive:    3,
		LanguageKey:  "de",
		TimeZoneName: "Europe/Berlin",
	}
}

const (
	reference = "https://example.onlyoffice.eu/confirm.aspx?type=Auth&key=516541230000.ABCD&email=ada%40example.com&first=true"
	welcome   = "https://example.onlyoffice.eu/api/2.0/portal/sendcongratulations?userid=" + ownerID + "&key=516541230000.EFGH"
)

// TestRequests: every Store method sends exactly the request SPEC 2A describes, built from
// the validated values, and reads the answer back into the model.
func TestRequests(t *testing.T) {
	registered := wantTenant(12, "example", upstream.Active)
	registered.Upstream = &upstream.UpstreamView{TimeZoneName: berlin, Reference: reference, ReferenceWelcome: new(welcome)}
	registeredPlain := wantTenant(13, "minimal", upstream.Active)
	registeredPlain.Upstream = &upstream.UpstreamView{TimeZoneName: berlin, Reference: reference}

	tests := []struct {
		name    string
		answers []canned
		run     func(context.Context, *Store) (any, error)
		want    []wantRequest
		result  any
	}{
		{
			name: "register with every field",
			answers: []canned{ok(`{"reference":"` + reference + `","tenant":` + tenantJSON(12, "example", "Active") +
				`,"referenceWelcome":"` + welcome + `"}`)},
			run: func(ctx context.Context, s *Store) (any, error) { return s.Register(ctx, fullRequest()) },
			want: []wantRequest{{method: "POST", path: "/api/portal/register",
				body: `{"portalName":"example","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",` +
					`"password":"` + secret + `","phone":"+49 30 1234567","language":"de","timeZoneName":"Europe/Berlin",` +
					`"industry":10,"spam":true,"calls":true,"analytics":true,"partnerId":"` + partnerID + `",` +
					`"affiliateId":"aff-1","campaign":"spring"}`}},
			result: registered,
		},
		{
			name:    "register with the optional fields unset",
			answers: []canned{ok(`{"reference":"` + reference + `","tenant":` + tenantJSON(13, "minimal", "Active") + `,"referenceWelcome":null}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.Register(ctx, upstream.RegisterRequest{Tenant: upstream.Tenant{Alias: "minimal", Language: "en-US",
					Owner: upstream.Owner{FirstName: "Ada", Email: "ada@example.com"}}})
			},
			want: []wantRequest{{method: "POST", path: "/api/portal/register",
				body: `{"portalName":"minimal","firstName":"Ada","lastName":"","email":"ada@example.com","language":"",` +
					`"industry":0,"spam":false,"calls":false,"analytics":false}`}},
			result: registeredPlain,
		},
		{
			name:    "name free",
			answers: []canned{ok(`{"message":"portalNameReadyToRegister"}`)},
			run:     func(ctx context.Context, s *Store) (any, error) { return s.CheckName(ctx, "example12", "example") },
			want:    []wantRequest{{method: "POST", path: "/api/portal/validateportalname", body: `{"portalName":"example12"}`}},
			result:  upstream.NameCheck{Variants: []string{}},
		},
		{
			name: "name taken",
			answers: []canned{{status: 400, body: `{"error":"portalNameExist","message":"Portal already exists",` +
				`"variants":["example2","example","example12"]}`}},
			run:    func(ctx context.Context, s *Store) (any, error) { return s.CheckName(ctx, "example12", "example") },
			want:   []wantRequest{{method: "POST", path: "/api/portal/validateportalname", body: `{"portalName":"example12"}`}},
			result: upstream.NameCheck{Taken: true, Variants: []string{"example", "example12", "example2"}},
		},
		{
			name:    "tenant by id",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Suspended") + `,"tariff":` + tariffJSON + `}`)},
			run:     func(ctx context.Context, s *Store) (any, error) { return s.Tenant(ctx, upstream.ByID(12)) },
			want:    []wantRequest{{method: "GET", path: "/api/tariff/get", query: url.Values{"tenantId": {"12"}}}},
			result:  wantTenant(12, "example", upstream.Suspended),
		},
		{
			name:    "tenant by alias",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":` + tariffJSON + `}`)},
			run:     func(ctx context.Context, s *Store) (any, error) { return s.Tenant(ctx, upstream.ByAlias("example")) },
			want:    []wantRequest{{method: "GET", path: "/api/tariff/get", query: url.Values{"portalName": {"example"}}}},
			result:  wantTenant(12, "example", upstream.Active),
		},
		{
			name:    "tenant by id and alias sends the id only",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":` + tariffJSON + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.Tenant(ctx, upstream.Selector{ID: 12, HasID: true, Alias: "other"})
			},
			want:   []wantRequest{{method: "GET", path: "/api/tariff/get", query: url.Values{"tenantId": {"12"}}}},
			result: wantTenant(12, "example", upstream.Active),
		},
		{
			name:    "the global scope is tenantId -1",
			answers: []canned{{status: 400, body: `{"error":"portalNameNotFound","message":"Portal not found"}`}},
			run: func(ctx context.Context, s *Store) (any, error) {
				_, err := s.Tenant(ctx, upstream.ByID(upstream.GlobalScope))
				return errors.Is(err, upstream.ErrNotFound), nil
			},
			want:   []wantRequest{{method: "GET", path: "/api/tariff/get", query: url.Values{"tenantId": {"-1"}}}},
			result: true,
		},
		{
			name: "an empty alias selects nothing without asking",
			run: func(ctx context.Context, s *Store) (any, error) {
				_, err := s.Tenant(ctx, upstream.Selector{ID: 12})
				return errors.Is(err, upstream.ErrNotFound), nil
			},
			result: true,
		},
		{
			name:    "find every active portal",
			answers: []canned{ok(`{"tenants":[]}`)},
			run:     func(ctx context.Context, s *Store) (any, error) { return s.FindPortals(ctx, upstream.PortalQuery{}) },
			want:    []wantRequest{{method: "GET", path: "/api/portal/get"}},
			result:  []upstream.Tenant{},
		},
		{
			name:    "find by e-mail, alias and id",
			answers: []canned{ok(`{"tenants":[` + tenantJSON(3, "first", "Active") + `,` + tenantJSON(7, "second", "Active") + `]}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.FindPortals(ctx, upstream.PortalQuery{Email: "Owner+Tag@Example.com", Alias: "second", ID: 0, HasID: true})
			},
			want: []wantRequest{{method: "GET", path: "/api/portal/get",
				query: url.Values{"email": {"Owner+Tag@Example.com"}, "portalName": {"second"}, "tenantId": {"0"}}}},
			result: []upstream.Tenant{wantTenant(3, "first", upstream.Active), wantTenant(7, "second", upstream.Active)},
		},
		{
			name:    "find by owner id",
			answers: []canned{ok(`{"tenants":[` + tenantJSON(3, "first", "Active") + `]}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.FindPortals(ctx, upstream.PortalQuery{OwnerID: ownerID})
			},
			want:   []wantRequest{{method: "GET", path: "/api/portal/get", query: url.Values{"email": {ownerID}}}},
			result: []upstream.Tenant{wantTenant(3, "first", upstream.Active)},
		},
		{
			name: "find by e-mail and owner id asks twice and merges",
			answers: []canned{
				ok(`{"tenants":[` + tenantJSON(3, "first", "Active") + `,` + tenantJSON(9, "third", "Active") + `]}`),
				ok(`{"tenants":[` + tenantJSON(3, "first", "Active") + `,` + tenantJSON(5, "second", "Active") + `]}`),
			},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.FindPortals(ctx, upstream.PortalQuery{Email: "ada@example.com", OwnerID: ownerID, Alias: "third"})
			},
			want: []wantRequest{
				{method: "GET", path: "/api/portal/get", query: url.Values{"email": {"ada@example.com"}, "portalName": {"third"}}},
				{method: "GET", path: "/api/portal/get", query: url.Values{"email": {ownerID}}},
			},
			result: []upstream.Tenant{wantTenant(3, "first", upstream.Active), wantTenant(5, "second", upstream.Active),
				wantTenant(9, "third", upstream.Active)},
		},
		{
			name:    "suspend by alias",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Suspended") + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.SetStatus(ctx, upstream.ByAlias("example"), upstream.Suspended)
			},
			want:   []wantRequest{{method: "PUT", path: "/api/portal/status", body: `{"portalName":"example","status":"Suspended"}`}},
			result: wantTenant(12, "example", upstream.Suspended),
		},
		{
			name:    "activate by id",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.SetStatus(ctx, upstream.ByID(12), upstream.Active)
			},
			want:   []wantRequest{{method: "PUT", path: "/api/portal/status", body: `{"tenantId":12,"status":"Active"}`}},
			result: wantTenant(12, "example", upstream.Active),
		},
		{
			name:    "other statuses go as Suspended",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Suspended") + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.SetStatus(ctx, upstream.ByID(12), upstream.RemovePending)
			},
			want:   []wantRequest{{method: "PUT", path: "/api/portal/status", body: `{"tenantId":12,"status":"Suspended"}`}},
			result: wantTenant(12, "example", upstream.Suspended),
		},
		{
			name:    "remove",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"removed":true}`)},
			run:     func(ctx context.Context, s *Store) (any, error) { return s.Remove(ctx, upstream.ByAlias("example")) },
			want:    []wantRequest{{method: "DELETE", path: "/api/portal/remove", query: url.Values{"portalName": {"example"}}}},
			result:  wantTenant(12, "example", upstream.Active),
		},
		{
			name:    "tariff",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":` + tariffJSON + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				tn, q, err := s.Tariff(ctx, upstream.ByID(12))
				return tenantAndQuota{tn, q}, err
			},
			want:   []wantRequest{{method: "GET", path: "/api/tariff/get", query: url.Values{"tenantId": {"12"}}}},
			result: tenantAndQuota{wantTenant(12, "example", upstream.Active), wantQuota},
		},
		{
			name:    "set a tariff with a due date",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":` + tariffJSON + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				tn, q, err := s.SetTariff(ctx, upstream.ByAlias("example"), wantQuota)
				return tenantAndQuota{tn, q}, err
			},
			want: []wantRequest{{method: "PUT", path: "/api/tariff/set",
				body: `{"portalName":"example","activeUsers":25,"features":"whitelabel,portals:5","maxFileSize":1048576,` +
					`"maxTotalSize":1099511627776,"dueDate":"2031-07-13T00:00:00"}`}},
			result: tenantAndQuota{wantTenant(12, "example", upstream.Active), wantQuota},
		},
		{
			name: "set a tariff with the upstream's defaults",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":{"activeUsers":10000,` +
				`"dueDate":"9999-12-31T23:59:59.9999999","features":"","maxFileSize":1073741824,"maxTotalSize":1099510579200,"state":1}}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				tn, q, err := s.SetTariff(ctx, upstream.ByID(12), upstream.Quota{})
				return tenantAndQuota{tn, q}, err
			},
			want: []wantRequest{{method: "PUT", path: "/api/tariff/set",
				body: `{"tenantId":12,"activeUsers":0,"features":"","maxFileSize":0,"maxTotalSize":0}`}},
			result: tenantAndQuota{wantTenant(12, "example", upstream.Active), upstream.DefaultQuota()},
		},
		{
			name:    "an endless due date is left out, sizes go as asked",
			answers: []canned{ok(`{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":` + tariffJSON + `}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				tn, q, err := s.SetTariff(ctx, upstream.ByID(12), upstream.Quota{ActiveUsers: 5, DueDate: upstream.MaxDate, MaxFileSize: 1000})
				return tenantAndQuota{tn, q}, err
			},
			want: []wantRequest{{method: "PUT", path: "/api/tariff/set",
				body: `{"tenantId":12,"activeUsers":5,"features":"","maxFileSize":1000,"maxTotalSize":0}`}},
			result: tenantAndQuota{wantTenant(12, "example", upstream.Active), wantQuota},
		},
		{
			name:    "unset global setting",
			answers: []canned{ok(`{"settings":null}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				v, found, err := s.Setting(ctx, upstream.ByID(upstream.GlobalScope), "web.portal-name")
				return setting{v, found}, err
			},
			want: []wantRequest{{method: "GET", path: "/api/settings/get",
				query: url.Values{"tenantId": {"-1"}, "key": {"web.portal-name"}}}},
			result: setting{},
		},
		{
			name:    "tenant setting",
			answers: []canned{ok(`{"settings":"Tenant Office"}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				v, found, err := s.Setting(ctx, upstream.ByAlias("example"), "web.portal-name")
				return setting{v, found}, err
			},
			want: []wantRequest{{method: "GET", path: "/api/settings/get",
				query: url.Values{"portalName": {"example"}, "key": {"web.portal-name"}}}},
			result: setting{"Tenant Office", true},
		},
		{
			name:    "save a setting",
			answers: []canned{ok(`{"settings":"{\"a\":1} äöü"}`)},
			run: func(ctx context.Context, s *Store) (any, error) {
				return s.SaveSetting(ctx, upstream.ByID(12), "web.portal-name", `{"a":1} äöü`)
			},
			want: []wantRequest{{method: "POST", path: "/api/settings/save",
				body: `{"tenantId":12,"key":"web.portal-name","value":"{\"a\":1} äöü"}`}},
			result: `{"a":1} äöü`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeAPISystem{answers: tt.answers}
			s := newStore(t, f, nil)
			got, err := tt.run(withOrigin(), s)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if !reflect.DeepEqual(got, tt.result) {
				t.Errorf("result\n%#v\nwant\n%#v", got, tt.result)
			}
			reqs := f.requests()
			if len(reqs) != len(tt.want) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tt.want))
			}
			for i, want := range tt.want {
				checkRequest(t, reqs[i], want)
			}
		})
	}
}

// noSecrets fails when an error shows the machine key, a token or the owner's password, in
// any of the ways a log line could print it.
func noSecrets(t *testing.T, err error) {
	t.Helper()
	for _, text := range []string{err.Error(), fmt.Sprintf("%v|%+v|%#v", err, err, err)} {
		for _, s := range []string{upstreamKey, secret, "ASC "} {
			if strings.Contains(text, s) {
				t.Fatalf("error shows %q: %s", s, text)
			}
		}
	}
}

// TestAnswers maps each answer of the upstream: the spec's errors to the sentinel errors or an
// UpstreamError the API passes on, everything else to a plain error that names the call.
func TestAnswers(t *testing.T) {
	const (
		reg   = "apisystem: POST /api/portal/register"
		get   = "apisystem: GET /api/tariff/get"
		check = "apisystem: POST /api/portal/validateportalname"
	)
	refused := ": it refused hostedgate's token; the configured machine key or pkey is not the upstream's"
	tenantAnswer := func(tenant string) canned { return ok(`{"tenant":` + tenant + `,"tariff":` + tariffJSON + `}`) }
	tests := []struct {
		name   string
		op     string // "register", "tenant" or "check"
		answer canned
		// Exactly one of these says what is expected.
		wantIs    error
		wantUp    *upstream.UpstreamError
		wantCheck *upstream.NameCheck
		// wantText is the error's exact text, when an error is expected.
		wantText string
	}{
		{name: "portalNameNotFound", op: "tenant",
			answer: canned{status: 400, body: `{"error":"portalNameNotFound","message":"Portal not found"}`},
			wantIs: upstream.ErrNotFound, wantText: get + ": portal not found"},
		{name: "portalNameExist from register", op: "register",
			answer: canned{status: 400, body: `{"error":"portalNameExist","message":"Portal already exists","variants":["example"]}`},
			wantIs: upstream.ErrNameTaken, wantText: reg + ": portal name already taken"},
		{name: "portalNameExist from validateportalname", op: "check",
			answer:    canned{status: 400, body: `{"error":"portalNameExist","message":"Portal already exists","variants":["b","a"]}`},
			wantCheck: &upstream.NameCheck{Taken: true, Variants: []string{"a", "b"}}},
		{name: "portalNameExist without variants", op: "check",
			answer:    canned{status: 400, body: `{"error":"portalNameExist","message":"Portal already exists"}`},
			wantCheck: &upstream.NameCheck{Taken: true, Variants: []string{}}},
		{name: "portalsCountTooMuch", op: "register",
			answer: canned{status: 400, body: `{"error":"portalsCountTooMuch","message":"Too much portals registered already"}`},
			wantIs: upstream.ErrPortalLimit, wantText: reg + ": active portal limit reached"},
		{name: "authorization 403", op: "register",
			answer:   canned{status: 403, body: `{"error":"authorization","message":"Authorization invalid"}`},
			wantText: reg + ": upstream answered 403 authorization" + refused},
		{name: "authorization 500", op: "tenant",
			answer:   canned{status: 500, body: `{"error":"authorization","message":"Authorization date is not a valid yyyyMMddHHmmss UTC time"}`},
			wantText: get + ": upstream answered 500 authorization" + refused},
		{name: "DocSpace's empty 401", op: "register",
			answer:   canned{status: 401, contentType: "text/plain"},
			wantText: reg + ": upstream answered 401" + refused},
		{name: "the upstream's password policy", op: "register",
			answer:   canned{status: 400, body: `{"error":"passPolicyError","message":"Password is incorrect"}`},
			wantUp:   &upstream.UpstreamError{Status: 400, Code: "passPolicyError", Message: "Password is incorrect"},
			wantText: reg + ": upstream answered 400 passPolicyError"},
		{name: "params with a list", op: "register",
			answer: canned{status: 400, body: `{"error":"params","message":["The field Phone must be a string with a maximum length of 32."]}`},
			wantUp: &upstream.UpstreamError{Status: 400, Code: "params",
				Message: []string{"The field Phone must be a string with a maximum length of 32."}},
			wantText: reg + ": upstream answered 400 params"},
		{name: "registerNewTenantError drops the stack trace", op: "register",
			answer:   canned{status: 500, body: `{"error":"registerNewTenantError","message":"Duplicate entry","stacktrace":"at ASC.Core..."}`},
			wantUp:   &upstream.UpstreamError{Status: 500, Code: "registerNewTenantError", Message: "Duplicate entry"},
			wantText: reg + ": upstream answered 500 registerNewTenantError"},
		{name: "the upstream's limiter", op: "check",
			answer:   canned{status: 400, body: `{"error":"tooMuchAttempts","message":"Too much attempts already"}`},
			wantUp:   &upstream.UpstreamError{Status: 400, Code: "tooMuchAttempts", Message: "Too much attempts already"},
			wantText: check + ": upstream answered 400 tooMuchAttempts"},
		{name: "a name the upstream's rules refuse", op: "check",
			answer:   canned{status: 400, body: `{"error":"tooShortError","message":"Portal name is too short"}`},
			wantUp:   &upstream.UpstreamError{Status: 400, Code: "tooShortError", Message: "Portal name is too short"},
			wantText: check + ": upstream answered 400 tooShortError"},
		{name: "an error without message", op: "tenant",
			answer:   canned{status: 500, body: `{"error":"error","message":null}`},
			wantUp:   &upstream.UpstreamError{Status: 500, Code: "error"},
			wantText: get + ": upstream answered 500 error"},
		{name: "hostedgate's own 404", op: "tenant",
			answer:   canned{status: 404, body: `{"error":"error","message":"No HTTP resource was found that matches the request URI"}`},
			wantText: get + ": upstream answered 404: it does not serve this endpoint as SPEC 2A does; check the base URL and prefix"},
		{name: "405", op: "register",
			answer:   canned{status: 405, body: `{"Message":"The requested resource does not support http method 'POST'."}`},
			wantText: reg + ": upstream answered 405: it does not serve this endpoint as SPEC 2A does; check the base URL and prefix"},
		{name: "HTML 502 page", op: "register",
			answer:   canned{status: 502, contentType: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>"},
			wantText: reg + ": upstream answered 502 with no spec JSON"},
		{name: "Web API's own error object", op: "register",
			answer:   canned{status: 500, body: `{"Message":"An error has occurred."}`},
			wantText: reg + ": upstream answered 500 with no spec JSON"},
		{name: "a message that is no string", op: "register",
			answer:   canned{status: 400, body: `{"error":"params","message":{"portalName":"bad"}}`},
			wantText: reg + ": upstream answered 400 with no spec JSON"},
		{name: "invalid JSON", op: "register",
			answer:   ok(`{"reference":"x","tenant":`),
			wantText: reg + ": upstream answered 200 with invalid JSON: unexpected end of JSON input"},
		{name: "HTML 200 page", op: "check",
			answer:   canned{status: 200, contentType: "text/html", body: "<html>maintenance</html>"},
			wantText: check + ": upstream answered 200 with invalid JSON: invalid character '<' looking for beginning of value"},
		{name: "register answering {}", op: "register", answer: ok(`{}`),
			wantText: reg + ": upstream answered 200 without the expected JSON: no tenant object"},
		{name: "tariff/get answering {}", op: "tenant", answer: ok(`{}`),
			wantText: get + ": upstream answered 200 without the expected JSON: no tenant object"},
		{name: "validateportalname answering {}", op: "check", answer: ok(`{}`),
			wantText: check + `: upstream answered 200 without the expected JSON: no "message":"portalNameReadyToRegister"`},
		{name: "register without reference", op: "register", answer: ok(`{"tenant":` + tenantJSON(1, "example", "Active") + `}`),
			wantText: reg + ": upstream answered 200 without the expected JSON: no reference"},
		{name: "a tenant without tenantId", op: "tenant", answer: tenantAnswer(`{"portalName":"example","status":"Active"}`),
			wantText: get + ": upstream answered 200 without the expected JSON: the tenant has no tenantId"},
		{name: "a tenant without status", op: "tenant", answer: tenantAnswer(`{"tenantId":1,"portalName":"example"}`),
			wantText: get + ": upstream answered 200 without the expected JSON: the tenant's status: missing"},
		{name: "an unknown status", op: "tenant", answer: tenantAnswer(`{"tenantId":1,"portalName":"example","status":"Bogus"}`),
			wantText: get + `: upstream answered 200 without the expected JSON: the tenant's status: unknown tenant status "Bogus"`},
		{name: "a date that is none", op: "tenant",
			answer:   tenantAnswer(`{"tenantId":1,"portalName":"example","status":"Active","created":"yesterday"}`),
			wantText: get + `: upstream answered 200 without the expected JSON: the tenant's created: "yesterday" is not a date`},
		{name: "a tenant id that is a string", op: "tenant",
			answer:   tenantAnswer(`{"tenantId":"1","portalName":"example","status":"Active"}`),
			wantText: get + ": upstream answered 200 with invalid JSON: json: cannot unmarshal string into Go struct field tenantWire.tenant.tenantId of type int64"},
		{name: "a tariff without dueDate", op: "tenant",
			answer:   ok(`{"tenant":` + tenantJSON(1, "example", "Active") + `,"tariff":{"activeUsers":1,"maxFileSize":1,"maxTotalSize":1}}`),
			wantText: get + ": upstream answered 200 without the expected JSON: the tariff lacks activeUsers, dueDate, maxFileSize or maxTotalSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, &fakeAPISystem{answers: []canned{tt.answer}}, nil)
			var err error
			var nc upstream.NameCheck
			switch tt.op {
			case "register":
				_, err = s.Register(withOrigin(), fullRequest())
			case "tenant":
				_, err = s.Tenant(withOrigin(), upstream.ByID(1))
			case "check":
				nc, err = s.CheckName(withOrigin(), "example", "example")
			}
			if tt.wantCheck != nil {
				if err != nil || !reflect.DeepEqual(nc, *tt.wantCheck) {
					t.Fatalf("CheckName = %#v, %v; want %#v", nc, err, *tt.wantCheck)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			noSecrets(t, err)
			if err.Error() != tt.wantText {
				t.Errorf("error %q\nwant  %q", err, tt.wantText)
			}
			var up *upstream.UpstreamError
			isUp := errors.As(err, &up)
			switch {
			case tt.wantUp != nil:
				if !isUp || !reflect.DeepEqual(up, tt.wantUp) {
					t.Errorf("UpstreamError %#v, want %#v", up, tt.wantUp)
				}
			case isUp:
				t.Errorf("an UpstreamError the API would pass on: %#v", up)
			}
			for _, sentinel := range []error{upstream.ErrNotFound, upstream.ErrNameTaken, upstream.ErrPortalLimit, upstream.ErrClosed} {
				if errors.Is(err, sentinel) != (sentinel == tt.wantIs) {
					t.Errorf("errors.Is(%v) = %v", sentinel, !(sentinel == tt.wantIs))
				}
			}
		})
	}
}

// TestNoAnswer: the failures that leave no answer at all.
func TestNoAnswer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	huge := strings.Repeat("x", 100)
	oversized := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"tenant":{"name":"`+huge+`"}}`)
	})
	chunked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Flushing before the end leaves the length unknown, so only the read can notice.
		_, _ = io.WriteString(w, `{"tenant":{"name":"`)
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, huge+`"}}`)
	})
	refusedURL := func() string {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		return srv.URL
	}()

	const get = "apisystem: GET /api/tariff/get"
	tests := []struct {
		name    string
		store   func(t *testing.T) *Store
		ctx     func() (context.Context, context.CancelFunc)
		wantIs  error
		wantMsg string // the exact text, or its start when it ends in "…"
	}{
		{name: "slower than Timeout", store: func(t *testing.T) *Store {
			return newStore(t, slow, func(c *Config) { c.Timeout = 50 * time.Millisecond })
		}, wantIs: context.DeadlineExceeded, wantMsg: get + ": upstream did not answer within 50ms: context deadline exceeded"},
		{name: "the caller gives up first", store: func(t *testing.T) *Store { return newStore(t, slow, nil) },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(withOrigin(), 50*time.Millisecond)
			}, wantIs: context.DeadlineExceeded, wantMsg: get + ": context deadline exceeded"},
		{name: "longer than MaxResponseBytes", store: func(t *testing.T) *Store {
			return newStore(t, oversized, func(c *Config) { c.MaxResponseBytes = 64 })
		}, wantMsg: get + ": upstream answered 200 with more than 64 bytes"},
		{name: "longer than MaxResponseBytes, length unknown", store: func(t *testing.T) *Store {
			return newStore(t, chunked, func(c *Config) { c.MaxResponseBytes = 64 })
		}, wantMsg: get + ": upstream answered 200 with more than 64 bytes"},
		{name: "connection refused", store: func(t *testing.T) *Store {
			s, err := New(Config{Doer: &http.Client{}, BaseURL: refusedURL, MachineKey: upstreamKey})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, wantIs: syscall.ECONNREFUSED, wantMsg: get + ": dial tcp …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := withOrigin(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			_, err := tt.store(t).Tenant(ctx, upstream.ByID(1))
			if err == nil {
				t.Fatal("no error")
			}
			noSecrets(t, err)
			if prefix, open := strings.CutSuffix(tt.wantMsg, "…"); (open && !strings.HasPrefix(err.Error(), prefix)) ||
				(!open && err.Error() != tt.wantMsg) {
				t.Errorf("error %q\nwant  %q", err, tt.wantMsg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			var up *upstream.UpstreamError
			if errors.As(err, &up) {
				t.Errorf("an UpstreamError the API would pass on: %#v", up)
			}
		})
	}
}

// TestParseTenant covers the spellings of the tenant object the two server lines write.
func TestParseTenant(t *testing.T) {
	region := ""
	payment := "pay-1"
	tests := []struct {
		name, json string
		want       upstream.Tenant
	}{
		{"integer status, date without zone or fraction",
			`{"tenantId":4,"portalName":"four","status":1,"created":"2010-07-07T15:46:00"}`,
			upstream.Tenant{ID: 4, Alias: "four", Status: upstream.Suspended, Created: time.Date(2010, 7, 7, 15, 46, 0, 0, time.UTC),
				Upstream: &upstream.UpstreamView{}}},
		{"offset date, lower-case status, empty region, payment id",
			`{"tenantId":5,"portalName":"five","status":"removepending","created":"2024-05-01T12:20:30.5+02:00",` +
				`"hostedRegion":"","paymentId":"pay-1"}`,
			upstream.Tenant{ID: 5, Alias: "five", Status: upstream.RemovePending, HostedRegion: &region, PaymentID: &payment,
				Created: time.Date(2024, 5, 1, 10, 20, 30, 500000000, time.UTC), Upstream: &upstream.UpstreamView{}}},
		{"DocSpace's extra members are ignored",
			`{"tenantId":6,"portalName":"six","status":"Active","timeZoneId":"Europe/Berlin","mappedDomain":null,"customQuota":-1,` +
				`"timeZoneName":"x"}`,
			upstream.Tenant{ID: 6, Alias: "six", Upstream: &upstream.UpstreamView{TimeZoneName: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w tenantWire
			if err := json.Unmarshal([]byte(tt.json), &w); err != nil {
				t.Fatal(err)
			}
			got, err := w.tenant()
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("tenant = %#v, %v\nwant %#v", got, err, tt.want)
			}
		})
	}
}

func TestParseDueDate(t *testing.T) {
	for _, tc := range []struct {
		text string
		want time.Time
	}{
		{"9999-12-31T23:59:59.9999999", upstream.MaxDate},
		{"9999-12-31T23:59:58.9999999", upstream.MaxDate}, // DocSpace's MaxValue - 1s
		{"2031-07-13T00:00:00", time.Date(2031, 7, 13, 0, 0, 0, 0, time.UTC)},
		{"2031-07-13T00:00:00Z", time.Date(2031, 7, 13, 0, 0, 0, 0, time.UTC)},
		{"0001-01-01T00:00:00", time.Time{}},
	} {
		w := tariffWire{ActiveUsers: new(1), DueDate: &tc.text, MaxFileSize: new(int64(1)), MaxTotalSize: new(int64(1))}
		q, err := w.quota()
		if err != nil || !q.DueDate.Equal(tc.want) || q.DueDate.Location() != time.UTC {
			t.Errorf("dueDate %q = %v, %v; want %v UTC", tc.text, q.DueDate, err, tc.want)
		}
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestConfigDefaults: what a zero Config means on the wire, and the settings that change it.
func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name      string
		mod       func(*Config)
		wantURL   string
		wantToken string
	}{
		{"zero values", nil, "http://apisystem/api/tariff/get?tenantId=12",
			auth.Sign(upstreamKey, "hostedgate", clock, auth.StdPadded)},
		{"DocSpace at the root", func(c *Config) { c.Prefix = "/" }, "http://apisystem/tariff/get?tenantId=12",
			auth.Sign(upstreamKey, "hostedgate", clock, auth.StdPadded)},
		{"behind a path, another pkey and encoding", func(c *Config) {
			c.BaseURL, c.Prefix, c.PKey, c.Encoding = "https://api.example.net:8092/", "/apisystem/", "edge", auth.URLToken
		}, "https://api.example.net:8092/apisystem/tariff/get?tenantId=12", auth.Sign(upstreamKey, "edge", clock, auth.URLToken)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var deadline time.Duration
			doer := doerFunc(func(r *http.Request) (*http.Response, error) {
				got = r
				if d, ok := r.Context().Deadline(); ok {
					deadline = time.Until(d)
				}
				body := `{"tenant":` + tenantJSON(12, "example", "Active") + `,"tariff":` + tariffJSON + `}`
				return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), ContentLength: -1}, nil
			})
			cfg := Config{Doer: doer, MachineKey: upstreamKey, Now: func() time.Time { return clock }}
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Tenant(context.Background(), upstream.ByID(12)); err != nil {
				t.Fatal(err)
			}
			if got.URL.String() != tt.wantURL || got.Header.Get("Authorization") != tt.wantToken {
				t.Errorf("request %s with %q, want %s with %q", got.URL, got.Header.Get("Authorization"), tt.wantURL, tt.wantToken)
			}
			// No origin in the context, so none is claimed.
			if got.Header.Get("X-Forwarded-For") != "" || got.Header.Get("X-Forwarded-Proto") != "" {
				t.Errorf("X-Forwarded-* without an origin: %v", got.Header)
			}
			if deadline <= DefaultTimeout-time.Second || deadline > DefaultTimeout {
				t.Errorf("request deadline in %v, want the default %v", deadline, DefaultTimeout)
			}
			if text := fmt.Sprintf("%v %+v %s", s, s, s); strings.Contains(text, upstreamKey) {
				t.Errorf("printing the store shows the key: %s", text)
			}
		})
	}
}

func TestConfigRefused(t *testing.T) {
	doer := &http.Client{}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no Doer", func(c *Config) { c.Doer = nil }, "apisystem: no Doer to send requests with"},
		{"no key", func(c *Config) { c.MachineKey = "" }, "apisystem: no upstream machine key"},
		{"pkey with a colon", func(c *Config) { c.PKey = "a:b" }, `apisystem: pkey "a:b" must not contain ':' nor start with white space`},
		{"pkey with leading space", func(c *Config) { c.PKey = " edge" }, `apisystem: pkey " edge" must not contain ':' nor start with white space`},
		{"unknown encoding", func(c *Config) { c.Encoding = 9 }, "apisystem: unknown token encoding 9"},
		{"base URL scheme", func(c *Config) { c.BaseURL = "ftp://apisystem" }, "apisystem: BaseURL must be http(s)://host[:port] with nothing after the host"},
		{"base URL without host", func(c *Config) { c.BaseURL = "http://" }, "apisystem: BaseURL must be http(s)://host[:port] with nothing after the host"},
		{"base URL with credentials", func(c *Config) { c.BaseURL = "http://user:" + upstreamKey + "@apisystem" },
			"apisystem: BaseURL must be http(s)://host[:port] with nothing after the host"},
		{"base URL with a path", func(c *Config) { c.BaseURL = "http://apisystem/api" }, "apisystem: BaseURL must be http(s)://host[:port] with nothing after the host"},
		{"relative prefix", func(c *Config) { c.Prefix = "api" }, `apisystem: Prefix "api" must be a path starting with '/'`},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "apisystem: Timeout -1s is negative"},
		{"negative size", func(c *Config) { c.MaxResponseBytes = -1 }, "apisystem: MaxResponseBytes -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Doer: doer, MachineKey: upstreamKey}
			tt.mod(&cfg)
			_, err := New(cfg)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("New: %v, want %q", err, tt.want)
			}
			noSecrets(t, err)
		})
	}
}
