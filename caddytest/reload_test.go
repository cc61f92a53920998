package caddytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddytest"
)

// TestReloadKeepsStore reloads a config that uses the same bolt file: the new config must
// share the open database (bbolt locks its file, and the new config is provisioned before the
// old one is cleaned up) and see every portal.
func TestReloadKeepsStore(t *testing.T) {
	tester := caddytest.NewTester(t)
	cfg := caddyfile(t, "")
	tester.InitServer(cfg, "caddyfile")
	warmUp(t, tester.Client)
	c := &client{t: t, http: tester.Client}
	if r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner("reloaded", "r@example.com"), "password", nil)}); r.Status != 200 {
		t.Fatalf("register: %d %s", r.Status, r.Raw)
	}
	for i := 0; i < 3; i++ {
		// A changed config forces a real reload; the store block stays the same.
		tester.InitServer(strings.Replace(cfg, "base_domain example.com", "base_domain example.com\n\t\tportal_title \"Reload "+string(rune('A'+i))+"\"", 1), "caddyfile")
		warmUp(t, tester.Client)
		r := c.do(req{Method: "GET", Path: "/api/portal/get", Query: url.Values{"portalName": {"reloaded"}}})
		if r.Status != 200 || !strings.Contains(string(r.Raw), `"portalName":"reloaded"`) {
			t.Fatalf("after reload %d: %d %s", i, r.Status, r.Raw)
		}
	}
	r := c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner("afterreload", "r@example.com"), "password", nil)})
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"name":"Reload C"`) {
		t.Fatalf("register after reloads: %d %s", r.Status, r.Raw)
	}
}
