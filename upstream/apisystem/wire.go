package apisystem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hostedgate/hostedgate/upstream"
)

// dateLayout is how a date goes to the upstream: UTC without an offset, as the ApiSystem
// writes its own dates (SPEC 1.4).
const dateLayout = "2006-01-02T15:04:05"

// Request bodies: the store's own encoding of validated values, members in the order of the
// spec's models. Optional members are omitted when unset, so the upstream applies its own
// defaults rather than ours.

type registerBody struct {
	PortalName   string `json:"portalName"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Email        string `json:"email"`
	Password     string `json:"password,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Language     string `json:"language"`
	TimeZoneName string `json:"timeZoneName,omitempty"`
	Industry     int    `json:"industry"`
	Spam         bool   `json:"spam"`
	Calls        bool   `json:"calls"`
	Analytics    bool   `json:"analytics"`
	PartnerID    string `json:"partnerId,omitempty"`
	AffiliateID  string `json:"affiliateId,omitempty"`
	Campaign     string `json:"campaign,omitempty"`
}

// selectorBody is the shared tenant look-up in a body: tenantId when the selector has one,
// else portalName, so the upstream's precedence never has to decide.
type selectorBody struct {
	TenantID   *int64 `json:"tenantId,omitempty"`
	PortalName string `json:"portalName,omitempty"`
}

func selectorOf(sel upstream.Selector) selectorBody {
	if sel.HasID {
		id := sel.ID
		return selectorBody{TenantID: &id}
	}
	return selectorBody{PortalName: sel.Alias}
}

// selectorQuery is the shared tenant look-up in a query.
func selectorQuery(sel upstream.Selector) url.Values {
	if sel.HasID {
		return url.Values{"tenantId": {strconv.FormatInt(sel.ID, 10)}}
	}
	return url.Values{"portalName": {sel.Alias}}
}

type statusBody struct {
	selectorBody
	Status string `json:"status"`
}

type tariffBody struct {
	selectorBody
	ActiveUsers  int    `json:"activeUsers"`
	Features     string `json:"features"`
	MaxFileSize  int64  `json:"maxFileSize"`
	MaxTotalSize int64  `json:"maxTotalSize"`
	DueDate      string `json:"dueDate,omitempty"`
}

type settingBody struct {
	selectorBody
	Key   string `json:"key"`
	Value string `json:"value"`
}

// tenantWire is the tenant object of SPEC 6.1. Every member is a pointer so that an absent
// one is told from a zero one; DocSpace omits its null members and adds members of its own,
// which are ignored.
type tenantWire struct {
	Created      *string         `json:"created"`
	Domain       *string         `json:"domain"`
	HostedRegion *string         `json:"hostedRegion"`
	Industry     *int            `json:"industry"`
	Language     *string         `json:"language"`
	Name         *string         `json:"name"`
	OwnerID      *string         `json:"ownerId"`
	PartnerID    *string         `json:"partnerId"`
	PaymentID    *string         `json:"paymentId"`
	PortalName   *string         `json:"portalName"`
	Status       json.RawMessage `json:"status"`
	TenantID     *int64          `json:"tenantId"`
	TimeZoneName *string         `json:"timeZoneName"`
}

// tenant converts the object; tenantId, portalName and status are required, as no answer
// about a tenant can lack them.
func (w *tenantWire) tenant() (upstream.Tenant, error) {
	switch {
	case w == nil:
		return upstream.Tenant{}, errors.New("no tenant object")
	case w.TenantID == nil:
		return upstream.Tenant{}, errors.New("the tenant has no tenantId")
	case w.PortalName == nil || *w.PortalName == "":
		return upstream.Tenant{}, errors.New("the tenant has no portalName")
	}
	status, err := parseStatus(w.Status)
	if err != nil {
		return upstream.Tenant{}, fmt.Errorf("the tenant's status: %w", err)
	}
	t := upstream.Tenant{
		ID:           *w.TenantID,
		Alias:        *w.PortalName,
		Domain:       text(w.Domain),
		HostedRegion: w.HostedRegion,
		Language:     text(w.Language),
		Name:         text(w.Name),
		PartnerID:    w.PartnerID,
		PaymentID:    w.PaymentID,
		Status:       status,
		Owner:        upstream.Owner{ID: text(w.OwnerID)},
		// Only the upstream knows how it renders its zones, so the API shows its name.
		Upstream: &upstream.UpstreamView{TimeZoneName: text(w.TimeZoneName)},
	}
	if w.Industry != nil {
		t.Industry = *w.Industry
	}
	if w.Created != nil {
		if t.Created, err = parseDate(*w.Created); err != nil {
			return upstream.Tenant{}, fmt.Errorf("the tenant's created: %w", err)
		}
	}
	return t, nil
}

func text(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// parseStatus reads a status name (Workspace, DocSpace) or its integer value.
func parseStatus(raw json.RawMessage) (upstream.Status, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, errors.New("missing")
	}
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return upstream.ParseStatus(name)
	}
	var n int
	if json.Unmarshal(raw, &n) == nil && n >= 0 {
		return upstream.Status(n), nil
	}
	return 0, fmt.Errorf("%s is no tenant status", raw)
}

