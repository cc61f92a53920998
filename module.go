// Package hostedgate is a Caddy HTTP handler that serves the ONLYOFFICE Hosted Solution
// ("ApiSystem") REST API at the edge: it checks the ASC token, validates every parameter and
// answers from a pluggable store, with the real service's paths, fields and error codes.
//
// This package is the Caddy glue only; the API itself lives in package api.
package hostedgate

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/hostedgate/hostedgate/api"
	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/ratelimit"
	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/cache"
	"github.com/hostedgate/hostedgate/validate"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Defaults applied by Provision.
const (
	DefaultPrefix        = "/api"
	DefaultTrustInterval = 5 * time.Minute
	DefaultMaxFutureSkew = 14 * time.Hour
	DefaultMaxBodySize   = 64 << 10
)

// Handler serves the hosted-solution API under Prefix and passes every other request on.
type Handler struct {
	// Prefix is the path the API is served under, matched case-insensitively. Default "/api".
	Prefix string `json:"prefix,omitempty"`

	// MachineKeys are the keys ASC tokens are signed with (core.machinekey). A token signed
	// with any of them is accepted, which allows key rotation; the first also signs the
	// confirmation links. Give them as placeholders ({env.HOSTED_MACHINE_KEY},
	// {file./run/secrets/key}) so the key is not in the config; an empty key fails the start.
	MachineKeys []string `json:"machine_keys,omitempty"`

	// TrustInterval is how long a token stays valid after its timestamp. Default 5m.
	TrustInterval caddy.Duration `json:"trust_interval,omitempty"`

	// MaxFutureSkew is how far in the future a token's timestamp may be, for clients that
	// sign local time. Default 14h, the largest UTC offset.
	MaxFutureSkew caddy.Duration `json:"max_future_skew,omitempty"`

	// AllowSkip turns the token check off for a group of endpoints (auth.allowskip).
	AllowSkip *AllowSkip `json:"allow_skip,omitempty"`

	// BaseDomain makes each portal's domain <alias>.<base_domain> (core.base-domain).
	BaseDomain string `json:"base_domain,omitempty"`

	// PortalTitle is the title a new portal gets (web.portal-name). Default
	// "Cloud Office Applications".
	PortalTitle string `json:"portal_title,omitempty"`

	// PortalName holds the portal-name rules (web.alias.*).
	PortalName *PortalNameConfig `json:"portal_name,omitempty"`

	// NameRegex is the pattern first name + last name must match (core.username.regex).
	// Default ^[\p{L}\p{M}' \-]+$.
	NameRegex string `json:"name_regex,omitempty"`

	// Password is the owner password policy. Default 8 to 120 printable ASCII characters.
	Password *PasswordConfig `json:"password,omitempty"`

	// Tariffs is the list tariff/all answers with. Default none.
	Tariffs []TariffPlan `json:"tariffs,omitempty"`

	// PaymentDelay is how long after its due date a tariff reads as Delay instead of NotPaid
	// (core.payment-delay). Default 0.
	PaymentDelay caddy.Duration `json:"payment_delay,omitempty"`

	// MaxPortals refuses registrations with portalsCountTooMuch once this many portals are
	// Active. Default 0, no limit.
	MaxPortals int `json:"max_portals,omitempty"`

	// CORSOrigins restricts Access-Control-Allow-Origin on the CORS endpoints to these
	// origins. Default: "*" for everyone.
	CORSOrigins []string `json:"cors_origins,omitempty"`

	// MaxBodySize is the largest request body in bytes. Default 65536.
	MaxBodySize int64 `json:"max_body_size,omitempty"`

	// Attempts limits register attempts per client: 10 per sliding 5 minutes by default.
	Attempts *AttemptsConfig `json:"attempts,omitempty"`

	// RequestRate limits how fast one client may call validateportalname and tariff/all:
	// a burst of 60, then 10 per second, by default.
	RequestRate *RequestRateConfig `json:"request_rate,omitempty"`

	// Recaptcha turns reCAPTCHA (or hCaptcha, Turnstile) on for register. Default off.
	Recaptcha *RecaptchaConfig `json:"recaptcha,omitempty"`

	// ExemptClients are addresses or CIDR ranges that no limiter counts, such as the
	// provider's own billing hosts, which register on behalf of many customers.
	ExemptClients []string `json:"exempt_clients,omitempty"`

	// Cache keeps tenant and portal-name look-ups in memory for a bounded time. Default: on,
	// with a 1s TTL. For bolt it is one cache per database file, shared by every config, so
	// it is never stale (all writes pass through it); in front of postgres and apisystem,
	// another gateway's writes are seen within the TTL.
	Cache *CacheConfig `json:"cache,omitempty"`

	// StoreRaw is the store module portals are kept in. Default: bolt in Caddy's data
	// directory.
	StoreRaw json.RawMessage `json:"store,omitempty" caddy:"namespace=http.handlers.hosted_solution.stores inline_key=backend"`

	store         StoreModule
	cache         *cache.Store
	api           *api.Handler
	logger        *zap.Logger
	exemptClients []netip.Prefix
	// poolKeys, redisKeys and cacheKeys are the limiterPool, redisClients and boltCaches
	// entries this config holds, released in Cleanup.
	poolKeys, redisKeys, cacheKeys []string
}

