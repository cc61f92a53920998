package caddytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/auth"
)

// wantBody compares the whole answer with want, as JSON values.
func wantBody(t *testing.T, r resp, status int, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(r.Raw, &got); err != nil {
		t.Fatalf("answer %d is not JSON: %q", r.Status, r.Raw)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	if r.Status != status || !reflect.DeepEqual(got, exp) {
		t.Fatalf("got %d %s\nwant %d %s", r.Status, r.Raw, status, want)
	}
}

func wantError(t *testing.T, r resp, status int, code, message string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"error": code, "message": message})
	wantBody(t, r, status, string(b))
}

func owner(portal, email string) map[string]any {
	return map[string]any{"firstName": "Anna", "lastName": "Tester", "email": email, "portalName": portal,
		"password": "Secret-pass-123", "language": "de", "timeZoneName": "Europe/Berlin"}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func tenantOf(t *testing.T, r resp) map[string]any {
	t.Helper()
	tn, ok := r.json(t)["tenant"].(map[string]any)
	if !ok {
		t.Fatalf("no tenant in %d %s", r.Status, r.Raw)
	}
	return tn
}

func TestTestEndpoints(t *testing.T) {
	c := gateway(t, "")
	for path, want := range map[string]string{
		"/api": "Portal api works", "/api/portal": "Portal api works", "/api/portal/test": "Portal api works",
		"/API/Portal/Test/": "Portal api works", "/api/tariff/test": "Tariff api works",
		"/api/settings/test": "Settings api works", "/api/tariff": "Tariff api works",
	} {
		r := c.do(req{Method: "GET", Path: path, Auth: "-"})
		wantBody(t, r, 200, `{"value":"`+want+`"}`)
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: test endpoints carry no CORS header", path)
		}
	}
	r := c.do(req{Method: "GET", Path: "/elsewhere", Auth: "-"})
	if r.Status != 200 || string(r.Raw) != "outside the api" {
		t.Fatalf("a path outside the prefix must pass to the next handler, got %d %q", r.Status, r.Raw)
	}
	r = c.do(req{Method: "GET", Path: "/apix/portal/test", Auth: "-"})
	if string(r.Raw) != "outside the api" {
		t.Fatalf("/apix is not under /api, got %d %q", r.Status, r.Raw)
	}
}

func TestHTTPEdges(t *testing.T) {
	c := gateway(t, "")
	r := c.do(req{Method: "GET", Path: "/api/portal/register"})
	wantError(t, r, 405, "error", "The requested resource does not support this http method")
	if got := r.Header.Get("Allow"); got != "POST, OPTIONS" {
		t.Fatalf("Allow = %q", got)
	}
	wantError(t, c.do(req{Method: "GET", Path: "/api/portal/nosuchaction"}), 404, "error",
		"No HTTP resource was found that matches the request URI")
	wantError(t, c.do(req{Method: "GET", Path: "/api/registration/getportals"}), 404, "error",
		"No HTTP resource was found that matches the request URI")
	wantError(t, c.do(req{Method: "GET", Path: "/api/coresettings/test"}), 404, "error",
		"No HTTP resource was found that matches the request URI")
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/register", Raw: []byte("{{{{"), Type: "application/json"}),
		400, `{"error":"params","message":["The request body is not a valid JSON object"]}`)
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/register", Raw: []byte(`{"portalName":"abcdef"} x`), Type: "application/json"}),
		400, `{"error":"params","message":["The request body is not a valid JSON object"]}`)
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Raw: []byte("<x/>"), Type: "application/xml"}),
		415, "error", "The request body must be application/json or application/x-www-form-urlencoded")
	big := with(owner("bigbody", "a@example.com"), "campaign", strings.Repeat("x", 1<<20))
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Body: big}), 413, "error", "The request body is too large")

	// Routing is on the escaped path with ASCII case folding: an encoded slash or a letter
	// that Unicode folds to ASCII (U+0130) names no endpoint.
	for _, p := range []string{"/api/portal%2Fregister", "/api/portal/reg%C4%B0ster", "/api/sett%C4%B0ngs/get"} {
		wantError(t, c.do(req{Method: "POST", Path: p, Body: owner("sneaky", "s@example.com")}), 404, "error",
			"No HTTP resource was found that matches the request URI")
	}
	if r := c.do(req{Method: "POST", Path: "/api%2Fportal%2Fregister", Body: owner("sneaky", "s@example.com")}); string(r.Raw) != "outside the api" {
		t.Fatalf("an encoded slash after the prefix is not under it: %d %q", r.Status, r.Raw)
	}
	// A UTF-8 byte-order mark, another charset, and junk in the query of a body endpoint.
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Raw: []byte("\xEF\xBB\xBF{\"portalName\":\"bommed\"}"), Type: "application/json"}),
		200, `{"message":"portalNameReadyToRegister"}`)
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Query: url.Values{"x": {"%zz"}}, Body: map[string]any{"portalName": "queryjunk"}}),
		200, `{"message":"portalNameReadyToRegister"}`)
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Raw: []byte(`{"portalName":"x"}`), Type: "application/json; charset=klingon"}),
		415, "error", "The request body's charset is not supported")

	// A preflight answers with no side effect, CORS headers and no token.
	r = c.do(req{Method: "OPTIONS", Path: "/api/portal/register", Auth: "-", Headers: map[string]string{"Origin": "https://signup.example"}})
	if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
		r.Header.Get("Access-Control-Allow-Methods") != "POST" ||
		r.Header.Get("Access-Control-Allow-Headers") != "Content-Type, Authorization" {
		t.Fatalf("preflight: %d %v", r.Status, r.Header)
	}
	// OPTIONS on an endpoint without CORS is a wrong method.
	r = c.do(req{Method: "OPTIONS", Path: "/api/settings/get"})
	wantError(t, r, 405, "error", "The requested resource does not support this http method")
}

