package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/captcha"
	"github.com/hostedgate/hostedgate/ratelimit"
	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/bolt"
	"github.com/hostedgate/hostedgate/validate"
)

const key = "unit-test-key"

var clock = time.Date(2026, 5, 1, 10, 20, 30, 0, time.UTC)

type countingLimiter struct {
	calls int
	allow bool
}

func (l *countingLimiter) Attempt(string) bool { l.calls++; return l.allow }

type fixedCaptcha struct {
	calls int
	ok    bool
}

func (c *fixedCaptcha) Verify(context.Context, string, string) (captcha.Result, []string) {
	c.calls++
	if c.ok {
		return captcha.Success, nil
	}
	return captcha.Failure, []string{"invalid-input-response"}
}

func newHandler(t testing.TB, store upstream.Store, mod func(*Config)) *Handler {
	t.Helper()
	v, err := auth.NewVerifier(auth.Config{Keys: []string{key}, Now: func() time.Time { return clock }})
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
	if store == nil {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "p.db"), bolt.Options{Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		store = s
	}
	cfg := Config{Store: store, Verifier: v, PortalNames: names, Names: people, Password: validate.DefaultPasswordPolicy(),
		BaseDomain: "example.com", ReferenceKey: key, MaxBodyBytes: 4096, Now: func() time.Time { return clock }}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func serve(h *Handler, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", auth.Sign(key, "unit", clock, auth.URLToken))
	w := httptest.NewRecorder()
	rest := strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/api")
	ep, ok := Resolve(rest)
	if !ok {
		h.NotFound(w, r)
		return w
	}
	h.Serve(w, r, ep, Client{IP: "192.0.2.1", Scheme: "https"})
	return w
}

func wantJSON(t *testing.T, w *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %q", w.Body.String())
	}
	_ = json.Unmarshal([]byte(want), &exp)
	if w.Code != status || !reflect.DeepEqual(got, exp) {
		t.Fatalf("got %d %s\nwant %d %s", w.Code, w.Body.String(), status, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

const good = `{"portalName":"goodname","firstName":"Anna","lastName":"Tester","email":"anna@example.com"}`

// withField appends a member to a JSON object body; being last, it wins over an earlier one.
func withField(body, field, value string) string {
	return strings.TrimSuffix(body, "}") + `,"` + field + `":` + value + "}"
}

// TestRegisterOrder walks register's nine steps (SPEC 2A.2): each failure shows that every
// later step, the limiter and the captcha included, was not reached.
func TestRegisterOrder(t *testing.T) {
	lim := &countingLimiter{allow: true}
	cap := &fixedCaptcha{ok: true}
	h := newHandler(t, nil, func(c *Config) { c.Limiter, c.Captcha = lim, cap })
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"model null", "", 400, `{"error":"portalNameEmpty","message":"PortalName is required"}`},
		{"params before password", withField(`{"firstName":"A","lastName":"B","email":"bad"}`, "password", `"x"`), 400,
			`{"error":"params","message":["The PortalName field is required.","emailIncorrect"]}`},
		{"password before names", withField(withField(good, "firstName", `"R2D2"`), "password", `"short"`), 400,
			`{"error":"passPolicyError","message":"Password is incorrect"}`},
		{"names before portal name", withField(withField(good, "firstName", `"R2D2"`), "portalName", `"ab"`), 400,
			`{"error":"error","message":"name is incorrect"}`},
		{"portal name", withField(good, "portalName", `"  "`), 400, `{"error":"portalNameEmpty","message":"PortalName is required"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantJSON(t, serve(h, "POST", "/api/portal/register", tc.body), tc.status, tc.want)
			if lim.calls != 0 || cap.calls != 0 {
				t.Fatalf("limiter %d / captcha %d calls before the field checks passed", lim.calls, cap.calls)
			}
		})
	}
	lim.allow = false
	wantJSON(t, serve(h, "POST", "/api/portal/register", good), 400, `{"error":"tooMuchAttempts","message":"Too much attempts already"}`)
	if lim.calls != 1 || cap.calls != 0 {
		t.Fatalf("limiter %d, captcha %d", lim.calls, cap.calls)
	}
	lim.allow, cap.ok = true, false
	wantJSON(t, serve(h, "POST", "/api/portal/register", good), 400, `{"error":"recaptchaInvalid","message":"Recaptcha is invalid"}`)
	cap.ok = true
	if w := serve(h, "POST", "/api/portal/register", good); w.Code != 200 {
		t.Fatalf("register: %d %s", w.Code, w.Body)
	}
	// A taken name fails at step 5, before the limiter counts.
	calls := lim.calls
	wantJSON(t, serve(h, "POST", "/api/portal/register", good), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["goodname"]}`)
	if lim.calls != calls {
		t.Fatal("a taken name reached the limiter")
	}
}

// TestTestEmailsAndAppKeys: a test e-mail skips the limiter and the captcha and is not
// counted; an app key skips only the captcha, compared verbatim against the lower-cased list.
func TestTestEmailsAndAppKeys(t *testing.T) {
	lim := &countingLimiter{allow: true}
	cap := &fixedCaptcha{ok: false}
	te, err := ratelimit.NewTestEmails(`@qa\.example\.com$`, false)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, nil, func(c *Config) {
		c.Limiter, c.Captcha, c.TestEmails, c.AppKeys = lim, cap, te, []string{" MobileApp ; other,third"}
	})
	body := `{"portalName":"qaportal","firstName":"Q","lastName":"A","email":"bot@QA.example.com"}`
	if w := serve(h, "POST", "/api/portal/register", body); w.Code != 200 || lim.calls != 0 || cap.calls != 0 {
		t.Fatalf("test e-mail: %d %s (limiter %d, captcha %d)", w.Code, w.Body, lim.calls, cap.calls)
	}
	wantJSON(t, serve(h, "POST", "/api/portal/register", withField(good, "appKey", `"MobileApp"`)), 400,
		`{"error":"recaptchaInvalid","message":"Recaptcha is invalid"}`)
	if w := serve(h, "POST", "/api/portal/register", withField(good, "appKey", `"mobileapp"`)); w.Code != 200 || cap.calls != 1 {
		t.Fatalf("app key: %d %s (captcha %d)", w.Code, w.Body, cap.calls)
	}
	if lim.calls != 2 {
		t.Fatalf("an app key still counts as an attempt: %d", lim.calls)
	}
}

type denyAll struct{ calls int }

func (d *denyAll) Allow(string) bool { d.calls++; return false }

func TestRequestRateLimit(t *testing.T) {
	deny := &denyAll{}
	h := newHandler(t, nil, func(c *Config) { c.RequestLimiter = deny })
	wantJSON(t, serve(h, "POST", "/api/portal/validateportalname", `{"portalName":"example"}`), 400,
		`{"error":"tooMuchAttempts","message":"Too much attempts already"}`)
	wantJSON(t, serve(h, "GET", "/api/tariff/all", ""), 400, `{"error":"tooMuchAttempts","message":"Too much attempts already"}`)
	if w := serve(h, "GET", "/api/portal/get", ""); w.Code != 200 || deny.calls != 2 {
		t.Fatalf("authenticated endpoints are not rate limited: %d, %d calls", w.Code, deny.calls)
	}
}

func TestRegisterAnswer(t *testing.T) {
	h := newHandler(t, nil, nil)
	w := serve(h, "POST", "/api/portal/register", withField(good, "password", `"Secret-pass-1"`))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var got registeredJSON
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	refKey := auth.ConfirmKey("anna@example.comAuthtrue", 1, key, clock)
	if want := "https://goodname.example.com/confirm.aspx?type=Auth&key=" + refKey + "&email=anna%40example.com&first=true"; got.Reference != want {
		t.Fatalf("reference %q\nwant %q", got.Reference, want)
	}
	welcome := "https://goodname.example.com/api/2.0/portal/sendcongratulations?userid=" + got.Tenant.OwnerID +
		"&key=" + auth.ConfirmKey(got.Tenant.OwnerID+"Auth", 1, key, clock)
	if got.ReferenceWelcome == nil || *got.ReferenceWelcome != welcome {
		t.Fatalf("referenceWelcome %v\nwant %q", got.ReferenceWelcome, welcome)
	}
	if got.Tenant.Created != "2026-05-01T10:20:30" || got.Tenant.TimeZoneName != "(UTC+00:00) Dublin, Edinburgh, Lisbon, London" || got.Tenant.Language != "en-US" {
		t.Fatalf("tenant %+v", got.Tenant)
	}
}

// brokenStore fails every operation, as a store whose disk or network is gone.
type brokenStore struct{ upstream.Store }

var errBroken = errors.New("disk on fire: /var/lib/secret/path")

func (brokenStore) Register(context.Context, upstream.RegisterRequest) (upstream.Tenant, error) {
	return upstream.Tenant{}, errBroken
}
func (brokenStore) CheckName(context.Context, string, string) (upstream.NameCheck, error) {
	return upstream.NameCheck{}, errBroken
}
func (brokenStore) FindPortals(context.Context, upstream.PortalQuery) ([]upstream.Tenant, error) {
	return nil, errBroken
}
func (brokenStore) Remove(context.Context, upstream.Selector) (upstream.Tenant, error) {
	return upstream.Tenant{}, errBroken
}

// freeNames answers every name as free and fails the rest.
type freeNames struct{ brokenStore }

func (freeNames) CheckName(context.Context, string, string) (upstream.NameCheck, error) {
	return upstream.NameCheck{Variants: []string{}}, nil
}

// takenOnRegister says every name is free, then refuses the registration as taken: an
// upstream that disagrees with itself.
type takenOnRegister struct{ freeNames }

func (takenOnRegister) Register(context.Context, upstream.RegisterRequest) (upstream.Tenant, error) {
	return upstream.Tenant{}, upstream.ErrNameTaken
}

type panickingStore struct{ upstream.Store }

func (panickingStore) FindPortals(context.Context, upstream.PortalQuery) ([]upstream.Tenant, error) {
	panic("boom")
}

// TestBrokenStore: a broken dependency is the spec's JSON error with a fixed message, never
// the Go error text.
func TestBrokenStore(t *testing.T) {
	h := newHandler(t, brokenStore{}, nil)
	wantJSON(t, serve(h, "POST", "/api/portal/validateportalname", `{"portalName":"goodname"}`), 400,
		`{"error":"error","message":"The portal name could not be checked"}`)
	wantJSON(t, serve(h, "POST", "/api/portal/register", good), 500,
		`{"error":"registerNewTenantError","message":"The portal could not be created"}`)
	wantJSON(t, serve(h, "GET", "/api/portal/get", ""), 500, `{"error":"error","message":"Internal error"}`)
	wantJSON(t, serve(h, "DELETE", "/api/portal/remove?portalName=goodname", ""), 500, `{"error":"error","message":"Internal error"}`)
	h = newHandler(t, freeNames{}, nil)
	wantJSON(t, serve(h, "POST", "/api/portal/register", good), 500,
		`{"error":"registerNewTenantError","message":"The portal could not be created"}`)
	h = newHandler(t, takenOnRegister{}, nil)
	wantJSON(t, serve(h, "POST", "/api/portal/register", good), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["goodname"]}`)
	h = newHandler(t, panickingStore{}, nil)
	wantJSON(t, serve(h, "GET", "/api/portal/get", ""), 500, `{"error":"error","message":"Internal error"}`)
}

func TestTariffState(t *testing.T) {
	h := newHandler(t, nil, func(c *Config) { c.PaymentDelay = 10 * 24 * time.Hour })
	for _, tc := range []struct {
		due  time.Time
		want int
	}{
		{upstream.MaxDate, statePaid},
		{clock.Add(time.Hour), statePaid},
		{clock, statePaid},
		{clock.Add(-24 * time.Hour), stateDelay},
		{clock.Add(-11 * 24 * time.Hour), stateNotPaid},
		{time.Time{}, stateNotPaid},
	} {
		if got := h.tariffState(upstream.Quota{DueDate: tc.due}); got != tc.want {
			t.Errorf("due %v: state %d, want %d", tc.due, got, tc.want)
		}
	}
	if got := h.tariff(upstream.Quota{ActiveUsers: 0}).ActiveUsers; got != 2147483647 {
		t.Errorf("0 active users renders as %d", got)
	}
}

func TestNotFoundAndMethod(t *testing.T) {
	h := newHandler(t, nil, nil)
	wantJSON(t, serve(h, "GET", "/api/nosuch/thing", ""), 404, `{"error":"error","message":"No HTTP resource was found that matches the request URI"}`)
	w := serve(h, "PUT", "/api/portal/get", "")
	wantJSON(t, w, 405, `{"error":"error","message":"The requested resource does not support this http method"}`)
	if w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Fatalf("Allow %q", w.Header().Get("Allow"))
	}
}
