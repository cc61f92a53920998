package hostedgate

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/hostedgate/hostedgate/captcha"
	"github.com/hostedgate/hostedgate/ratelimit"
)

// AttemptsConfig limits register attempts per client (SPEC 5.1, D17).
type AttemptsConfig struct {
	// Max is the number of attempts a client may make in a window. Default 10.
	Max int `json:"max,omitempty"`
	// Window is how long a client is remembered after its last attempt; every attempt,
	// refused ones included, restarts it. Default 5m.
	Window caddy.Duration `json:"window,omitempty"`
	// MaxKeys caps the clients remembered, bounding memory under a flood of new addresses;
	// blocked clients are never the ones forgotten. Default 100000.
	MaxKeys int `json:"max_keys,omitempty"`
	// Zone names the counters: configs (and sites) with the same zone share them, and they
	// survive config reloads. Default "default".
	Zone string `json:"zone,omitempty"`
	// TestEmails is a pattern of e-mail addresses (monitoring, autotests) that are neither
	// counted nor asked for reCAPTCHA (web.autotest.secret-email). Default: none.
	TestEmails string `json:"test_emails,omitempty"`
	// LegacyEmptyTestRegexMatchesAll makes an empty TestEmails match every address, as the
	// Workspace server does, which turns the limiter and reCAPTCHA off.
	LegacyEmptyTestRegexMatchesAll bool `json:"legacy_empty_test_regex_matches_all,omitempty"`
	// Disabled turns the attempt limit off.
	Disabled bool `json:"disabled,omitempty"`
	// Redis keeps the counts in Redis, shared by every gateway that names the same server and
	// zone, so a cluster has one attempt budget per client. Default: in this process.
	Redis *RedisAttemptsConfig `json:"redis,omitempty"`
}

// RedisAttemptsConfig is where a cluster keeps its attempt counts.
type RedisAttemptsConfig struct {
	// URL of the server: redis://[user:password@]host:6379/0, or rediss:// for TLS.
	// Default {env.REDIS_URL}. Give it as a placeholder when it carries a password.
	URL string `json:"url,omitempty"`
	// Timeout bounds each Redis operation, so a dead Redis cannot stall requests. Default 100ms.
	Timeout caddy.Duration `json:"timeout,omitempty"`
	// FailurePolicy says what happens while Redis is unreachable: "local" (default) counts in
	// this process's memory, with an error log and a metric; "refuse" answers tooMuchAttempts.
	FailurePolicy string `json:"failure_policy,omitempty"`
}

// RequestRateConfig limits the request rate of validateportalname and tariff/all (D19a).
type RequestRateConfig struct {
	// Rate is requests per second per client. Default 10.
	Rate float64 `json:"rate,omitempty"`
	// Burst is how many requests a client may make at once. Default 60.
	Burst int `json:"burst,omitempty"`
	// MaxKeys caps the clients remembered. Default 100000.
	MaxKeys int `json:"max_keys,omitempty"`
	// Zone names the buckets, shared and kept across reloads as for attempts. Default "default".
	Zone string `json:"zone,omitempty"`
	// Disabled turns the request-rate limit off.
	Disabled bool `json:"disabled,omitempty"`
}

// RecaptchaConfig turns reCAPTCHA on for register (SPEC 5.2, D18). Any siteverify-compatible
// service works: reCAPTCHA v2 and v3, hCaptcha, Cloudflare Turnstile.
type RecaptchaConfig struct {
	// Secret is the verifier's secret key; give it as {env.*} or {file.*}.
	Secret string `json:"secret,omitempty"`
	// VerifyURL is the siteverify endpoint. Default https://www.google.com/recaptcha/api/siteverify.
	VerifyURL string `json:"verify_url,omitempty"`
	// Timeout bounds one verification; a slow verifier means recaptchaInvalid. Default 5s.
	Timeout caddy.Duration `json:"timeout,omitempty"`
	// MinScore refuses reCAPTCHA v3 answers scored below it. Default 0: not checked.
	MinScore float64 `json:"min_score,omitempty"`
	// Hostnames, when set, must contain the hostname the verifier reports.
	Hostnames []string `json:"hostnames,omitempty"`
	// AppKeys let a register request that carries one of them skip reCAPTCHA (web.app.keys).
	AppKeys []string `json:"app_keys,omitempty"`
}

