// Package api is the hosted-solution API itself, without Caddy: the endpoint table, request
// decoding, each endpoint's order of checks, and the JSON of tenants, tariffs and errors. The
// root package's handler resolves the route and hands the request here.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/captcha"
	"github.com/hostedgate/hostedgate/ratelimit"
	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/validate"
)

// AttemptLimiter counts register attempts per client (SPEC 5.1). Attempt records one attempt
// for key (ratelimit.ClientKey of the client's address) and reports whether it is within the
// limit.
type AttemptLimiter interface {
	Attempt(key string) bool
}

// RequestLimiter bounds the request rate of the endpoints anyone may call (D19a).
type RequestLimiter interface {
	Allow(key string) bool
}

// CaptchaVerifier checks a reCAPTCHA-style response token (SPEC 5.2).
type CaptchaVerifier interface {
	Verify(ctx context.Context, response, remoteIP string) (captcha.Result, []string)
}

// Observer is told what the API answered, for metrics. Labels never carry a client address.
type Observer interface {
	// Answered is called once per answer with its status and error code ("ok" for success).
	Answered(endpoint string, status int, code string)
	// AuthRefused is called when a token check fails, with the reason.
	AuthRefused(endpoint, reason string)
	// LimitRefused is called when a limiter refuses ("attempts" or "request_rate").
	LimitRefused(limiter string)
	// Captcha is called with the result of each verification that was required.
	Captcha(result captcha.Result)
}

type nopObserver struct{}

func (nopObserver) Answered(string, int, string) {}
func (nopObserver) AuthRefused(string, string)   {}
func (nopObserver) LimitRefused(string)          {}
func (nopObserver) Captcha(captcha.Result)       {}

// Config is everything the API needs; the root handler builds it in Provision.
type Config struct {
	Store    upstream.Store
	Verifier *auth.Verifier
	// SkipAuthDefault and SkipAuthRegister are the allow-skip groups of SPEC 1.5 (D12).
	SkipAuthDefault, SkipAuthRegister bool

	PortalNames *validate.PortalNames
	Names       *validate.Names
	Password    validate.PasswordPolicy

	// BaseDomain makes a tenant's domain alias + "." + BaseDomain.
	BaseDomain string
	// PortalTitle is the tenant name a registration gets (web.portal-name).
	PortalTitle string
	// ReferenceKey is the machine key that signs confirmation links (the first configured).
	ReferenceKey string
	// Tariffs is the list tariff/all answers.
	Tariffs []upstream.Quota
	// PaymentDelay is how long past its due date a tariff is Delay rather than NotPaid.
	PaymentDelay time.Duration
	// MaxPortals > 0 refuses registration once that many portals are Active (D19).
	MaxPortals int
	// CORSOrigins restricts Access-Control-Allow-Origin to these origins; empty means "*".
	CORSOrigins []string
	// MaxBodyBytes caps a request body (D4).
	MaxBodyBytes int64

	// Limiter, RequestLimiter and Captcha are off when nil.
	Limiter        AttemptLimiter
	RequestLimiter RequestLimiter
	Captcha        CaptchaVerifier
	// TestEmails are the addresses neither Limiter nor Captcha apply to (SPEC 5.1).
	TestEmails *ratelimit.TestEmails
	// AppKeys let a register request skip Captcha when it carries one of them (SPEC 5.2:
	// web.app.keys, split on "," and ";", trimmed and lower-cased; compared verbatim).
	AppKeys []string

	Observer Observer

	Now    func() time.Time
	Logger *zap.Logger
}

// Handler serves the endpoints of an API configuration.
type Handler struct {
	cfg     Config
	appKeys map[string]bool
}

// New checks cfg and returns its Handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("api: no store")
	case cfg.Verifier == nil:
		return nil, errors.New("api: no token verifier")
	case cfg.PortalNames == nil || cfg.Names == nil:
		return nil, errors.New("api: no name rules")
	case cfg.MaxBodyBytes <= 0:
		return nil, errors.New("api: body limit must be positive")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.PortalTitle == "" {
		cfg.PortalTitle = DefaultPortalTitle
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	h := &Handler{cfg: cfg, appKeys: map[string]bool{}}
	for _, list := range cfg.AppKeys {
		for _, k := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' }) {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
				h.appKeys[k] = true
			}
		}
	}
	return h, nil
}