// AllowSkip names the endpoint groups whose token check is skipped (SPEC 1.5).
type AllowSkip struct {
	// Default covers every authenticated endpoint but register.
	Default bool `json:"default,omitempty"`
	// Register covers portal/register (auth.allowskip.registerportal).
	Register bool `json:"register,omitempty"`
}

// PortalNameConfig holds the portal-name rules.
type PortalNameConfig struct {
	// MinLength is the shortest name. Default 6.
	MinLength int `json:"min_length,omitempty"`
	// MaxLength is the longest name. Default 63.
	MaxLength int `json:"max_length,omitempty"`
	// Regex replaces the name pattern, matched case-insensitively.
	Regex string `json:"regex,omitempty"`
	// Reserved replaces the list of names nobody may register. Default: the DocSpace list.
	Reserved []string `json:"reserved,omitempty"`
}

// PasswordConfig is the owner password policy.
type PasswordConfig struct {
	// MinLength is the shortest password. Default 8.
	MinLength int `json:"min_length,omitempty"`
	// MaxLength is the longest password. Default 120.
	MaxLength int `json:"max_length,omitempty"`
	// AnyCharacters allows every character but a newline; default is printable ASCII only.
	AnyCharacters bool `json:"any_characters,omitempty"`
	// RequireDigit, RequireUpper and RequireSpecial each demand one such character.
	RequireDigit   bool `json:"require_digit,omitempty"`
	RequireUpper   bool `json:"require_upper,omitempty"`
	RequireSpecial bool `json:"require_special,omitempty"`
}

// TariffPlan is one entry of tariff/all.
type TariffPlan struct {
	ActiveUsers  int    `json:"active_users,omitempty"`
	MaxFileSize  int64  `json:"max_file_size,omitempty"`
	MaxTotalSize int64  `json:"max_total_size,omitempty"`
	Features     string `json:"features,omitempty"`
}

