package captcha

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	tests := []struct {
		name     string
		cfg      func(*Config) // changes to the base config, if any
		response string
		remoteIP string
		reply    http.HandlerFunc
		want     Result
		// wantCodes is compared exactly; nil and empty are the same.
		wantCodes []string
		// wantForm is what the fake must receive; nil means secret, response and, when not
		// empty, remoteIP.
		wantForm url.Values
		noCall   bool
	}{
		{
			name:     "success",
			response: "tok-1", remoteIP: "203.0.113.7",
			reply: replyJSON(200, `{"success":true,"challenge_ts":"2024-02-29T23:59:11Z","hostname":"example.com"}`),
			want:  Success,
		},
		{
			name:     "success, no remote IP: remoteip is left out",
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true}`),
			want:     Success,
			wantForm: url.Values{"secret": {testSecret}, "response": {"tok-1"}},
		},
		{
			name:     "token and IP with form-special characters arrive verbatim",
			response: "a+b&c=d é%20/?", remoteIP: "2001:db8::1",
			reply: replyJSON(200, `{"success":true}`),
			want:  Success,
		},
		{
			name:     "failure with error-codes",
			response: "tok-bad", remoteIP: "203.0.113.7",
			reply:     replyJSON(200, `{"success":false,"error-codes":["invalid-input-response","timeout-or-duplicate"]}`),
			want:      Failure,
			wantCodes: []string{"invalid-input-response", "timeout-or-duplicate"},
		},
		{
			name:     "failure without error-codes",
			response: "tok-bad",
			reply:    replyJSON(200, `{"success":false}`),
			want:     Failure,
		},
		{
			name:      "failure with a lone error-code string",
			response:  "tok-bad",
			reply:     replyJSON(200, `{"success":false,"error-codes":"invalid-input-secret"}`),
			want:      Failure,
			wantCodes: []string{"invalid-input-secret"},
		},
		{
			name:     "failure with unreadable error-codes: codes dropped, verdict kept",
			response: "tok-bad",
			reply:    replyJSON(200, `{"success":false,"error-codes":{"a":1}}`),
			want:     Failure,
		},
		{
			name:     "an echoed secret is redacted from the codes",
			response: "tok-bad",
			reply: replyJSON(200, fmt.Sprintf(`{"success":false,"error-codes":["invalid-input-secret: %s","%s"]}`,
				testSecret, url.QueryEscape(testSecret))),
			want:      Failure,
			wantCodes: []string{"invalid-input-secret: [redacted]", "[redacted]"},
		},
		{
			name:     "codes are capped in number and length",
			response: "tok-bad",
			reply: replyJSON(200, `{"success":false,"error-codes":["`+strings.Repeat("x", 300)+`"`+
				strings.Repeat(`,"c"`, 30)+`]}`),
			want:      Failure,
			wantCodes: append([]string{strings.Repeat("x", maxCodeLen)}, slices.Repeat([]string{"c"}, maxCodes-1)...),
		},
		{
			name:      `the string "true" is not success`,
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":"true"}`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply: success is not a boolean"},
		},
		{
			name:      "success 1 is not success",
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":1}`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply: success is not a boolean"},
		},
		{
			name:      "success null is not success",
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":null}`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply: success is not a boolean"},
		},
		{
			name:      "success absent",
			response:  "tok-1",
			reply:     replyJSON(200, `{"hostname":"example.com"}`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply: success is not a boolean"},
		},
		{
			name:      "garbage body",
			response:  "tok-1",
			reply:     replyJSON(200, `<html><body>Service Unavailable</body></html>`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply"},
		},
		{
			name:      "truncated JSON",
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply"},
		},
		{
			name:      "JSON null",
			response:  "tok-1",
			reply:     replyJSON(200, `null`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply"},
		},
		{
			name:      "JSON array",
			response:  "tok-1",
			reply:     replyJSON(200, `[{"success":true}]`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply"},
		},
		{
			name:      "empty 200 body",
			response:  "tok-1",
			reply:     replyJSON(200, ``),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply"},
		},
		{
			name:      "HTTP 500, even with a success body",
			response:  "tok-1",
			reply:     replyJSON(500, `{"success":true}`),
			want:      Error,
			wantCodes: []string{"hostedgate-http-status-500"},
		},
		{
			name:      "HTTP 429",
			response:  "tok-1",
			reply:     replyJSON(429, `{"success":false}`),
			want:      Error,
			wantCodes: []string{"hostedgate-http-status-429"},
		},
		{
			// Only one request may reach the fake: a followed redirect would be a second.
			name:     "a 307 redirect, which would re-send the secret, is not followed",
			response: "tok-1",
			reply: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/siteverify" {
					http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
					return
				}
				replyJSON(200, `{"success":true}`)(w, r)
			},
			want:      Error,
			wantCodes: []string{"hostedgate-http-status-307"},
		},
		{
			name:     "a 302 redirect is not followed",
			response: "tok-1",
			reply: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/siteverify" {
					http.Redirect(w, r, "/elsewhere", http.StatusFound)
					return
				}
				replyJSON(200, `{"success":true}`)(w, r)
			},
			want:      Error,
			wantCodes: []string{"hostedgate-http-status-302"},
		},
		{
			name:     "empty token: no request",
			response: "",
			want:     Empty,
			noCall:   true,
		},
		{
			name:     "blank token: no request",
			response: " \t\n",
			want:     Empty,
			noCall:   true,
		},
		{
			name:      "v3 score below MinScore",
			cfg:       func(c *Config) { c.MinScore = 0.5 },
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true,"score":0.3,"action":"register","hostname":"example.com"}`),
			want:      Failure,
			wantCodes: []string{"hostedgate-score-below-minimum"},
		},
		{
			name:     "v3 score above MinScore",
			cfg:      func(c *Config) { c.MinScore = 0.5 },
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true,"score":0.9,"action":"register"}`),
			want:     Success,
		},
		{
			name:     "v3 score equal to MinScore passes",
			cfg:      func(c *Config) { c.MinScore = 0.5 },
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true,"score":0.5}`),
			want:     Success,
		},
		{
			name:     "no score with MinScore set passes on success alone",
			cfg:      func(c *Config) { c.MinScore = 0.5 },
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true}`),
			want:     Success,
		},
		{
			name:     "low score without MinScore passes",
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true,"score":0.1}`),
			want:     Success,
		},
		{
			name:      "score that is not a number",
			cfg:       func(c *Config) { c.MinScore = 0.5 },
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true,"score":"high"}`),
			want:      Error,
			wantCodes: []string{"hostedgate-invalid-reply: score is not a number"},
		},
		{
			name:      "failure wins over a good score",
			cfg:       func(c *Config) { c.MinScore = 0.5 },
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":false,"score":0.9,"error-codes":["timeout-or-duplicate"]}`),
			want:      Failure,
			wantCodes: []string{"timeout-or-duplicate"},
		},
		{
			name:     "hostname matches, case-insensitively",
			cfg:      func(c *Config) { c.Hostnames = []string{"portal.example.org", "Example.COM"} },
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true,"hostname":"EXAMPLE.com"}`),
			want:     Success,
		},
		{
			name:      "hostname mismatch",
			cfg:       func(c *Config) { c.Hostnames = []string{"example.com"} },
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true,"hostname":"evil.example.net"}`),
			want:      Failure,
			wantCodes: []string{"hostedgate-hostname-mismatch"},
		},
		{
			name:      "hostname absent while required",
			cfg:       func(c *Config) { c.Hostnames = []string{"example.com"} },
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true}`),
			want:      Failure,
			wantCodes: []string{"hostedgate-hostname-mismatch"},
		},
		{
			name:      "hostname not a string while required",
			cfg:       func(c *Config) { c.Hostnames = []string{"example.com"} },
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true,"hostname":["example.com"]}`),
			want:      Failure,
			wantCodes: []string{"hostedgate-hostname-mismatch"},
		},
		{
			name:     "any hostname passes when none is configured",
			response: "tok-1",
			reply:    replyJSON(200, `{"success":true,"hostname":"anything.example"}`),
			want:     Success,
		},
		{
			name:     "Turnstile-shaped reply",
			cfg:      func(c *Config) { c.Hostnames = []string{"example.com"}; c.MinScore = 0.5 },
			response: "0.turnstile-token", remoteIP: "198.51.100.1",
			reply: replyJSON(200, `{"success":true,"challenge_ts":"2022-02-28T15:14:30.096Z",`+
				`"hostname":"example.com","error-codes":[],"action":"login","cdata":"sessionid-123456789",`+
				`"metadata":{"ephemeral_id":"x:9f78e0ed210960d7693b167e"}}`),
			want: Success,
		},
		{
			name:     "hCaptcha-shaped reply",
			cfg:      func(c *Config) { c.Hostnames = []string{"example.com"} },
			response: "P1_hcaptcha-token", remoteIP: "198.51.100.1",
			reply: replyJSON(200, `{"success":true,"challenge_ts":"2024-02-29T23:59:11.000000Z",`+
				`"hostname":"example.com","credit":false,"error-codes":[],"score":0.1,"score_reason":[],"sitekey":"10000000-ffff-ffff-ffff-000000000001"}`),
			want: Success,
		},
		{
			name:     "reCAPTCHA Android-shaped reply (apk_package_name instead of hostname)",
			response: "tok-android",
			reply:    replyJSON(200, `{"success":true,"challenge_ts":"2024-02-29T23:59:11Z","apk_package_name":"com.onlyoffice.app"}`),
			want:     Success,
		},
		{
			name:      "success with stray error-codes keeps them for the log",
			response:  "tok-1",
			reply:     replyJSON(200, `{"success":true,"error-codes":["browser-error"]}`),
			want:      Success,
			wantCodes: []string{"browser-error"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVerifier(t, tt.reply)
			cfg := Config{Secret: testSecret, VerifyURL: f.url, Timeout: 5 * time.Second}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			v := mustNew(t, cfg)

			got, codes := v.Verify(context.Background(), tt.response, tt.remoteIP)

			if got != tt.want {
				t.Errorf("Verify result = %q, want %q (codes %q)", got, tt.want, codes)
			}
			if !slices.Equal(codes, tt.wantCodes) {
				t.Errorf("Verify codes = %q, want %q", codes, tt.wantCodes)
			}
			assertNoSecret(t, "result", string(got))
			for _, c := range codes {
				assertNoSecret(t, "code", c)
			}

			reqs := f.requests()
			if tt.noCall {
				if len(reqs) != 0 {
					t.Fatalf("fake verifier got %d requests, want none: %+v", len(reqs), reqs)
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("fake verifier got %d requests, want 1: %+v", len(reqs), reqs)
			}
			r := reqs[0]
			if r.method != http.MethodPost {
				t.Errorf("method = %q, want POST", r.method)
			}
			if r.contentType != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", r.contentType)
			}
			if r.path != "/siteverify" {
				t.Errorf("path = %q, want /siteverify", r.path)
			}
			if r.rawQuery != "" {
				t.Errorf("query = %q, want none: the secret belongs in the body", r.rawQuery)
			}
			wantForm := tt.wantForm
			if wantForm == nil {
				wantForm = url.Values{"secret": {testSecret}, "response": {tt.response}}
				if tt.remoteIP != "" {
					wantForm.Set("remoteip", tt.remoteIP)
				}
			}
			if !reflect.DeepEqual(r.form, wantForm) {
				t.Errorf("form = %v, want %v", r.form, wantForm)
			}
		})
	}
}

