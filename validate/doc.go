// Package validate holds the input rules of the Hosted Solution API that do
// not depend on stored state: portal names, e-mail addresses, owner names,
// passwords, languages and time zones (SPEC section 4).
//
// The rules mirror what the ONLYOFFICE servers do rather than what their docs
// say, because clients have been written against the servers. Where Go's
// regexp (RE2) differs from .NET's, the difference is handled in code and
// noted next to it. The package imports no Caddy code so that its tests build
// in seconds and the API layer can use it without a running server.
package validate