func TestAuthorization(t *testing.T) {
	c := gateway(t, "")
	now := time.Now()
	get := func(hdr string) resp {
		return c.do(req{Method: "GET", Path: "/api/portal/get", Query: url.Values{"email": {"nobody@example.com"}}, Auth: hdr})
	}
	for _, enc := range []auth.Encoding{auth.StdPadded, auth.StdUnpadded, auth.URLPadded, auth.URLUnpadded, auth.URLToken} {
		wantBody(t, get(auth.Sign(testKey, "provider", now, enc)), 200, `{"tenants":[]}`)
	}
	wantBody(t, get("asc "+auth.Sign(testKey, "p", now, auth.StdPadded)[4:]), 200, `{"tenants":[]}`)
	wantBody(t, get("ASC"+auth.Sign(testKey, "p", now, auth.StdPadded)[4:]), 200, `{"tenants":[]}`)
	wantBody(t, get(auth.Sign(testKey, "p", now.Add(3*time.Hour), auth.URLToken)), 200, `{"tenants":[]}`)

	r := get("-")
	wantError(t, r, 403, "authorization", "Authorization is requered")
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("auth failures of CORS endpoints carry the CORS header (D6)")
	}
	wantError(t, get("Basic dXNlcjpwYXNz"), 403, "authorization", "Authorization scheme unknown")
	wantError(t, get(auth.Sign("another key", "p", now, auth.URLToken)), 403, "authorization", "Authorization invalid")
	wantError(t, get(auth.Sign(testKey, "p", now.Add(-6*time.Minute), auth.URLToken)), 403, "authorization", "Authorization is expired")
	wantError(t, get(auth.Sign(testKey, "p", now.Add(15*time.Hour), auth.URLToken)), 403, "authorization", "Authorization invalid")
	wantError(t, get("ASC p:"+now.UTC().Format("20060102150405")), 403, "authorization", "Authorization invalid")
	wantError(t, get("ASC abc::E7lwEXOplYS-0lbnV1XQnDSbi3w"), 403, "authorization", "Authorization invalid")
	wantError(t, get("ASC abc:2010070714060:E7lwEXOplYS-0lbnV1XQnDSbi3w"), 500, "authorization",
		"Authorization date is not a valid yyyyMMddHHmmss UTC time")
	// Every authenticated endpoint checks the token before it reads its input.
	for _, ep := range []struct{ method, path string }{
		{"POST", "/api/portal/register"}, {"DELETE", "/api/portal/remove"}, {"PUT", "/api/portal/status"},
		{"GET", "/api/tariff/get"}, {"PUT", "/api/tariff/set"}, {"GET", "/api/settings/get"}, {"POST", "/api/settings/save"},
	} {
		wantError(t, c.do(req{Method: ep.method, Path: ep.path, Auth: "-", Raw: []byte("{{"), Type: "application/json"}),
			403, "authorization", "Authorization is requered")
	}
}

