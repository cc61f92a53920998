package upstream

import (
	"context"
	"fmt"
)

// Origin is who sent the request a store operation serves. A forwarding backend passes it on
// (X-Forwarded-For, X-Forwarded-Proto); stores that keep tenants themselves ignore it.
type Origin struct {
	// ClientIP is the client address as the gateway resolved it.
	ClientIP string
	// Scheme is "http" or "https" as the client used it.
	Scheme string
}

type originKey struct{}

// WithOrigin returns ctx carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the Origin ctx carries, if any.
func OriginFrom(ctx context.Context) (Origin, bool) {
	o, ok := ctx.Value(originKey{}).(Origin)
	return o, ok
}

// UpstreamError is an answer of an upstream ApiSystem that is the spec's JSON error but none
// of the conditions the sentinel errors name (its own password policy, its limiter, ...):
// the API passes it on with its status, as the upstream gave it.
type UpstreamError struct {
	Status int
	// Code and Message are the upstream's "error" and "message" (a string, or the []string of
	// "params"); Variants its "variants".
	Code     string
	Message  any
	Variants []string
}

func (e *UpstreamError) Error() string {
	return fmt.Sprintf("upstream answered %d %s", e.Status, e.Code)
}

// UpstreamView is what a forwarding backend got from the upstream ApiSystem about a tenant
// and the API must show as it is, because only the upstream knows it.
type UpstreamView struct {
	// TimeZoneName is the upstream's display name of the tenant's time zone.
	TimeZoneName string
	// Reference and ReferenceWelcome are register's confirmation links, signed by the
	// upstream with the portals' machine key.
	Reference        string
	ReferenceWelcome *string
}
