package caddytest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddytest"
)

// TestRedisDownLocalPolicy: with Redis unreachable the default policy counts locally, logs and
// counts the failure, and the limit still holds.
func TestRedisDownLocalPolicy(t *testing.T) {
	c := gateway(t, "attempts {\n\t\t\tmax 2\n\t\t\tredis redis://127.0.0.1:1\n\t\t\tredis_timeout 50ms\n\t\t}")
	before := metricValue(t, `hostedgate_redis_errors_total{operation="attempt"}`)
	for i := 0; i < 2; i++ {
		if got := codeOf(t, register(c, fmt.Sprintf("noredis%d", i), "a@example.com", nil)); got != "200" {
			t.Fatalf("attempt %d: %s", i, got)
		}
	}
	wantError(t, register(c, "noredis9", "a@example.com", nil), 400, "tooMuchAttempts", "Too much attempts already")
	if metricValue(t, `hostedgate_redis_errors_total{operation="attempt"}`) <= before {
		t.Fatal("the Redis failure was not counted")
	}
}

// TestRedisDownRefusePolicy: with the refuse policy nobody registers while Redis is down.
func TestRedisDownRefusePolicy(t *testing.T) {
	c := gateway(t, "attempts {\n\t\t\tredis redis://127.0.0.1:1\n\t\t\tredis_timeout 50ms\n\t\t\tredis_failure_policy refuse\n\t\t}")
	wantError(t, register(c, "refused1", "a@example.com", nil), 400, "tooMuchAttempts", "Too much attempts already")
}

// TestPostgresUnreachableAtStart: the start fails, naming the host but never the password.
func TestPostgresUnreachableAtStart(t *testing.T) {
	gateway(t, "") // a running admin endpoint to load the bad config into
	cfg := strings.Replace(caddyfile(t, ""), "store bolt", "store postgres {\n\t\t\tdsn postgres://hg:sup3rsecret@127.0.0.1:1/test?sslmode=disable\n\t\t\tconnect_timeout 1s\n\t\t}\n\t\t#", 1)
	res, err := http.Post("http://localhost:2999/load", "text/caddyfile", strings.NewReader(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == 200 {
		t.Fatal("started without its store")
	}
	if msg := string(body); !strings.Contains(msg, "opening postgres store at 127.0.0.1:1/test") || strings.Contains(msg, "sup3rsecret") {
		t.Fatalf("error %q: want the host named and no password", msg)
	}
}

func TestAdaptClusterOptions(t *testing.T) {
	caddytest.AssertAdapt(t, `
:8092 {
	hosted_solution {
		machine_key {env.K}
		store postgres {
			dsn {env.DATABASE_URL}
			schema gateway
			max_conns 20
			connect_timeout 3s
		}
		attempts {
			redis {env.REDIS_URL}
			redis_timeout 80ms
			redis_failure_policy refuse
		}
		cache {
			ttl 2s
			max_entries 5000
		}
	}
}`, "caddyfile", `{
	"apps": {
		"http": {
			"servers": {
				"srv0": {
					"listen": [
						":8092"
					],
					"routes": [
						{
							"handle": [
								{
									"attempts": {
										"redis": {
											"failure_policy": "refuse",
											"timeout": 80000000,
											"url": "{env.REDIS_URL}"
										}
									},
									"cache": {
										"max_entries": 5000,
										"ttl": 2000000000
									},
									"handler": "hosted_solution",
									"machine_keys": [
										"{env.K}"
									],
									"store": {
										"backend": "postgres",
										"connect_timeout": 3000000000,
										"dsn": "{env.DATABASE_URL}",
										"max_conns": 20,
										"schema": "gateway"
									}
								}
							]
						}
					]
				}
			}
		}
	}
}`)
}
