package caddytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hostedgate/hostedgate/auth"
)

// upstreamKey is the machine key of the ApiSystem behind the edge; the edge's callers sign
// with testKey.
const upstreamKey = "upstream machine key"

// recorded is one request the fake ApiSystem got.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                map[string]any
}

// fakeAPISystem answers like an ApiSystem and records what it was sent.
type fakeAPISystem struct {
	mu   sync.Mutex
	seen []recorded
	srv  *httptest.Server
}

func newFakeAPISystem(t *testing.T, answer func(r *http.Request, body map[string]any) (int, string)) *fakeAPISystem {
	f := &fakeAPISystem{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		f.seen = append(f.seen, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		f.mu.Unlock()
		status, out := answer(r, body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, out)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPISystem) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		t.Fatal("the upstream got no request")
	}
	return f.seen[len(f.seen)-1]
}

const fakeTenant = `{"created":"2024-05-01T10:20:30.1234567Z","domain":"acme.upstream.example","hostedRegion":null,"industry":0,"language":"de-DE","name":"Cloud Office Applications","ownerId":"be7bc931-b966-493e-a8b5-56fc7d21f9c8","partnerId":null,"paymentId":null,"portalName":"acme-office","status":"Active","tenantId":12,"timeZoneName":"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"}`

func edgeGateway(t *testing.T, upstreams string, extra string) *client {
	os.Setenv("HG_UPSTREAM_KEY", upstreamKey)
	return gateway(t, fmt.Sprintf(`store apisystem {
			machine_key {env.HG_UPSTREAM_KEY}
			upstream %s {
				lb_try_duration 2s
				fail_duration 30s
			}
		}
		#`, upstreams)+"\n\t\t"+extra)
}

// TestEdgeForwardsWhatItValidated: the upstream gets a fresh token signed with its own key,
// the edge's own encoding of the values it validated (duplicates, case and coercion resolved),
// the client's address and scheme, and none of the client's headers.
func TestEdgeForwardsWhatItValidated(t *testing.T) {
	fake := newFakeAPISystem(t, func(r *http.Request, body map[string]any) (int, string) {
		switch r.URL.Path {
		case "/api/portal/validateportalname":
			return 200, `{"message":"portalNameReadyToRegister"}`
		case "/api/portal/register":
			return 200, `{"reference":"https://acme.upstream.example/confirm.aspx?type=Auth&key=1.X&email=a%40example.com&first=true","tenant":` + fakeTenant + `,"referenceWelcome":null}`
		}
		return 404, `{"error":"error","message":"unexpected"}`
	})
	c := edgeGateway(t, fake.srv.URL, "")
	raw := `{"PORTALNAME":"-ignored-","portalName":"Acme-Office","firstName":" Anna ","lastName":"Tester","email":"a@example.com",` +
		`"password":"Secret-pass-123","language":"de","timeZoneName":"Europe/Berlin","spam":"true","industry":"3","partnerId":"junk","extra":"dropped"}`
	r := c.do(req{Method: "POST", Path: "/api/portal/register", Raw: []byte(raw), Type: "application/json",
		Headers: map[string]string{"Connection": "keep-alive, X-Secret", "X-Secret": "hop", "Cookie": "session=1", "X-Forwarded-For": "203.0.113.9"}})
	if r.Status != 200 {
		t.Fatalf("register through the edge: %d %s", r.Status, r.Raw)
	}
	body := r.json(t)
	if body["reference"] != "https://acme.upstream.example/confirm.aspx?type=Auth&key=1.X&email=a%40example.com&first=true" {
		t.Fatalf("the upstream's reference must pass on: %v", body["reference"])
	}
	tn := body["tenant"].(map[string]any)
	if tn["domain"] != "acme.upstream.example" || tn["tenantId"] != 12.0 || tn["created"] != "2024-05-01T10:20:30" {
		t.Fatalf("tenant %v", tn)
	}
	got := fake.last(t)
	want := map[string]any{"portalName": "acme-office", "firstName": "Anna", "lastName": "Tester", "email": "a@example.com",
		"password": "Secret-pass-123", "language": "de", "timeZoneName": "Europe/Berlin", "industry": 3.0,
		"spam": true, "calls": false, "analytics": false}
	if got.Method != "POST" || got.Path != "/api/portal/register" {
		t.Fatalf("forwarded %s %s", got.Method, got.Path)
	}
	gotJSON, _ := json.Marshal(got.Body)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("forwarded body\n got %s\nwant %s", gotJSON, wantJSON)
	}
	upVerifier, _ := auth.NewVerifier(auth.Config{Keys: []string{upstreamKey}})
	edgeVerifier, _ := auth.NewVerifier(auth.Config{Keys: []string{testKey}})
	if err := upVerifier.Verify(got.Header.Get("Authorization")); err != nil {
		t.Fatalf("the upstream cannot verify the forwarded token: %v", err)
	}
	if edgeVerifier.Verify(got.Header.Get("Authorization")) == nil {
		t.Fatal("the caller's token was passed on")
	}
	if got.Header.Get("X-Forwarded-For") != "127.0.0.1" || got.Header.Get("X-Forwarded-Proto") != "http" {
		t.Fatalf("forwarded-for %q proto %q: want the client as the edge saw it", got.Header.Get("X-Forwarded-For"), got.Header.Get("X-Forwarded-Proto"))
	}
	for _, h := range []string{"X-Secret", "Cookie"} {
		if got.Header.Get(h) != "" {
			t.Fatalf("client header %s reached the upstream", h)
		}
	}
	// Refused at the edge: nothing is forwarded.
	n := len(fake.seen)
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner("acme-office", "a@example.com"), "firstName", "R2D2")}),
		400, "error", "name is incorrect")
	wantError(t, c.do(req{Method: "GET", Path: "/api/portal/get", Auth: "-"}), 403, "authorization", "Authorization is requered")
	if len(fake.seen) != n {
		t.Fatal("a request the edge refused reached the upstream")
	}
}

