package captcha

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// testSecret holds characters that query-escaping changes, so the redaction of its escaped form
// is exercised too.
const testSecret = "6Lc-TEST+secret/value=42"

// received is what the fake verifier saw of one request.
type received struct {
	method      string
	contentType string
	path        string
	rawQuery    string
	form        url.Values
}

// fakeVerifier is a local siteverify endpoint that records every request before answering it
// with reply.
type fakeVerifier struct {
	srv *httptest.Server
	url string // the siteverify URL to configure

	mu  sync.Mutex
	got []received
}

func newFakeVerifier(t *testing.T, reply http.HandlerFunc) *fakeVerifier {
	t.Helper()
	f := &fakeVerifier{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The raw body is parsed by hand rather than with r.ParseForm, which would also merge
		// in the query string and hide a secret sent in the URL.
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("fake verifier: body %q is not a form: %v", body, err)
		}
		f.mu.Lock()
		f.got = append(f.got, received{
			method:      r.Method,
			contentType: r.Header.Get("Content-Type"),
			path:        r.URL.Path,
			rawQuery:    r.URL.RawQuery,
			form:        form,
		})
		f.mu.Unlock()
		if reply != nil {
			reply(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	f.url = f.srv.URL + "/siteverify"
	return f
}

func (f *fakeVerifier) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// replyJSON answers with status and body as a siteverify endpoint does.
func replyJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func mustNew(t *testing.T, cfg Config) *Verifier {
	t.Helper()
	v, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// assertNoSecret fails when s carries the secret in either of the forms it could be echoed in.
func assertNoSecret(t *testing.T, what string, s string) {
	t.Helper()
	for _, form := range []string{testSecret, url.QueryEscape(testSecret)} {
		if strings.Contains(s, form) {
			t.Errorf("%s %q contains the secret", what, s)
		}
	}
}

// countingBody counts the bytes Verify takes from a reply body.
type countingBody struct {
	r io.ReadCloser
	n *int64
	m *sync.Mutex
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.Lock()
	*c.n += int64(n)
	c.m.Unlock()
	return n, err
}

func (c countingBody) Close() error { return c.r.Close() }

// countingTransport wraps each reply body in a countingBody, so a test can tell how much of a
// reply was read, which the TCP buffers between client and server would otherwise hide.
type countingTransport struct {
	mu   sync.Mutex
	read int64
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = countingBody{r: resp.Body, n: &ct.read, m: &ct.mu}
	return resp, nil
}

func (ct *countingTransport) bytesRead() int64 {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return ct.read
}