// StoreModule is a module in the http.handlers.hosted_solution.stores namespace: a backend
// that portals are kept in. Store is valid from the module's Provision to its Cleanup.
type StoreModule interface {
	caddy.Module
	Store() upstream.Store
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.hosted_solution",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision applies the defaults, resolves the machine keys and opens the store.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	h.applyDefaults()

	keys, err := resolveKeys(h.MachineKeys)
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(auth.Config{
		Keys:          keys,
		TrustInterval: time.Duration(h.TrustInterval),
		MaxFutureSkew: time.Duration(h.MaxFutureSkew),
	})
	if err != nil {
		return fmt.Errorf("hosted_solution: token verifier: %w", err)
	}

	rules := validate.PortalNameRules{}
	if pn := h.PortalName; pn != nil {
		rules = validate.PortalNameRules{MinLength: pn.MinLength, MaxLength: pn.MaxLength, Pattern: pn.Regex, Reserved: pn.Reserved}
	}
	portalNames, err := rules.Compile()
	if err != nil {
		return fmt.Errorf("hosted_solution: portal_name: %w", err)
	}
	names, err := validate.NewNames(h.NameRegex)
	if err != nil {
		return fmt.Errorf("hosted_solution: name_regex: %w", err)
	}
	policy := h.passwordPolicy()
	if err := policy.Validate(); err != nil {
		return fmt.Errorf("hosted_solution: password: %w", err)
	}

	if h.StoreRaw == nil {
		h.StoreRaw = json.RawMessage(`{"backend":"bolt"}`)
	}
	mod, err := ctx.LoadModule(h, "StoreRaw")
	if err != nil {
		return fmt.Errorf("hosted_solution: loading store: %w", err)
	}
	store, ok := mod.(StoreModule)
	if !ok {
		return fmt.Errorf("hosted_solution: module %T is not a store", mod)
	}
	h.store = store

	limits, err := h.provisionLimits(ctx)
	if err != nil {
		return err
	}

	plans := make([]upstream.Quota, len(h.Tariffs))
	for i, p := range h.Tariffs {
		plans[i] = upstream.NormalizeQuota(p.ActiveUsers, time.Time{}, p.Features, p.MaxFileSize, p.MaxTotalSize)
	}
	skip := AllowSkip{}
	if h.AllowSkip != nil {
		skip = *h.AllowSkip
	}
	inner, err := h.cachedStore(store)
	if err != nil {
		return err
	}
	limits.Store = timedStore{inner}
	h.api, err = api.New(api.Config{
		Store:            limits.Store,
		Verifier:         verifier,
		SkipAuthDefault:  skip.Default,
		SkipAuthRegister: skip.Register,
		PortalNames:      portalNames,
		Names:            names,
		Password:         policy,
		BaseDomain:       strings.ToLower(h.BaseDomain),
		PortalTitle:      h.PortalTitle,
		ReferenceKey:     keys[0],
		Tariffs:          plans,
		PaymentDelay:     time.Duration(h.PaymentDelay),
		MaxPortals:       h.MaxPortals,
		CORSOrigins:      h.CORSOrigins,
		MaxBodyBytes:     h.MaxBodySize,
		Limiter:          limits.Limiter,
		RequestLimiter:   limits.RequestLimiter,
		Captcha:          limits.Captcha,
		TestEmails:       limits.TestEmails,
		AppKeys:          limits.AppKeys,
		Observer:         promObserver{},
		Logger:           h.logger,
	})
	if err != nil {
		return fmt.Errorf("hosted_solution: %w", err)
	}
	if skip.Register && h.Recaptcha == nil {
		h.logger.Warn("portal/register accepts requests without a token and no reCAPTCHA is configured: anyone who can reach it can create portals")
	}
	return nil
}

// provisionLimits loads the zone's limiters from the pool, the captcha verifier and the
// metrics; the returned config carries them into api.Config.
func (h *Handler) provisionLimits(ctx caddy.Context) (api.Config, error) {
	var cfg api.Config
	var err error
	if h.exemptClients, err = parseExempt(h.ExemptClients); err != nil {
		return cfg, fmt.Errorf("hosted_solution: %w", err)
	}
	var collectors []prometheus.Collector
	if h.Attempts == nil {
		h.Attempts = new(AttemptsConfig)
	}
	if !h.Attempts.Disabled {
		attempts, err := h.loadAttempts()
		if err != nil {
			return cfg, fmt.Errorf("hosted_solution: %w", err)
		}
		cfg.Limiter = attempts
		collectors = append(collectors, limiterCollectors("attempts", attempts.zone, attempts.Len, attempts.Evictions)...)
		if h.Attempts.Redis != nil {
			shared, err := h.loadRedisAttempts(attempts, h.logger)
			if err != nil {
				return cfg, fmt.Errorf("hosted_solution: %w", err)
			}
			cfg.Limiter = shared
		}
	}
	if cfg.TestEmails, err = ratelimit.NewTestEmails(h.Attempts.TestEmails, h.Attempts.LegacyEmptyTestRegexMatchesAll); err != nil {
		return cfg, fmt.Errorf("hosted_solution: attempts: %w", err)
	}
	if h.RequestRate == nil {
		h.RequestRate = new(RequestRateConfig)
	}
	if !h.RequestRate.Disabled {
		rate, err := h.loadRequestRate()
		if err != nil {
			return cfg, fmt.Errorf("hosted_solution: %w", err)
		}
		cfg.RequestLimiter = rate
		collectors = append(collectors, limiterCollectors("request_rate", rate.zone, rate.Len, rate.Evictions)...)
	}
	verifier, err := h.newCaptcha()
	if err != nil {
		return cfg, fmt.Errorf("hosted_solution: %w", err)
	}
	if verifier != nil {
		cfg.Captcha = verifier
		cfg.AppKeys = h.Recaptcha.AppKeys
	}
	if reg := ctx.GetMetricsRegistry(); reg != nil {
		if err := registerMetrics(reg, collectors...); err != nil {
			return cfg, fmt.Errorf("hosted_solution: registering metrics: %w", err)
		}
	}
	return cfg, nil
}

