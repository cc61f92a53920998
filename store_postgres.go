package hostedgate

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"go.uber.org/zap"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/postgres"
)

func init() {
	caddy.RegisterModule(PostgresStore{})
}

// PostgresStore keeps portals in PostgreSQL, so several gateways act as one. The connection
// pool is shared by every config with the same DSN and schema, survives reloads and is closed
// when the last config using it goes.
type PostgresStore struct {
	// DSN is the connection string (postgres://user:pass@host:5432/db?sslmode=require).
	// Default {env.DATABASE_URL}. Give it as a placeholder: it may carry a password.
	DSN string `json:"dsn,omitempty"`
	// Schema holds hostedgate's tables, created and migrated at start. Default "public".
	Schema string `json:"schema,omitempty"`
	// MaxConns caps the pool's connections. Default: pgx's (the larger of 4 and the CPUs).
	MaxConns int32 `json:"max_conns,omitempty"`
	// ConnectTimeout bounds connecting and migrating at start. Default 5s.
	ConnectTimeout caddy.Duration `json:"connect_timeout,omitempty"`

	key   string
	store upstream.Store
}

// CaddyModule returns the Caddy module information.
func (PostgresStore) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.hosted_solution.stores.postgres",
		New: func() caddy.Module { return new(PostgresStore) },
	}
}

// Provision connects (or shares the pool an earlier config opened) and migrates the schema.
func (p *PostgresStore) Provision(ctx caddy.Context) error {
	raw := p.DSN
	if raw == "" {
		raw = "{env.DATABASE_URL}"
	}
	dsn := caddy.NewReplacer().ReplaceKnown(raw, "")
	if dsn == "" {
		return fmt.Errorf("postgres store: dsn %q is empty: set the variable or file it names", raw)
	}
	timeout := time.Duration(p.ConnectTimeout)
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	p.key = "postgres:" + dsn + "|" + p.Schema
	val, _, err := openStores.LoadOrNew(p.key, func() (caddy.Destructor, error) {
		openCtx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		s, err := postgres.Open(openCtx, postgres.Config{DSN: dsn, Schema: p.Schema, MaxConns: p.MaxConns, ConnectTimeout: timeout})
		if err != nil {
			return nil, err
		}
		ctx.Logger().Info("opened postgres store", zap.String("host", dsnHost(dsn)), zap.String("schema", p.Schema))
		return poolStore{s}, nil
	})
	if err != nil {
		p.key = ""
		// The store's errors never carry the DSN's password (pgx redacts it); name the host.
		return fmt.Errorf("opening postgres store at %s: %w", dsnHost(dsn), err)
	}
	p.store = val.(poolStore).Store
	return nil
}

// dsnHost is the part of a DSN fit for a log line: host and database, never the password.
func dsnHost(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Host != "" {
		return u.Host + u.Path
	}
	return "(key=value DSN)"
}

// Store returns the open store.
func (p *PostgresStore) Store() upstream.Store { return p.store }

// Cleanup releases this config's use of the pool.
func (p *PostgresStore) Cleanup() error {
	if p.key == "" {
		return nil
	}
	_, err := openStores.Delete(p.key)
	return err
}

// UnmarshalCaddyfile sets up the store from Caddyfile tokens:
//
//	store postgres [<dsn>] {
//	    dsn             <dsn>          # default {env.DATABASE_URL}
//	    schema          <name>         # default public
//	    max_conns       <n>
//	    connect_timeout <duration>     # default 5s
//	}
func (p *PostgresStore) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the backend name
	if d.NextArg() {
		p.DSN = d.Val()
	}
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "dsn":
			if !d.Args(&p.DSN) {
				return d.ArgErr()
			}
		case "schema":
			if !d.Args(&p.Schema) {
				return d.ArgErr()
			}
		case "max_conns":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			n, err := strconv.ParseInt(s, 10, 32)
			if err != nil || n < 1 {
				return d.Errf("max_conns: want a positive integer, got %q", s)
			}
			p.MaxConns = int32(n)
		case "connect_timeout":
			dur, err := durationArg(d)
			if err != nil {
				return err
			}
			p.ConnectTimeout = dur
		default:
			return d.Errf("unknown postgres store option %q", d.Val())
		}
	}
	return nil
}

// Interface guards
var (
	_ StoreModule           = (*PostgresStore)(nil)
	_ caddy.Provisioner     = (*PostgresStore)(nil)
	_ caddy.CleanerUpper    = (*PostgresStore)(nil)
	_ caddyfile.Unmarshaler = (*PostgresStore)(nil)
)