// DefaultPortalTitle is the tenant name of SPEC 2A.2 (web.portal-name).
const DefaultPortalTitle = "Cloud Office Applications"

// Client is what the root handler knows of a request's sender.
type Client struct {
	// IP is the client address as Caddy resolves it (trusted proxies honoured).
	IP string
	// Scheme is "http" or "https" as the client used it; it goes into confirmation links.
	Scheme string
	// Exempt clients (the provider's own billing hosts) are not counted by the limiters.
	Exempt bool
}

// call is one request on its way through an endpoint.
type call struct {
	h      *Handler
	w      http.ResponseWriter
	r      *http.Request
	ep     *Endpoint
	client Client
	in     *input
	bind   binder
}

// Serve answers r, which Resolve matched to ep, in the order every endpoint shares: method,
// authorization, input decoding, then the endpoint's own checks.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, ep *Endpoint, client Client) {
	c := &call{h: h, w: w, r: r, ep: ep, client: client}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.cfg.Logger.Error("panic serving hosted-solution request",
				zap.String("endpoint", ep.Name), zap.Any("panic", v), zap.Stack("stack"))
			if ep.Name == "portal/register" {
				c.fail(failRegisterBroken)
			} else {
				c.fail(failInternal)
			}
		}
	}()
	if ep.CORS {
		c.cors()
	}
	if r.Method == http.MethodOptions && ep.CORS {
		c.preflight()
		return
	}
	if r.Method != ep.Method && !(ep.Method == http.MethodGet && r.Method == http.MethodHead) {
		w.Header().Set("Allow", ep.allow())
		c.fail(failMethod)
		return
	}
	if ep.RateLimited && h.cfg.RequestLimiter != nil && !client.Exempt &&
		!h.cfg.RequestLimiter.Allow(ratelimit.ClientKey(client.IP)) {
		h.cfg.Observer.LimitRefused("request_rate")
		c.fail(failTooMuchAttempts)
		return
	}
	if f, ok := c.authorize(); !ok {
		c.fail(f)
		return
	}
	if ep.Serve == nil {
		c.ok(testAnswer{Value: ep.TestValue})
		return
	}
	in, err := readInput(r, ep.Body, h.cfg.MaxBodyBytes)
	if err != nil {
		c.fail(inputFailure(err))
		if !errors.Is(err, errJSON) && !errors.Is(err, errForm) {
			h.cfg.Logger.Debug("request body refused", zap.String("endpoint", ep.Name), zap.Error(err))
		}
		return
	}
	c.in = in
	c.bind = binder{in: in}
	// A forwarding store passes the client on to its upstream; added only here, so refused
	// requests do not pay for it.
	c.r = r.WithContext(upstream.WithOrigin(r.Context(), upstream.Origin{ClientIP: client.IP, Scheme: client.Scheme}))
	ep.Serve(c)
}

func inputFailure(err error) Failure {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return failBodyTooLarge
	case errors.Is(err, errMediaType):
		return failMediaType
	case errors.Is(err, errJSON):
		return failJSONInvalid
	case errors.Is(err, errCharset):
		return failCharset
	case errors.Is(err, errForm):
		return failFormInvalid
	default:
		return failBodyUnreadable
	}
}

// authorize runs the token check of SPEC 3 for the endpoint's group.
func (c *call) authorize() (Failure, bool) {
	switch c.ep.Auth {
	case AuthNone:
		return Failure{}, true
	case AuthDefault:
		if c.h.cfg.SkipAuthDefault {
			return Failure{}, true
		}
	case AuthRegister:
		if c.h.cfg.SkipAuthRegister {
			return Failure{}, true
		}
	}
	err := c.h.cfg.Verifier.Verify(c.r.Header.Get("Authorization"))
	if err == nil {
		return Failure{}, true
	}
	f, reason := failAuthInvalid, "invalid"
	switch {
	case errors.Is(err, auth.ErrMissing):
		f, reason = failAuthRequired, "missing"
	case errors.Is(err, auth.ErrScheme):
		f, reason = failAuthScheme, "scheme"
	case errors.Is(err, auth.ErrExpired):
		f, reason = failAuthExpired, "expired"
	case errors.Is(err, auth.ErrMalformedDate):
		f, reason = failAuthDecode, "malformed_date"
	}
	if ce := c.h.cfg.Logger.Check(zap.DebugLevel, "authorization refused"); ce != nil {
		ce.Write(zap.String("endpoint", c.ep.Name), zap.String("client_ip", c.client.IP), zap.String("reason", reason))
	}
	c.h.cfg.Observer.AuthRefused(c.ep.Name, reason)
	return f, false
}

