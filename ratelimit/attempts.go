package ratelimit

import (
	"errors"
	"sort"
	"sync/atomic"
	"time"
)

// AttemptConfig sets an AttemptLimiter's limits.
type AttemptConfig struct {
	// Max is the number of attempts allowed in a window; the next one is refused. Default 10.
	Max int
	// Window is how long a key is remembered after its last attempt: every attempt, refused
	// ones included, restarts it (SPEC 5.1, D17). Default 5m.
	Window time.Duration
	// MaxKeys caps the keys kept. When a shard is full the least recently used key that is not
	// blocked is forgotten; when every key in it is blocked, the new key's attempt is refused.
	// Default 100000.
	MaxKeys int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Defaults of AttemptConfig.
const (
	DefaultMaxAttempts   = 10
	DefaultAttemptWindow = 5 * time.Minute
	DefaultMaxKeys       = 100000
)

func (c *AttemptConfig) applyDefaults() error {
	if c.Max == 0 {
		c.Max = DefaultMaxAttempts
	}
	if c.Window == 0 {
		c.Window = DefaultAttemptWindow
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = DefaultMaxKeys
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Max < 0 || c.Window < 0 || c.MaxKeys < 0 {
		return errors.New("ratelimit: limits must not be negative")
	}
	return nil
}

// AttemptLimiter counts attempts per key with the sliding window of SPEC 5.1: the count
// restarts only after Window without any attempt. It is safe for concurrent use; every
// Attempt is counted exactly once.
type AttemptLimiter struct {
	cfg atomic.Pointer[AttemptConfig]
	// keys holds every counted key; its LRU lists hold only the keys that are not blocked.
	keys        shardSet[attempt, *attempt]
	evictions   atomic.Uint64
	refusedFull atomic.Uint64
}

type attemptShard = shard[attempt, *attempt]

type attempt struct {
	key     string
	count   uint32
	last    int64 // unix nanoseconds of the last attempt
	blocked bool
	ln      links[attempt]
}

func (a *attempt) links() *links[attempt] { return &a.ln }

// NewAttemptLimiter returns a limiter with cfg's limits.
func NewAttemptLimiter(cfg AttemptConfig) (*AttemptLimiter, error) {
	l := &AttemptLimiter{}
	if err := l.SetConfig(cfg); err != nil {
		return nil, err
	}
	l.keys.init()
	return l, nil
}

// SetConfig changes the limits in place, keeping every count: a config reload that changes
// the limit must not let blocked clients go.
func (l *AttemptLimiter) SetConfig(cfg AttemptConfig) error {
	if err := cfg.applyDefaults(); err != nil {
		return err
	}
	l.cfg.Store(&cfg)
	return nil
}

// Config returns the limits in force.
func (l *AttemptLimiter) Config() AttemptConfig { return *l.cfg.Load() }

func (l *AttemptLimiter) shard(key string) *attemptShard { return l.keys.of(key) }

// Attempt counts one attempt for key and reports whether it is within the limit.
func (l *AttemptLimiter) Attempt(key string) bool {
	cfg := l.cfg.Load()
	now := cfg.Now().UnixNano()
	window := int64(cfg.Window)
	sh := l.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	a := sh.m[key]
	if a != nil && now-a.last >= window {
		// Idle for a whole window: the count starts again, as an expired cache entry would.
		a.count = 0
		if a.blocked {
			a.blocked = false
			sh.lru.pushFront(a)
		}
	}
	if a == nil {
		if len(sh.m) >= perShard(cfg.MaxKeys) {
			if !evictUnblocked(sh) {
				l.refusedFull.Add(1)
				return false
			}
			l.evictions.Add(1)
		}
		a = &attempt{key: key}
		sh.m[key] = a
		sh.lru.pushFront(a)
	} else if !a.blocked {
		sh.lru.moveToFront(a)
	}
	if a.count < ^uint32(0) {
		a.count++
	}
	a.last = now
	allowed := int64(a.count) <= int64(cfg.Max)
	if !allowed && !a.blocked {
		a.blocked = true
		sh.lru.remove(a)
	}
	return allowed
}

// evictUnblocked forgets the least recently used key that is not blocked; false when there is
// none.
func evictUnblocked(sh *attemptShard) bool {
	victim := sh.lru.tail
	if victim == nil {
		return false
	}
	sh.lru.remove(victim)
	delete(sh.m, victim.key)
	return true
}

// Sweep forgets every key idle for a whole window. A background sweeper calls it; tests call
// it with a moved clock.
func (l *AttemptLimiter) Sweep() (removed int) {
	cfg := l.cfg.Load()
	now, window := cfg.Now().UnixNano(), int64(cfg.Window)
	l.keys.each(func(sh *attemptShard) {
		for k, a := range sh.m {
			if now-a.last >= window {
				if !a.blocked {
					sh.lru.remove(a)
				}
				delete(sh.m, k)
				removed++
			}
		}
	})
	return removed
}

// Blocked is one client over the limit.
type Blocked struct {
	Key       string    `json:"key"`
	Count     uint32    `json:"count"`
	UnblockAt time.Time `json:"unblock_at"`
}

// Blocked lists the keys over the limit, with the time each is let go if it makes no further
// attempt, sorted by key.
func (l *AttemptLimiter) Blocked() []Blocked {
	cfg := l.cfg.Load()
	now, window := cfg.Now().UnixNano(), int64(cfg.Window)
	out := []Blocked{}
	l.keys.each(func(sh *attemptShard) {
		for _, a := range sh.m {
			if a.blocked && now-a.last < window {
				out = append(out, Blocked{Key: a.key, Count: a.count, UnblockAt: time.Unix(0, a.last+window).UTC()})
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Forget removes key's count, lifting a lockout; false when the key had none.
func (l *AttemptLimiter) Forget(key string) bool {
	sh := l.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	a := sh.m[key]
	if a == nil {
		return false
	}
	if !a.blocked {
		sh.lru.remove(a)
	}
	delete(sh.m, key)
	return true
}

// Len is the number of keys kept.
func (l *AttemptLimiter) Len() int { return l.keys.len() }

// Evictions counts keys forgotten because their shard was full.
func (l *AttemptLimiter) Evictions() uint64 { return l.evictions.Load() }

// RefusedFull counts attempts refused because their shard held only blocked keys.
func (l *AttemptLimiter) RefusedFull() uint64 { return l.refusedFull.Load() }
