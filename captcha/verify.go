package captcha

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Result says how a verification ended. Its values are metric label values, so they are short,
// fixed and lower-case.
type Result string

const (
	// Success means the verifier answered "success": true and the score and hostname checks
	// configured passed.
	Success Result = "success"
	// Failure means the verifier answered "success": false, or the gateway's own score or
	// hostname check refused an otherwise successful reply: the user, not the link, failed.
	Failure Result = "failure"
	// Empty means no response token was given, so no request was made: a client that never
	// showed the captcha is told apart from one that solved it wrongly.
	Empty Result = "empty"
	// Error means no verdict could be had: network error, timeout, cancellation, a non-2xx
	// status (redirects included) or a reply that is not a siteverify answer. It is the one an
	// operator alerts on, since it points at the link or the configuration, not at users.
	Error Result = "error"
)

// DefaultVerifyURL is the siteverify endpoint used when Config.VerifyURL is empty; it is the
// ONLYOFFICE Workspace default (SPEC 5.2).
const DefaultVerifyURL = "https://www.google.com/recaptcha/api/siteverify"

// DefaultTimeout bounds a verification when Config.Timeout is zero. The reference servers have
// no timeout beyond the platform's defaults, which would let a stalled verifier hold register
// requests for minutes (SPEC 5.2 "Gateway").
const DefaultTimeout = 5 * time.Second

const (
	// maxReplyBytes caps what is read of a reply: real ones are a few hundred bytes, and the
	// cap keeps a broken or hostile verifier from making us buffer without end.
	maxReplyBytes = 64 << 10
	// maxCodes and maxCodeLen keep one reply from flooding the log line its codes go to.
	maxCodes   = 16
	maxCodeLen = 128
	// localPrefix marks the codes the gateway adds itself, so a log reader can tell them from
	// the provider's own error-codes (which never carry it).
	localPrefix = "hostedgate-"
	redacted    = "[redacted]"
)

// Config configures a Verifier. The zero value of every field but Secret is usable.
type Config struct {
	// Secret is the private key the provider issued for the site. Required.
	Secret string
	// VerifyURL is the siteverify endpoint, an absolute http or https URL. Defaults to
	// DefaultVerifyURL.
	VerifyURL string
	// Timeout bounds the whole exchange: connecting, sending and reading the reply. Defaults
	// to DefaultTimeout; it applies even when Client is set.
	Timeout time.Duration
	// MinScore, when above zero, makes a successful reply whose "score" is below it a Failure
	// (reCAPTCHA v3, where 1.0 is very likely a human). A reply without a score passes on
	// "success" alone, so one setting serves v2 and Turnstile keys too. At most 1.
	MinScore float64
	// Hostnames, when set, is the list of site host names a token may have been solved on;
	// the reply's "hostname" must equal one of them, case-insensitively. It stops tokens solved
	// on another site using the same key from being replayed here.
	Hostnames []string
	// Client sends the request. Defaults to a client with Timeout. Redirects are never
	// followed, also with a Client given: following one would re-send the secret to wherever
	// the redirect points.
	Client *http.Client
}

// Verifier checks captcha response tokens against one siteverify endpoint. It is immutable
// after New and safe for concurrent use.
type Verifier struct {
	secret    string
	verifyURL string
	timeout   time.Duration
	minScore  float64
	hostnames []string // lower-cased
	client    *http.Client
	// echoes are the forms in which the secret could come back in a reply or an error text.
	echoes []string
}

// New checks cfg, applies its defaults and returns a Verifier. Errors name the field at fault
// and never contain the secret.
func New(cfg Config) (*Verifier, error) {
	if strings.TrimSpace(cfg.Secret) == "" {
		return nil, errors.New("captcha: secret is required")
	}

	verifyURL := cfg.VerifyURL
	if verifyURL == "" {
		verifyURL = DefaultVerifyURL
	}
	u, err := url.Parse(verifyURL)
	if err != nil {
		// url.Error quotes the whole URL, which may hold a password; the inner error does not.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("captcha: parsing verify URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("captcha: verify URL %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("captcha: verify URL %q: host is missing", u.Redacted())
	}

	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("captcha: timeout %v is negative", cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}

	// A score outside [0, 1] cannot be met or refused meaningfully; above 1 it would refuse
	// everyone, which is a misconfiguration rather than a policy.
	if math.IsNaN(cfg.MinScore) || cfg.MinScore < 0 || cfg.MinScore > 1 {
		return nil, fmt.Errorf("captcha: minimum score %v is outside 0..1", cfg.MinScore)
	}

	var hostnames []string
	for i, h := range cfg.Hostnames {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("captcha: hostname %d is empty", i)
		}
		hostnames = append(hostnames, strings.ToLower(h))
	}

	var client http.Client
	if cfg.Client != nil {
		client = *cfg.Client // a copy, so forcing the redirect policy does not touch the caller's
	} else {
		client.Timeout = timeout
	}
	client.CheckRedirect = refuseRedirect

	echoes := []string{cfg.Secret}
	if q := url.QueryEscape(cfg.Secret); q != cfg.Secret {
		echoes = append(echoes, q)
	}

	return &Verifier{
		secret:    cfg.Secret,
		verifyURL: u.String(),
		timeout:   timeout,
		minScore:  cfg.MinScore,
		hostnames: hostnames,
		client:    &client,
		echoes:    echoes,
	}, nil
}

