package hostedgate

import (
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("hosted_solution", parseCaddyfile)
	// Before respond and reverse_proxy, so a site can serve the API and proxy everything
	// else without an order option.
	httpcaddyfile.RegisterDirectiveOrder("hosted_solution", httpcaddyfile.Before, "respond")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	hosted_solution {
//	    prefix          <path>                       # default /api
//	    machine_key     <key> [<key>...]             # repeatable; use {env.*} or {file.*}
//	    trust_interval  <duration>                   # default 5m
//	    max_future_skew <duration>                   # default 14h
//	    allow_skip      default|register...          # default: none
//	    base_domain     <domain>
//	    portal_title    <title>
//	    portal_name {
//	        min_length <n>
//	        max_length <n>
//	        regex      <pattern>
//	        reserved   <name>...                     # replaces the default list
//	    }
//	    name_regex      <pattern>
//	    password {
//	        min_length <n>
//	        max_length <n>
//	        any_characters
//	        require_digit
//	        require_upper
//	        require_special
//	    }
//	    tariff          <active_users> <max_file_size> <max_total_size> [<features>]  # repeatable
//	    payment_delay   <duration>
//	    max_portals     <n>
//	    cors_origins    <origin>...
//	    max_body_size   <size>                       # default 64KiB
//	    store           <backend> { ... }            # default: bolt in Caddy's data directory
//	}
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		opt := d.Val()
		switch opt {
		case "prefix":
			if !d.Args(&h.Prefix) {
				return d.ArgErr()
			}
		case "machine_key":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			h.MachineKeys = append(h.MachineKeys, args...)
		case "trust_interval", "max_future_skew", "payment_delay":
			dur, err := durationArg(d)
			if err != nil {
				return err
			}
			switch opt {
			case "trust_interval":
				h.TrustInterval = dur
			case "max_future_skew":
				h.MaxFutureSkew = dur
			default:
				h.PaymentDelay = dur
			}
		case "allow_skip":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			if h.AllowSkip == nil {
				h.AllowSkip = new(AllowSkip)
			}
			for _, g := range args {
				switch g {
				case "default":
					h.AllowSkip.Default = true
				case "register":
					h.AllowSkip.Register = true
				default:
					return d.Errf("allow_skip: unknown group %q (want default or register)", g)
				}
			}
		case "base_domain":
			if !d.Args(&h.BaseDomain) {
				return d.ArgErr()
			}
		case "portal_title":
			if !d.Args(&h.PortalTitle) {
				return d.ArgErr()
			}
		case "name_regex":
			if !d.Args(&h.NameRegex) {
				return d.ArgErr()
			}
		case "portal_name":
			if err := h.unmarshalPortalName(d); err != nil {
				return err
			}
		case "password":
			if err := h.unmarshalPassword(d); err != nil {
				return err
			}
		case "tariff":
			plan, err := tariffArgs(d)
			if err != nil {
				return err
			}
			h.Tariffs = append(h.Tariffs, plan)
		case "max_portals":
			n, err := intArg(d)
			if err != nil {
				return err
			}
			h.MaxPortals = n
		case "cors_origins":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			h.CORSOrigins = append(h.CORSOrigins, args...)
		case "max_body_size":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			size, err := humanize.ParseBytes(s)
			if err != nil || size == 0 || size > 1<<40 {
				return d.Errf("max_body_size: bad size %q", s)
			}
			h.MaxBodySize = int64(size)
		case "store":
			if err := h.unmarshalStore(d); err != nil {
				return err
			}
		default:
			return d.Errf("unknown hosted_solution option %q", opt)
		}
	}
	return nil
}

func (h *Handler) unmarshalPortalName(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	if h.PortalName == nil {
		h.PortalName = new(PortalNameConfig)
	}
	pn := h.PortalName
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch d.Val() {
		case "min_length":
			pn.MinLength, err = intArg(d)
		case "max_length":
			pn.MaxLength, err = intArg(d)
		case "regex":
			if !d.Args(&pn.Regex) {
				err = d.ArgErr()
			}
		case "reserved":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			for _, a := range args {
				pn.Reserved = append(pn.Reserved, strings.ToLower(a))
			}
		default:
			err = d.Errf("unknown portal_name option %q", d.Val())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) unmarshalPassword(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	if h.Password == nil {
		h.Password = new(PasswordConfig)
	}
	p := h.Password
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch opt := d.Val(); opt {
		case "min_length":
			p.MinLength, err = intArg(d)
		case "max_length":
			p.MaxLength, err = intArg(d)
		case "any_characters", "require_digit", "require_upper", "require_special":
			if d.NextArg() {
				return d.ArgErr()
			}
			switch opt {
			case "any_characters":
				p.AnyCharacters = true
			case "require_digit":
				p.RequireDigit = true
			case "require_upper":
				p.RequireUpper = true
			default:
				p.RequireSpecial = true
			}
		default:
			err = d.Errf("unknown password option %q", opt)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) unmarshalStore(d *caddyfile.Dispenser) error {
	if !d.NextArg() {
		return d.ArgErr()
	}
	name := d.Val()
	mod, err := caddyfile.UnmarshalModule(d, "http.handlers.hosted_solution.stores."+name)
	if err != nil {
		return err
	}
	if _, ok := mod.(StoreModule); !ok {
		return d.Errf("module %q is not a hosted_solution store", name)
	}
	h.StoreRaw = caddyconfig.JSONModuleObject(mod, "backend", name, nil)
	return nil
}

func tariffArgs(d *caddyfile.Dispenser) (TariffPlan, error) {
	args := d.RemainingArgs()
	if len(args) < 3 || len(args) > 4 {
		return TariffPlan{}, d.ArgErr()
	}
	users, err1 := strconv.Atoi(args[0])
	file, err2 := strconv.ParseInt(args[1], 10, 64)
	total, err3 := strconv.ParseInt(args[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || users < 0 || file < 0 || total < 0 {
		return TariffPlan{}, d.Errf("tariff: want <active_users> <max_file_size bytes> <max_total_size bytes> [<features>], got %v", args)
	}
	plan := TariffPlan{ActiveUsers: users, MaxFileSize: file, MaxTotalSize: total}
	if len(args) == 4 {
		plan.Features = args[3]
	}
	return plan, nil
}

func intArg(d *caddyfile.Dispenser) (int, error) {
	var s string
	if !d.Args(&s) {
		return 0, d.ArgErr()
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, d.Errf("%s: want a non-negative integer, got %q", d.Val(), s)
	}
	return n, nil
}

func durationArg(d *caddyfile.Dispenser) (caddy.Duration, error) {
	var s string
	if !d.Args(&s) {
		return 0, d.ArgErr()
	}
	dur, err := caddy.ParseDuration(s)
	if err != nil || dur < 0 {
		return 0, d.Errf("bad duration %q", s)
	}
	return caddy.Duration(dur), nil
}

// Interface guard
var _ caddyfile.Unmarshaler = (*Handler)(nil)
