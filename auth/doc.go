// Package auth checks and mints the "ASC" tokens that callers of the Hosted Solution API put in
// the Authorization header (SPEC 3, DECISIONS D7-D11), and mints the portal e-mail confirmation
// key of SPEC 6.4.
//
// A token is "ASC pkey:yyyyMMddHHmmss:hash", where hash is HMAC-SHA1 keyed with the machine key
// over date+"\n"+pkey. The reference servers disagree on how the hash is written, and the docs'
// samples emit four different text forms, so the Verifier decodes whichever of the five Base64
// forms it meets back into the 20-byte MAC and compares bytes, never text.
//
// The package knows nothing of HTTP statuses or Caddy: Verify returns one of a few sentinel
// errors and the API layer turns them into responses in one place.
package auth
