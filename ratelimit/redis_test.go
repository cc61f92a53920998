package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedis connects to the Redis of HOSTEDGATE_TEST_REDIS (default 127.0.0.1:6379). Without
// one the Redis tests skip, except in CI, where a missing Redis must not pass silently.
func testRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	addr := os.Getenv("HOSTEDGATE_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{
		Addr: addr, DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		ContextTimeoutEnabled: true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis not reachable at %s, and CI requires it: %v", addr, err)
		}
		t.Skipf("Redis not reachable at %s: start it or set HOSTEDGATE_TEST_REDIS (%v)", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testPrefix returns a prefix no other test run uses, and deletes everything under it when
// the test ends.
func testPrefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "hostedgate:test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning %s: %v", prefix, err)
		}
	})
	return prefix
}

func newRedisAttempts(t testing.TB, cfg RedisAttemptConfig) *RedisAttemptLimiter {
	t.Helper()
	l, err := NewRedisAttemptLimiter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func redisCount(t testing.TB, c redis.UniversalClient, key string) int64 {
	t.Helper()
	n, err := c.Get(context.Background(), key).Int64()
	if errors.Is(err, redis.Nil) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRedisAttemptWindow runs one sequence through the Redis limiter (real time, because
// Redis's clock cannot be moved) and through AttemptLimiter (a moved clock), and wants the
// same answers from both: SPEC 5.1's sliding window, refused attempts counting. PTTL shows
// each attempt restarting the window without waiting for it; the sleeps, under a second in
// all, only cover a window passing, with margins far wider than a loaded machine's jitter.
func TestRedisAttemptWindow(t *testing.T) {
	c := testRedis(t)
	prefix := testPrefix(t, c)
	const window = 400 * time.Millisecond
	rl := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: 3, Window: window})
	clk := newClock()
	local := newAttempts(t, clk, AttemptConfig{Max: 3, Window: window})

	steps := []struct {
		gap   time.Duration
		want  bool
		count int64 // in Redis after the attempt
	}{
		{0, true, 1}, {0, true, 2}, {0, true, 3},
		{0, false, 4},                      // Max+1
		{100 * time.Millisecond, false, 5}, // refused attempts count and restart the window
		{100 * time.Millisecond, false, 6}, // so 200ms after the 4th is still blocked
		{550 * time.Millisecond, true, 1},  // a whole window without attempts: count starts again
		{0, true, 2}, {0, true, 3}, {0, false, 4},
	}
	for i, s := range steps {
		time.Sleep(s.gap)
		clk.Advance(s.gap)
		if got := rl.Attempt("ip_a"); got != s.want {
			t.Fatalf("step %d: redis Attempt = %v, want %v", i, got, s.want)
		}
		if got := local.Attempt("ip_a"); got != s.want {
			t.Fatalf("step %d: local Attempt = %v, want %v", i, got, s.want)
		}
		if n := redisCount(t, c, prefix+"ip_a"); n != s.count {
			t.Fatalf("step %d: count %d, want %d", i, n, s.count)
		}
		ttl, err := c.PTTL(context.Background(), prefix+"ip_a").Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= window-100*time.Millisecond || ttl > window {
			t.Fatalf("step %d: PTTL %v, want just under %v: the attempt must restart the window", i, ttl, window)
		}
	}
	if rl.Evictions() != 0 {
		t.Fatalf("Evictions = %d", rl.Evictions())
	}
}

func TestRedisWindowMillis(t *testing.T) {
	for in, want := range map[time.Duration]int64{
		time.Nanosecond:         1,
		time.Millisecond:        1,
		1500 * time.Microsecond: 2,
		300 * time.Millisecond:  300,
		5 * time.Minute:         300000,
	} {
		if got := redisWindowMillis(in); got != want {
			t.Errorf("redisWindowMillis(%v) = %d, want %d", in, got, want)
		}
	}
}

// TestRedisNoLostUpdates hammers one key from 64 goroutines through two limiters, as two
// gateway nodes would: exactly Max attempts pass and every attempt is counted.
func TestRedisNoLostUpdates(t *testing.T) {
	c := testRedis(t)
	prefix := testPrefix(t, c)
	const max, workers, each = 100, 64, 20
	nodes := [2]*RedisAttemptLimiter{
		newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: max}),
		newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: max}),
	}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				if nodes[(w+i)%2].Attempt("ip_shared") {
					allowed.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := allowed.Load(); n != max {
		t.Fatalf("%d attempts allowed, want exactly %d", n, max)
	}
	if n := redisCount(t, c, prefix+"ip_shared"); n != workers*each {
		t.Fatalf("count %d, want %d", n, workers*each)
	}
	for i, l := range nodes {
		if b := l.Blocked(); len(b) != 1 || b[0].Key != "ip_shared" || b[0].Count != workers*each {
			t.Fatalf("node %d Blocked = %+v", i, b)
		}
	}
}

