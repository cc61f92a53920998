package hostedgate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/apisystem"
)

func init() {
	caddy.RegisterModule(APISystemStore{})
}

// APISystemStore forwards every store operation to an existing ONLYOFFICE ApiSystem ("edge
// mode"): hostedgate checks the caller's token, validates every field and applies its limits,
// then sends the upstream its own re-encoded request, signed with the upstream's key, through
// Caddy's reverse proxy (several upstreams, load balancing, active and passive health checks,
// timeouts, TLS; health state is Caddy's and survives reloads).
type APISystemStore struct {
	// MachineKey is the upstream ApiSystem's core.machinekey, which forwarded requests are
	// signed with. Give it as {env.*} or {file.*}.
	MachineKey string `json:"machine_key,omitempty"`
	// Prefix is the upstream's API path. Default /api (DocSpace deployments: /apisystem).
	Prefix string `json:"prefix,omitempty"`
	// PKey is the pkey of the tokens hostedgate signs. Default "hostedgate".
	PKey string `json:"pkey,omitempty"`
	// TokenEncoding is how the token's hash is written: std_padded (default; every server
	// accepts it), std_unpadded, url_padded, url_unpadded or url_token.
	TokenEncoding string `json:"token_encoding,omitempty"`
	// Timeout bounds one forwarded request, retries included. Default 15s.
	Timeout caddy.Duration `json:"timeout,omitempty"`
	// ProxyRaw is the reverse proxy (http.handlers.reverse_proxy) the requests go through:
	// its upstreams, load balancing, health checks and transport.
	ProxyRaw json.RawMessage `json:"proxy,omitempty"`

	proxy *reverseproxy.Handler
	store upstream.Store
}

// CaddyModule returns the Caddy module information.
func (APISystemStore) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.hosted_solution.stores.apisystem",
		New: func() caddy.Module { return new(APISystemStore) },
	}
}

var tokenEncodings = map[string]auth.Encoding{
	"": auth.StdPadded, "std_padded": auth.StdPadded, "std_unpadded": auth.StdUnpadded,
	"url_padded": auth.URLPadded, "url_unpadded": auth.URLUnpadded, "url_token": auth.URLToken,
}

// Provision loads the reverse proxy and builds the forwarding store.
func (a *APISystemStore) Provision(ctx caddy.Context) error {
	key := caddy.NewReplacer().ReplaceKnown(a.MachineKey, "")
	if strings.TrimSpace(key) == "" {
		return fmt.Errorf("apisystem store: machine_key %q is empty: set the upstream's key", a.MachineKey)
	}
	enc, ok := tokenEncodings[a.TokenEncoding]
	if !ok {
		return fmt.Errorf("apisystem store: unknown token_encoding %q", a.TokenEncoding)
	}
	if len(a.ProxyRaw) == 0 {
		return fmt.Errorf("apisystem store: no upstream: give its addresses with 'upstream <address>...'")
	}
	mod, err := ctx.LoadModuleByID("http.handlers.reverse_proxy", a.ProxyRaw)
	if err != nil {
		return fmt.Errorf("apisystem store: loading the reverse proxy: %w", err)
	}
	a.proxy = mod.(*reverseproxy.Handler)
	timeout := time.Duration(a.Timeout)
	s, err := apisystem.New(apisystem.Config{
		Doer:       proxyDoer{proxy: a.proxy},
		Prefix:     a.Prefix,
		MachineKey: key,
		PKey:       a.PKey,
		Encoding:   enc,
		Timeout:    timeout,
	})
	if err != nil {
		return fmt.Errorf("apisystem store: %w", err)
	}
	a.store = s
	return nil
}

// Store returns the forwarding store.
func (a *APISystemStore) Store() upstream.Store { return a.store }

// proxyDoer sends a request through Caddy's reverse proxy and collects the answer.
type proxyDoer struct{ proxy *reverseproxy.Handler }

