// Package captcha checks the captcha response token that register carries in recaptchaResponse
// (SPEC 5.2, DECISIONS D18) against a siteverify endpoint.
//
// The one form it speaks, a POST of secret, response and remoteip answered by JSON with a boolean
// "success", is the one reCAPTCHA v2 and v3, hCaptcha and Cloudflare Turnstile all accept, so
// pointing VerifyURL at any of them is enough to switch provider.
//
// Verify reports how the check ended as a Result rather than an error, because every ending that
// is not Success maps to the same API answer (recaptchaInvalid) and the caller only needs to tell
// them apart in a metric and a log line. The secret never leaves the request body: it is not in
// any error, Result or returned code, and a verifier that echoes it has it redacted.
//
// The package imports no Caddy code, so its tests build in seconds.
package captcha