// TestRedisAlternatingNodes is a client whose requests a load balancer spreads over two nodes:
// the budget is one, so the attempt after Max is refused whichever node takes it.
func TestRedisAlternatingNodes(t *testing.T) {
	c := testRedis(t)
	prefix := testPrefix(t, c)
	a := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: 5})
	b := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: 5})
	for i := 1; i <= 8; i++ {
		node := a
		if i%2 == 0 {
			node = b
		}
		if got, want := node.Attempt("ip_lb"), i <= 5; got != want {
			t.Fatalf("attempt %d: %v, want %v", i, got, want)
		}
	}
}

// TestRedisBlockedForget lists and lifts lockouts, and checks that a prefix with glob
// characters lists only its own keys.
func TestRedisBlockedForget(t *testing.T) {
	c := testRedis(t)
	base := testPrefix(t, c)
	const window = time.Minute
	fallback, err := NewAttemptLimiter(AttemptConfig{})
	if err != nil {
		t.Fatal(err)
	}
	l := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: base + "z?:", Max: 2, Window: window, Fallback: fallback})
	// "z?:*" unescaped would match this limiter's keys too.
	other := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: base + "zz:", Max: 2, Window: window})

	if got := l.Blocked(); got == nil || len(got) != 0 {
		t.Fatalf("Blocked with no keys = %#v, want empty", got)
	}
	before := time.Now()
	for key, n := range map[string]int{"ip_c": 5, "ip_a": 3, "ip_b": 2, "ip_d": 1} {
		for range n {
			l.Attempt(key)
		}
	}
	for range 4 {
		other.Attempt("ip_other")
	}
	after := time.Now()
	if n := l.Len(); n != 4 {
		t.Fatalf("Len = %d, want 4", n)
	}
	got := l.Blocked()
	if len(got) != 2 || got[0].Key != "ip_a" || got[0].Count != 3 || got[1].Key != "ip_c" || got[1].Count != 5 {
		t.Fatalf("Blocked = %+v", got)
	}
	for _, b := range got {
		if b.UnblockAt.Before(before.Add(window-time.Second)) || b.UnblockAt.After(time.Now().Add(window)) {
			t.Fatalf("%s UnblockAt %v, want about %v", b.Key, b.UnblockAt, after.Add(window))
		}
		if b.UnblockAt.Location() != time.UTC {
			t.Fatalf("UnblockAt not UTC: %v", b.UnblockAt)
		}
	}
	if b := other.Blocked(); len(b) != 1 || b[0].Key != "ip_other" {
		t.Fatalf("other zone Blocked = %+v", b)
	}

	// A lockout the Fallback took during an outage lifts with the Redis one.
	for range 3 {
		fallback.Attempt("ip_a")
	}
	if !l.Forget("ip_a") {
		t.Fatal("Forget(ip_a) = false")
	}
	if len(fallback.Blocked()) != 0 {
		t.Fatalf("Fallback still blocks: %+v", fallback.Blocked())
	}
	if l.Forget("ip_a") {
		t.Fatal("second Forget(ip_a) = true")
	}
	if !l.Attempt("ip_a") {
		t.Fatal("ip_a refused after Forget")
	}
	if b := l.Blocked(); len(b) != 1 || b[0].Key != "ip_c" {
		t.Fatalf("Blocked after Forget = %+v", b)
	}
}

