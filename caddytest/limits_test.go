package caddytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/caddyserver/caddy/v2/caddytest"
)

func register(c *client, name, email string, headers map[string]string) resp {
	return c.do(req{Method: "POST", Path: "/api/portal/register", Headers: headers,
		Body: with(owner(name, email), "password", nil)})
}

func codeOf(t *testing.T, r resp) string {
	t.Helper()
	if r.Status == 200 {
		return "200"
	}
	e, _ := r.json(t)["error"].(string)
	return e
}

// TestAttemptLimit: the 11th counted attempt from one address is refused; attempts refused by
// an earlier check are not counted; test e-mails are neither counted nor refused.
func TestAttemptLimit(t *testing.T) {
	c := gateway(t, "attempts {\n\t\t\ttest_emails @monitoring\\.example$\n\t\t}")
	for i := 0; i < 5; i++ {
		if got := codeOf(t, register(c, "ab", "a@example.com", nil)); got != "tooShortError" {
			t.Fatalf("bad name: %s", got)
		}
		if got := codeOf(t, register(c, fmt.Sprintf("probe%d", i), "probe@monitoring.example", nil)); got != "200" {
			t.Fatalf("test e-mail: %s", got)
		}
	}
	for i := 1; i <= 10; i++ {
		if got := codeOf(t, register(c, fmt.Sprintf("counted%d", i), "a@example.com", nil)); got != "200" {
			t.Fatalf("attempt %d: %s", i, got)
		}
	}
	wantError(t, register(c, "counted11", "a@example.com", nil), 400, "tooMuchAttempts", "Too much attempts already")
	// A taken name fails its check before the limiter: portalNameExist, not tooMuchAttempts.
	if got := codeOf(t, register(c, "counted1", "a@example.com", nil)); got != "portalNameExist" {
		t.Fatalf("taken name after the limit: %s", got)
	}
	if got := codeOf(t, register(c, "probe99", "probe@monitoring.example", nil)); got != "200" {
		t.Fatalf("test e-mail after the limit: %s", got)
	}
	// Nothing of the refused attempt was stored.
	wantError(t, c.do(req{Method: "GET", Path: "/api/tariff/get", Query: url.Values{"portalName": {"counted11"}}}), 400, "portalNameNotFound", "Portal not found")
}

// trustedGateway boots a config whose server trusts 127.0.0.1 as a proxy when trusted is true.
func trustedGateway(t *testing.T, trusted bool, extra string) *client {
	cfg := caddyfile(t, extra)
	if trusted {
		cfg = strings.Replace(cfg, "grace_period 200ms", "grace_period 200ms\n\tservers {\n\t\ttrusted_proxies static 127.0.0.1/32\n\t}", 1)
	}
	tester := caddytest.NewTester(t)
	tester.InitServer(cfg, "caddyfile")
	warmUp(t, tester.Client)
	return &client{t: t, http: tester.Client}
}

// TestForwardedForSpoofing: from an untrusted peer X-Forwarded-For changes nothing, so
// rotating it does not reset the count; behind a trusted proxy it names the client.
func TestForwardedForSpoofing(t *testing.T) {
	c := trustedGateway(t, false, "attempts {\n\t\t\tmax 3\n\t\t}")
	for i := 0; i < 3; i++ {
		register(c, fmt.Sprintf("spoof%d", i), "a@example.com", map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)})
	}
	r := register(c, "spoof9", "a@example.com", map[string]string{"X-Forwarded-For": "203.0.113.99"})
	wantError(t, r, 400, "tooMuchAttempts", "Too much attempts already")

	c = trustedGateway(t, true, "attempts {\n\t\t\tmax 3\n\t\t}")
	xff := map[string]string{"X-Forwarded-For": "203.0.113.7"}
	for i := 0; i < 3; i++ {
		if got := codeOf(t, register(c, fmt.Sprintf("proxied%d", i), "a@example.com", xff)); got != "200" {
			t.Fatalf("proxied attempt %d: %s", i, got)
		}
	}
	wantError(t, register(c, "proxied3", "a@example.com", xff), 400, "tooMuchAttempts", "Too much attempts already")
	// Another client behind the same proxy has its own count; IPv6 clients count by /64.
	if got := codeOf(t, register(c, "proxied4", "a@example.com", map[string]string{"X-Forwarded-For": "203.0.113.8"})); got != "200" {
		t.Fatalf("other client: %s", got)
	}
	for i := 0; i < 3; i++ {
		register(c, fmt.Sprintf("sixsix%d", i), "a@example.com", map[string]string{"X-Forwarded-For": fmt.Sprintf("2001:db8:aa:bb::%x", i+1)})
	}
	r = register(c, "sixsix9", "a@example.com", map[string]string{"X-Forwarded-For": "2001:db8:aa:bb:ffff::1"})
	wantError(t, r, 400, "tooMuchAttempts", "Too much attempts already")
}

