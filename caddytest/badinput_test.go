package caddytest

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/auth"
)

// snapshot reads everything a client can see of the store.
func snapshot(t *testing.T, c *client) string {
	t.Helper()
	var b bytes.Buffer
	for _, q := range []req{
		{Method: "GET", Path: "/api/portal/get"},
		{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"tenantId": {"1"}}},
		{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"tenantId": {"2"}}},
		{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"tenantId": {"3"}}},
		{Method: "GET", Path: "/api/settings/get", Query: url.Values{"tenantId": {"1"}, "key": {"k"}}},
		{Method: "GET", Path: "/api/settings/get", Query: url.Values{"tenantId": {"-1"}, "key": {"k"}}},
		{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "keeper"}},
		{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "victim"}},
	} {
		r := c.do(q)
		b.WriteString(q.Path + " " + q.Query.Encode() + " -> ")
		b.Write(r.Raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestBadInputChangesNothing sends bad input of every kind SPEC 8 lists to every endpoint
// that writes, checks each gets a JSON error with its status, and that what is stored is
// exactly as before.
func TestBadInputChangesNothing(t *testing.T) {
	c := gateway(t, "")
	if r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: owner("keeper", "keeper@example.com")}); r.Status != 200 {
		t.Fatalf("register: %d %s", r.Status, r.Raw)
	}
	c.do(req{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"tenantId": 1, "activeUsers": 7, "dueDate": "2030-01-01"}})
	c.do(req{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"tenantId": 1, "key": "k", "value": "v"}})
	before := snapshot(t, c)

	now := time.Now()
	badAuth := []string{"-", "Basic dXNlcjpwYXNz", auth.Sign("wrong key", "p", now, auth.URLToken),
		auth.Sign(testKey, "p", now.Add(-time.Hour), auth.URLToken), "ASC p:2010070714060:xx", "ASC p::x", "ASC p"}
	writes := []struct {
		method, path string
		body         map[string]any
	}{
		{"POST", "/api/portal/register", owner("victim", "v@example.com")},
		{"DELETE", "/api/portal/remove?portalName=keeper", nil},
		{"PUT", "/api/portal/status", map[string]any{"portalName": "keeper", "status": "Suspended"}},
		{"PUT", "/api/tariff/set", map[string]any{"portalName": "keeper", "activeUsers": 1}},
		{"POST", "/api/settings/save", map[string]any{"portalName": "keeper", "key": "k", "value": "changed"}},
	}
	for _, w := range writes {
		path, rawQuery, _ := strings.Cut(w.path, "?")
		query, _ := url.ParseQuery(rawQuery)
		for _, a := range badAuth {
			r := c.do(req{Method: w.method, Path: path, Query: query, Body: w.body, Auth: a})
			if (r.Status != 403 && r.Status != 500) || !strings.Contains(string(r.Raw), `"error":"authorization"`) {
				t.Errorf("%s %s with %q: %d %s", w.method, path, a, r.Status, r.Raw)
			}
		}
		if w.method == "DELETE" {
			continue // remove reads the query only: a body cannot make it fail
		}
		for _, q := range []req{
			{Raw: []byte("{"), Type: "application/json"},
			{Raw: []byte(`{"portalName":"keeper"}{}`), Type: "application/json"},
			{Raw: []byte(`["keeper"]`), Type: "application/json"},
			{Raw: []byte("<portalName>keeper</portalName>"), Type: "text/xml"},
			{Raw: []byte("portalName=%zz"), Type: "application/x-www-form-urlencoded"},
			{Raw: bytes.Repeat([]byte("a"), 70<<10), Type: "application/json"},
		} {
			q.Method, q.Path, q.Query = w.method, path, query
			r := c.do(q)
			if r.Status < 400 || r.Status == 500 {
				t.Errorf("%s %s with body %.40q: %d %s", w.method, path, q.Raw, r.Status, r.Raw)
			}
		}
	}
	// Field errors, each at its place.
	for _, q := range []req{
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "email", "nope")},
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "password", "short")},
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "lastName", "<script>")},
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "industry", 1.5)},
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "portalName", "victim!")},
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "portalName", "keeper")},
		{Method: "POST", Path: "/api/portal/register", Body: with(owner("victim", "v@example.com"), "portalName", []any{"a"})},
		{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"portalName": "keeper", "status": true}},
		{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"tenantId": "one", "status": 1}},
		{Method: "PUT", Path: "/api/portal/status", Body: map[string]any{"portalName": "keeper_deleted", "status": 1}},
		{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"tenantId": {"1.0"}}},
		{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"portalName": {" "}}},
		{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "keeper", "maxTotalSize": -5}},
		{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "keeper", "activeUsers": 1e12}},
		{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "keeper", "dueDate": 20300101}},
		{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "nosuchportal", "activeUsers": 1}},
		{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"portalName": "keeper", "key": "k", "value": ""}},
		{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"portalName": "keeper", "key": " ", "value": "x"}},
		{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"portalName": "keeper", "key": strings.Repeat("k", 256), "value": "x"}},
		{Method: "POST", Path: "/api/settings/save", Body: map[string]any{"tenantId": 99, "key": "k", "value": "x"}},
		{Method: "GET", Path: "/api/portal/register"},
		{Method: "PATCH", Path: "/api/tariff/set"},
	} {
		r := c.do(q)
		if r.Status < 400 || r.Status == 500 || !strings.Contains(string(r.Raw), `"error":`) {
			t.Errorf("%s %s %v: %d %s", q.Method, q.Path, q.Body, r.Status, r.Raw)
		}
	}
	if after := snapshot(t, c); after != before {
		t.Fatalf("bad input changed what is stored\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