// refuseRedirect hands the 3xx back to Verify, which counts it as an Error.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// String describes the Verifier without its secret, so that printing one by mistake (%v, %+v)
// cannot leak it. The receiver is a value so that printing a dereferenced Verifier is covered too.
func (v Verifier) String() string {
	return fmt.Sprintf("captcha.Verifier{url: %s, timeout: %v, min_score: %v, hostnames: %v}",
		v.verifyURL, v.timeout, v.minScore, v.hostnames)
}

// GoString is String, so that %#v cannot leak the secret either.
func (v Verifier) GoString() string { return v.String() }

// Verify asks the verifier whether response, the token the client got from the captcha widget,
// is valid; remoteIP is the client's address and is left out of the request when empty.
//
// The returned codes are for logging only: the reply's "error-codes" (at most 16, each cut to
// 128 bytes), followed, when the gateway itself decided, by one code of its own starting with
// "hostedgate-" (for example "hostedgate-timeout", "hostedgate-http-status-500",
// "hostedgate-score-below-minimum"). They never contain the secret.
func (v *Verifier) Verify(ctx context.Context, response, remoteIP string) (Result, []string) {
	// A blank token cannot be valid, and asking about it would spend the provider's quota.
	if strings.TrimSpace(response) == "" {
		return Empty, nil
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()

	form := url.Values{"secret": {v.secret}, "response": {response}}
	if remoteIP != "" {
		form.Set("remoteip", remoteIP)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.verifyURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Error, []string{v.local("bad-request: " + err.Error())}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := v.client.Do(req)
	if err != nil {
		return Error, []string{v.transportCode(parent, err)}
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Error, []string{v.local("http-status-" + strconv.Itoa(resp.StatusCode))}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return Error, []string{v.transportCode(parent, err)}
	}
	if len(body) > maxReplyBytes {
		return Error, []string{v.local("reply-too-large")}
	}
	return v.judge(body)
}

// judge turns a siteverify reply into a Result. Only the fields it needs are decoded, one by
// one, so the extra fields each provider adds (challenge_ts, action, cdata, credit, metadata...)
// pass whatever their type.
func (v *Verifier) judge(body []byte) (Result, []string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return Error, []string{v.local("invalid-reply")}
	}

	// Only the JSON boolean counts: json.Unmarshal would take null as false and we want a reply
	// without a real verdict (absent, null, "true", 1) to show up as a broken link, not as a
	// user who failed.
	var success bool
	switch string(bytes.TrimSpace(fields["success"])) {
	case "true":
		success = true
	case "false":
	default:
		return Error, []string{v.local("invalid-reply: success is not a boolean")}
	}

	codes := v.errorCodes(fields["error-codes"])
	if !success {
		return Failure, codes
	}

	if v.minScore > 0 {
		if raw, ok := fields["score"]; ok && string(bytes.TrimSpace(raw)) != "null" {
			var score float64
			if err := json.Unmarshal(raw, &score); err != nil {
				return Error, append(codes, v.local("invalid-reply: score is not a number"))
			}
			if score < v.minScore {
				return Failure, append(codes, v.local("score-below-minimum"))
			}
		}
	}

	if len(v.hostnames) > 0 {
		var hostname string
		_ = json.Unmarshal(fields["hostname"], &hostname) // absent or not a string: "" matches nothing
		if !v.hostAllowed(hostname) {
			return Failure, append(codes, v.local("hostname-mismatch"))
		}
	}
	return Success, codes
}

func (v *Verifier) hostAllowed(hostname string) bool {
	if hostname == "" {
		return false
	}
	for _, h := range v.hostnames {
		if strings.EqualFold(h, hostname) {
			return true
		}
	}
	return false
}

// errorCodes reads "error-codes", which providers send as a list of strings; a lone string is
// accepted too, and anything else is ignored, since the codes only feed a log line.
func (v *Verifier) errorCodes(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return nil
		}
		list = []string{one}
	}
	var codes []string
	for _, c := range list {
		if len(codes) == maxCodes {
			break
		}
		codes = append(codes, v.scrub(c))
	}
	return codes
}

// transportCode names why the exchange failed. The parent context is asked first, so that a
// caller who gave up (client gone, request deadline) is not reported as a slow verifier.
func (v *Verifier) transportCode(parent context.Context, err error) string {
	if parent.Err() != nil {
		return v.local("canceled")
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return v.local("timeout")
	}
	// url.Error repeats method and URL, which the log line has already; the inner error says
	// what went wrong (refused, DNS, TLS).
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return v.local("request-failed: " + err.Error())
}

func (v *Verifier) local(code string) string { return v.scrub(localPrefix + code) }

// scrub makes a string fit for a log line: the secret, in case a verifier or an error text
// echoes it, is replaced, and the length is capped without splitting a UTF-8 sequence.
func (v *Verifier) scrub(s string) string {
	for _, e := range v.echoes {
		s = strings.ReplaceAll(s, e, redacted)
	}
	if len(s) > maxCodeLen {
		s = strings.ToValidUTF8(s[:maxCodeLen], "") // drops the rune the cut split
	}
	return s
}
