package hostedgate

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"go.uber.org/zap"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/bolt"
)

func init() {
	caddy.RegisterModule(BoltStore{})
}

// openStores holds the store handles of every loaded config, keyed by backend and address, so
// that a config reload reuses the open database instead of opening it a second time (bbolt
// locks its file, and the new config is provisioned before the old one is cleaned up).
var openStores = caddy.NewUsagePool()

// poolStore is a store in openStores; closing it closes the database.
type poolStore struct{ upstream.Store }

// Destruct closes the store when the last config using it goes.
func (s poolStore) Destruct() error { return s.Close() }

// BoltStore keeps portals in an embedded bbolt file: the default store.
type BoltStore struct {
	// Path is the database file. Default: hostedgate/portals.db in Caddy's data directory.
	Path string `json:"path,omitempty"`
	// Timeout bounds the wait for the file lock another process holds. Default 5s.
	Timeout caddy.Duration `json:"timeout,omitempty"`

	key   string
	store upstream.Store
}

// CaddyModule returns the Caddy module information.
func (BoltStore) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.hosted_solution.stores.bolt",
		New: func() caddy.Module { return new(BoltStore) },
	}
}

// Provision opens the database, or shares the one an earlier config opened.
func (b *BoltStore) Provision(ctx caddy.Context) error {
	if b.Path == "" {
		b.Path = filepath.Join(caddy.AppDataDir(), "hostedgate", "portals.db")
	}
	path, err := filepath.Abs(caddy.NewReplacer().ReplaceKnown(b.Path, ""))
	if err != nil {
		return fmt.Errorf("bolt store path %q: %w", b.Path, err)
	}
	timeout := time.Duration(b.Timeout)
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	b.key = "bolt:" + path
	val, _, err := openStores.LoadOrNew(b.key, func() (caddy.Destructor, error) {
		s, err := bolt.Open(path, bolt.Options{Timeout: timeout})
		if err != nil {
			return nil, err
		}
		ctx.Logger().Info("opened bolt store", zap.String("path", path))
		return poolStore{s}, nil
	})
	if err != nil {
		return fmt.Errorf("opening bolt store: %w", err)
	}
	b.store = val.(poolStore).Store
	return nil
}

// Store returns the open store.
func (b *BoltStore) Store() upstream.Store { return b.store }

// Cleanup releases this config's use of the database.
func (b *BoltStore) Cleanup() error {
	if b.key == "" {
		return nil // never provisioned
	}
	_, err := openStores.Delete(b.key)
	return err
}

// UnmarshalCaddyfile sets up the store from Caddyfile tokens:
//
//	store bolt [<path>] {
//	    path    <file>
//	    timeout <duration>
//	}
func (b *BoltStore) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the backend name
	if d.NextArg() {
		b.Path = d.Val()
	}
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "path":
			if !d.Args(&b.Path) {
				return d.ArgErr()
			}
		case "timeout":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(s)
			if err != nil {
				return d.Errf("bad timeout %q: %v", s, err)
			}
			b.Timeout = caddy.Duration(dur)
		default:
			return d.Errf("unknown bolt store option %q", d.Val())
		}
	}
	return nil
}

// Interface guards
var (
	_ StoreModule           = (*BoltStore)(nil)
	_ caddy.Provisioner     = (*BoltStore)(nil)
	_ caddy.CleanerUpper    = (*BoltStore)(nil)
	_ caddyfile.Unmarshaler = (*BoltStore)(nil)
)
