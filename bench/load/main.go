// Command load is the HTTP load generator of hostedgate's benchmark harness (bench/run.sh).
//
// It runs a fixed number of keep-alive HTTP/1.1 clients (-c) against one URL for a duration
// (-d) or a fixed number of requests (-n), after an uncounted warm-up (-warmup), and prints one
// JSON line:
//
//	{"name":"...","requests":N,"errors":E,"seconds":S,"rps":R,"p50_ms":P50,"p99_ms":P99}
//
// Examples:
//
//	go run ./bench/load -name bare -url http://127.0.0.1:18100/ -d 5s
//	go run ./bench/load -name register -m POST -key "$HOSTED_MACHINE_KEY" \
//	    -url http://127.0.0.1:18101/api/portal/register \
//	    -body '{"portalName":"bench{n}x","firstName":"Bench","lastName":"Load","email":"o{n}@example.com"}'
//
// {n} in -body, -url and header values is replaced by a per-request counter (starting at
// -start), unique across the warm-up and the measured requests. -key signs every request with
// a fresh ASC token (auth.Sign, cached per second). -distinct-ips sets X-Forwarded-For to an
// address derived from the same counter, so no two requests share one. A response whose status
// is not -expect (or whose body lacks -contains) is an error; the first few are printed to
// stderr. The exit status is 1 when any request was an error.
//
// Latencies go into per-worker fixed-bucket histograms (log-linear, 128 sub-buckets per power
// of two: under 1% relative error), allocated once, merged at the end.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hostedgate/hostedgate/auth"
)

// ---- histogram ----

const (
	subBits  = 7
	subCount = 1 << subBits // 128 sub-buckets per power of two
	nBuckets = (64 - subBits + 1) * subCount
)

type histogram struct {
	counts [nBuckets]uint64
	total  uint64
}

func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1) // keep the top subBits+1 bits
	return (shift+1)*subCount + int(v>>uint(shift)) - subCount
}

// valueOf is the midpoint of bucket i, in the recorded unit (nanoseconds).
func valueOf(i int) float64 {
	if i < subCount {
		return float64(i)
	}
	shift := i/subCount - 1
	m := uint64(i%subCount + subCount)
	lo := m << uint(shift)
	return float64(lo) + float64(uint64(1)<<uint(shift))/2
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.total++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
}

// quantile returns the q-quantile (0..1) in nanoseconds.
func (h *histogram) quantile(q float64) float64 {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	if rank > h.total {
		rank = h.total
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return valueOf(i)
		}
	}
	return valueOf(nBuckets - 1)
}

// ---- templates ----

// template is a string with {n} placeholders, split once so each request only appends.
type template struct {
	parts []string // literal parts; a counter goes between consecutive parts
}

func newTemplate(s string) template { return template{parts: strings.Split(s, "{n}")} }

func (t template) has() bool { return len(t.parts) > 1 }

func (t template) appendTo(dst []byte, n uint64) []byte {
	for i, p := range t.parts {
		if i > 0 {
			dst = strconv.AppendUint(dst, n, 10)
		}
		dst = append(dst, p...)
	}
	return dst
}

// ---- distinct client addresses ----

// firstOctets are the /8 ranges the distinct addresses are taken from, in order: 10.0.0.0/8
// first (16.7 million addresses), then 11.0.0.0/8 and on: 184 million distinct in all.
var firstOctets = []byte{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}

// appendIP writes the n-th distinct IPv4 address.
func appendIP(dst []byte, n uint64) []byte {
	hi := n >> 24
	if hi >= uint64(len(firstOctets)) {
		hi %= uint64(len(firstOctets)) // beyond 184 million: wraps (not distinct any more)
	}
	dst = strconv.AppendUint(dst, uint64(firstOctets[hi]), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, (n>>16)&255, 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, (n>>8)&255, 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, n&255, 10)
	return dst
}

// ---- token cache ----

type tokenAt struct {
	sec   int64
	value string
}

type signer struct {
	key string
	cur atomic.Pointer[tokenAt]
	mu  sync.Mutex
}

