package hostedgate

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hostedgate/hostedgate/captcha"
	"github.com/hostedgate/hostedgate/upstream"
)

// The collectors live at package level so their values outlive config reloads; every config
// load registers them into that load's registry (Caddy makes one per load). No label carries a
// client address: that would make the series unbounded.
var (
	metricRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hostedgate", Name: "requests_total",
		Help: "Answers of the hosted-solution API by endpoint, HTTP status and error code (ok for success).",
	}, []string{"endpoint", "status", "code"})
	metricAuthFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hostedgate", Name: "auth_failures_total",
		Help: "Refused Authorization tokens by reason: missing, scheme, invalid, expired, malformed_date.",
	}, []string{"reason"})
	metricLimitRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hostedgate", Name: "limit_refused_total",
		Help: "Requests refused with tooMuchAttempts, by limiter: attempts (register) or request_rate.",
	}, []string{"limiter"})
	metricCaptcha = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hostedgate", Name: "captcha_results_total",
		Help: "reCAPTCHA verifications by result: success, failure, empty, error.",
	}, []string{"result"})
	metricRedisErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hostedgate", Name: "redis_errors_total",
		Help: "Failed operations of the Redis attempt store, by operation; the failure policy answered instead.",
	}, []string{"operation"})
	metricStoreDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "hostedgate", Name: "store_duration_seconds",
		Help:    "Latency of store operations, by operation and outcome (ok, or error for a broken store).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"operation", "outcome"})
)

// registerMetrics adds the collectors to a config load's registry. A collector already there
// (a second handler in the same config) is fine.
func registerMetrics(reg prometheus.Registerer, extra ...prometheus.Collector) error {
	for _, c := range append([]prometheus.Collector{metricRequests, metricAuthFailures, metricLimitRefused,
		metricCaptcha, metricRedisErrors, metricStoreDuration}, extra...) {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				return err
			}
		}
	}
	return nil
}

// limiterCollectors expose a zone's limiter state: keys kept and keys evicted by the cap.
func limiterCollectors(limiter, zone string, keys func() int, evictions func() uint64) []prometheus.Collector {
	labels := prometheus.Labels{"limiter": limiter, "zone": zone}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "hostedgate", Name: "limiter_keys", ConstLabels: labels,
			Help: "Clients a limiter currently remembers.",
		}, func() float64 { return float64(keys()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "hostedgate", Name: "limiter_evictions_total", ConstLabels: labels,
			Help: "Clients a limiter forgot because it reached max_keys (never blocked ones).",
		}, func() float64 { return float64(evictions()) }),
	}
}

// promObserver feeds the API's answers into the collectors.
type promObserver struct{}

func (promObserver) Answered(endpoint string, status int, code string) {
	metricRequests.WithLabelValues(endpoint, strconv.Itoa(status), code).Inc()
}
func (promObserver) AuthRefused(_ string, reason string) {
	metricAuthFailures.WithLabelValues(reason).Inc()
}
func (promObserver) LimitRefused(limiter string) { metricLimitRefused.WithLabelValues(limiter).Inc() }
func (promObserver) Captcha(result captcha.Result) {
	metricCaptcha.WithLabelValues(string(result)).Inc()
}

// timedStore measures every store operation. Caller mistakes (not found, name taken) count
// as ok: only a failing store is an error.
type timedStore struct{ upstream.Store }

// observeStore is deferred with a pointer to the named result, so it sees the final error.
func observeStore(op string, start time.Time, errp *error) {
	err, outcome := *errp, "ok"
	if err != nil && !errors.Is(err, upstream.ErrNotFound) && !errors.Is(err, upstream.ErrNameTaken) &&
		!errors.Is(err, upstream.ErrPortalLimit) {
		outcome = "error"
	}
	metricStoreDuration.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
}

func (s timedStore) Register(ctx context.Context, req upstream.RegisterRequest) (t upstream.Tenant, err error) {
	defer observeStore("register", time.Now(), &err)
	return s.Store.Register(ctx, req)
}

func (s timedStore) CheckName(ctx context.Context, alias, prefix string) (c upstream.NameCheck, err error) {
	defer observeStore("check_name", time.Now(), &err)
	return s.Store.CheckName(ctx, alias, prefix)
}

func (s timedStore) Tenant(ctx context.Context, sel upstream.Selector) (t upstream.Tenant, err error) {
	defer observeStore("tenant", time.Now(), &err)
	return s.Store.Tenant(ctx, sel)
}

func (s timedStore) FindPortals(ctx context.Context, q upstream.PortalQuery) (ts []upstream.Tenant, err error) {
	defer observeStore("find_portals", time.Now(), &err)
	return s.Store.FindPortals(ctx, q)
}

func (s timedStore) SetStatus(ctx context.Context, sel upstream.Selector, st upstream.Status) (t upstream.Tenant, err error) {
	defer observeStore("set_status", time.Now(), &err)
	return s.Store.SetStatus(ctx, sel, st)
}

func (s timedStore) Remove(ctx context.Context, sel upstream.Selector) (t upstream.Tenant, err error) {
	defer observeStore("remove", time.Now(), &err)
	return s.Store.Remove(ctx, sel)
}

func (s timedStore) Tariff(ctx context.Context, sel upstream.Selector) (t upstream.Tenant, q upstream.Quota, err error) {
	defer observeStore("tariff", time.Now(), &err)
	return s.Store.Tariff(ctx, sel)
}

func (s timedStore) SetTariff(ctx context.Context, sel upstream.Selector, in upstream.Quota) (t upstream.Tenant, q upstream.Quota, err error) {
	defer observeStore("set_tariff", time.Now(), &err)
	return s.Store.SetTariff(ctx, sel, in)
}

func (s timedStore) Setting(ctx context.Context, sel upstream.Selector, key string) (v string, ok bool, err error) {
	defer observeStore("setting", time.Now(), &err)
	return s.Store.Setting(ctx, sel, key)
}

func (s timedStore) SaveSetting(ctx context.Context, sel upstream.Selector, key, value string) (v string, err error) {
	defer observeStore("save_setting", time.Now(), &err)
	return s.Store.SaveSetting(ctx, sel, key, value)
}