func TestAllowSkip(t *testing.T) {
	c := gateway(t, "allow_skip default")
	wantBody(t, c.do(req{Method: "GET", Path: "/api/portal/get", Auth: "-"}), 200, `{"tenants":[]}`)
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Auth: "-", Body: owner("skipper", "a@example.com")}),
		403, "authorization", "Authorization is requered")
}

func TestValidatePortalName(t *testing.T) {
	c := gateway(t, "")
	v := func(q req) resp {
		q.Method, q.Path, q.Auth = "POST", "/api/portal/validateportalname", "-"
		return c.do(q)
	}
	ready := `{"message":"portalNameReadyToRegister"}`
	r := v(req{Body: map[string]any{"portalName": "example"}})
	wantBody(t, r, 200, ready)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("validateportalname carries the CORS header")
	}
	wantBody(t, v(req{Form: url.Values{"portalName": {"example"}}}), 200, ready)
	wantBody(t, v(req{Query: url.Values{"portalName": {"example"}}}), 200, ready)
	wantBody(t, v(req{Body: map[string]any{"PORTALNAME": "Example"}}), 200, ready)
	wantBody(t, v(req{Raw: []byte(`{"portalName":"-bad-","portalname":"example"}`), Type: "application/json"}), 200, ready)
	wantBody(t, v(req{Body: map[string]any{"portalName": 12345678}}), 200, ready)
	for _, tc := range []struct {
		name, code, msg string
	}{
		{"   ", "portalNameEmpty", "PortalName is required"},
		{"abc", "tooShortError", "Portal name is too short"},
		{strings.Repeat("a", 64), "tooShortError", "Portal name is too short"},
		{"exa_mple", "portalNameIncorrect", "Unallowable symbols in portalName"},
		{"-example", "portalNameIncorrect", "Unallowable symbols in portalName"},
		{"example-", "portalNameIncorrect", "Unallowable symbols in portalName"},
		{"портал", "portalNameIncorrect", "Unallowable symbols in portalName"},
		{"xn--80ak6aa92e", "portalNameIncorrect", "Unallowable symbols in portalName"},
	} {
		wantError(t, v(req{Body: map[string]any{"portalName": tc.name}}), 400, tc.code, tc.msg)
	}
	wantBody(t, v(req{Body: map[string]any{"portalName": "localhost"}}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["localhost"]}`)
	wantBody(t, v(req{Body: map[string]any{"portalName": "ControlPanel"}}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["controlpanel"]}`)
	wantError(t, v(req{}), 400, "portalNameEmpty", "PortalName is required")
	wantError(t, v(req{Body: map[string]any{}}), 400, "portalNameEmpty", "PortalName is required")
	wantError(t, v(req{Body: map[string]any{"portalName": map[string]any{"x": 1}}}), 400, "error", "The value for PortalName is not valid.")
}

