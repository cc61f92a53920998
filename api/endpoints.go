package api

import (
	"net/http"
	"strings"
)

// AuthGroup is the allow-skip group an endpoint's token check belongs to (SPEC 1.5).
type AuthGroup uint8

// The auth groups: none (test endpoints, validateportalname, tariff/all), the default group,
// and register's own group.
const (
	AuthNone AuthGroup = iota
	AuthDefault
	AuthRegister
)

// Endpoint is one action of the API.
type Endpoint struct {
	// Name is "controller/action", lower-case; it labels logs and metrics.
	Name   string
	Method string
	Auth   AuthGroup
	// CORS marks the endpoints that carry Access-Control-Allow-Origin (SPEC 1.2, D6).
	CORS bool
	// Body is true when the input is read from the body (with query fallback), false when
	// it is read from the query only.
	Body bool
	// RateLimited endpoints need no token, so a request-rate limit keeps them from being
	// used to enumerate names at line rate (D19a).
	RateLimited bool
	// TestValue is the answer of a test endpoint, which has no Serve.
	TestValue string
	Serve     func(*call)
}

func (ep *Endpoint) allow() string {
	m := ep.Method
	if m == http.MethodGet {
		m += ", HEAD"
	}
	if ep.CORS {
		m += ", OPTIONS"
	}
	return m
}

// endpoints is the table of DECISIONS D2; Resolve looks paths up in it.
var endpoints = map[string]*Endpoint{}

func init() {
	for _, ep := range []*Endpoint{
		{Name: "portal/test", Method: http.MethodGet, TestValue: "Portal api works"},
		{Name: "portal/register", Method: http.MethodPost, Auth: AuthRegister, CORS: true, Body: true, Serve: serveRegister},
		{Name: "portal/remove", Method: http.MethodDelete, Auth: AuthDefault, CORS: true, Serve: serveRemove},
		{Name: "portal/status", Method: http.MethodPut, Auth: AuthDefault, CORS: true, Body: true, Serve: serveStatus},
		{Name: "portal/validateportalname", Method: http.MethodPost, CORS: true, Body: true, RateLimited: true, Serve: serveValidatePortalName},
		{Name: "portal/get", Method: http.MethodGet, Auth: AuthDefault, CORS: true, Serve: serveGet},
		{Name: "tariff/test", Method: http.MethodGet, TestValue: "Tariff api works"},
		{Name: "tariff/get", Method: http.MethodGet, Auth: AuthDefault, CORS: true, Serve: serveTariffGet},
		{Name: "tariff/set", Method: http.MethodPut, Auth: AuthDefault, CORS: true, Body: true, Serve: serveTariffSet},
		{Name: "tariff/all", Method: http.MethodGet, CORS: true, RateLimited: true, Serve: serveTariffAll},
		{Name: "settings/test", Method: http.MethodGet, TestValue: "Settings api works"},
		{Name: "settings/get", Method: http.MethodGet, Auth: AuthDefault, Serve: serveSettingsGet},
		{Name: "settings/save", Method: http.MethodPost, Auth: AuthDefault, Body: true, Serve: serveSettingsSave},
	} {
		endpoints[ep.Name] = ep
	}
}

// Endpoints lists the names of every endpoint, for metrics and docs.
func Endpoints() []string {
	names := make([]string, 0, len(endpoints))
	for n := range endpoints {
		names = append(names, n)
	}
	return names
}

// Resolve maps the escaped path below the API prefix ("", "/portal", "/Portal/Register/") to
// its endpoint, ASCII case-insensitively with one trailing slash tolerated. The route template
// is {controller}/{action} with defaults portal and test (SPEC 1.1). No endpoint name has an
// escape or a non-ASCII letter, so "%2F" and "İ" (which Unicode folds to "i") name nothing: a
// path rule in front of the gateway sees the same endpoint the gateway serves.
func Resolve(rest string) (*Endpoint, bool) {
	if strings.HasSuffix(rest, "/") {
		rest = rest[:len(rest)-1]
	}
	if rest == "" {
		return endpoints["portal/test"], true
	}
	if rest[0] != '/' {
		return nil, false
	}
	rest, ok := asciiLower(rest[1:])
	if !ok {
		return nil, false
	}
	controller, action, hasAction := strings.Cut(rest, "/")
	if !hasAction {
		action = "test"
	}
	if controller == "" || action == "" || strings.Contains(action, "/") {
		return nil, false
	}
	ep, ok := endpoints[controller+"/"+action]
	return ep, ok
}

// asciiLower lower-cases ASCII letters; false when s has anything but letters, digits, '-'
// and '/'.
func asciiLower(s string) (string, bool) {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '/':
		default:
			return "", false
		}
	}
	return string(b), true
}

// NotFound answers a path below the prefix that names no endpoint (D3).
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	c := &call{h: h, w: w, r: r, ep: &Endpoint{Name: "notfound"}}
	c.fail(failNotFound)
}
