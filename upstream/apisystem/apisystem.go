// Package apisystem is the forwarding backend of edge mode: an upstream.Store that keeps no
// tenants itself and calls an existing ONLYOFFICE ApiSystem (Workspace or DocSpace) for every
// operation instead.
//
// hostedgate has validated the caller's request before a store sees it, so this store never
// relays the caller's bytes: it builds a fresh request from the validated values, signs it
// with the upstream's own machine key, and maps the answer back onto the tenant model and the
// sentinel errors, so the API layer answers as it does for any store. What only the upstream
// knows (its confirmation links, its time-zone display names) travels in Tenant.Upstream.
package apisystem

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/upstream"
)

// Doer sends one request to the upstream ApiSystem. The Caddy glue implements it with Caddy's
// reverse proxy (load balancing, health checks, TLS); tests use an *http.Client.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Defaults of Config.
const (
	DefaultBaseURL          = "http://apisystem"
	DefaultPrefix           = "/api"
	DefaultPKey             = "hostedgate"
	DefaultTimeout          = 15 * time.Second
	DefaultMaxResponseBytes = 1 << 20
)

// Config configures a Store. Doer and MachineKey are required; every zero value means its
// default.
type Config struct {
	// Doer sends the requests.
	Doer Doer
	// BaseURL is the scheme://host[:port] of the request URLs, default "http://apisystem".
	// The Doer picks the real address, so the host may be a placeholder.
	BaseURL string
	// Prefix is the path the upstream serves the API under, default "/api" (Workspace); "/"
	// means the root (DocSpace without its proxy).
	Prefix string
	// MachineKey is the UPSTREAM's machine key that every request is signed with. It is never
	// logged or put in an error.
	MachineKey string
	// PKey is the pkey segment of the token, default "hostedgate". It must not contain ':'
	// nor start with white space, or the upstream could not read the token.
	PKey string
	// Encoding is how the token's hash is written, default auth.StdPadded, the one form both
	// Workspace and DocSpace accept (SPEC 3.4).
	Encoding auth.Encoding
	// Timeout bounds each request, answer included; default 15s.
	Timeout time.Duration
	// MaxResponseBytes bounds an answer, default 1 MiB; a longer one is an error.
	MaxResponseBytes int64
	// Now is the clock that dates the tokens; default time.Now.
	Now func() time.Time
}

// Store is the forwarding upstream.Store. It is safe for concurrent use.
type Store struct {
	doer       Doer
	base       url.URL
	prefix     string
	machineKey string
	pkey       string
	enc        auth.Encoding
	timeout    time.Duration
	maxBytes   int64
	now        func() time.Time
	closed     atomic.Bool
}

var _ upstream.Store = (*Store)(nil)