// TestEdgeUpstreamAnswers: the upstream's spec errors pass on with their status; anything
// else becomes the spec's JSON error.
func TestEdgeUpstreamAnswers(t *testing.T) {
	var mode string
	var mu sync.Mutex
	fake := newFakeAPISystem(t, func(r *http.Request, body map[string]any) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		switch mode {
		case "params":
			return 400, `{"error":"params","message":["The field Features must be a string with a maximum length of 255."]}`
		case "exist":
			return 400, `{"error":"portalNameExist","message":"Portal already exists","variants":["taken","taken1"]}`
		case "html":
			return 502, `<html><body>Bad Gateway</body></html>`
		case "badjson":
			return 200, `{"tenants":[`
		case "auth":
			return 403, `{"error":"authorization","message":"Authorization invalid"}`
		}
		return 500, `{}`
	})
	c := edgeGateway(t, fake.srv.URL, "")
	set := func(m string) { mu.Lock(); mode = m; mu.Unlock() }
	set("exist")
	wantBody(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "takenname"}}), 400,
		`{"error":"portalNameExist","message":"Portal already exists","variants":["taken","taken1"]}`)
	set("params")
	wantBody(t, c.do(req{Method: "PUT", Path: "/api/tariff/set", Body: map[string]any{"portalName": "acme"}}), 400,
		`{"error":"params","message":["The field Features must be a string with a maximum length of 255."]}`)
	set("html")
	wantError(t, c.do(req{Method: "GET", Path: "/api/portal/get"}), 500, "error", "Internal error")
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "whatever"}}), 400, "error", "The portal name could not be checked")
	set("badjson")
	wantError(t, c.do(req{Method: "GET", Path: "/api/portal/get"}), 500, "error", "Internal error")
	set("auth")
	wantError(t, c.do(req{Method: "GET", Path: "/api/portal/get"}), 500, "error", "Internal error")
}

// TestEdgeUpstreamDown: with no upstream answering, every answer is the spec's JSON error,
// never Caddy's empty 502.
func TestEdgeUpstreamDown(t *testing.T) {
	c := edgeGateway(t, "127.0.0.1:1 127.0.0.1:2", "")
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/register", Body: with(owner("downstream", "a@example.com"), "password", nil)}),
		500, "registerNewTenantError", "The portal could not be created")
	wantError(t, c.do(req{Method: "POST", Path: "/api/portal/validateportalname", Auth: "-", Body: map[string]any{"portalName": "downstream"}}),
		400, "error", "The portal name could not be checked")
	wantError(t, c.do(req{Method: "GET", Path: "/api/portal/get"}), 500, "error", "Internal error")
	wantError(t, c.do(req{Method: "DELETE", Path: "/api/portal/remove", Query: url.Values{"portalName": {"downstream"}}}), 500, "error", "Internal error")
}