// parseDate reads the ApiSystem's dates: 2006-01-02T15:04:05 with an optional fraction (up to
// .NET's seven digits) and an optional Z or offset; a date without one is UTC, as the
// upstream stores UTC without saying so.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}

// tariffWire is the tariff object of SPEC 7.1; state is computed by the API when rendered.
type tariffWire struct {
	ActiveUsers  *int    `json:"activeUsers"`
	DueDate      *string `json:"dueDate"`
	Features     *string `json:"features"`
	MaxFileSize  *int64  `json:"maxFileSize"`
	MaxTotalSize *int64  `json:"maxTotalSize"`
}

func (w *tariffWire) quota() (upstream.Quota, error) {
	switch {
	case w == nil:
		return upstream.Quota{}, errors.New("no tariff object")
	case w.ActiveUsers == nil || w.DueDate == nil || w.MaxFileSize == nil || w.MaxTotalSize == nil:
		return upstream.Quota{}, errors.New("the tariff lacks activeUsers, dueDate, maxFileSize or maxTotalSize")
	}
	due, err := parseDate(*w.DueDate)
	if err != nil {
		return upstream.Quota{}, fmt.Errorf("the tariff's dueDate: %w", err)
	}
	// "9999-12-31T23:59:59.9999999" is MaxValue; DocSpace's MaxValue - 1s and any other date
	// of year 9999 mean "no end" just as well (upstream.NormalizeQuota).
	if due.Year() >= 9999 {
		due = upstream.MaxDate
	}
	return upstream.Quota{
		ActiveUsers:  *w.ActiveUsers,
		DueDate:      due,
		Features:     text(w.Features),
		MaxFileSize:  *w.MaxFileSize,
		MaxTotalSize: *w.MaxTotalSize,
	}, nil
}

// The 2xx answers, each with the members its call needs.

type registerAnswer struct {
	Reference        *string     `json:"reference"`
	Tenant           *tenantWire `json:"tenant"`
	ReferenceWelcome *string     `json:"referenceWelcome"`

	tenant upstream.Tenant
}

func (a *registerAnswer) parse() (err error) {
	if a.tenant, err = a.Tenant.tenant(); err != nil {
		return err
	}
	if a.Reference == nil || *a.Reference == "" {
		return errors.New("no reference")
	}
	// The links are signed by the upstream with its portals' key; hostedgate could not mint them.
	a.tenant.Upstream.Reference = *a.Reference
	a.tenant.Upstream.ReferenceWelcome = a.ReferenceWelcome
	return nil
}

type nameAnswer struct {
	Message *string `json:"message"`
}

func (a *nameAnswer) parse() error {
	// Only this exact answer says "free"; a 200 of anything else (a stray proxy page) must
	// not let a registration through as if the name had been checked.
	if a.Message == nil || *a.Message != "portalNameReadyToRegister" {
		return errors.New(`no "message":"portalNameReadyToRegister"`)
	}
	return nil
}

type tenantAnswer struct {
	Tenant *tenantWire `json:"tenant"`

	tenant upstream.Tenant
}

func (a *tenantAnswer) parse() (err error) {
	a.tenant, err = a.Tenant.tenant()
	return err
}

type tariffAnswer struct {
	Tenant *tenantWire `json:"tenant"`
	Tariff *tariffWire `json:"tariff"`

	tenant upstream.Tenant
	quota  upstream.Quota
}

func (a *tariffAnswer) parse() (err error) {
	if a.tenant, err = a.Tenant.tenant(); err != nil {
		return err
	}
	a.quota, err = a.Tariff.quota()
	return err
}

type portalsAnswer struct {
	Tenants *[]*tenantWire `json:"tenants"`

	tenants []upstream.Tenant
}

func (a *portalsAnswer) parse() error {
	if a.Tenants == nil {
		return errors.New("no tenants array")
	}
	a.tenants = make([]upstream.Tenant, 0, len(*a.Tenants))
	for i, w := range *a.Tenants {
		t, err := w.tenant()
		if err != nil {
			return fmt.Errorf("tenants[%d]: %w", i, err)
		}
		a.tenants = append(a.tenants, t)
	}
	return nil
}

// settingsAnswer is {"settings": string|null}; after a save the value must be a string, as
// it is the one just saved.
type settingsAnswer struct {
	Settings json.RawMessage `json:"settings"`

	saved bool
	value *string
}

func (a *settingsAnswer) parse() error {
	if len(a.Settings) == 0 {
		return errors.New("no settings member")
	}
	if string(a.Settings) == "null" {
		if a.saved {
			return errors.New("settings is null after a save")
		}
		return nil
	}
	var v string
	if err := json.Unmarshal(a.Settings, &v); err != nil {
		return errors.New("settings is neither a string nor null")
	}
	a.value = &v
	return nil
}
