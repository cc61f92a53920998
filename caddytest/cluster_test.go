package caddytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The cluster tests run real gateway processes (the cmd/hostedgate binary) against one
// PostgreSQL and one Redis, as a provider runs several nodes behind a load balancer.

func postgresDSN() string {
	if v := os.Getenv("HOSTEDGATE_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func redisAddr() string {
	if v := os.Getenv("HOSTEDGATE_TEST_REDIS"); v != "" {
		return v
	}
	return "127.0.0.1:6379"
}

// needServices skips (or, in CI, fails) when PostgreSQL or Redis cannot be reached.
func needServices(t *testing.T) {
	t.Helper()
	u, _ := url.Parse(postgresDSN())
	for name, addr := range map[string]string{"PostgreSQL": u.Host, "Redis": redisAddr()} {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not reachable at %s, and CI must run the cluster tests: %v", name, addr, err)
			}
			t.Skipf("%s is not reachable at %s: start it (see README, Scaling out) to run the cluster tests", name, addr)
		}
		conn.Close()
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// gatewayBinary builds cmd/hostedgate once per test run.
func gatewayBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hostedgate-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hostedgate")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/hostedgate").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// freshSchema makes an empty schema for one test and drops it afterwards.
func freshSchema(t *testing.T) string {
	t.Helper()
	schema := randomName("hg_cluster_")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresDSN())
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, postgresDSN()); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	})
	return schema
}

// node is one gateway process.
type node struct {
	name string
	base string
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{}
}