// applyDefaults is the one place defaults are set.
func (h *Handler) applyDefaults() {
	if h.Prefix == "" {
		h.Prefix = DefaultPrefix
	}
	h.Prefix = strings.TrimSuffix(h.Prefix, "/")
	if h.TrustInterval == 0 {
		h.TrustInterval = caddy.Duration(DefaultTrustInterval)
	}
	if h.MaxFutureSkew == 0 {
		h.MaxFutureSkew = caddy.Duration(DefaultMaxFutureSkew)
	}
	if h.MaxBodySize == 0 {
		h.MaxBodySize = DefaultMaxBodySize
	}
}

func (h *Handler) passwordPolicy() validate.PasswordPolicy {
	p := validate.DefaultPasswordPolicy()
	if c := h.Password; c != nil {
		if c.MinLength != 0 {
			p.MinLength = c.MinLength
		}
		if c.MaxLength != 0 {
			p.MaxLength = c.MaxLength
		}
		p.AnyCharacters = c.AnyCharacters
		p.RequireDigit, p.RequireUpper, p.RequireSpecial = c.RequireDigit, c.RequireUpper, c.RequireSpecial
	}
	return p
}

// resolveKeys replaces the {env.*} and {file.*} placeholders of the machine keys. The error
// names the placeholder, never a value.
func resolveKeys(raw []string) ([]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("hosted_solution: no machine_key configured")
	}
	repl := caddy.NewReplacer()
	keys := make([]string, len(raw))
	for i, k := range raw {
		keys[i] = repl.ReplaceKnown(k, "")
		if strings.TrimSpace(keys[i]) == "" {
			return nil, fmt.Errorf("hosted_solution: machine_key %q is empty: set the variable or file it names", k)
		}
	}
	return keys, nil
}

// Validate checks the configuration after Provision applied the defaults.
func (h *Handler) Validate() error {
	switch {
	case !strings.HasPrefix(h.Prefix, "/"):
		return fmt.Errorf("hosted_solution: prefix %q must start with /", h.Prefix)
	case h.TrustInterval < 0 || h.MaxFutureSkew < 0 || h.PaymentDelay < 0:
		return errors.New("hosted_solution: durations must not be negative")
	case h.MaxBodySize < 0:
		return errors.New("hosted_solution: max_body_size must not be negative")
	case h.MaxPortals < 0:
		return errors.New("hosted_solution: max_portals must not be negative")
	}
	return nil
}

// CacheConfig bounds the look-up cache.
type CacheConfig struct {
	// TTL is how stale a look-up may be: a portal registered or removed through another
	// gateway of the cluster is seen within it; through this one, at once. Default 1s.
	TTL caddy.Duration `json:"ttl,omitempty"`
	// MaxEntries caps the cache. Default 10000.
	MaxEntries int64 `json:"max_entries,omitempty"`
	// Disabled turns the cache off.
	Disabled bool `json:"disabled,omitempty"`
}

// boltCaches holds one look-up cache per bolt file, shared by every config that uses it:
// bbolt's file lock leaves this process the only writer, and all its writes go through the
// one cache, so the cache is never stale. Two caches over one file would be.
var boltCaches = caddy.NewUsagePool()