// TestRedisSetConfig is a config reload: new limits apply at once, counts stay.
func TestRedisSetConfig(t *testing.T) {
	c := testRedis(t)
	prefix := testPrefix(t, c)
	fallback, err := NewAttemptLimiter(AttemptConfig{MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	l := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: 3, Window: time.Minute, Fallback: fallback})
	if fc := fallback.Config(); fc.Max != 3 || fc.Window != time.Minute || fc.MaxKeys != 1000 {
		t.Fatalf("Fallback config %+v, want Max 3, Window 1m, MaxKeys kept", fc)
	}
	for range 3 {
		if !l.Attempt("ip_r") {
			t.Fatal("refused within Max")
		}
	}
	if err := l.SetConfig(2, time.Minute); err != nil {
		t.Fatal(err)
	}
	if l.Attempt("ip_r") {
		t.Fatal("4th attempt allowed after lowering Max to 2")
	}
	if err := l.SetConfig(10, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if !l.Attempt("ip_r") {
		t.Fatal("5th attempt refused after raising Max to 10")
	}
	if n := redisCount(t, c, prefix+"ip_r"); n != 5 {
		t.Fatalf("count %d, want 5", n)
	}
	if ttl := c.PTTL(context.Background(), prefix+"ip_r").Val(); ttl <= time.Minute {
		t.Fatalf("PTTL %v: the new window applies from the next attempt", ttl)
	}
	if fc := fallback.Config(); fc.Max != 10 || fc.Window != 2*time.Minute {
		t.Fatalf("Fallback config %+v after SetConfig", fc)
	}
	if err := l.SetConfig(0, 0); err != nil {
		t.Fatal(err)
	}
	if lim := l.limits.Load(); lim.max != DefaultMaxAttempts || lim.windowMS != DefaultAttemptWindow.Milliseconds() {
		t.Fatalf("defaults: %+v", lim)
	}
	if err := l.SetConfig(-1, 0); err == nil {
		t.Fatal("negative Max accepted")
	}
	if err := l.SetConfig(1, -time.Second); err == nil {
		t.Fatal("negative Window accepted")
	}
}

func TestNewRedisAttemptLimiterConfig(t *testing.T) {
	if _, err := NewRedisAttemptLimiter(RedisAttemptConfig{}); err == nil {
		t.Fatal("nil Client accepted")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = c.Close() })
	for _, cfg := range []RedisAttemptConfig{
		{Client: c, Max: -1},
		{Client: c, Window: -time.Second},
		{Client: c, Timeout: -time.Second},
	} {
		if _, err := NewRedisAttemptLimiter(cfg); err == nil {
			t.Fatalf("%+v accepted", cfg)
		}
	}
	l := newRedisAttempts(t, RedisAttemptConfig{Client: c})
	if lim := l.limits.Load(); l.prefix != DefaultRedisAttemptPrefix || l.timeout != DefaultRedisAttemptTimeout ||
		lim.max != DefaultMaxAttempts || lim.windowMS != DefaultAttemptWindow.Milliseconds() {
		t.Fatalf("defaults: prefix %q timeout %v limits %+v", l.prefix, l.timeout, lim)
	}
}

// silentRedis is a server that accepts connections and never answers, so only the limiter's
// Timeout can end a call to it.
func silentRedis(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, conn := range conns {
			_ = conn.Close()
		}
	})
	return ln.Addr().String()
}