// limiterPool holds the attempt counters and request buckets by zone, so they outlive config
// reloads; each runs a sweeper until the last config using it goes.
var limiterPool = caddy.NewUsagePool()

type pooledAttempts struct {
	*ratelimit.AttemptLimiter
	zone string
	stop chan struct{}
}

func (p *pooledAttempts) Destruct() error { close(p.stop); return nil }

// attemptZone is a zone's attempt counter as the admin API and the metrics see it, kept in
// memory or in Redis.
type attemptZone interface {
	zoneName() string
	Blocked() []ratelimit.Blocked
	Forget(key string) bool
}

func (p *pooledAttempts) zoneName() string { return p.zone }

// pooledRedisAttempts is a zone's Redis-backed counter.
type pooledRedisAttempts struct {
	*ratelimit.RedisAttemptLimiter
	zone string
}

func (p *pooledRedisAttempts) Destruct() error  { return nil }
func (p *pooledRedisAttempts) zoneName() string { return p.zone }

// redisClients holds one client per Redis URL, shared across configs and closed with the last.
var redisClients = caddy.NewUsagePool()

type pooledRedisClient struct{ *redis.Client }

func (c pooledRedisClient) Destruct() error { return c.Close() }

type pooledRate struct {
	*ratelimit.RateLimiter
	zone string
	stop chan struct{}
}

func (p *pooledRate) Destruct() error { close(p.stop); return nil }

// sweepEvery runs sweep at a pace that keeps idle state small without busy work.
func sweepEvery(every time.Duration, stop chan struct{}, sweep func() int) {
	every = min(max(every, time.Second), time.Minute)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				sweep()
			case <-stop:
				return
			}
		}
	}()
}

func zoneName(z string) string {
	if z == "" {
		return "default"
	}
	return z
}

// loadAttempts returns the zone's attempt limiter, applying this config's limits to it.
func (h *Handler) loadAttempts() (*pooledAttempts, error) {
	a := h.Attempts
	cfg := ratelimit.AttemptConfig{Max: a.Max, Window: time.Duration(a.Window), MaxKeys: a.MaxKeys}
	key := "attempts/" + zoneName(a.Zone)
	val, loaded, err := limiterPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		l, err := ratelimit.NewAttemptLimiter(cfg)
		if err != nil {
			return nil, err
		}
		p := &pooledAttempts{AttemptLimiter: l, zone: zoneName(a.Zone), stop: make(chan struct{})}
		sweepEvery(l.Config().Window/2, p.stop, l.Sweep)
		return p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	h.poolKeys = append(h.poolKeys, key)
	p := val.(*pooledAttempts)
	if loaded {
		if err := p.SetConfig(cfg); err != nil {
			return nil, fmt.Errorf("attempts: %w", err)
		}
	}
	return p, nil
}

