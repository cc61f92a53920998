package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/upstream"
)

const benchBody = `{"portalName":"bench-portal","firstName":"Anna","lastName":"Tester","email":"anna@example.com","language":"de","timeZoneName":"Europe/Berlin","spam":true}`

func BenchmarkReadInputJSON(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/api/portal/register?x=1", strings.NewReader(benchBody))
		r.Header.Set("Content-Type", "application/json")
		if _, err := readInput(r, true, 1<<16); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTenantEncode(b *testing.B) {
	h := &Handler{cfg: Config{BaseDomain: "example.com", Now: time.Now}}
	t := upstream.Tenant{ID: 12, Alias: "bench-portal", Language: "de-DE", Name: DefaultPortalTitle, TimeZone: "Europe/Berlin",
		Created: time.Now(), Owner: upstream.Owner{ID: "be7bc931-b966-493e-a8b5-56fc7d21f9c8"}}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := json.NewEncoder(&buf).Encode(tenantAnswer{Tenant: h.tenant(t)}); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is a ResponseWriter that keeps nothing, so the benchmark measures the handler.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchServe(b *testing.B, h *Handler, method, path, body, authz string) {
	b.Helper()
	rest := strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/api")
	ep, ok := Resolve(rest)
	if !ok {
		b.Fatalf("no endpoint %s", path)
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := httptest.NewRequest(method, path, rd)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		clear(w.h)
		h.Serve(w, r, ep, Client{IP: "192.0.2.1", Scheme: "http"})
	}
}

func BenchmarkServeBadToken(b *testing.B) {
	h := newHandler(b, nil, nil)
	benchServe(b, h, "GET", "/api/portal/get?portalName=x", "", "ASC p:"+clock.Format("20060102150405")+":AAAAAAAAAAAAAAAAAAAAAAAAAAA")
}

func BenchmarkServeValidateTaken(b *testing.B) {
	h := newHandler(b, nil, nil)
	serve(h, "POST", "/api/portal/register", good)
	benchServe(b, h, "POST", "/api/portal/validateportalname", `{"portalName":"goodname"}`, "")
}

func BenchmarkServeValidateFree(b *testing.B) {
	h := newHandler(b, nil, nil)
	benchServe(b, h, "POST", "/api/portal/validateportalname", `{"portalName":"freename"}`, "")
}

func BenchmarkServeGetByName(b *testing.B) {
	h := newHandler(b, nil, nil)
	serve(h, "POST", "/api/portal/register", good)
	benchServe(b, h, "GET", "/api/portal/get?portalName=goodname", "", auth.Sign(key, "unit", clock, auth.URLToken))
}
