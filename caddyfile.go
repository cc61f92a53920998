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
//	    attempts {                                   # register attempts per client
//	        max        <n>                           # default 10
//	        window     <duration>                    # default 5m, sliding
//	        max_keys   <n>                           # default 100000
//	        zone       <name>                        # default "default"
//	        test_emails <regex>
//	        legacy_empty_test_regex_matches_all
//	        redis      <url>                         # share counts in Redis; default {env.REDIS_URL} with the next two
//	        redis_timeout <duration>                 # default 100ms
//	        redis_failure_policy local|refuse        # default local
//	        off
//	    }
//	    request_rate {                               # validateportalname and tariff/all
//	        rate     <per second>                    # default 10
//	        burst    <n>                             # default 60
//	        max_keys <n>                             # default 100000
//	        zone     <name>
//	        off
//	    }
//	    recaptcha {
//	        secret     <secret>                      # required; use {env.*} or {file.*}
//	        verify_url <url>
//	        timeout    <duration>                    # default 5s
//	        min_score  <0..1>
//	        hostnames  <host>...
//	        app_keys   <key>...
//	    }
//	    exempt_clients <ip or cidr>...
//	    cache off | cache {                          # default on for postgres and apisystem
//	        ttl         <duration>                   # default 1s
//	        max_entries <n>                          # default 10000
//	    }
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
		case "attempts":
			if err := h.unmarshalAttempts(d); err != nil {
				return err
			}
		case "request_rate":
			if err := h.unmarshalRequestRate(d); err != nil {
				return err
			}
		case "recaptcha":
			if err := h.unmarshalRecaptcha(d); err != nil {
				return err
			}
		case "cache":
			if err := h.unmarshalCache(d); err != nil {
				return err
			}
		case "exempt_clients":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			if _, err := parseExempt(args); err != nil {
				return d.Err(err.Error())
			}
			h.ExemptClients = append(h.ExemptClients, args...)
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

// unmarshalAttempts reads an attempts block; several blocks merge, so a test or an import can
// add one option.
func (h *Handler) unmarshalAttempts(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	if h.Attempts == nil {
		h.Attempts = new(AttemptsConfig)
	}
	a := h.Attempts
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch opt := d.Val(); opt {
		case "max":
			a.Max, err = intArg(d)
		case "window":
			a.Window, err = durationArg(d)
		case "max_keys":
			a.MaxKeys, err = intArg(d)
		case "zone":
			if !d.Args(&a.Zone) {
				err = d.ArgErr()
			}
		case "test_emails":
			if !d.Args(&a.TestEmails) {
				err = d.ArgErr()
			}
		case "redis", "redis_timeout", "redis_failure_policy":
			if a.Redis == nil {
				a.Redis = new(RedisAttemptsConfig)
			}
			switch opt {
			case "redis":
				if !d.Args(&a.Redis.URL) {
					err = d.ArgErr()
				}
			case "redis_timeout":
				a.Redis.Timeout, err = durationArg(d)
			default:
				if !d.Args(&a.Redis.FailurePolicy) {
					err = d.ArgErr()
				} else if p := a.Redis.FailurePolicy; p != "local" && p != "refuse" {
					err = d.Errf("redis_failure_policy: want local or refuse, got %q", p)
				}
			}
		case "legacy_empty_test_regex_matches_all", "off":
			if d.NextArg() {
				return d.ArgErr()
			}
			if opt == "off" {
				a.Disabled = true
			} else {
				a.LegacyEmptyTestRegexMatchesAll = true
			}
		default:
			err = d.Errf("unknown attempts option %q", opt)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) unmarshalRequestRate(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	if h.RequestRate == nil {
		h.RequestRate = new(RequestRateConfig)
	}
	r := h.RequestRate
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch opt := d.Val(); opt {
		case "rate":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			r.Rate, err = strconv.ParseFloat(s, 64)
			if err != nil || r.Rate <= 0 {
				return d.Errf("rate: want requests per second, got %q", s)
			}
		case "burst":
			r.Burst, err = intArg(d)
		case "max_keys":
			r.MaxKeys, err = intArg(d)
		case "zone":
			if !d.Args(&r.Zone) {
				err = d.ArgErr()
			}
		case "off":
			if d.NextArg() {
				return d.ArgErr()
			}
			r.Disabled = true
		default:
			err = d.Errf("unknown request_rate option %q", opt)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// unmarshalCache reads "cache off" or a cache block.
func (h *Handler) unmarshalCache(d *caddyfile.Dispenser) error {
	if h.Cache == nil {
		h.Cache = new(CacheConfig)
	}
	if d.NextArg() {
		if d.Val() != "off" || d.NextArg() {
			return d.Errf("cache: want 'off' or a block")
		}
		h.Cache.Disabled = true
		return nil
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch d.Val() {
		case "ttl":
			dur, err := durationArg(d)
			if err != nil {
				return err
			}
			h.Cache.TTL = dur
		case "max_entries":
			n, err := intArg(d)
			if err != nil {
				return err
			}
			h.Cache.MaxEntries = int64(n)
		default:
			return d.Errf("unknown cache option %q", d.Val())
		}
	}
	return nil
}

func (h *Handler) unmarshalRecaptcha(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		return d.ArgErr()
	}
	if h.Recaptcha == nil {
		h.Recaptcha = new(RecaptchaConfig)
	}
	rc := h.Recaptcha
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch opt := d.Val(); opt {
		case "secret":
			if !d.Args(&rc.Secret) {
				err = d.ArgErr()
			}
		case "verify_url":
			if !d.Args(&rc.VerifyURL) {
				err = d.ArgErr()
			}
		case "timeout":
			rc.Timeout, err = durationArg(d)
		case "min_score":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			rc.MinScore, err = strconv.ParseFloat(s, 64)
			if err != nil || rc.MinScore < 0 || rc.MinScore > 1 {
				return d.Errf("min_score: want a number from 0 to 1, got %q", s)
			}
		case "hostnames", "app_keys":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			if opt == "hostnames" {
				rc.Hostnames = append(rc.Hostnames, args...)
			} else {
				rc.AppKeys = append(rc.AppKeys, args...)
			}
		default:
			err = d.Errf("unknown recaptcha option %q", opt)
		}
		if err != nil {
			return err
		}
	}
	if rc.Secret == "" {
		return d.Err("recaptcha: secret is required")
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
