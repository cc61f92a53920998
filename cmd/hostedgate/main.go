// Command hostedgate is Caddy with the standard modules and the hosted_solution handler.
//
//	HOSTED_MACHINE_KEY=... hostedgate run --config Caddyfile.example
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/hostedgate/hostedgate"
)

func main() {
	caddycmd.Main()
}
