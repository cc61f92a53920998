package api

import (
	"math"
	"strings"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/validate"
)

// dateLayout is how every date goes out (DECISIONS D5): UTC, no offset, no fraction.
const dateLayout = "2006-01-02T15:04:05"

// maxDateText is .NET's DateTime.MaxValue as Json.NET writes it: "no end date".
const maxDateText = "9999-12-31T23:59:59.9999999"

// fallbackTimeZone is the display name for a zone the table does not know.
const fallbackTimeZone = "(UTC) Coordinated Universal Time"

// tenantJSON is the tenant object of SPEC 6.1: exactly its 13 keys, nulls included.
type tenantJSON struct {
	Created      string  `json:"created"`
	Domain       string  `json:"domain"`
	HostedRegion *string `json:"hostedRegion"`
	Industry     int     `json:"industry"`
	Language     string  `json:"language"`
	Name         string  `json:"name"`
	OwnerID      string  `json:"ownerId"`
	PartnerID    *string `json:"partnerId"`
	PaymentID    *string `json:"paymentId"`
	PortalName   string  `json:"portalName"`
	Status       string  `json:"status"`
	TenantID     int64   `json:"tenantId"`
	TimeZoneName string  `json:"timeZoneName"`
}

// tariffJSON is the tariff object of SPEC 7.1.
type tariffJSON struct {
	ActiveUsers  int    `json:"activeUsers"`
	DueDate      string `json:"dueDate"`
	Features     string `json:"features"`
	MaxFileSize  int64  `json:"maxFileSize"`
	MaxTotalSize int64  `json:"maxTotalSize"`
	State        int    `json:"state"`
}

// TariffState values of SPEC 7.1.
const (
	stateTrial = iota
	statePaid
	stateDelay
	stateNotPaid
)

func (h *Handler) tenant(t upstream.Tenant) tenantJSON {
	domain := t.Domain
	if domain == "" {
		domain = t.Alias
		if h.cfg.BaseDomain != "" {
			domain += "." + h.cfg.BaseDomain
		}
	}
	tz := fallbackTimeZone
	if z, ok := validate.LookupTimeZone(t.TimeZone); ok {
		tz = z.DisplayName
	}
	if t.Upstream != nil && t.Upstream.TimeZoneName != "" {
		tz = t.Upstream.TimeZoneName // the upstream ApiSystem's own rendering
	}
	return tenantJSON{
		Created:      formatDate(t.Created),
		Domain:       strings.ToLower(domain),
		HostedRegion: t.HostedRegion,
		Industry:     t.Industry,
		Language:     t.Language,
		Name:         t.Name,
		OwnerID:      t.Owner.ID,
		PartnerID:    t.PartnerID,
		PaymentID:    t.PaymentID,
		PortalName:   t.Alias,
		Status:       t.Status.String(),
		TenantID:     t.ID,
		TimeZoneName: tz,
	}
}

func (h *Handler) tenants(ts []upstream.Tenant) []tenantJSON {
	out := make([]tenantJSON, len(ts))
	for i, t := range ts {
		out[i] = h.tenant(t)
	}
	return out
}

func (h *Handler) tariff(q upstream.Quota) tariffJSON {
	users := q.ActiveUsers
	if users == 0 {
		users = math.MaxInt32 // 0 stored means unlimited (SPEC 7.1)
	}
	return tariffJSON{
		ActiveUsers:  users,
		DueDate:      formatDate(q.DueDate),
		Features:     q.Features,
		MaxFileSize:  q.MaxFileSize,
		MaxTotalSize: q.MaxTotalSize,
		State:        h.tariffState(q),
	}
}

// tariffState computes TariffState when read (SPEC 7.1): tariffs written through the API are
// never trials.
func (h *Handler) tariffState(q upstream.Quota) int {
	if q.DueDate.IsZero() || q.DueDate.Year() <= 1 {
		return stateNotPaid
	}
	now := h.cfg.Now()
	switch {
	case !now.After(q.DueDate):
		return statePaid
	case !now.After(q.DueDate.Add(h.cfg.PaymentDelay)):
		return stateDelay
	default:
		return stateNotPaid
	}
}

func formatDate(t time.Time) string {
	if t.Year() >= 9999 {
		return maxDateText
	}
	return t.UTC().Format(dateLayout)
}