// TestRedisFailurePolicy points limiters at a port nobody listens on and at a server that
// never answers, with and without ContextTimeoutEnabled: every call returns soon after
// Timeout, reports the failure, and answers with the Fallback ("local") or refuses ("refuse").
func TestRedisFailurePolicy(t *testing.T) {
	const timeout = 100 * time.Millisecond
	const bound = time.Second // generous: expected about timeout+50ms
	silent := silentRedis(t)
	servers := []struct {
		name string
		opt  redis.Options
	}{
		{"refused", redis.Options{Addr: "127.0.0.1:1"}},
		{"silent", redis.Options{Addr: silent}},
		{"silent-ctx", redis.Options{Addr: silent, ContextTimeoutEnabled: true}},
	}
	for _, srv := range servers {
		for _, withFallback := range []bool{true, false} {
			name := srv.name + "/refuse"
			if withFallback {
				name = srv.name + "/local"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opt := srv.opt
				c := redis.NewClient(&opt)
				t.Cleanup(func() { _ = c.Close() })
				var mu sync.Mutex
				failed := map[string]int{}
				cfg := RedisAttemptConfig{
					Client: c, Max: 2, Timeout: timeout, RetryAfter: time.Hour,
					OnError: func(op string, err error) {
						if err == nil || strings.Contains(err.Error(), "ip_down") {
							t.Errorf("OnError(%q, %v): want an error without the key", op, err)
						}
						mu.Lock()
						failed[op]++
						mu.Unlock()
					},
				}
				if withFallback {
					fb, err := NewAttemptLimiter(AttemptConfig{})
					if err != nil {
						t.Fatal(err)
					}
					cfg.Fallback = fb
				}
				l := newRedisAttempts(t, cfg)
				timed := func(what string, f func()) {
					t.Helper()
					start := time.Now()
					f()
					if d := time.Since(start); d > bound {
						t.Fatalf("%s took %v, want about %v", what, d, timeout)
					} else {
						t.Logf("%s took %v", what, d)
					}
				}
				for i := 1; i <= 3; i++ {
					start := time.Now()
					timed("Attempt "+strconv.Itoa(i), func() {
						want := withFallback && i <= 2
						if got := l.Attempt("ip_down"); got != want {
							t.Errorf("Attempt %d = %v, want %v", i, got, want)
						}
					})
					// After the first failure, attempts do not wait on Redis until RetryAfter.
					if d := time.Since(start); i > 1 && d > timeout/2 {
						t.Errorf("Attempt %d waited %v on a Redis known to be down", i, d)
					}
				}
				timed("Blocked", func() {
					b := l.Blocked()
					if withFallback && (len(b) != 1 || b[0].Key != "ip_down" || b[0].Count != 3) {
						t.Errorf("Blocked = %+v, want the Fallback's", b)
					}
					if !withFallback && (b == nil || len(b) != 0) {
						t.Errorf("Blocked = %#v, want empty", b)
					}
				})
				timed("Len", func() {
					if n, want := l.Len(), map[bool]int{true: 1, false: 0}[withFallback]; n != want {
						t.Errorf("Len = %d, want %d", n, want)
					}
				})
				timed("Forget", func() {
					if got := l.Forget("ip_down"); got != withFallback {
						t.Errorf("Forget = %v, want %v", got, withFallback)
					}
				})
				mu.Lock()
				defer mu.Unlock()
				if failed["attempt"] != 1 || failed["blocked"] != 1 || failed["len"] != 1 || failed["forget"] != 1 {
					t.Errorf("OnError calls %v", failed)
				}
			})
		}
	}
}

// TestRedisRetryAfter: after RetryAfter the limiter tries Redis again, and counts there once
// it answers.
func TestRedisRetryAfter(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = c.Close() })
	var failures atomic.Int32
	l := newRedisAttempts(t, RedisAttemptConfig{Client: c, Max: 5, Timeout: 50 * time.Millisecond,
		RetryAfter: 200 * time.Millisecond, OnError: func(string, error) { failures.Add(1) }})
	l.Attempt("ip_x")
	l.Attempt("ip_x")
	if failures.Load() != 1 {
		t.Fatalf("%d failures inside RetryAfter, want 1", failures.Load())
	}
	time.Sleep(250 * time.Millisecond)
	l.Attempt("ip_x")
	if failures.Load() != 2 {
		t.Fatalf("%d failures after RetryAfter, want 2 (Redis tried again)", failures.Load())
	}
}

// TestRedisNoScriptCache is a Redis restarted or flushed under a running gateway: it has
// forgotten the script, and the limiter must go on counting.
func TestRedisNoScriptCache(t *testing.T) {
	c := testRedis(t)
	prefix := testPrefix(t, c)
	l := newRedisAttempts(t, RedisAttemptConfig{Client: c, Prefix: prefix, Max: 2})
	if !l.Attempt("ip_f") {
		t.Fatal("refused")
	}
	// EVALSHA now fails with NOSCRIPT; the EVAL fallback answers.
	if err := c.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if !l.Attempt("ip_f") || l.Attempt("ip_f") {
		t.Fatal("wrong answers after SCRIPT FLUSH")
	}
}

func BenchmarkRedisAttempt(b *testing.B) {
	c := testRedis(b)
	prefix := testPrefix(b, c)
	l := newRedisAttempts(b, RedisAttemptConfig{Client: c, Prefix: prefix, Max: 1 << 30})
	var worker atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		key := "ip_bench" + strconv.FormatInt(worker.Add(1)%16, 10)
		for pb.Next() {
			if !l.Attempt(key) {
				b.Error("refused")
				return
			}
		}
	})
}
