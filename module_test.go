package hostedgate

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func TestUnderPrefix(t *testing.T) {
	h := &Handler{Prefix: "/api"}
	for path, want := range map[string]string{"/api": "", "/API/portal/get": "/portal/get", "/api/": "/", "/Api/x/y": "/x/y"} {
		if got, ok := h.underPrefix(path); !ok || got != want {
			t.Errorf("underPrefix(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"/apix", "/ap", "/", "/other/api", ""} {
		if _, ok := h.underPrefix(path); ok {
			t.Errorf("underPrefix(%q) matched", path)
		}
	}
}

func TestResolveKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HG_UNIT_KEY", "from-env")
	keys, err := resolveKeys([]string{"{env.HG_UNIT_KEY}", "{file." + file + "}", "literal"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, "|") != "from-env|from-a-file|literal" {
		t.Fatalf("keys %q", keys)
	}
	_, err = resolveKeys([]string{"{env.HG_UNIT_KEY_UNSET}"})
	if err == nil || !strings.Contains(err.Error(), `"{env.HG_UNIT_KEY_UNSET}" is empty`) {
		t.Fatalf("empty key: %v", err)
	}
	if _, err := resolveKeys(nil); err == nil {
		t.Fatal("no key accepted")
	}
}

func TestScheme(t *testing.T) {
	r := httptest.NewRequest("GET", "/api", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	vars := map[string]any{}
	r = r.WithContext(context.WithValue(r.Context(), caddyhttp.VarsCtxKey, vars))
	if got := scheme(r); got != "http" {
		t.Fatalf("X-Forwarded-Proto from an untrusted peer was taken: %q", got)
	}
	vars[caddyhttp.TrustedProxyVarKey] = true
	if got := scheme(r); got != "https" {
		t.Fatalf("trusted proxy: %q", got)
	}
	r.Header.Set("X-Forwarded-Proto", "gopher")
	if got := scheme(r); got != "http" {
		t.Fatalf("bad proto: %q", got)
	}
}

func TestValidate(t *testing.T) {
	for _, h := range []Handler{
		{Prefix: "api"}, {Prefix: "/api", MaxPortals: -1}, {Prefix: "/api", MaxBodySize: -1}, {Prefix: "/api", TrustInterval: -1},
	} {
		if err := h.Validate(); err == nil {
			t.Errorf("%+v accepted", h)
		}
	}
	h := Handler{}
	h.applyDefaults()
	if err := h.Validate(); err != nil || h.Prefix != "/api" || h.MaxBodySize != 65536 {
		t.Fatalf("defaults: %+v %v", h, err)
	}
}
