package validate

import "regexp"

// emailPattern is the Workspace e-mail regex of SPEC 4.4. Two things differ
// from the .NET text, and only in spelling: \" is written as a plain quote,
// and .NET's \s, which is Unicode white space, is spelled out because RE2's
// \s is ASCII only. RE2's $ matches only at the very end, where .NET's also
// matches before a final newline; callers trim, so the stricter form costs
// nothing.
var emailPattern = regexp.MustCompile(
	`^(([^<>()\[\]\\.,;:\t\n\v\f\r\x{85}\p{Z}@"]+(\.[^<>()\[\]\\.,;:\t\n\v\f\r\x{85}\p{Z}@"]+)*)|(".+"))` +
		`@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$`)

// Email reports whether s is an e-mail address the Workspace register
// endpoint accepts. It matches s as given; the caller trims, as the server
// trims before it validates.
func Email(s string) bool {
	return emailPattern.MatchString(s)
}