// lockedBuffer collects a process's output, which its copying goroutine writes while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCluster starts n gateway processes on one schema and one Redis zone; extra goes into
// each hosted_solution block.
func startCluster(t *testing.T, n int, extra string) []*node {
	t.Helper()
	needServices(t)
	bin := gatewayBinary(t)
	schema := freshSchema(t)
	zone := randomName("cluster_")
	nodes := make([]*node, n)
	for i := range nodes {
		port, adminPort := 9181+i, 2981+i
		dir := t.TempDir()
		cfg := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	grace_period 1ns
}
:%d {
	hosted_solution {
		machine_key {env.HOSTED_MACHINE_KEY}
		base_domain example.com
		store postgres {
			dsn {env.DATABASE_URL}
			schema %s
		}
		attempts {
			zone %s
			redis {env.REDIS_URL}
		}
		%s
	}
}
`, adminPort, port, schema, zone, extra)
		nodes[i] = startProcess(t, bin, dir, cfg, fmt.Sprintf("node%d", i), map[string]string{
			"HOSTED_MACHINE_KEY": testKey, "DATABASE_URL": postgresDSN(), "REDIS_URL": "redis://" + redisAddr()})
	}
	return nodes
}

// call sends one request to a node and returns the status and the decoded body.
func (nd *node) call(t *testing.T, method, path string, query url.Values, body any) (int, map[string]any) {
	t.Helper()
	u := nd.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, u, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", token())
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0, map[string]any{"transport": err.Error()}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("%s %s %s: not JSON: %d %q", nd.name, method, path, res.StatusCode, raw)
	}
	return res.StatusCode, m
}

func portalNames(m map[string]any) []string {
	var out []string
	ts, _ := m["tenants"].([]any)
	for _, x := range ts {
		if tn, ok := x.(map[string]any); ok {
			out = append(out, fmt.Sprint(tn["portalName"]))
		}
	}
	return out
}

// TestClusterOneName: 100 concurrent registrations of one name over two nodes give exactly
// one 200 and 99 portalNameExist.
func TestClusterOneName(t *testing.T) {
	nodes := startCluster(t, 2, "exempt_clients 127.0.0.1")
	const n = 100
	type answer struct {
		status int
		code   string
	}
	answers := make(chan answer, n)
	var start sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		go func(i int) {
			start.Wait()
			status, m := nodes[i%2].call(t, "POST", "/api/portal/register", nil, with(owner("clustered", fmt.Sprintf("o%d@example.com", i)), "password", nil))
			code, _ := m["error"].(string)
			answers <- answer{status, code}
		}(i)
	}
	start.Done()
	ok, exist := 0, 0
	for i := 0; i < n; i++ {
		a := <-answers
		switch {
		case a.status == 200:
			ok++
		case a.status == 400 && a.code == "portalNameExist":
			exist++
		default:
			t.Errorf("unexpected answer %d %q", a.status, a.code)
		}
	}
	if ok != 1 || exist != n-1 {
		t.Fatalf("%d succeeded and %d were portalNameExist; want 1 and %d", ok, exist, n-1)
	}
}

// TestClusterAttempts: a client alternating between the nodes is refused at its 11th attempt.
func TestClusterAttempts(t *testing.T) {
	nodes := startCluster(t, 2, "")
	for i := 1; i <= 10; i++ {
		status, m := nodes[i%2].call(t, "POST", "/api/portal/register", nil, with(owner(fmt.Sprintf("alternate%d", i), "a@example.com"), "password", nil))
		if status != 200 {
			t.Fatalf("attempt %d on %s: %d %v", i, nodes[i%2].name, status, m)
		}
	}
	for _, nd := range nodes {
		status, m := nd.call(t, "POST", "/api/portal/register", nil, with(owner("alternate11", "a@example.com"), "password", nil))
		if status != 400 || m["error"] != "tooMuchAttempts" {
			t.Fatalf("11th attempt on %s: %d %v", nd.name, status, m)
		}
	}
}

// TestClusterCrossNode: a portal registered on one node is listed, suspended and removed
// through the other.
func TestClusterCrossNode(t *testing.T) {
	nodes := startCluster(t, 2, "")
	a, b := nodes[0], nodes[1]
	status, m := a.call(t, "POST", "/api/portal/register", nil, owner("crossnode", "cross@example.com"))
	if status != 200 {
		t.Fatalf("register on a: %d %v", status, m)
	}
	if _, m := b.call(t, "GET", "/api/portal/get", url.Values{"email": {"cross@example.com"}}, nil); fmt.Sprint(portalNames(m)) != "[crossnode]" {
		t.Fatalf("b lists %v", m)
	}
	if status, m := b.call(t, "PUT", "/api/portal/status", nil, map[string]any{"portalName": "crossnode", "status": "Suspended"}); status != 200 {
		t.Fatalf("suspend on b: %d %v", status, m)
	}
	if _, m := a.call(t, "GET", "/api/portal/get", url.Values{"email": {"cross@example.com"}}, nil); len(portalNames(m)) != 0 {
		t.Fatalf("a still lists the suspended portal: %v", m)
	}
	if status, m := b.call(t, "DELETE", "/api/portal/remove", url.Values{"portalName": {"crossnode"}}, nil); status != 200 {
		t.Fatalf("remove on b: %d %v", status, m)
	}
	if status, m := a.call(t, "GET", "/api/tariff/get", url.Values{"portalName": {"crossnode"}}, nil); status != 400 || m["error"] != "portalNameNotFound" {
		t.Fatalf("a after removal: %d %v", status, m)
	}
	if status, m := a.call(t, "POST", "/api/portal/validateportalname", nil, map[string]any{"portalName": "crossnode"}); status != 200 {
		t.Fatalf("the name is free on a: %d %v", status, m)
	}
}

// TestClusterKill: SIGKILL one node while it registers; every registration it acknowledged
// is there on the other.
func TestClusterKill(t *testing.T) {
	nodes := startCluster(t, 2, "exempt_clients 127.0.0.1")
	a, b := nodes[0], nodes[1]
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("killed%d-%d", w, i)
				status, _ := a.call(t, "POST", "/api/portal/register", nil, with(owner(name, "kill@example.com"), "password", nil))
				if status == 200 {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				} else if status == 0 {
					return // the node is gone
				}
			}
		}(w)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = a.cmd.Process.Kill()
	<-a.done
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged before the kill")
	}
	_, m := b.call(t, "GET", "/api/portal/get", url.Values{"email": {"kill@example.com"}}, nil)
	have := map[string]bool{}
	for _, p := range portalNames(m) {
		have[p] = true
	}
	for _, name := range acked {
		if !have[name] {
			t.Errorf("%s was acknowledged by the killed node but is not in the store", name)
		}
	}
	t.Logf("%d registrations acknowledged before SIGKILL, all present on the other node", len(acked))
	if status, m := b.call(t, "POST", "/api/portal/register", nil, with(owner("afterkill", "kill@example.com"), "password", nil)); status != 200 {
		t.Fatalf("the surviving node: %d %v", status, m)
	}
	if strings.Contains(b.log.String(), testKey) {
		t.Fatal("the machine key is in a node's log")
	}
}

// TestClusterCacheStaleness: with the look-up cache on (the default for postgres), a portal
// registered or removed through one node is seen by the other within the TTL; the database's
// unique index still settles registrations at once.
func TestClusterCacheStaleness(t *testing.T) {
	const ttl = 500 * time.Millisecond
	nodes := startCluster(t, 2, "cache {\n\t\t\tttl 500ms\n\t\t}\n\t\texempt_clients 127.0.0.1")
	a, b := nodes[0], nodes[1]
	validate := func(nd *node) (int, map[string]any) {
		return nd.call(t, "POST", "/api/portal/validateportalname", nil, map[string]any{"portalName": "staleportal"})
	}
	if status, m := validate(b); status != 200 {
		t.Fatalf("b: %d %v", status, m) // now cached on b as free
	}
	if status, m := a.call(t, "POST", "/api/portal/register", nil, with(owner("staleportal", "s@example.com"), "password", nil)); status != 200 {
		t.Fatalf("register on a: %d %v", status, m)
	}
	// b may still say free within the TTL, but it cannot register the name.
	if status, m := b.call(t, "POST", "/api/portal/register", nil, with(owner("staleportal", "t@example.com"), "password", nil)); status != 400 || m["error"] != "portalNameExist" {
		t.Fatalf("register on b while its cache is stale: %d %v", status, m)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	if status, m := validate(b); status != 400 || m["error"] != "portalNameExist" {
		t.Fatalf("b after the TTL: %d %v", status, m)
	}
	// Removal through a is seen by b within the TTL.
	if status, m := b.call(t, "GET", "/api/tariff/get", url.Values{"portalName": {"staleportal"}}, nil); status != 200 {
		t.Fatalf("b reads the portal: %d %v", status, m)
	}
	if status, m := a.call(t, "DELETE", "/api/portal/remove", url.Values{"portalName": {"staleportal"}}, nil); status != 200 {
		t.Fatalf("remove on a: %d %v", status, m)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	if status, m := b.call(t, "GET", "/api/tariff/get", url.Values{"portalName": {"staleportal"}}, nil); status != 400 || m["error"] != "portalNameNotFound" {
		t.Fatalf("b after the TTL: %d %v", status, m)
	}
}