// startCore starts a gateway process on a bolt store, to stand behind an edge; it trusts
// 127.0.0.1 as a proxy so the edge's X-Forwarded-For names the client.
func startCore(t *testing.T, port, adminPort int) *node {
	t.Helper()
	bin := gatewayBinary(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	grace_period 1ns
	servers {
		trusted_proxies static 127.0.0.1/32
	}
}
:%d {
	hosted_solution {
		machine_key {env.HOSTED_MACHINE_KEY}
		base_domain example.com
		store bolt
		exempt_clients 127.0.0.1
	}
}
`, adminPort, port)
	return startProcess(t, bin, dir, cfg, fmt.Sprintf("core%d", port), map[string]string{"HOSTED_MACHINE_KEY": upstreamKey})
}

// startProcess runs one gateway process on cfg and waits until it answers.
func startProcess(t *testing.T, bin, dir, cfg, name string, env map[string]string) *node {
	t.Helper()
	file := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	port := cfg[strings.Index(cfg, "\n:")+2:]
	port = port[:strings.Index(port, " ")]
	nd := &node{name: name, base: "http://127.0.0.1:" + port, log: new(lockedBuffer), done: make(chan struct{})}
	nd.cmd = exec.Command(bin, "run", "--config", file, "--adapter", "caddyfile")
	nd.cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	for k, v := range env {
		nd.cmd.Env = append(nd.cmd.Env, k+"="+v)
	}
	nd.cmd.Stdout, nd.cmd.Stderr = nd.log, nd.log
	if err := nd.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = nd.cmd.Wait(); close(nd.done) }()
	t.Cleanup(func() {
		_ = nd.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-nd.done:
		case <-time.After(10 * time.Second):
			_ = nd.cmd.Process.Kill()
			<-nd.done
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", nd.name, nd.log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(nd.base + "/api/portal/test")
		if err == nil {
			res.Body.Close()
			return nd
		}
		select {
		case <-nd.done:
			t.Fatalf("%s exited at start:\n%s", nd.name, nd.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer in 30s:\n%s", nd.name, nd.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startEdge starts an edge process forwarding to the cores; extra goes into its
// hosted_solution block.
func startEdge(t *testing.T, port, adminPort int, extra string, cores ...*node) *node {
	t.Helper()
	var to []string
	for _, c := range cores {
		to = append(to, strings.TrimPrefix(c.base, "http://"))
	}
	cfg := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	grace_period 1ns
}
:%d {
	hosted_solution {
		machine_key {env.HOSTED_MACHINE_KEY}
		base_domain example.com
		store apisystem {
			machine_key {env.UPSTREAM_MACHINE_KEY}
			upstream %s {
				lb_policy round_robin
				lb_try_duration 3s
				fail_duration 30s
				health_uri /api/portal/test
				health_interval 1s
			}
		}
		%s
	}
}
`, adminPort, port, strings.Join(to, " "), extra)
	return startProcess(t, gatewayBinary(t), t.TempDir(), cfg, fmt.Sprintf("edge%d", port),
		map[string]string{"HOSTED_MACHINE_KEY": testKey, "UPSTREAM_MACHINE_KEY": upstreamKey})
}

// TestEdgeChainConformance runs the conformance check against an edge forwarding to a core
// on the bolt store.
func TestEdgeChainConformance(t *testing.T) {
	check := "../../shared/conformance/check.py"
	if _, err := os.Stat(check); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must run the chain against it", check)
		}
		t.Skipf("%s not found: the edge chain check needs the project's shared conformance check", check)
	}
	core := startCore(t, 9191, 2991)
	edge := startEdge(t, 9192, 2992, "", core)
	out, err := exec.Command("python3", check, "--base", edge.base, "--key", testKey, "--base-domain", "example.com", "--limits").CombinedOutput()
	if err != nil {
		t.Fatalf("check.py against the edge: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Log(lines[len(lines)-1])
}

// TestEdgeFailover: one of two upstreams killed mid-run, requests keep succeeding on the other;
// both down, clean JSON errors.
func TestEdgeFailover(t *testing.T) {
	core1, core2 := startCore(t, 9193, 2993), startCore(t, 9194, 2994)
	// The test is a billing host registering many portals: not counted.
	edge := startEdge(t, 9195, 2995, "exempt_clients 127.0.0.1", core1, core2)
	for i := 0; i < 30; i++ {
		if i == 10 {
			_ = core1.cmd.Process.Kill()
			<-core1.done
		}
		status, m := edge.call(t, "POST", "/api/portal/validateportalname", nil, map[string]any{"portalName": fmt.Sprintf("failover%d", i)})
		if status != 200 {
			t.Fatalf("request %d (core1 killed at 10): %d %v", i, status, m)
		}
		status, m = edge.call(t, "POST", "/api/portal/register", nil, with(owner(fmt.Sprintf("failover%d", i), "f@example.com"), "password", nil))
		if status != 200 {
			t.Fatalf("register %d (core1 killed at 10): %d %v", i, status, m)
		}
	}
	_ = core2.cmd.Process.Kill()
	<-core2.done
	status, m := edge.call(t, "POST", "/api/portal/register", nil, with(owner("bothdown", "f@example.com"), "password", nil))
	if status != 500 || m["error"] != "registerNewTenantError" {
		t.Fatalf("both down, register: %d %v", status, m)
	}
	if status, m := edge.call(t, "GET", "/api/portal/get", nil, nil); status != 500 || m["error"] != "error" {
		t.Fatalf("both down, get: %d %v", status, m)
	}
	if !strings.Contains(edge.log.String(), "127.0.0.1:9194") {
		t.Fatalf("the edge did not log the failing upstream's address:\n%s", edge.log.String())
	}
}
