package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of RedisAttemptConfig, beside the Max and Window it shares with AttemptConfig.
const (
	DefaultRedisAttemptPrefix  = "hostedgate:attempts:"
	DefaultRedisAttemptTimeout = 100 * time.Millisecond
)

// Bounds of the key walk behind Blocked and Len. Both serve the admin API and metrics, never
// a request, yet a Redis shared with other data can hold millions of keys: the walk stops
// rather than hold a connection for minutes.
const (
	redisScanCount    = 1000             // SCAN COUNT hint per call
	redisScanMaxKeys  = 100000           // keys under the prefix read before the walk stops
	redisScanMaxCalls = 1000             // SCAN calls per walk, which bounds keys examined too
	redisScanMaxTime  = 5 * time.Second  // whole walk, however many round trips it takes
	redisMaxCount     = math.MaxUint32   // Blocked.Count saturates here, as the local count does
	redisMinWindow    = time.Millisecond // PEXPIRE's unit
)

// redisAttemptScript counts one attempt and restarts its window in a single atomic step, so
// gateway nodes sharing a Redis share one budget and no update is lost between the INCR and
// the PEXPIRE (D17). A missing key is INCRed to 1: it has expired after a whole window
// without attempts, which is exactly when SPEC 5.1 starts the count again. PEXPIRE follows
// every INCR, refused attempts included, which makes the window slide. redis.NewScript sends
// EVALSHA and falls back to EVAL when the server has not cached the script yet.
var redisAttemptScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
`)

// errRedisScanCapped stops a walk that reached its bounds; the walk then answers with what it
// has instead of failing.
var errRedisScanCapped = errors.New("ratelimit: redis scan reached its bounds")

// RedisAttemptConfig sets up a RedisAttemptLimiter.
type RedisAttemptConfig struct {
	// Client is the Redis to count in; required. The limiter never closes it. A client built
	// with ContextTimeoutEnabled ends an abandoned command at Timeout too; without it the
	// limiter still answers within Timeout, but the command holds its connection until the
	// client's own ReadTimeout. Retries (MaxRetries) of a command that timed out after it was
	// sent may count that attempt twice, which errs on the side of refusing.
	Client redis.UniversalClient
	// Prefix is put before every key; default "hostedgate:attempts:". The caller appends the
	// zone, so zones and other users of the same Redis do not share counts.
	Prefix string
	// Max is the number of attempts allowed in a window; the next one is refused. Default 10.
	Max int
	// Window is how long a key is remembered after its last attempt: every attempt, refused
	// ones included, restarts it (SPEC 5.1, D17). Rounded up to whole milliseconds. Default 5m.
	Window time.Duration
	// Timeout bounds each round trip to Redis, default 100ms: a dead or hanging Redis must not
	// stall register requests.
	Timeout time.Duration
	// RetryAfter is how long attempts go straight to the failure policy after Redis failed,
	// before Redis is tried again; default 1s. An outage then costs one Timeout per RetryAfter
	// instead of one per request.
	RetryAfter time.Duration
	// Fallback, when non-nil, answers while Redis is unreachable (the "local" failure policy);
	// when nil, the attempt is refused (the "refuse" policy). The limiter sets the Fallback's
	// Max and Window to its own, here and in SetConfig, so both policies count alike; the
	// Fallback's owner still runs its Sweep.
	Fallback *AttemptLimiter
	// OnError is called for every Redis failure, with the operation ("attempt", "forget",
	// "blocked" or "len") and the error, for a log line and a metric. It is never given a key:
	// keys hold client addresses. It must not block.
	OnError func(op string, err error)
}

// redisLimits is swapped whole, so an Attempt never sees the Max of one config with the
// Window of another.
type redisLimits struct {
	max      int64
	windowMS int64
}

// RedisAttemptLimiter counts attempts per key in Redis with the sliding window of SPEC 5.1,
// the same semantics as AttemptLimiter, shared by every limiter on the same Redis and Prefix:
// gateway nodes behind one load balancer share one budget per client. It is safe for
// concurrent use.
type RedisAttemptLimiter struct {
	client   redis.UniversalClient
	prefix   string
	timeout  time.Duration
	fallback *AttemptLimiter
	onError  func(op string, err error)
	limits   atomic.Pointer[redisLimits]
	// downUntil (unix nanoseconds) is set when Redis fails: until then attempts go straight
	// to the failure policy, so an outage costs one Timeout per RetryAfter, not per request.
	downUntil  atomic.Int64
	retryAfter time.Duration
}

// RedisRetryAfter is the default RedisAttemptConfig.RetryAfter.
const RedisRetryAfter = time.Second

// NewRedisAttemptLimiter returns a limiter counting in cfg.Client. It does not contact Redis:
// a Redis that is down at start is a failure like any other, answered by the failure policy.
func NewRedisAttemptLimiter(cfg RedisAttemptConfig) (*RedisAttemptLimiter, error) {
	if cfg.Client == nil {
		return nil, errors.New("ratelimit: redis attempt limiter needs a client")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("ratelimit: redis timeout must not be negative")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultRedisAttemptPrefix
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultRedisAttemptTimeout
	}
	l := &RedisAttemptLimiter{
		client:     cfg.Client,
		prefix:     cfg.Prefix,
		timeout:    cfg.Timeout,
		fallback:   cfg.Fallback,
		onError:    cfg.OnError,
		retryAfter: cfg.RetryAfter,
	}
	if l.retryAfter == 0 {
		l.retryAfter = RedisRetryAfter
	}
	if err := l.SetConfig(cfg.Max, cfg.Window); err != nil {
		return nil, err
	}
	return l, nil
}

// SetConfig changes the limits in place; 0 means the default. The counts stay in Redis, so a
// config reload that changes the limit does not let blocked clients go; a new Window applies
// from each key's next attempt.
func (l *RedisAttemptLimiter) SetConfig(maxAttempts int, window time.Duration) error {
	if maxAttempts == 0 {
		maxAttempts = DefaultMaxAttempts
	}
	if window == 0 {
		window = DefaultAttemptWindow
	}
	if maxAttempts < 0 || window < 0 {
		return errors.New("ratelimit: limits must not be negative")
	}
	if l.fallback != nil {
		fc := l.fallback.Config()
		fc.Max, fc.Window = maxAttempts, window
		if err := l.fallback.SetConfig(fc); err != nil {
			return fmt.Errorf("ratelimit: redis fallback: %w", err)
		}
	}
	l.limits.Store(&redisLimits{max: int64(maxAttempts), windowMS: redisWindowMillis(window)})
	return nil
}

// redisWindowMillis rounds up, so a window is never shorter than configured and never 0,
// which PEXPIRE would take as "delete now".
func redisWindowMillis(window time.Duration) int64 {
	return int64((max(window, redisMinWindow) + redisMinWindow - 1) / redisMinWindow)
}

// Attempt counts one attempt for key and reports whether it is within the limit, in one round
// trip. While Redis fails it asks the Fallback, or refuses when there is none.
func (l *RedisAttemptLimiter) Attempt(key string) bool {
	lim := l.limits.Load()
	if time.Now().UnixNano() < l.downUntil.Load() {
		return l.failurePolicy(key)
	}
	var n int64
	err := l.bounded(context.Background(), l.timeout, func(ctx context.Context) error {
		var err error
		n, err = redisAttemptScript.Run(ctx, l.client, []string{l.prefix + key}, lim.windowMS).Int64()
		return err
	})
	if err != nil {
		l.downUntil.Store(time.Now().Add(l.retryAfter).UnixNano())
		l.fail("attempt", err)
		return l.failurePolicy(key)
	}
	return n <= lim.max
}

// failurePolicy answers while Redis is unreachable: the local counts, or a refusal.
func (l *RedisAttemptLimiter) failurePolicy(key string) bool {
	if l.fallback != nil {
		return l.fallback.Attempt(key)
	}
	return false
}

// Forget removes key's count, lifting a lockout, in Redis and in the Fallback; false when
// neither had one (or Redis failed and the Fallback had none).
func (l *RedisAttemptLimiter) Forget(key string) bool {
	var n int64
	err := l.bounded(context.Background(), l.timeout, func(ctx context.Context) error {
		var err error
		n, err = l.client.Del(ctx, l.prefix+key).Result()
		return err
	})
	// The Fallback may hold a lockout from an outage, which must lift as well.
	forgot := l.fallback != nil && l.fallback.Forget(key)
	if err != nil {
		l.fail("forget", err)
		return forgot
	}
	return n > 0 || forgot
}

// Blocked lists the keys over the limit, with the time each is let go if it makes no further
// attempt, sorted by key. It walks the keys under Prefix with SCAN on every master, reading at
// most 100000 of them; UnblockAt is zero for a key without expiry, which only a writer other
// than this limiter leaves. When Redis fails it lists what the Fallback has, or nothing.
func (l *RedisAttemptLimiter) Blocked() []Blocked {
	maxCount := l.limits.Load().max
	var mu sync.Mutex
	found := map[string]Blocked{} // SCAN may return a key twice
	visit := func(ctx context.Context, node redis.Cmdable, keys []string) error {
		var gets []*redis.StringCmd
		var ttls []*redis.DurationCmd
		var at time.Time
		err := l.bounded(ctx, l.timeout, func(ctx context.Context) error {
			// The error Pipelined returns is that of the first failed command, often a
			// redis.Nil from a key that expired since SCAN; each command is checked below.
			_, _ = node.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range keys {
					gets = append(gets, p.Get(ctx, k))
					ttls = append(ttls, p.PTTL(ctx, k))
				}
				return nil
			})
			at = time.Now()
			return nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			n, err := gets[i].Int64()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return fmt.Errorf("get: %w", err)
			}
			if n <= maxCount {
				continue
			}
			ttl, err := ttls[i].Result()
			if err != nil {
				return fmt.Errorf("pttl: %w", err)
			}
			b := Blocked{Key: strings.TrimPrefix(k, l.prefix), Count: uint32(min(n, redisMaxCount))}
			switch {
			case ttl == -2: // expired between GET and PTTL
				continue
			case ttl >= 0:
				b.UnblockAt = at.Add(ttl).UTC()
			}
			mu.Lock()
			found[b.Key] = b
			mu.Unlock()
		}
		return nil
	}
	if err := l.scan(visit); err != nil {
		l.fail("blocked", err)
		if l.fallback != nil {
			return l.fallback.Blocked()
		}
		return []Blocked{}
	}
	out := make([]Blocked, 0, len(found))
	for _, b := range found {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Len is the number of keys under Prefix, counted with SCAN (not DBSIZE, which would count
// every user of the Redis). It is approximate: SCAN may return a key twice or miss one that
// comes and goes during the walk, and the count stops at 100000. It costs a round trip per
// 1000 keys examined, so it suits a gauge read at scrape pace, not a request. When Redis fails
// it is the Fallback's Len, or 0.
func (l *RedisAttemptLimiter) Len() int {
	var n atomic.Int64
	err := l.scan(func(_ context.Context, _ redis.Cmdable, keys []string) error {
		n.Add(int64(len(keys)))
		return nil
	})
	if err != nil {
		l.fail("len", err)
		if l.fallback != nil {
			return l.fallback.Len()
		}
		return 0
	}
	return int(min(n.Load(), redisScanMaxKeys))
}

// Evictions is always 0: Redis forgets a key by itself when its window passes, so the limiter
// never has to forget one early. Keys dropped by Redis's own maxmemory policy are not seen
// here; a Redis holding counters should use noeviction or a volatile-* policy with headroom.
func (l *RedisAttemptLimiter) Evictions() uint64 { return 0 }

// scan walks the keys under Prefix on every node holding part of the key space, calling visit
// with each non-empty batch on the node that returned it. It stops, without error, at the
// bounds of redisScanMaxKeys and redisScanMaxCalls.
func (l *RedisAttemptLimiter) scan(visit func(ctx context.Context, node redis.Cmdable, keys []string) error) error {
	var keys, calls atomic.Int64
	match := redisGlobEscape(l.prefix) + "*"
	walk := func(ctx context.Context, node redis.Cmdable) error {
		var cursor uint64
		for {
			if calls.Add(1) > redisScanMaxCalls {
				return errRedisScanCapped
			}
			var batch []string
			var next uint64
			err := l.bounded(ctx, l.timeout, func(ctx context.Context) error {
				var err error
				batch, next, err = node.Scan(ctx, cursor, match, redisScanCount).Result()
				return err
			})
			if err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			if len(batch) > 0 {
				if err := visit(ctx, node, batch); err != nil {
					return err
				}
			}
			if keys.Add(int64(len(batch))) >= redisScanMaxKeys {
				return errRedisScanCapped
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	// A cluster or ring spreads keys over nodes, and SCAN sees one node only.
	err := l.bounded(context.Background(), max(redisScanMaxTime, l.timeout), func(ctx context.Context) error {
		switch c := l.client.(type) {
		case *redis.ClusterClient:
			return c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return walk(ctx, n) })
		case *redis.Ring:
			return c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return walk(ctx, n) })
		default:
			return walk(ctx, l.client)
		}
	})
	if errors.Is(err, errRedisScanCapped) {
		return nil
	}
	return err
}

// bounded runs f with a deadline of timeout below parent and returns when f does or the
// deadline passes, whichever is first. The wait is bounded here, not left to the client,
// because a client without ContextTimeoutEnabled ignores deadlines on its sockets: against a
// Redis that accepts connections but never answers it would hold a request for its
// ReadTimeout, times its retries. f's results may be read only when bounded returns nil.
func (l *RedisAttemptLimiter) bounded(parent context.Context, timeout time.Duration, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	done := make(chan error, 1) // buffered: an abandoned f must still be able to finish
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// f may have finished just as the deadline passed; its answer is better than none.
		select {
		case err := <-done:
			return err
		default:
			return fmt.Errorf("no answer within %v: %w", timeout, ctx.Err())
		}
	}
}

func (l *RedisAttemptLimiter) fail(op string, err error) {
	if l.onError != nil {
		l.onError(op, fmt.Errorf("ratelimit: redis %s: %w", op, err))
	}
}

// redisGlobEscape makes a prefix match only itself in a SCAN MATCH pattern, so a prefix
// holding "*", "?" or "[" cannot reach other zones' keys.
func redisGlobEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '?', '[', ']':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