func TestExemptClients(t *testing.T) {
	c := gateway(t, "attempts {\n\t\t\tmax 1\n\t\t}\n\t\texempt_clients 127.0.0.0/8")
	for i := 0; i < 3; i++ {
		if got := codeOf(t, register(c, fmt.Sprintf("billing%d", i), "a@example.com", nil)); got != "200" {
			t.Fatalf("exempt client attempt %d: %s", i, got)
		}
	}
}

// TestCountersSurviveReload reloads the config mid-count: the count goes on.
func TestCountersSurviveReload(t *testing.T) {
	tester := caddytest.NewTester(t)
	cfg := caddyfile(t, "")
	tester.InitServer(cfg, "caddyfile")
	warmUp(t, tester.Client)
	c := &client{t: t, http: tester.Client}
	for i := 1; i <= 6; i++ {
		if got := codeOf(t, register(c, fmt.Sprintf("reload%d", i), "a@example.com", nil)); got != "200" {
			t.Fatalf("attempt %d: %s", i, got)
		}
	}
	tester.InitServer(strings.Replace(cfg, "base_domain example.com", "base_domain example.org", 1), "caddyfile")
	warmUp(t, tester.Client)
	for i := 7; i <= 10; i++ {
		if got := codeOf(t, register(c, fmt.Sprintf("reload%d", i), "a@example.com", nil)); got != "200" {
			t.Fatalf("attempt %d after reload: %s", i, got)
		}
	}
	wantError(t, register(c, "reload11", "a@example.com", nil), 400, "tooMuchAttempts", "Too much attempts already")
}

func admin(t *testing.T, method, path string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(method, "http://localhost:2999"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestAdminUnblock: an operator sees a lockout and lifts it.
func TestAdminUnblock(t *testing.T) {
	c := gateway(t, "attempts {\n\t\t\tmax 2\n\t\t}")
	for i := 0; i < 3; i++ {
		register(c, fmt.Sprintf("blocked%d", i), "a@example.com", nil)
	}
	zone := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	status, body := admin(t, "GET", "/hosted_solution/blocked")
	var listed struct {
		Blocked []struct {
			Zone      string `json:"zone"`
			Key       string `json:"key"`
			Count     int    `json:"count"`
			UnblockAt string `json:"unblock_at"`
		} `json:"blocked"`
	}
	if err := json.Unmarshal([]byte(body), &listed); status != 200 || err != nil {
		t.Fatalf("GET blocked: %d %s", status, body)
	}
	found := false
	for _, b := range listed.Blocked {
		if b.Key == "ip_127.0.0.1" && b.Count == 3 {
			found = true
		}
	}
	if !found {
		t.Fatalf("127.0.0.1 not listed with 3 attempts: %s", body)
	}
	if !strings.Contains(body, `"zone":"`+zone+`"`) || !regexp.MustCompile(`"unblock_at":"\d{4}-\d\d-\d\dT`).MatchString(body) {
		t.Fatalf("entry lacks zone or time: %s", body)
	}
	if status, body := admin(t, "DELETE", "/hosted_solution/blocked?client=127.0.0.1&zone="+zone); status != 200 {
		t.Fatalf("DELETE: %d %s", status, body)
	}
	if status, _ := admin(t, "DELETE", "/hosted_solution/blocked?client=127.0.0.1&zone="+zone); status != 404 {
		t.Fatalf("second DELETE: %d", status)
	}
	if got := codeOf(t, register(c, "unblocked", "a@example.com", nil)); got != "200" {
		t.Fatalf("after unblocking: %s", got)
	}
}

func metricValue(t *testing.T, name string) float64 {
	t.Helper()
	status, body := admin(t, "GET", "/metrics")
	if status != 200 {
		t.Fatalf("metrics: %d", status)
	}
	total := 0.0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			total += v
		}
	}
	return total
}

// TestMetricsSurviveReload: the collectors are registered on every config load and keep
// their counts.
func TestMetricsSurviveReload(t *testing.T) {
	tester := caddytest.NewTester(t)
	cfg := caddyfile(t, "")
	tester.InitServer(cfg, "caddyfile")
	warmUp(t, tester.Client)
	c := &client{t: t, http: tester.Client}
	series := `hostedgate_requests_total{code="ok",endpoint="portal/test",status="200"}`
	before := metricValue(t, series)
	for i := 0; i < 3; i++ {
		c.do(req{Method: "GET", Path: "/api/portal/test", Auth: "-"})
	}
	c.do(req{Method: "GET", Path: "/api/portal/get", Auth: "-"})
	if got := metricValue(t, series); got != before+3 {
		t.Fatalf("before reload: %v, want %v", got, before+3)
	}
	tester.InitServer(strings.Replace(cfg, "base_domain example.com", "base_domain example.net", 1), "caddyfile")
	warmUp(t, tester.Client) // one more portal/test answer, served by the new config
	if got := metricValue(t, series); got != before+4 {
		t.Fatalf("after reload: %v, want %v: the count must go on, not start again", got, before+4)
	}
	c.do(req{Method: "GET", Path: "/api/portal/test", Auth: "-"})
	if got := metricValue(t, series); got != before+5 {
		t.Fatalf("after reload and a request: %v, want %v", got, before+5)
	}
	if metricValue(t, `hostedgate_auth_failures_total{reason="missing"}`) < 1 {
		t.Fatal("auth failure not counted")
	}
	if metricValue(t, `hostedgate_store_duration_seconds_count`) < 1 {
		t.Fatal("store latency not observed")
	}
	_, body := admin(t, "GET", "/metrics")
	if !strings.Contains(body, "hostedgate_limiter_keys{") || strings.Contains(body, "127.0.0.1") {
		t.Fatalf("limiter gauges missing, or a client address in a label")
	}
}