// loadRedisAttempts puts the zone's counts in Redis; local is the fallback of the "local"
// failure policy.
func (h *Handler) loadRedisAttempts(local *pooledAttempts, logger *zap.Logger) (*pooledRedisAttempts, error) {
	rc := h.Attempts.Redis
	raw := rc.URL
	if raw == "" {
		raw = "{env.REDIS_URL}"
	}
	addr := caddy.NewReplacer().ReplaceKnown(raw, "")
	if addr == "" {
		return nil, fmt.Errorf("attempts: redis url %q is empty: set the variable or file it names", raw)
	}
	opts, err := redis.ParseURL(addr)
	if err != nil {
		return nil, fmt.Errorf("attempts: redis url %q: not a redis:// or rediss:// URL", raw)
	}
	timeout := time.Duration(rc.Timeout)
	if timeout == 0 {
		timeout = 100 * time.Millisecond
	}
	var fallback *ratelimit.AttemptLimiter
	switch rc.FailurePolicy {
	case "", "local":
		fallback = local.AttemptLimiter
	case "refuse":
	default:
		return nil, fmt.Errorf("attempts: redis failure_policy %q: want local or refuse", rc.FailurePolicy)
	}
	clientKey := "redis:" + addr
	val, _, err := redisClients.LoadOrNew(clientKey, func() (caddy.Destructor, error) {
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = timeout, timeout, timeout
		opts.PoolTimeout = timeout
		return pooledRedisClient{redis.NewClient(opts)}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("attempts: redis client: %w", err)
	}
	h.redisKeys = append(h.redisKeys, clientKey)
	zone := zoneName(h.Attempts.Zone)
	l, err := ratelimit.NewRedisAttemptLimiter(ratelimit.RedisAttemptConfig{
		Client:   val.(pooledRedisClient).Client,
		Prefix:   "hostedgate:attempts:" + zone + ":",
		Max:      local.Config().Max,
		Window:   local.Config().Window,
		Timeout:  timeout,
		Fallback: fallback,
		OnError: func(op string, err error) {
			metricRedisErrors.WithLabelValues(op).Inc()
			logger.Error("redis attempt store failed", zap.String("operation", op),
				zap.String("server", opts.Addr), zap.Error(err), zap.Bool("fallback_local", fallback != nil))
		},
	})
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	p := &pooledRedisAttempts{RedisAttemptLimiter: l, zone: zone}
	// Registered in the pool so the admin API finds it; a later config replaces it.
	key := "redis-attempts/" + zone + "|" + addr
	val, loaded, err := limiterPool.LoadOrNew(key, func() (caddy.Destructor, error) { return p, nil })
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	h.poolKeys = append(h.poolKeys, key)
	if loaded {
		p = val.(*pooledRedisAttempts)
		if err := p.SetConfig(local.Config().Max, local.Config().Window); err != nil {
			return nil, fmt.Errorf("attempts: %w", err)
		}
	}
	return p, nil
}

// loadRequestRate returns the zone's request-rate limiter, applying this config's budget.
func (h *Handler) loadRequestRate() (*pooledRate, error) {
	r := h.RequestRate
	cfg := ratelimit.RateConfig{Rate: r.Rate, Burst: r.Burst, MaxKeys: r.MaxKeys}
	key := "rate/" + zoneName(r.Zone)
	val, loaded, err := limiterPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		l, err := ratelimit.NewRateLimiter(cfg)
		if err != nil {
			return nil, err
		}
		p := &pooledRate{RateLimiter: l, zone: zoneName(r.Zone), stop: make(chan struct{})}
		sweepEvery(30*time.Second, p.stop, l.Sweep)
		return p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("request_rate: %w", err)
	}
	h.poolKeys = append(h.poolKeys, key)
	p := val.(*pooledRate)
	if loaded {
		if err := p.SetConfig(cfg); err != nil {
			return nil, fmt.Errorf("request_rate: %w", err)
		}
	}
	return p, nil
}

// newCaptcha builds the reCAPTCHA verifier; nil when none is configured.
func (h *Handler) newCaptcha() (*captcha.Verifier, error) {
	rc := h.Recaptcha
	if rc == nil {
		return nil, nil
	}
	secret := caddy.NewReplacer().ReplaceKnown(rc.Secret, "")
	if secret == "" {
		return nil, fmt.Errorf("recaptcha: secret %q is empty: set the variable or file it names", rc.Secret)
	}
	v, err := captcha.New(captcha.Config{
		Secret:    secret,
		VerifyURL: rc.VerifyURL,
		Timeout:   time.Duration(rc.Timeout),
		MinScore:  rc.MinScore,
		Hostnames: rc.Hostnames,
	})
	if err != nil {
		return nil, fmt.Errorf("recaptcha: %w", err)
	}
	return v, nil
}

// parseExempt reads exempt_clients: CIDR ranges or single addresses.
func parseExempt(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("exempt_clients: %q is neither an address nor a CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (h *Handler) exempt(ip string) bool {
	if len(h.exemptClients) == 0 {
		return false
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range h.exemptClients {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