// New checks cfg, applies its defaults and returns the Store. Its errors never contain the
// machine key.
func New(cfg Config) (*Store, error) {
	if cfg.Doer == nil {
		return nil, errors.New("apisystem: no Doer to send requests with")
	}
	if cfg.MachineKey == "" {
		return nil, errors.New("apisystem: no upstream machine key")
	}
	s := &Store{
		doer:       cfg.Doer,
		machineKey: cfg.MachineKey,
		pkey:       cfg.PKey,
		enc:        cfg.Encoding,
		timeout:    cfg.Timeout,
		maxBytes:   cfg.MaxResponseBytes,
		now:        cfg.Now,
	}
	if s.pkey == "" {
		s.pkey = DefaultPKey
	}
	if first, _ := utf8.DecodeRuneInString(s.pkey); strings.Contains(s.pkey, ":") || unicode.IsSpace(first) {
		return nil, fmt.Errorf("apisystem: pkey %q must not contain ':' nor start with white space", s.pkey)
	}
	if s.enc < auth.StdPadded || s.enc > auth.URLToken {
		return nil, fmt.Errorf("apisystem: unknown token encoding %d", int(s.enc))
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	// The value is not repeated in the error: a URL may carry credentials.
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, errors.New("apisystem: BaseURL must be http(s)://host[:port] with nothing after the host")
	}
	s.base = url.URL{Scheme: u.Scheme, Host: u.Host}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if !strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, "?#") {
		return nil, fmt.Errorf("apisystem: Prefix %q must be a path starting with '/'", prefix)
	}
	s.prefix = strings.TrimRight(prefix, "/")
	switch {
	case s.timeout < 0:
		return nil, fmt.Errorf("apisystem: Timeout %v is negative", s.timeout)
	case s.timeout == 0:
		s.timeout = DefaultTimeout
	}
	switch {
	case s.maxBytes < 0:
		return nil, fmt.Errorf("apisystem: MaxResponseBytes %d is negative", s.maxBytes)
	case s.maxBytes == 0:
		s.maxBytes = DefaultMaxResponseBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// String names the upstream; it exists so that printing a Store never prints its key.
func (s *Store) String() string {
	return "apisystem store " + s.base.String() + s.prefix
}

// Close marks the store closed, so later calls fail with upstream.ErrClosed as the Store
// contract says. It holds no resources (the Doer is the caller's) and is idempotent.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// call is one request to the upstream.
type call struct {
	method   string
	endpoint string // below the prefix, without a leading slash: "portal/register"
	query    url.Values
	body     any // encoded as JSON when non-nil
	// sel is the tenant the call selects, if any. An empty alias selects no tenant, which the
	// Store contract calls ErrNotFound; the upstream would answer portalNameEmpty instead, so
	// such a call is answered here without asking.
	sel *upstream.Selector
}

// where names the call in errors: "apisystem: POST /api/portal/register". It has no query,
// whose values (e-mail addresses, names) are no business of a log line.
func (s *Store) where(c call) string {
	return "apisystem: " + c.method + " " + s.prefix + "/" + c.endpoint
}

// answer is the expected 2xx JSON of a call. parse checks the members the call needs and
// converts them; a missing member is an error, as a 2xx without them is no answer at all.
type answer interface {
	parse() error
}

// send makes the call and decodes a 2xx answer into out; any other answer becomes an error.
func (s *Store) send(ctx context.Context, c call, out answer) error {
	where := s.where(c)
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", where, upstream.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if c.sel != nil && !c.sel.HasID && c.sel.Alias == "" {
		return fmt.Errorf("%s: an empty portal name selects no tenant: %w", where, upstream.ErrNotFound)
	}
	status, raw, err := s.exchange(ctx, c, where)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return answerError(where, status, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: upstream answered %d with invalid JSON: %w", where, status, err)
	}
	if err := out.parse(); err != nil {
		return fmt.Errorf("%s: upstream answered %d without the expected JSON: %w", where, status, err)
	}
	return nil
}

