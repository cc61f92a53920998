package upstream

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is a tenant's TenantStatus (SPEC 6.2); its integer values are the wire values.
type Status int

// TenantStatus values, in their wire order.
const (
	Active Status = iota
	Suspended
	RemovePending
	Transfering
	Restoring
	Migrating
	Encryption
)

var statusNames = [...]string{"Active", "Suspended", "RemovePending", "Transfering", "Restoring", "Migrating", "Encryption"}

// String returns the status name the API renders ("Active"); unknown values render as digits.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return strconv.Itoa(int(s))
}

// ParseStatus reads a status name (case-insensitive) or its integer value.
func ParseStatus(v string) (Status, error) {
	v = strings.TrimSpace(v)
	for i, n := range statusNames {
		if strings.EqualFold(v, n) {
			return Status(i), nil
		}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(statusNames) {
		return Status(n), nil
	}
	return 0, fmt.Errorf("unknown tenant status %q", v)
}

// Tenant is one portal as the stores keep it. The API layer renders it as the 13-key tenant
// object of SPEC 6.1; fields a backend cannot know stay zero.
type Tenant struct {
	ID int64 `json:"id"`
	// Alias is the lower-case portal name; after removal alias+"_deleted"+N.
	Alias string `json:"alias"`
	// Domain is the full host name when the backend knows it (a forwarding store copies the
	// upstream's); empty means the API derives alias + "." + base domain.
	Domain string `json:"domain,omitempty"`
	// HostedRegion is nil right after registration (SPEC 2A.2), as the real server has it.
	HostedRegion *string `json:"hostedRegion,omitempty"`
	Industry     int     `json:"industry"`
	// Language is the culture name (de-DE).
	Language string `json:"language"`
	// Name is the portal title.
	Name string `json:"name"`
	// TimeZone is the zone id the tenant was registered with (Windows or IANA id); the API
	// renders its display name.
	TimeZone      string    `json:"timeZone"`
	PartnerID     *string   `json:"partnerId,omitempty"`
	PaymentID     *string   `json:"paymentId,omitempty"`
	Status        Status    `json:"status"`
	Created       time.Time `json:"created"`
	StatusChanged time.Time `json:"statusChanged"`
	Owner         Owner     `json:"owner"`
	// Marketing holds the register flags and tracking fields, kept but never rendered.
	Marketing Marketing `json:"marketing"`
	// Upstream is set by a forwarding backend only; stores never persist it.
	Upstream *UpstreamView `json:"-"`
}

// Owner is the tenant's owner user. PasswordHash is an argon2id PHC string or empty; the
// plaintext never reaches a store's disk.
type Owner struct {
	ID           string `json:"id"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Email        string `json:"email"`
	Phone        string `json:"phone,omitempty"`
	PasswordHash string `json:"passwordHash,omitempty"`
}

// Marketing holds what register accepts for the provider's records only.
type Marketing struct {
	Spam        bool   `json:"spam,omitempty"`
	Calls       bool   `json:"calls,omitempty"`
	Analytics   bool   `json:"analytics,omitempty"`
	AffiliateID string `json:"affiliateId,omitempty"`
	Campaign    string `json:"campaign,omitempty"`
}

// Password is an owner password on its way to a store. It prints and marshals as a
// placeholder, so a log line or an error that carries a request never shows it.
type Password string

// String hides the password.
func (Password) String() string { return "[redacted]" }

// GoString hides the password from %#v.
func (Password) GoString() string { return "[redacted]" }

// MarshalJSON hides the password from JSON encoders (zap's reflection encoder included).
func (Password) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// Reveal returns the plaintext, for the hasher or a forwarding backend only.
func (p Password) Reveal() string { return string(p) }

// RegisterRequest is a validated registration. Tenant carries every field but ID, Created,
// StatusChanged, Status and Owner.ID/PasswordHash, which the store assigns.
type RegisterRequest struct {
	Tenant Tenant
	// Password is empty when the caller gave none; a storing backend hashes it, a forwarding
	// backend passes it on.
	Password Password
	// MaxActive > 0 makes the store refuse with ErrPortalLimit once that many tenants are Active.
	MaxActive int
	// LanguageKey and TimeZoneName are the language and timeZoneName the caller sent (after
	// trimming), which a forwarding backend passes on for the upstream to map itself.
	LanguageKey, TimeZoneName string
}

// Quota is a tenant's tariff as stored: byte sizes already in their round-tripped form
// (see NormalizeQuota) and the due date in UTC.
type Quota struct {
	ActiveUsers  int       `json:"activeUsers"`
	DueDate      time.Time `json:"dueDate"`
	Features     string    `json:"features"`
	MaxFileSize  int64     `json:"maxFileSize"`
	MaxTotalSize int64     `json:"maxTotalSize"`
}
