// Package ratelimit counts what a client may do: register attempts (SPEC 5.1, DECISIONS D17)
// and a request rate for the unauthenticated endpoints (D19a). Both keep their state in
// sharded maps with an idle sweep and a hard cap on keys, so a flood of new addresses costs
// bounded memory and cannot push a blocked client out.
package ratelimit

import (
	"net/netip"
	"strings"
)

// ClientKey is the counting key of a client address: "ip_" and the address, with IPv6
// addresses grouped by /64 (one subscriber usually holds a whole /64, so counting single
// addresses would let them rotate through it). An IPv4-mapped IPv6 address counts as its IPv4
// address. A value that is no IP address is used as it is, so counting still happens.
func ClientKey(ip string) string {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(strings.TrimSpace(ip)); err2 == nil {
			addr, err = ap.Addr(), nil
		}
	}
	if err != nil {
		return "ip_" + ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return "ip_" + addr.String()
	}
	prefix, _ := addr.Prefix(64)
	return "ip_" + prefix.String()
}