// maxUpstreamAnswer caps what is kept of an upstream's answer; the store refuses more anyway.
const maxUpstreamAnswer = 1 << 20

func (d proxyDoer) Do(req *http.Request) (*http.Response, error) {
	// The reverse proxy writes X-Forwarded-For from the peer address and, for a trusted peer,
	// keeps X-Forwarded-Proto: so the client is the peer, and the scheme the store set stays.
	if xff := req.Header.Get("X-Forwarded-For"); xff != "" {
		req.RemoteAddr = net.JoinHostPort(xff, "0")
		req.Header.Del("X-Forwarded-For")
	} else {
		req.RemoteAddr = "127.0.0.1:0"
	}
	rec := &answerRecorder{header: http.Header{}}
	req = caddyhttp.PrepareRequest(req, caddy.NewReplacer(), rec, &caddyhttp.Server{})
	caddyhttp.SetVar(req.Context(), caddyhttp.TrustedProxyVarKey, true)
	err := d.proxy.ServeHTTP(rec, req, caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil }))
	if err != nil {
		return nil, fmt.Errorf("reverse proxy: %w", err)
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		StatusCode:    rec.status,
		Status:        http.StatusText(rec.status),
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

// answerRecorder is the ResponseWriter the reverse proxy writes the upstream's answer into.
type answerRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *answerRecorder) Header() http.Header { return r.header }

func (r *answerRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *answerRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := maxUpstreamAnswer + 1 - r.body.Len(); room > 0 {
		if len(p) > room {
			r.body.Write(p[:room]) // one byte over the cap tells the store it was cut
		} else {
			r.body.Write(p)
		}
	}
	return len(p), nil
}

// Flush lets the proxy flush; everything is in memory already.
func (r *answerRecorder) Flush() {}

// UnmarshalCaddyfile sets up the store from Caddyfile tokens:
//
//	store apisystem {
//	    machine_key    <key>                      # the upstream's key; use {env.*} or {file.*}
//	    prefix         <path>                     # default /api
//	    pkey           <pkey>                     # default hostedgate
//	    token_encoding std_padded|std_unpadded|url_padded|url_unpadded|url_token
//	    timeout        <duration>                 # default 15s
//	    upstream <address>... {                   # reverse_proxy's own syntax
//	        lb_policy     round_robin
//	        health_uri    /api/portal/test
//	        fail_duration 30s
//	        transport http {
//	            dial_timeout 3s
//	            tls
//	        }
//	    }
//	}
func (a *APISystemStore) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the backend name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch opt := d.Val(); opt {
		case "machine_key", "prefix", "pkey", "token_encoding":
			var v string
			if !d.Args(&v) {
				return d.ArgErr()
			}
			switch opt {
			case "machine_key":
				a.MachineKey = v
			case "prefix":
				a.Prefix = v
			case "pkey":
				a.PKey = v
			default:
				if _, ok := tokenEncodings[v]; !ok {
					return d.Errf("unknown token_encoding %q", v)
				}
				a.TokenEncoding = v
			}
		case "timeout":
			dur, err := durationArg(d)
			if err != nil {
				return err
			}
			a.Timeout = dur
		case "upstream":
			rp := new(reverseproxy.Handler)
			if err := rp.UnmarshalCaddyfile(d.NewFromNextSegment()); err != nil {
				return err
			}
			raw, err := json.Marshal(rp)
			if err != nil {
				return d.Errf("encoding the upstream block: %v", err)
			}
			a.ProxyRaw = raw
		default:
			return d.Errf("unknown apisystem store option %q", opt)
		}
	}
	if a.MachineKey == "" {
		return d.Err("apisystem store: machine_key is required (the upstream's key)")
	}
	return nil
}

// Interface guards
var (
	_ StoreModule           = (*APISystemStore)(nil)
	_ caddy.Provisioner     = (*APISystemStore)(nil)
	_ caddyfile.Unmarshaler = (*APISystemStore)(nil)
	_ http.Flusher          = (*answerRecorder)(nil)
)