// TestRecaptcha runs register against a local fake siteverify.
func TestRecaptcha(t *testing.T) {
	var calls atomic.Int32
	var lastForm atomic.Value
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_ = r.ParseForm()
		lastForm.Store(r.PostForm.Encode())
		switch r.PostForm.Get("response") {
		case "good":
			fmt.Fprint(w, `{"success":true,"hostname":"signup.example.com"}`)
		case "broken":
			w.WriteHeader(500)
		default:
			fmt.Fprint(w, `{"success":false,"error-codes":["invalid-input-response"]}`)
		}
	}))
	defer fake.Close()
	os.Setenv("HG_TEST_CAPTCHA", "captcha-secret-value")
	c := gateway(t, "recaptcha {\n\t\t\tsecret {env.HG_TEST_CAPTCHA}\n\t\t\tverify_url "+fake.URL+"\n\t\t\tapp_keys MobileKey\n\t\t}")
	reg := func(name string, kv ...any) resp {
		return c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner(name, "a@example.com"), append([]any{"password", nil}, kv...)...)})
	}
	wantError(t, reg("nocaptcha"), 400, "recaptchaInvalid", "Recaptcha is invalid")
	if calls.Load() != 0 {
		t.Fatal("an empty response token was sent to the verifier")
	}
	wantError(t, reg("badcaptcha", "recaptchaResponse", "bad"), 400, "recaptchaInvalid", "Recaptcha is invalid")
	wantError(t, reg("brokencaptcha", "recaptchaResponse", "broken"), 400, "recaptchaInvalid", "Recaptcha is invalid")
	if got := codeOf(t, reg("goodcaptcha", "recaptchaResponse", "good")); got != "200" {
		t.Fatalf("good captcha: %s", got)
	}
	form, _ := url.ParseQuery(lastForm.Load().(string))
	if form.Get("secret") != "captcha-secret-value" || form.Get("remoteip") != "127.0.0.1" || form.Get("response") != "good" {
		t.Fatalf("verifier got %v", form)
	}
	if got := codeOf(t, reg("appkeyed", "appKey", "mobilekey")); got != "200" {
		t.Fatalf("app key: %s", got)
	}
	if metricValue(t, `hostedgate_captcha_results_total{result="failure"}`) < 1 || metricValue(t, `hostedgate_captcha_results_total{result="error"}`) < 1 {
		t.Fatal("captcha results not counted")
	}
}

func TestRequestRate(t *testing.T) {
	c := gateway(t, "request_rate {\n\t\t\trate 0.001\n\t\t\tburst 3\n\t\t}")
	for i := 0; i < 3; i++ {
		r := c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": fmt.Sprintf("enumerate%d", i)}})
		if r.Status != 200 {
			t.Fatalf("request %d: %d %s", i, r.Status, r.Raw)
		}
	}
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "enumerate9"}}),
		400, "tooMuchAttempts", "Too much attempts already")
	wantError(t, c.do(req{Method: "GET", Path: "/api/tariff/all", Auth: "-"}), 400, "tooMuchAttempts", "Too much attempts already")
	// Register attempts are counted apart from the request rate.
	if got := codeOf(t, register(c, "separate", "a@example.com", nil)); got != "200" {
		t.Fatalf("register: %s", got)
	}
}

// TestWarningWithoutAuthAndCaptcha: a config that lets anyone register logs a warning.
func TestWarningWithoutAuthAndCaptcha(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	cfg := strings.Replace(caddyfile(t, "allow_skip register"), "grace_period 200ms",
		"grace_period 200ms\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel WARN\n\t}", 1)
	tester := caddytest.NewTester(t)
	tester.InitServer(cfg, "caddyfile")
	warmUp(t, tester.Client)
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "portal/register accepts requests without a token and no reCAPTCHA is configured") {
		t.Fatalf("no warning in %q", b)
	}
	if strings.Contains(string(b), testKey) {
		t.Fatal("the machine key is in the log")
	}
}