func TestRegisterChecks(t *testing.T) {
	c := gateway(t, "")
	reg := func(body any) resp { return c.do(req{Method: "POST", Path: "/api/portal/register", Body: body}) }
	base := owner("checks1", "anna@example.com")

	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register"}), 400, "portalNameEmpty", "PortalName is required")
	wantBody(t, reg(with(base, "firstName", nil, "email", nil)), 400,
		`{"error":"params","message":["The FirstName field is required.","emailIncorrect"]}`)
	wantBody(t, reg(with(base, "email", "test@localhost")), 400, `{"error":"params","message":["emailIncorrect"]}`)
	wantBody(t, reg(with(base, "phone", strings.Repeat("1", 33), "language", "deutsch!")), 400,
		`{"error":"params","message":["The field Phone must be a string with a maximum length of 32.","The field Language must be a string with a maximum length of 7."]}`)
	wantBody(t, reg(with(base, "password", strings.Repeat("p", 121))), 400,
		`{"error":"params","message":["The field Password must be a string with a maximum length of 120."]}`)
	wantBody(t, reg(with(base, "industry", "many")), 400, `{"error":"params","message":["The value for Industry is not valid."]}`)
	wantBody(t, reg(with(base, "spam", "perhaps")), 400, `{"error":"params","message":["The value for Spam is not valid."]}`)
	wantError(t, reg(with(base, "password", 1234567)), 400, "passPolicyError", "Password is incorrect")
	wantError(t, reg(with(base, "password", "has space in it")), 400, "passPolicyError", "Password is incorrect")
	wantError(t, reg(with(base, "firstName", "R2D2")), 400, "error", "name is incorrect")
	wantError(t, reg(with(base, "firstName", "  ", "lastName", " ")), 400, "error", "name is required")
	wantError(t, reg(with(base, "portalName", "ab")), 400, "tooShortError", "Portal name is too short")
	wantError(t, reg(with(base, "portalName", "exa_mple")), 400, "portalNameIncorrect", "Unallowable symbols in portalName")
	wantBody(t, reg(with(base, "portalName", "localhost")), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["localhost"]}`)

	// Nothing of the refused attempts was stored.
	wantBody(t, c.do(req{Method: "GET", Path: "/api/portal/get"}), 200, `{"tenants":[]}`)

	// lastName may be empty: the check is on the concatenation; a long password within the
	// policy's 120 is no params error (D14).
	r := reg(with(base, "lastName", "", "password", strings.Repeat("p", 100)))
	if r.Status != 200 {
		t.Fatalf("register with empty lastName: %d %s", r.Status, r.Raw)
	}
}

func TestPortalLifecycle(t *testing.T) {
	c := gateway(t, "")
	email := "Owner+Tag@Example.com"
	r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner("MyPortal1", email), "partnerId", "{B0A2C1D3-1111-2222-3333-444455556666}")})
	if r.Status != 200 {
		t.Fatalf("register: %d %s", r.Status, r.Raw)
	}
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("register carries the CORS header")
	}
	body := r.json(t)
	tn := body["tenant"].(map[string]any)
	id := tn["tenantId"].(float64)
	ownerID := tn["ownerId"].(string)
	created := tn["created"].(string)
	if _, err := time.Parse("2006-01-02T15:04:05", created); err != nil {
		t.Fatalf("created %q: %v", created, err)
	}
	wantTenant := map[string]any{
		"created": created, "domain": "myportal1.example.com", "hostedRegion": nil, "industry": 0.0,
		"language": "de-DE", "name": "Cloud Office Applications", "ownerId": ownerID,
		"partnerId": "b0a2c1d3-1111-2222-3333-444455556666", "paymentId": nil, "portalName": "myportal1",
		"status": "Active", "tenantId": id, "timeZoneName": "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
	}
	if !reflect.DeepEqual(tn, wantTenant) {
		t.Fatalf("tenant\n got %v\nwant %v", tn, wantTenant)
	}
	ref := body["reference"].(string)
	if !strings.HasPrefix(ref, "http://myportal1.example.com/confirm.aspx?type=Auth&key=") ||
		!strings.HasSuffix(ref, "&email=Owner%2BTag%40Example.com&first=true") {
		t.Fatalf("reference %q", ref)
	}
	welcome, _ := body["referenceWelcome"].(string)
	if !strings.HasPrefix(welcome, "http://myportal1.example.com/api/2.0/portal/sendcongratulations?userid="+ownerID+"&key=") {
		t.Fatalf("referenceWelcome %q", welcome)
	}
	if strings.Contains(string(r.Raw), "Secret-pass-123") {
		t.Fatal("the password is in the answer")
	}

	// Taken now: both register and validate say so, with variants.
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("myportal1", "x@example.com")}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["myportal1"]}`)
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "MyPortal1"}}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["myportal1"]}`)

	// A second portal by form, without password: no referenceWelcome, language default.
	r = c.do(req{Method: "POST", Path: "/api/portal/register", Form: url.Values{"portalName": {"second-portal"},
		"firstName": {"Jean"}, "lastName": {"Dupont"}, "email": {"owner+tag@example.com"}, "language": {"fr"}}})
	if r.Status != 200 {
		t.Fatalf("form register: %d %s", r.Status, r.Raw)
	}
	second := r.json(t)
	if second["referenceWelcome"] != nil {
		t.Fatalf("referenceWelcome without a password: %v", second["referenceWelcome"])
	}
	st := second["tenant"].(map[string]any)
	if st["language"] != "fr-FR" || st["timeZoneName"] != "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris" {
		t.Fatalf("second tenant %v", st)
	}

	names := func(q url.Values) []string {
		r := c.do(req{Method: "GET", Path: "/api/portal/get", Query: q})
		if r.Status != 200 {
			t.Fatalf("get %v: %d %s", q, r.Status, r.Raw)
		}
		var out []string
		for _, x := range r.json(t)["tenants"].([]any) {
			out = append(out, x.(map[string]any)["portalName"].(string))
		}
		return out
	}
	if got := names(url.Values{"email": {"OWNER+tag@example.COM"}}); !reflect.DeepEqual(got, []string{"myportal1", "second-portal"}) {
		t.Fatalf("by e-mail: %v", got)
	}
	if got := names(url.Values{"email": {"owner@example.com"}}); got != nil {
		t.Fatalf("plus-addressing is kept: %v", got)
	}
	if got := names(url.Values{"email": {ownerID}}); !reflect.DeepEqual(got, []string{"myportal1"}) {
		t.Fatalf("by owner id: %v", got)
	}
	if got := names(url.Values{"portalName": {"Second-Portal"}}); !reflect.DeepEqual(got, []string{"second-portal"}) {
		t.Fatalf("by name: %v", got)
	}
	wantBody(t, c.do(req{Method: "GET", Path: "/api/portal/get", Query: url.Values{"tenantId": {"x"}}}), 400,
		`{"error":"params","message":["The value for TenantId is not valid."]}`)

	// Suspend hides it from get; the status comes from the query when the body lacks it.
	r = c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"portalName": "second-portal", "status": "Suspended"}})
	if r.Status != 200 || tenantOf(t, r)["status"] != "Suspended" {
		t.Fatalf("suspend: %d %s", r.Status, r.Raw)
	}
	if got := names(nil); !reflect.DeepEqual(got, []string{"myportal1"}) {
		t.Fatalf("all active: %v", got)
	}
	wantBody(t, c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"portalName": "second-portal", "status": "Bogus"}}), 400,
		`{"error":"params","message":["The value for Status is not valid."]}`)
	r = c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"portalName": "second-portal"}, Query: url.Values{"status": {"Active"}}})
	if r.Status != 200 || tenantOf(t, r)["status"] != "Active" {
		t.Fatalf("activate: %d %s", r.Status, r.Raw)
	}
	r = c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"tenantId": id, "status": 5}})
	if r.Status != 200 || tenantOf(t, r)["status"] != "Suspended" {
		t.Fatalf("any other status is Suspended: %d %s", r.Status, r.Raw)
	}
	r = c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"tenantId": id}})
	if r.Status != 200 || tenantOf(t, r)["status"] != "Active" {
		t.Fatalf("absent status is Active: %d %s", r.Status, r.Raw)
	}
	wantError(t, c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"status": 0}}), 400, "portalNameEmpty", "PortalName is required")
	wantError(t, c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"portalName": "nosuchportal", "status": 0}}), 400, "portalNameNotFound", "Portal not found")

	// Tariffs.
	r = c.do(req{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"portalName": {"myportal1"}}})
	if r.Status != 200 {
		t.Fatalf("tariff/get: %d %s", r.Status, r.Raw)
	}
	wantTariff := func(r resp, want string) {
		t.Helper()
		got, _ := json.Marshal(r.json(t)["tariff"])
		var a, b any
		_ = json.Unmarshal(got, &a)
		_ = json.Unmarshal([]byte(want), &b)
		if r.Status != 200 || !reflect.DeepEqual(a, b) {
			t.Fatalf("tariff: %d %s\nwant %s", r.Status, r.Raw, want)
		}
	}
	defaults := `{"activeUsers":10000,"dueDate":"9999-12-31T23:59:59.9999999","features":"","maxFileSize":1073741824,"maxTotalSize":1099510579200,"state":1}`
	wantTariff(r, defaults)
	r = c.do(req{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "myportal1", "activeUsers": 50,
		"dueDate": "2031-07-13", "features": "whitelabel,portals:5", "maxFileSize": 1500000, "maxTotalSize": 1000}})
	set := `{"activeUsers":50,"dueDate":"2031-07-13T00:00:00","features":"whitelabel,portals:5","maxFileSize":1048576,"maxTotalSize":0,"state":1}`
	wantTariff(r, set)
	wantTariff(c.do(req{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"tenantId": {"1"}, "portalName": {"ignored-name"}}}), set)
	r = c.do(req{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "myportal1", "dueDate": "2020-01-01T10:00:00+02:00", "maxTotalSize": "1099511627776"}})
	wantTariff(r, `{"activeUsers":10000,"dueDate":"2020-01-01T08:00:00","features":"","maxFileSize":1073741824,"maxTotalSize":1099511627776,"state":3}`)
	wantTariff(c.do(req{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "myportal1"}}), defaults)
	wantBody(t, c.do(req{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "myportal1", "maxFileSize": -1, "dueDate": "soon"}}), 400,
		`{"error":"params","message":["The value for DueDate is not valid.","The field MaxFileSize must not be negative."]}`)
	wantError(t, c.do(req{Method: "GET", Path: "/api/tariff/get"}), 400, "portalNameEmpty", "PortalName is required")
	wantBody(t, c.do(req{Method: "GET", Path: "/api/tariff/all", Auth: "-"}), 200, `{"tariffs":[]}`)

	// Settings.
	wantBody(t, c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"portalName": {"myportal1"}, "key": {"k"}}}), 200, `{"settings":null}`)
	wantBody(t, c.do(req{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"portalName": "myportal1", "key": "k", "value": "v1"}}), 200, `{"settings":"v1"}`)
	wantBody(t, c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"portalName": {"myportal1"}, "key": {"k"}}}), 200, `{"settings":"v1"}`)
	wantBody(t, c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"tenantId": {"-1"}, "key": {"k"}}}), 200, `{"settings":null}`)
	wantBody(t, c.do(req{Method: "POST", Path: "/api/settings/save", Form: url.Values{"tenantId": {"-1"}, "key": {"k"}, "value": {"global"}}}), 200, `{"settings":"global"}`)
	wantError(t, c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"portalName": {"myportal1"}}}), 400, "params", "Key is required")
	wantError(t, c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"portalName": {"nosuchportal"}}}), 400, "portalNameNotFound", "Portal not found")
	wantError(t, c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"key": {"k"}}}), 400, "portalNameEmpty", "PortalName is required")
	wantError(t, c.do(req{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"portalName": "myportal1", "key": "k"}}), 400, "params", "Value is empty")
	wantError(t, c.do(req{Method: "POST", Path: "/api/settings/save"}), 400, "portalNameEmpty", "PortalName is required")
	if r := c.do(req{Method: "GET", Path: "/api/settings/get", Query: url.Values{"portalName": {"myportal1"}, "key": {"k"}}}); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("settings carry no CORS header")
	}

	// Remove: the answer is the tenant before removal; the name is free and in variants.
	r = c.do(req{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"portalName": {"myportal1"}}})
	if r.Status != 200 || tenantOf(t, r)["portalName"] != "myportal1" || tenantOf(t, r)["status"] != "Active" {
		t.Fatalf("remove: %d %s", r.Status, r.Raw)
	}
	wantError(t, c.do(req{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"portalName": {"myportal1"}}}), 400, "portalNameNotFound", "Portal not found")
	r = c.do(req{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"tenantId": {"1"}}})
	if r.Status != 200 || tenantOf(t, r)["portalName"] != "myportal1_deleted" || tenantOf(t, r)["status"] != "RemovePending" {
		t.Fatalf("removed tenant by id: %d %s", r.Status, r.Raw)
	}
	if got := names(url.Values{"tenantId": {"1"}}); got != nil {
		t.Fatalf("removed portals are not listed: %v", got)
	}
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "myportal1"}}), 200,
		`{"message":"portalNameReadyToRegister"}`)
	if r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("myportal1", email)}); r.Status != 200 {
		t.Fatalf("re-register: %d %s", r.Status, r.Raw)
	}
	if r := c.do(req{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"portalName": {"myportal1"}}}); r.Status != 200 {
		t.Fatalf("second remove: %d %s", r.Status, r.Raw)
	}
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "localhost"}}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["localhost"]}`)
	if r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("myportal1", email)}); r.Status != 200 {
		t.Fatalf("third register: %d %s", r.Status, r.Raw)
	}
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "myportal1"}}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["myportal1","myportal1_deleted","myportal1_deleted1"]}`)
	wantError(t, c.do(req{Method: "DELETE", Path: "/api/portal/remove"}), 400, "portalNameEmpty", "PortalName is required")
	wantError(t, c.do(req{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"tenantId": {"999"}}}), 400, "portalNameNotFound", "Portal not found")
	// A removed portal is reachable by id only, its renamed alias included; a retried remove
	// by id changes nothing.
	wantError(t, c.do(req{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"portalName": {"myportal1_deleted"}}}), 400, "portalNameNotFound", "Portal not found")
	wantError(t, c.do(req{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"portalName": {"myportal1_deleted"}}}), 400, "portalNameNotFound", "Portal not found")
	r = c.do(req{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"tenantId": {"1"}}})
	if r.Status != 200 || tenantOf(t, r)["portalName"] != "myportal1_deleted" || tenantOf(t, r)["status"] != "RemovePending" {
		t.Fatalf("retried remove: %d %s", r.Status, r.Raw)
	}
	// A removed portal can be set back to Active by id; its alias stays renamed.
	r = c.do(req{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"tenantId": 1, "status": "Active"}})
	if r.Status != 200 || tenantOf(t, r)["portalName"] != "myportal1_deleted" || tenantOf(t, r)["status"] != "Active" {
		t.Fatalf("restore by id: %d %s", r.Status, r.Raw)
	}
}

func TestTariffAllConfigured(t *testing.T) {
	c := gateway(t, "tariff 50 104857600 1073741824 whitelabel")
	wantBody(t, c.do(req{Method: "GET", Path: "/api/tariff/all", Auth: "-"}), 200,
		`{"tariffs":[{"activeUsers":50,"dueDate":"9999-12-31T23:59:59.9999999","features":"whitelabel","maxFileSize":104857600,"maxTotalSize":1073741824,"state":1}]}`)
}

func TestConcurrentRegistrationsOfOneName(t *testing.T) {
	// All 20 may pass the name check before the first insert; the attempt limit is not what
	// this test is about.
	c := gateway(t, "attempts {\n\t\t\tmax 1000\n\t\t}")
	const n = 20
	results := make(chan resp, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			results <- c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner("racedname", "race@example.com"), "password", nil)})
		}(i)
	}
	ok, exist := 0, 0
	for i := 0; i < n; i++ {
		r := <-results
		switch {
		case r.Status == 200:
			ok++
		case r.Status == 400 && strings.Contains(string(r.Raw), `"portalNameExist"`):
			exist++
		default:
			t.Errorf("unexpected answer %d %s", r.Status, r.Raw)
		}
	}
	if ok != 1 || exist != n-1 {
		t.Fatalf("%d succeeded and %d were portalNameExist; want 1 and %d", ok, exist, n-1)
	}
}

// TestMaxPortals checks portalsCountTooMuch at its place: after the name checks.
func TestMaxPortals(t *testing.T) {
	c := gateway(t, "max_portals 1")
	if r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("firstone", "a@example.com")}); r.Status != 200 {
		t.Fatalf("first: %d %s", r.Status, r.Raw)
	}
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("secondone", "a@example.com")}), 400,
		"portalsCountTooMuch", "Too much portals registered already")
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("ab", "a@example.com")}), 400,
		"tooShortError", "Portal name is too short")
}

func TestCORSOrigins(t *testing.T) {
	c := gateway(t, "cors_origins https://signup.example")
	r := c.do(req{Method: "GET", Path: "/api/tariff/all", Auth: "-", Headers: map[string]string{"Origin": "https://signup.example"}})
	if r.Header.Get("Access-Control-Allow-Origin") != "https://signup.example" {
		t.Fatalf("allowed origin: %v", r.Header)
	}
	r = c.do(req{Method: "GET", Path: "/api/tariff/all", Auth: "-", Headers: map[string]string{"Origin": "https://evil.example"}})
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin: %v", r.Header)
	}
}

func TestHeadOnGetEndpoint(t *testing.T) {
	c := gateway(t, "")
	r := c.do(req{Method: http.MethodHead, Path: "/api/portal/test", Auth: "-"})
	if r.Status != 200 || len(r.Raw) != 0 {
		t.Fatalf("HEAD: %d %q", r.Status, r.Raw)
	}
}