type testAnswer struct {
	Value string `json:"value"`
}

// cors sets the allow-origin header of DECISIONS D6 on every answer of a CORS-marked endpoint.
func (c *call) cors() {
	hdr := c.w.Header()
	if len(c.h.cfg.CORSOrigins) == 0 {
		hdr.Set("Access-Control-Allow-Origin", "*")
		return
	}
	hdr.Add("Vary", "Origin")
	origin := c.r.Header.Get("Origin")
	for _, o := range c.h.cfg.CORSOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			hdr.Set("Access-Control-Allow-Origin", origin)
			return
		}
	}
}

// preflight answers an OPTIONS request of a browser with no side effect (D3).
func (c *call) preflight() {
	hdr := c.w.Header()
	hdr.Set("Access-Control-Allow-Methods", c.ep.Method)
	hdr.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
	hdr.Set("Access-Control-Max-Age", "600")
	c.w.WriteHeader(http.StatusNoContent)
	c.h.cfg.Observer.Answered(c.ep.Name, http.StatusNoContent, "preflight")
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON sends v as the whole answer with status; code labels it for the Observer.
func (c *call) writeJSON(status int, code string, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every value sent is built from plain structs and strings; this is a programming error.
		c.h.cfg.Logger.Error("encoding answer", zap.String("endpoint", c.ep.Name), zap.Error(err))
		buf.Reset()
		buf.WriteString(`{"error":"error","message":"Internal error"}` + "\n")
		status, code = http.StatusInternalServerError, failInternal.Code
	}
	c.send(status, code, buf.Bytes())
}

// Header values every answer carries, in canonical form and shared, so writing them costs no
// canonicalisation and no allocation (net/http never changes a header's slice).
var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	noSniff         = []string{"nosniff"}
	noStore         = []string{"no-store"}
)

// send writes a JSON answer already encoded.
func (c *call) send(status int, code string, body []byte) {
	hdr := c.w.Header()
	hdr["Content-Type"] = jsonContentType
	hdr["X-Content-Type-Options"] = noSniff
	hdr["Cache-Control"] = noStore
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
	c.h.cfg.Observer.Answered(c.ep.Name, status, code)
}

func (c *call) ok(v any) { c.writeJSON(http.StatusOK, "ok", v) }

// errorBody is the JSON of a Failure, keys in the order the real server writes them.
type errorBody struct {
	Error    string    `json:"error"`
	Message  any       `json:"message"`
	Variants *[]string `json:"variants,omitempty"`
}

func (c *call) fail(f Failure) {
	if msg, ok := f.Message.(string); ok {
		if b, fixed := fixedBodies[fixedKey{f.Code, msg}]; fixed {
			c.send(f.Status, f.Code, b)
			return
		}
	}
	body := errorBody{Error: f.Code, Message: f.Message}
	if f.Code == failPortalNameExist.Code {
		body.Variants = &f.Variants
	}
	c.writeJSON(f.Status, f.Code, body)
}

// storeFailure answers a store error: an upstream ApiSystem's own spec error passes on with
// its status; anything else is a broken store, logged, and answered f.
func (c *call) storeFailure(f Failure, err error) {
	var up *upstream.UpstreamError
	if errors.As(err, &up) {
		c.h.cfg.Logger.Debug("upstream refused", zap.String("endpoint", c.ep.Name),
			zap.Int("status", up.Status), zap.String("code", up.Code))
		c.fail(Failure{Status: up.Status, Code: up.Code, Message: up.Message, Variants: up.Variants})
		return
	}
	c.h.cfg.Logger.Error("store failed", zap.String("endpoint", c.ep.Name), zap.Error(err))
	c.fail(f)
}
