package ratelimit

import (
	"errors"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// RateConfig sets a RateLimiter's budget per key.
type RateConfig struct {
	// Rate is the steady number of requests per second. Default 10.
	Rate float64
	// Burst is how many requests may come at once. Default 60.
	Burst int
	// MaxKeys caps the keys kept; the least recently used is forgotten first. Default 100000.
	MaxKeys int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Defaults of RateConfig (D19a): a person typing names never meets them.
const (
	DefaultRate  = 10
	DefaultBurst = 60
)

func (c *RateConfig) applyDefaults() error {
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = DefaultMaxKeys
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rate < 0 || c.Burst < 0 || c.MaxKeys < 0 {
		return errors.New("ratelimit: rate, burst and max_keys must not be negative")
	}
	return nil
}

// RateLimiter is a token bucket per key (golang.org/x/time/rate), for the endpoints anyone
// may call, so the name space cannot be enumerated at line rate.
type RateLimiter struct {
	cfg       atomic.Pointer[RateConfig]
	buckets   shardSet[bucket, *bucket]
	evictions atomic.Uint64
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	last int64
	ln   links[bucket]
}

func (b *bucket) links() *links[bucket] { return &b.ln }

// NewRateLimiter returns a limiter with cfg's budget.
func NewRateLimiter(cfg RateConfig) (*RateLimiter, error) {
	l := &RateLimiter{}
	if err := l.SetConfig(cfg); err != nil {
		return nil, err
	}
	l.buckets.init()
	return l, nil
}

// SetConfig changes the budget for new buckets and, at their next request, existing ones.
func (l *RateLimiter) SetConfig(cfg RateConfig) error {
	if err := cfg.applyDefaults(); err != nil {
		return err
	}
	l.cfg.Store(&cfg)
	return nil
}

// Allow takes one request from key's bucket and reports whether there was one.
func (l *RateLimiter) Allow(key string) bool {
	cfg := l.cfg.Load()
	now := cfg.Now()
	sh := l.buckets.of(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.m[key]
	if b == nil {
		if len(sh.m) >= perShard(cfg.MaxKeys) {
			victim := sh.lru.tail
			sh.lru.remove(victim)
			delete(sh.m, victim.key)
			l.evictions.Add(1)
		}
		b = &bucket{key: key, lim: rate.NewLimiter(rate.Limit(cfg.Rate), cfg.Burst)}
		sh.m[key] = b
		sh.lru.pushFront(b)
	} else {
		sh.lru.moveToFront(b)
		if b.lim.Limit() != rate.Limit(cfg.Rate) || b.lim.Burst() != cfg.Burst {
			b.lim.SetLimitAt(now, rate.Limit(cfg.Rate))
			b.lim.SetBurstAt(now, cfg.Burst)
		}
	}
	b.last = now.UnixNano()
	return b.lim.AllowN(now, 1)
}

// Sweep forgets buckets idle long enough to have refilled: forgetting them changes nothing.
func (l *RateLimiter) Sweep() (removed int) {
	cfg := l.cfg.Load()
	now := cfg.Now().UnixNano()
	refill := int64(float64(time.Second) * float64(cfg.Burst) / cfg.Rate)
	l.buckets.each(func(sh *shard[bucket, *bucket]) {
		for k, b := range sh.m {
			if now-b.last >= refill {
				sh.lru.remove(b)
				delete(sh.m, k)
				removed++
			}
		}
	})
	return removed
}

// Len is the number of buckets kept.
func (l *RateLimiter) Len() int { return l.buckets.len() }

// Evictions counts buckets forgotten because their shard was full.
func (l *RateLimiter) Evictions() uint64 { return l.evictions.Load() }
