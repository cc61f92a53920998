package hostedgate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/hostedgate/hostedgate/ratelimit"
)

func init() {
	caddy.RegisterModule(AdminAPI{})
}

// AdminAPI lets an operator see and lift attempt lockouts through Caddy's admin endpoint:
//
//	GET    /hosted_solution/blocked                        the blocked clients of every zone
//	DELETE /hosted_solution/blocked?client=<ip>[&zone=<z>]  lift a client's lockout
//
// client may be an address (IPv6 is grouped by /64, as the limiter counts) or a key as GET
// lists it ("ip_192.0.2.7").
type AdminAPI struct{}

// CaddyModule returns the Caddy module information.
func (AdminAPI) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "admin.api.hosted_solution",
		New: func() caddy.Module { return new(AdminAPI) },
	}
}

// Routes returns the admin routes.
func (a AdminAPI) Routes() []caddy.AdminRoute {
	return []caddy.AdminRoute{{Pattern: "/hosted_solution/blocked", Handler: caddy.AdminHandlerFunc(a.blocked)}}
}

// blockedClient is one entry of the GET answer.
type blockedClient struct {
	Zone      string    `json:"zone"`
	Key       string    `json:"key"`
	Count     uint32    `json:"count"`
	UnblockAt time.Time `json:"unblock_at"`
}

// attemptZones lists every zone's attempt counter, in memory and in Redis.
func attemptZones() []attemptZone {
	var zones []attemptZone
	limiterPool.Range(func(_, v any) bool {
		if z, ok := v.(attemptZone); ok {
			zones = append(zones, z)
		}
		return true
	})
	sort.Slice(zones, func(i, j int) bool { return zones[i].zoneName() < zones[j].zoneName() })
	return zones
}

func (AdminAPI) blocked(w http.ResponseWriter, r *http.Request) error {
	switch r.Method {
	case http.MethodGet:
		out := []blockedClient{}
		for _, z := range attemptZones() {
			for _, b := range z.Blocked() {
				out = append(out, blockedClient{Zone: z.zoneName(), Key: b.Key, Count: b.Count, UnblockAt: b.UnblockAt})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(map[string]any{"blocked": out})
	case http.MethodDelete:
		client := strings.TrimSpace(r.URL.Query().Get("client"))
		if client == "" {
			return caddy.APIError{HTTPStatus: http.StatusBadRequest, Err: fmt.Errorf("give the client to unblock: ?client=<ip or key>")}
		}
		key := client
		if !strings.HasPrefix(key, "ip_") {
			key = ratelimit.ClientKey(client)
		}
		zone := r.URL.Query().Get("zone")
		removed := 0
		for _, z := range attemptZones() {
			if (zone == "" || z.zoneName() == zone) && z.Forget(key) {
				removed++
			}
		}
		if removed == 0 {
			return caddy.APIError{HTTPStatus: http.StatusNotFound, Err: fmt.Errorf("no attempts counted for %s", key)}
		}
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(map[string]any{"key": key, "zones": removed})
	default:
		return caddy.APIError{HTTPStatus: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s not allowed", r.Method)}
	}
}

// Interface guard
var _ caddy.AdminRouter = (*AdminAPI)(nil)