type pooledCache struct{ *cache.Store }

func (p pooledCache) Destruct() error { return p.Close() }

// cachedStore puts the look-up cache in front of the store unless it is turned off.
func (h *Handler) cachedStore(mod StoreModule) (upstream.Store, error) {
	inner := mod.Store()
	cfg := h.Cache
	if cfg == nil {
		cfg = &CacheConfig{}
	}
	if cfg.Disabled {
		return inner, nil
	}
	ttl := time.Duration(cfg.TTL)
	if ttl == 0 {
		ttl = time.Second
	}
	ccfg := cache.Config{TTL: ttl, MaxCost: cfg.MaxEntries}
	if b, ok := mod.(*BoltStore); ok {
		key := "cache:" + b.key
		val, _, err := boltCaches.LoadOrNew(key, func() (caddy.Destructor, error) {
			c, err := cache.New(sharedStore{inner}, ccfg)
			return pooledCache{c}, err
		})
		if err != nil {
			return nil, fmt.Errorf("hosted_solution: cache: %w", err)
		}
		h.cacheKeys = append(h.cacheKeys, key)
		return val.(pooledCache).Store, nil
	}
	c, err := cache.New(sharedStore{inner}, ccfg)
	if err != nil {
		return nil, fmt.Errorf("hosted_solution: cache: %w", err)
	}
	h.cache = c
	return c, nil
}

// sharedStore keeps the cache from closing a store other configs share: the store module
// releases it.
type sharedStore struct{ upstream.Store }

func (sharedStore) Close() error { return nil }

// Cleanup releases this config's hold on the shared limiters and closes its cache; the store
// module is cleaned up by Caddy itself. It copes with a Provision that stopped half-way.
func (h *Handler) Cleanup() error {
	if h.cache != nil {
		_ = h.cache.Close()
		h.cache = nil
	}
	for _, key := range h.poolKeys {
		if _, err := limiterPool.Delete(key); err != nil {
			return fmt.Errorf("hosted_solution: releasing %s: %w", key, err)
		}
	}
	for _, key := range h.redisKeys {
		if _, err := redisClients.Delete(key); err != nil {
			return fmt.Errorf("hosted_solution: releasing the redis client: %w", err)
		}
	}
	for _, key := range h.cacheKeys {
		if _, err := boltCaches.Delete(key); err != nil {
			return fmt.Errorf("hosted_solution: releasing the cache: %w", err)
		}
	}
	h.poolKeys, h.redisKeys, h.cacheKeys = nil, nil, nil
	return nil
}

// ServeHTTP answers requests under the prefix and passes the rest to next.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	// Routing reads the escaped path, so an encoded "/" cannot join two segments into an
	// endpoint name.
	rest, ok := h.underPrefix(r.URL.EscapedPath())
	if !ok {
		return next.ServeHTTP(w, r)
	}
	ep, found := api.Resolve(rest)
	if !found {
		h.api.NotFound(w, r)
		return nil
	}
	ip := clientIP(r)
	h.api.Serve(w, r, ep, api.Client{IP: ip, Scheme: scheme(r), Exempt: h.exempt(ip)})
	return nil
}

// underPrefix returns the path below the prefix, or false when path is outside it.
func (h *Handler) underPrefix(path string) (string, bool) {
	n := len(h.Prefix)
	if len(path) < n || !strings.EqualFold(path[:n], h.Prefix) {
		return "", false
	}
	if len(path) > n && path[n] != '/' {
		return "", false // "/apix" is not under "/api"
	}
	return path[n:], true
}

// clientIP is the client address as Caddy resolved it, trusted_proxies honoured.
func clientIP(r *http.Request) string {
	if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && ip != "" {
		return ip
	}
	return r.RemoteAddr
}

// scheme is the scheme the client used: X-Forwarded-Proto only from a trusted proxy (D20).
func scheme(r *http.Request) string {
	if trusted, _ := caddyhttp.GetVar(r.Context(), caddyhttp.TrustedProxyVarKey).(bool); trusted {
		if p := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
			return p
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