// token returns the ASC token of the current second, signing at most once per second.
func (s *signer) token() string {
	now := time.Now()
	sec := now.Unix()
	if t := s.cur.Load(); t != nil && t.sec == sec {
		return t.value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.cur.Load(); t != nil && t.sec == sec {
		return t.value
	}
	t := &tokenAt{sec: sec, value: auth.Sign(s.key, "bench", now, auth.URLToken)}
	s.cur.Store(t)
	return t.value
}

// ---- flags ----

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

type header struct {
	name  string
	value template
}

type config struct {
	name        string
	method      string
	url         template
	body        template
	hasBody     bool
	headers     []header
	sign        *signer
	distinctIPs bool
	expect      int
	contains    []byte
	maxErrShown int64
}

type result struct {
	Name     string  `json:"name"`
	Requests uint64  `json:"requests"`
	Errors   uint64  `json:"errors"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

// ---- the run ----

type worker struct {
	hist     histogram
	requests uint64
	errors   uint64
	buf      []byte
	bodyBuf  bytes.Buffer
	ipBuf    []byte
}

type runner struct {
	cfg     *config
	client  *http.Client
	counter atomic.Uint64 // {n}
	shown   atomic.Int64  // error bodies printed
}

// one sends one request; it reports whether the answer was the expected one.
func (r *runner) one(w *worker) (ok bool) {
	cfg := r.cfg
	n := r.counter.Add(1) - 1
	url := cfg.url.parts[0]
	if cfg.url.has() {
		url = string(cfg.url.appendTo(w.buf[:0], n))
	}
	var body io.Reader
	if cfg.hasBody {
		// A fresh slice per request: the transport may still read a body after RoundTrip
		// returns (an early answer), so a reused buffer could race.
		body = bytes.NewReader(cfg.body.appendTo(make([]byte, 0, len(cfg.body.parts[0])+64), n))
	}
	req, err := http.NewRequest(cfg.method, url, body)
	if err != nil {
		r.report(fmt.Sprintf("building request: %v", err))
		return false
	}
	for _, h := range cfg.headers {
		if h.value.has() {
			req.Header.Set(h.name, string(h.value.appendTo(w.buf[:0], n)))
		} else {
			req.Header.Set(h.name, h.value.parts[0])
		}
	}
	if cfg.sign != nil {
		req.Header.Set("Authorization", cfg.sign.token())
	}
	if cfg.distinctIPs {
		w.ipBuf = appendIP(w.ipBuf[:0], n)
		req.Header.Set("X-Forwarded-For", string(w.ipBuf))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		r.report(fmt.Sprintf("request %d: %v", n, err))
		return false
	}
	defer resp.Body.Close()
	statusOK := resp.StatusCode == cfg.expect
	if statusOK && cfg.contains == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		if err != nil {
			r.report(fmt.Sprintf("request %d: reading body: %v", n, err))
			return false
		}
		return true
	}
	w.bodyBuf.Reset()
	_, err = w.bodyBuf.ReadFrom(resp.Body)
	if err != nil {
		r.report(fmt.Sprintf("request %d: reading body: %v", n, err))
		return false
	}
	if statusOK && bytes.Contains(w.bodyBuf.Bytes(), cfg.contains) {
		return true
	}
	b := w.bodyBuf.Bytes()
	if len(b) > 400 {
		b = b[:400]
	}
	r.report(fmt.Sprintf("request %d: status %d (want %d): %s", n, resp.StatusCode, cfg.expect, b))
	return false
}

func (r *runner) report(msg string) {
	if r.shown.Add(1) <= r.cfg.maxErrShown {
		fmt.Fprintf(os.Stderr, "load %s: %s\n", r.cfg.name, msg)
	}
}

func main() {
	var (
		name        = flag.String("name", "load", "scenario name (the JSON's name)")
		method      = flag.String("m", "GET", "HTTP method")
		url         = flag.String("url", "", "target URL ({n} is replaced by the request counter)")
		body        = flag.String("body", "", "request body template ({n} is replaced by the request counter)")
		concurrency = flag.Int("c", 32, "concurrent clients")
		duration    = flag.Duration("d", 10*time.Second, "measured duration (ignored with -n)")
		count       = flag.Uint64("n", 0, "fixed number of measured requests instead of -d")
		warmup      = flag.Duration("warmup", time.Second, "uncounted warm-up before measuring (0: none)")
		key         = flag.String("key", "", "machine key: sign every request with a fresh ASC token")
		distinctIPs = flag.Bool("distinct-ips", false, "X-Forwarded-For: a distinct address per request (10.x.y.z, then 11.x.y.z, ...)")
		expect      = flag.Int("expect", 200, "expected status; any other is an error")
		contains    = flag.String("contains", "", "the body must contain this string, or the answer is an error")
		start       = flag.Uint64("start", 0, "first value of the {n} counter")
		timeout     = flag.Duration("timeout", 30*time.Second, "per-request timeout")
		showErrs    = flag.Int64("show-errors", 5, "how many error details to print to stderr")
		headers     headerList
	)
	flag.Var(&headers, "H", "header 'Name: value' (repeatable; {n} is replaced by the request counter)")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "load: -url is required")
		os.Exit(2)
	}
	if *concurrency < 1 {
		fmt.Fprintln(os.Stderr, "load: -c must be at least 1")
		os.Exit(2)
	}

	cfg := &config{
		name:        *name,
		method:      strings.ToUpper(*method),
		url:         newTemplate(*url),
		body:        newTemplate(*body),
		hasBody:     *body != "",
		distinctIPs: *distinctIPs,
		expect:      *expect,
		maxErrShown: *showErrs,
	}
	if *contains != "" {
		cfg.contains = []byte(*contains)
	}
	if *key != "" {
		cfg.sign = &signer{key: *key}
	}
	hasCT := false
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			fmt.Fprintf(os.Stderr, "load: bad header %q: want 'Name: value'\n", h)
			os.Exit(2)
		}
		k = strings.TrimSpace(k)
		if strings.EqualFold(k, "Content-Type") {
			hasCT = true
		}
		cfg.headers = append(cfg.headers, header{name: k, value: newTemplate(strings.TrimSpace(v))})
	}
	if cfg.hasBody && !hasCT {
		cfg.headers = append(cfg.headers, header{name: "Content-Type", value: newTemplate("application/json")})
	}

	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        *concurrency,
		MaxIdleConnsPerHost: *concurrency,
		MaxConnsPerHost:     *concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	r := &runner{cfg: cfg, client: &http.Client{Transport: transport, Timeout: *timeout}}
	r.counter.Store(*start)

	workers := make([]*worker, *concurrency)
	for i := range workers {
		workers[i] = &worker{buf: make([]byte, 0, 256), ipBuf: make([]byte, 0, 16)}
	}

	// Warm-up: the same clients, nothing counted (it also opens the keep-alive connections).
	if *warmup > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), *warmup)
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func(w *worker) {
				defer wg.Done()
				for ctx.Err() == nil {
					r.one(w)
				}
			}(w)
		}
		wg.Wait()
		cancel()
		r.shown.Store(0)
	}

	var remaining atomic.Int64
	remaining.Store(int64(*count))
	var deadline time.Time
	began := time.Now()
	if *count == 0 {
		deadline = began.Add(*duration)
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for {
				if *count > 0 {
					if remaining.Add(-1) < 0 {
						return
					}
				} else if !time.Now().Before(deadline) {
					return
				}
				t0 := time.Now()
				ok := r.one(w)
				w.hist.record(time.Since(t0))
				w.requests++
				if !ok {
					w.errors++
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(began).Seconds()
	transport.CloseIdleConnections()

	var total histogram
	res := result{Name: cfg.name, Seconds: round(elapsed, 3)}
	for _, w := range workers {
		total.merge(&w.hist)
		res.Requests += w.requests
		res.Errors += w.errors
	}
	if elapsed > 0 {
		res.RPS = round(float64(res.Requests)/elapsed, 1)
	}
	res.P50ms = round(total.quantile(0.50)/1e6, 3)
	res.P99ms = round(total.quantile(0.99)/1e6, 3)
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
	if res.Errors > 0 {
		if shown := r.shown.Load(); shown > cfg.maxErrShown {
			fmt.Fprintf(os.Stderr, "load %s: ... %d errors in all\n", cfg.name, res.Errors)
		}
		os.Exit(1)
	}
}

func round(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}