// exchange sends the request and reads at most maxBytes of the answer.
func (s *Store) exchange(ctx context.Context, c call, where string) (int, []byte, error) {
	reqCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	u := s.base
	u.Path = s.prefix + "/" + c.endpoint
	u.RawQuery = c.query.Encode()
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return 0, nil, fmt.Errorf("%s: encoding the request: %w", where, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(reqCtx, c.method, u.String(), body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: building the request: %w", where, err)
	}
	// A fresh request: nothing of the caller's (its token, cookies, hop-by-hop headers)
	// travels, and the token is hostedgate's own, for the upstream's key.
	req.Header.Set("Authorization", auth.Sign(s.machineKey, s.pkey, s.now(), s.enc))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hostedgate")
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o, ok := upstream.OriginFrom(ctx); ok {
		// The upstream's attempt limiter and confirmation links need the real client.
		if o.ClientIP != "" {
			req.Header.Set("X-Forwarded-For", o.ClientIP)
		}
		if o.Scheme != "" {
			req.Header.Set("X-Forwarded-Proto", o.Scheme)
		}
	}

	resp, err := s.doer.Do(req)
	if err != nil {
		return 0, nil, s.transportError(ctx, reqCtx, where, err)
	}
	defer resp.Body.Close()
	// A declared length is refused before reading; an undeclared one after one byte too many.
	if resp.ContentLength > s.maxBytes {
		return 0, nil, s.tooLong(where, resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, s.maxBytes+1))
	if err != nil {
		return 0, nil, s.transportError(ctx, reqCtx, where, fmt.Errorf("reading the answer: %w", err))
	}
	if int64(len(raw)) > s.maxBytes {
		return 0, nil, s.tooLong(where, resp.StatusCode)
	}
	return resp.StatusCode, raw, nil
}

func (s *Store) tooLong(where string, status int) error {
	return fmt.Errorf("%s: upstream answered %d with more than %d bytes", where, status, s.maxBytes)
}

// transportError says why no answer came: the caller gave up, the upstream was too slow, or
// the connection failed.
func (s *Store) transportError(ctx, reqCtx context.Context, where string, err error) error {
	// url.Error repeats the URL with its query; where already names the call.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", where, ctx.Err())
	case errors.Is(reqCtx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: upstream did not answer within %v: %w", where, s.timeout, context.DeadlineExceeded)
	default:
		return fmt.Errorf("%s: %w", where, err)
	}
}

// errorJSON is the spec's error body (SPEC 1.4); "stacktrace" is dropped on purpose, as the
// upstream's internals are no business of hostedgate's caller.
type errorJSON struct {
	Error    *string         `json:"error"`
	Message  json.RawMessage `json:"message"`
	Variants []string        `json:"variants"`
}

// nameTaken is portalNameExist: upstream.ErrNameTaken carrying the upstream's variants, which
// CheckName answers with.
type nameTaken struct{ variants []string }

func (*nameTaken) Error() string { return upstream.ErrNameTaken.Error() }
func (*nameTaken) Unwrap() error { return upstream.ErrNameTaken }

// answerError maps a non-2xx answer onto the sentinel errors, an *upstream.UpstreamError for
// the API to pass on, or a plain error for everything that is no answer to the caller.
func answerError(where string, status int, raw []byte) error {
	refused := func(what string) error {
		// The caller's token was fine (hostedgate checked it); this is configuration, and
		// passing it on would tell the caller its own token is wrong.
		return fmt.Errorf("%s: upstream answered %s: it refused hostedgate's token; "+
			"the configured machine key or pkey is not the upstream's", where, what)
	}
	switch status {
	case http.StatusUnauthorized: // DocSpace refuses a token with an empty 401
		return refused("401")
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType:
		// About hostedgate's own request, not the caller's: a wrong base URL or prefix, or
		// an upstream without this endpoint.
		return fmt.Errorf("%s: upstream answered %d: it does not serve this endpoint as SPEC 2A does; "+
			"check the base URL and prefix", where, status)
	}
	var e errorJSON
	if err := json.Unmarshal(raw, &e); err != nil || e.Error == nil || *e.Error == "" {
		return fmt.Errorf("%s: upstream answered %d with no spec JSON", where, status)
	}
	msg, ok := errorMessage(e.Message)
	if !ok {
		return fmt.Errorf("%s: upstream answered %d with no spec JSON", where, status)
	}
	switch code := *e.Error; code {
	case "portalNameNotFound":
		return fmt.Errorf("%s: %w", where, upstream.ErrNotFound)
	case "portalNameExist":
		return fmt.Errorf("%s: %w", where, &nameTaken{variants: e.Variants})
	case "portalsCountTooMuch":
		return fmt.Errorf("%s: %w", where, upstream.ErrPortalLimit)
	case "authorization":
		return refused(fmt.Sprintf("%d authorization", status))
	default:
		return fmt.Errorf("%s: %w", where, &upstream.UpstreamError{Status: status, Code: code, Message: msg, Variants: e.Variants})
	}
}

// errorMessage reads "message": a string, or the []string of params; absent or null is nil.
func errorMessage(raw json.RawMessage) (any, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && list != nil {
		return list, true
	}
	return nil, false
}
