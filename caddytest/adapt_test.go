package caddytest

import (
	"testing"

	"github.com/caddyserver/caddy/v2/caddytest"
)

// TestAdaptEveryOption adapts a Caddyfile with every option and checks the JSON it gives, so
// the Caddyfile and JSON forms stay one configuration.
func TestAdaptEveryOption(t *testing.T) {
	caddytest.AssertAdapt(t, `
:8092 {
	hosted_solution {
		prefix /apisystem
		machine_key {env.KEY_NEW} {file./run/secrets/old_key}
		machine_key {env.KEY_OLDER}
		trust_interval 10m
		max_future_skew 2h
		allow_skip register
		base_domain Portals.Example.com
		portal_title "My Office"
		portal_name {
			min_length 3
			max_length 40
			regex ^[a-z][a-z0-9]+$
			reserved admin Support
		}
		name_regex ^.+$
		password {
			min_length 10
			max_length 64
			any_characters
			require_digit
			require_upper
			require_special
		}
		tariff 50 104857600 1073741824 whitelabel,portals:5
		tariff 0 0 0
		payment_delay 240h
		max_portals 100
		cors_origins https://signup.example.com https://www.example.com
		max_body_size 128KiB
		store bolt {
			path /var/lib/hostedgate/portals.db
			timeout 2s
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
									"allow_skip": {
										"register": true
									},
									"base_domain": "Portals.Example.com",
									"cors_origins": [
										"https://signup.example.com",
										"https://www.example.com"
									],
									"handler": "hosted_solution",
									"machine_keys": [
										"{env.KEY_NEW}",
										"{file./run/secrets/old_key}",
										"{env.KEY_OLDER}"
									],
									"max_body_size": 131072,
									"max_future_skew": 7200000000000,
									"max_portals": 100,
									"name_regex": "^.+$",
									"password": {
										"any_characters": true,
										"max_length": 64,
										"min_length": 10,
										"require_digit": true,
										"require_special": true,
										"require_upper": true
									},
									"payment_delay": 864000000000000,
									"portal_name": {
										"max_length": 40,
										"min_length": 3,
										"regex": "^[a-z][a-z0-9]+$",
										"reserved": [
											"admin",
											"support"
										]
									},
									"portal_title": "My Office",
									"prefix": "/apisystem",
									"store": {
										"backend": "bolt",
										"path": "/var/lib/hostedgate/portals.db",
										"timeout": 2000000000
									},
									"tariffs": [
										{
											"active_users": 50,
											"features": "whitelabel,portals:5",
											"max_file_size": 104857600,
											"max_total_size": 1073741824
										},
										{}
									],
									"trust_interval": 600000000000
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

// TestAdaptExample adapts the README's Caddyfile.example.
func TestAdaptExample(t *testing.T) {
	caddytest.AssertAdapt(t, `
{
	auto_https off
	admin localhost:2019
}
:8092 {
	hosted_solution {
		machine_key {env.HOSTED_MACHINE_KEY}
		base_domain example.com
		store bolt
	}
}`, "caddyfile", `{
	"admin": {
		"listen": "localhost:2019"
	},
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
									"base_domain": "example.com",
									"handler": "hosted_solution",
									"machine_keys": [
										"{env.HOSTED_MACHINE_KEY}"
									],
									"store": {
										"backend": "bolt"
									}
								}
							]
						}
					],
					"automatic_https": {
						"disable": true
					}
				}
			}
		}
	}
}`)
}

// TestDirectiveOrder shows hosted_solution runs before respond without an order option.
func TestDirectiveOrder(t *testing.T) {
	caddytest.AssertAdapt(t, `
:8092 {
	respond "fallback"
	hosted_solution {
		machine_key {env.K}
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
									"handler": "hosted_solution",
									"machine_keys": [
										"{env.K}"
									]
								},
								{
									"body": "fallback",
									"handler": "static_response"
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

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, block, want string }{
		// The admin API answers with the error JSON-encoded, so quotes arrive as \".
		{"unknown option", "machine_key x\n\t\tbogus 1", `unknown hosted_solution option \"bogus\", at Caddyfile:4`},
		{"unknown portal_name option", "machine_key x\n\t\tportal_name {\n\t\t\tlength 3\n\t\t}", `unknown portal_name option \"length\", at Caddyfile:5`},
		{"unknown password option", "machine_key x\n\t\tpassword {\n\t\t\tstrong\n\t\t}", `unknown password option \"strong\", at Caddyfile:5`},
		{"bad allow_skip group", "machine_key x\n\t\tallow_skip everything", `allow_skip: unknown group \"everything\" (want default or register), at Caddyfile:4`},
		{"bad duration", "machine_key x\n\t\ttrust_interval soon", `bad duration \"soon\", at Caddyfile:4`},
		{"bad size", "machine_key x\n\t\tmax_body_size lots", `max_body_size: bad size \"lots\", at Caddyfile:4`},
		{"bad tariff", "machine_key x\n\t\ttariff many 1 2", `got [many 1 2], at Caddyfile:4`},
		{"missing argument", "machine_key", `wrong argument count or unexpected line ending after 'machine_key', at Caddyfile:3`},
		{"unknown store", "machine_key x\n\t\tstore nosuch", `module not registered: http.handlers.hosted_solution.stores.nosuch`},
		{"unknown bolt option", "machine_key x\n\t\tstore bolt {\n\t\t\tsync never\n\t\t}", `unknown bolt store option \"sync\", at Caddyfile:5`},
		{"bad portal regex", "machine_key x\n\t\tportal_name {\n\t\t\tregex (\n\t\t}", `hosted_solution: portal_name:`},
		{"empty machine key", "machine_key {env.HG_SURELY_UNSET_VARIABLE}", `machine_key \"{env.HG_SURELY_UNSET_VARIABLE}\" is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caddytest.AssertLoadError(t, ":9080 {\n\thosted_solution {\n\t\t"+tc.block+"\n\t}\n}", "caddyfile", tc.want)
		})
	}
}