// TestVerifyTimeout checks that a verifier that never answers costs a register request about
// Timeout, not the platform's minutes, with and without a caller's Client.
func TestVerifyTimeout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client *http.Client
	}{
		{"default client", nil},
		{"caller's client without a timeout", &http.Client{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			f := newFakeVerifier(t, func(w http.ResponseWriter, r *http.Request) {
				<-release
				replyJSON(200, `{"success":true}`)(w, r)
			})
			// Cleanups run last-first, so the handler is released before the server waits
			// for it in Close.
			t.Cleanup(func() { close(release) })

			v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Timeout: 100 * time.Millisecond, Client: tc.client})
			start := time.Now()
			got, codes := v.Verify(context.Background(), "tok-1", "203.0.113.7")
			elapsed := time.Since(start)

			if got != Error || !slices.Equal(codes, []string{"hostedgate-timeout"}) {
				t.Errorf("Verify = %q %q, want error [hostedgate-timeout]", got, codes)
			}
			if elapsed > 2*time.Second {
				t.Errorf("Verify took %v with a 100ms timeout", elapsed)
			}
		})
	}
}

// TestVerifyTimeoutWhileReadingBody checks that the timeout covers the reply body too, not only
// the wait for headers.
func TestVerifyTimeoutWhileReadingBody(t *testing.T) {
	release := make(chan struct{})
	f := newFakeVerifier(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"success":`)
		w.(http.Flusher).Flush()
		<-release
	})
	t.Cleanup(func() { close(release) })

	v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Timeout: 100 * time.Millisecond, Client: &http.Client{}})
	start := time.Now()
	got, codes := v.Verify(context.Background(), "tok-1", "")
	if got != Error || !slices.Equal(codes, []string{"hostedgate-timeout"}) {
		t.Errorf("Verify = %q %q, want error [hostedgate-timeout]", got, codes)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Verify took %v with a 100ms timeout", elapsed)
	}
}

func TestVerifyContextCanceled(t *testing.T) {
	t.Run("while waiting for the reply", func(t *testing.T) {
		arrived := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		f := newFakeVerifier(t, func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { close(arrived) })
			<-release
		})
		t.Cleanup(func() { close(release) })

		v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Timeout: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-arrived
			cancel()
		}()

		start := time.Now()
		got, codes := v.Verify(ctx, "tok-1", "")
		if got != Error || !slices.Equal(codes, []string{"hostedgate-canceled"}) {
			t.Errorf("Verify = %q %q, want error [hostedgate-canceled]", got, codes)
		}
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Errorf("Verify took %v after cancellation", elapsed)
		}
	})

	t.Run("before the call: no request", func(t *testing.T) {
		f := newFakeVerifier(t, replyJSON(200, `{"success":true}`))
		v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		got, codes := v.Verify(ctx, "tok-1", "")
		if got != Error || !slices.Equal(codes, []string{"hostedgate-canceled"}) {
			t.Errorf("Verify = %q %q, want error [hostedgate-canceled]", got, codes)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("fake verifier got %d requests, want none", n)
		}
	})

	t.Run("caller's deadline shorter than Timeout", func(t *testing.T) {
		release := make(chan struct{})
		f := newFakeVerifier(t, func(http.ResponseWriter, *http.Request) { <-release })
		t.Cleanup(func() { close(release) })

		v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Timeout: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()

		// The caller gave up, so this is not reported as a slow verifier.
		got, codes := v.Verify(ctx, "tok-1", "")
		if got != Error || !slices.Equal(codes, []string{"hostedgate-canceled"}) {
			t.Errorf("Verify = %q %q, want error [hostedgate-canceled]", got, codes)
		}
	})
}

func TestVerifyUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	verifyURL := srv.URL + "/siteverify"
	srv.Close() // nothing listens there any more

	v := mustNew(t, Config{Secret: testSecret, VerifyURL: verifyURL})
	got, codes := v.Verify(context.Background(), "tok-1", "")
	if got != Error {
		t.Errorf("Verify result = %q, want error", got)
	}
	if len(codes) != 1 || !strings.HasPrefix(codes[0], "hostedgate-request-failed: ") {
		t.Errorf("Verify codes = %q, want one hostedgate-request-failed code", codes)
	}
	for _, c := range codes {
		assertNoSecret(t, "code", c)
		if strings.Contains(c, verifyURL) {
			t.Errorf("code %q repeats the URL", c)
		}
	}
}

// TestVerifyReplyLimit checks the 64 KiB cap on a reply: a reply of exactly the cap is judged,
// one byte more is an Error, and a huge reply is not read past the cap.
func TestVerifyReplyLimit(t *testing.T) {
	padTo := func(n int) string {
		const head = `{"success":true}`
		return head + strings.Repeat(" ", n-len(head))
	}
	tests := []struct {
		name      string
		body      string
		want      Result
		wantCodes []string
	}{
		{"exactly 64 KiB", padTo(maxReplyBytes), Success, nil},
		{"64 KiB and one byte", padTo(maxReplyBytes + 1), Error, []string{"hostedgate-reply-too-large"}},
		{"4 MiB", `{"success":true,"pad":"` + strings.Repeat("a", 4<<20) + `"}`, Error, []string{"hostedgate-reply-too-large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVerifier(t, replyJSON(200, tt.body))
			ct := &countingTransport{}
			v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Client: &http.Client{Transport: ct}})

			got, codes := v.Verify(context.Background(), "tok-1", "")
			if got != tt.want || !slices.Equal(codes, tt.wantCodes) {
				t.Errorf("Verify = %q %q, want %q %q", got, codes, tt.want, tt.wantCodes)
			}
			if n := ct.bytesRead(); n > maxReplyBytes+1 {
				t.Errorf("read %d bytes of the reply, want at most %d", n, maxReplyBytes+1)
			}
		})
	}
}

// TestVerifyCallerClientRedirect checks that a caller's Client does not reopen redirects and is
// itself left as it was.
func TestVerifyCallerClientRedirect(t *testing.T) {
	f := newFakeVerifier(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/siteverify" {
			http.Redirect(w, r, "/elsewhere", http.StatusPermanentRedirect)
			return
		}
		replyJSON(200, `{"success":true}`)(w, r)
	})
	client := &http.Client{}
	v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Client: client})

	got, codes := v.Verify(context.Background(), "tok-1", "")
	if got != Error || !slices.Equal(codes, []string{"hostedgate-http-status-308"}) {
		t.Errorf("Verify = %q %q, want error [hostedgate-http-status-308]", got, codes)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("fake verifier got %d requests, want 1", n)
	}
	if client.CheckRedirect != nil {
		t.Error("New changed the caller's Client")
	}
}

func TestVerifyConcurrent(t *testing.T) {
	f := newFakeVerifier(t, replyJSON(200, `{"success":true,"hostname":"example.com"}`))
	v := mustNew(t, Config{Secret: testSecret, VerifyURL: f.url, Hostnames: []string{"example.com"}})

	const n = 32
	var wg sync.WaitGroup
	results := make([]Result, n)
	for i := range n {
		wg.Go(func() {
			results[i], _ = v.Verify(context.Background(), fmt.Sprintf("tok-%d", i), "203.0.113.7")
		})
	}
	wg.Wait()
	for i, r := range results {
		if r != Success {
			t.Errorf("Verify %d = %q, want success", i, r)
		}
	}
	seen := map[string]bool{}
	for _, r := range f.requests() {
		seen[r.form.Get("response")] = true
	}
	if len(seen) != n {
		t.Errorf("fake verifier saw %d distinct tokens, want %d", len(seen), n)
	}
}

func TestNew(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		v := mustNew(t, Config{Secret: testSecret})
		if v.verifyURL != DefaultVerifyURL {
			t.Errorf("verify URL = %q, want %q", v.verifyURL, DefaultVerifyURL)
		}
		if v.timeout != DefaultTimeout || v.client.Timeout != DefaultTimeout {
			t.Errorf("timeout = %v, client timeout = %v, want %v", v.timeout, v.client.Timeout, DefaultTimeout)
		}
		if v.client.CheckRedirect == nil {
			t.Error("default client follows redirects")
		}
		if v.minScore != 0 || v.hostnames != nil {
			t.Errorf("min score %v, hostnames %q, want none", v.minScore, v.hostnames)
		}
	})

	t.Run("hostnames are copied", func(t *testing.T) {
		hosts := []string{"example.com"}
		v := mustNew(t, Config{Secret: testSecret, Hostnames: hosts})
		hosts[0] = "evil.example"
		if !slices.Equal(v.hostnames, []string{"example.com"}) {
			t.Errorf("hostnames = %q after the caller changed its slice", v.hostnames)
		}
	})

	valid := []Config{
		{Secret: testSecret, VerifyURL: "https://api.hcaptcha.com/siteverify"},
		{Secret: testSecret, VerifyURL: "https://challenges.cloudflare.com/turnstile/v0/siteverify"},
		{Secret: testSecret, VerifyURL: "http://127.0.0.1:1/siteverify"},
		{Secret: testSecret, VerifyURL: "HTTPS://www.recaptcha.net/recaptcha/api/siteverify"},
		{Secret: testSecret, MinScore: 1},
		{Secret: testSecret, Timeout: time.Millisecond},
	}
	for _, cfg := range valid {
		if _, err := New(cfg); err != nil {
			t.Errorf("New(%q, %v, %v) = %v, want no error", cfg.VerifyURL, cfg.MinScore, cfg.Timeout, err)
		}
	}

	invalid := []struct {
		name string
		cfg  Config
		want string // a substring of the error
	}{
		{"empty secret", Config{}, "secret is required"},
		{"blank secret", Config{Secret: "  "}, "secret is required"},
		{"not a URL", Config{Secret: testSecret, VerifyURL: "https://exa mple.com/%zz"}, "parsing verify URL"},
		{"relative URL", Config{Secret: testSecret, VerifyURL: "/recaptcha/api/siteverify"}, "scheme must be http or https"},
		{"host without scheme", Config{Secret: testSecret, VerifyURL: "www.google.com/recaptcha/api/siteverify"}, "scheme must be http or https"},
		{"ftp URL", Config{Secret: testSecret, VerifyURL: "ftp://example.com/siteverify"}, "scheme must be http or https"},
		{"no host", Config{Secret: testSecret, VerifyURL: "https:///siteverify"}, "host is missing"},
		{"opaque URL", Config{Secret: testSecret, VerifyURL: "https:siteverify"}, "host is missing"},
		{"negative timeout", Config{Secret: testSecret, Timeout: -time.Second}, "timeout -1s is negative"},
		{"negative score", Config{Secret: testSecret, MinScore: -0.1}, "outside 0..1"},
		{"score above 1", Config{Secret: testSecret, MinScore: 1.5}, "outside 0..1"},
		{"NaN score", Config{Secret: testSecret, MinScore: math.NaN()}, "outside 0..1"},
		{"empty hostname", Config{Secret: testSecret, Hostnames: []string{"example.com", " "}}, "hostname 1 is empty"},
		// The URL's password is the secret here, to show that New's errors redact it.
		{"URL with the secret as password", Config{Secret: testSecret, VerifyURL: "ftp://u:" + url.PathEscape(testSecret) + "@example.com/"}, "scheme must be http or https"},
		{"unparsable URL with the secret", Config{Secret: testSecret, VerifyURL: "https://u:" + testSecret + "@exa mple.com/"}, "parsing verify URL"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			v, err := New(tt.cfg)
			if err == nil {
				t.Fatalf("New = %v, want an error", v)
			}
			if v != nil {
				t.Errorf("New returned a Verifier with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %q, want it to contain %q", err, tt.want)
			}
			assertNoSecret(t, "error", err.Error())
		})
	}
}

// TestVerifierPrintsNoSecret checks that logging a Verifier by mistake does not leak the secret.
func TestVerifierPrintsNoSecret(t *testing.T) {
	v := mustNew(t, Config{Secret: testSecret, Hostnames: []string{"example.com"}})
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, arg := range []any{v, *v} {
			s := fmt.Sprintf(format, arg)
			assertNoSecret(t, "Sprintf("+format+")", s)
			if !strings.Contains(s, DefaultVerifyURL) {
				t.Errorf("Sprintf(%s) = %q, want the URL in it", format, s)
			}
		}
	}
}
