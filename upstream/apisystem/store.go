package apisystem

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hostedgate/hostedgate/upstream"
)

// Register creates the portal upstream (POST portal/register). The body carries the caller's
// language and timeZoneName as sent, for the upstream to map with its own tables, and the
// password in plain text, which only the upstream may hash.
//
// req.MaxActive is not on the wire: the upstream applies its own portal limit, and its
// portalsCountTooMuch answer is upstream.ErrPortalLimit. A local count would be a check
// followed by a write on another machine, which no transaction can settle.
func (s *Store) Register(ctx context.Context, req upstream.RegisterRequest) (upstream.Tenant, error) {
	t := req.Tenant
	body := registerBody{
		PortalName:   t.Alias,
		FirstName:    t.Owner.FirstName,
		LastName:     t.Owner.LastName,
		Email:        t.Owner.Email,
		Password:     req.Password.Reveal(),
		Phone:        t.Owner.Phone,
		Language:     req.LanguageKey,
		TimeZoneName: req.TimeZoneName,
		Industry:     t.Industry,
		Spam:         t.Marketing.Spam,
		Calls:        t.Marketing.Calls,
		Analytics:    t.Marketing.Analytics,
		AffiliateID:  t.Marketing.AffiliateID,
		Campaign:     t.Marketing.Campaign,
	}
	if t.PartnerID != nil {
		body.PartnerID = *t.PartnerID
	}
	var a registerAnswer
	err := s.send(ctx, call{method: http.MethodPost, endpoint: "portal/register", body: body}, &a)
	return a.tenant, err
}

// CheckName asks the upstream's validateportalname whether alias is free. prefix is unused:
// the upstream derives the variants with its own rules, and it names them only when the
// alias is taken, so a free alias has no variants here.
func (s *Store) CheckName(ctx context.Context, alias, prefix string) (upstream.NameCheck, error) {
	var a nameAnswer
	err := s.send(ctx, call{method: http.MethodPost, endpoint: "portal/validateportalname",
		body: struct {
			PortalName string `json:"portalName"`
		}{alias}}, &a)
	var taken *nameTaken
	switch {
	case errors.As(err, &taken):
		variants := slices.Clone(taken.variants)
		if variants == nil {
			variants = []string{}
		}
		slices.Sort(variants)
		return upstream.NameCheck{Taken: true, Variants: variants}, nil
	case err != nil:
		return upstream.NameCheck{}, err
	}
	return upstream.NameCheck{Variants: []string{}}, nil
}

// Tenant reads one tenant through tariff/get, the upstream's only look-up that finds a
// tenant in any status.
func (s *Store) Tenant(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	var a tariffAnswer
	err := s.send(ctx, call{method: http.MethodGet, endpoint: "tariff/get", query: selectorQuery(sel), sel: &sel}, &a)
	return a.tenant, err
}

// FindPortals asks portal/get, which computes the union itself. portal/get has one email
// parameter for an e-mail address and an owner id alike, so a query with both asks twice and
// merges the answers.
func (s *Store) FindPortals(ctx context.Context, q upstream.PortalQuery) ([]upstream.Tenant, error) {
	first := url.Values{}
	switch {
	case q.Email != "":
		first.Set("email", q.Email)
	case q.OwnerID != "":
		first.Set("email", q.OwnerID)
	}
	if q.Alias != "" {
		first.Set("portalName", q.Alias)
	}
	if q.HasID {
		first.Set("tenantId", strconv.FormatInt(q.ID, 10))
	}
	queries := []url.Values{first}
	if q.Email != "" && q.OwnerID != "" {
		queries = append(queries, url.Values{"email": {q.OwnerID}})
	}
	var found []upstream.Tenant
	for _, query := range queries {
		var a portalsAnswer
		if err := s.send(ctx, call{method: http.MethodGet, endpoint: "portal/get", query: query}, &a); err != nil {
			return nil, err
		}
		found = append(found, a.tenants...)
	}
	if len(queries) > 1 {
		slices.SortStableFunc(found, func(a, b upstream.Tenant) int { return compareIDs(a.ID, b.ID) })
		found = slices.CompactFunc(found, func(a, b upstream.Tenant) bool { return a.ID == b.ID })
	}
	if found == nil {
		found = []upstream.Tenant{} // encodes as [], not null
	}
	return found, nil
}

func compareIDs(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SetStatus sets the status through portal/status, which knows only Active and Suspended
// (SPEC 2A.4 coerces every other status to Suspended), so any status but Active is sent as
// Suspended and the tenant returned carries what the upstream saved.
func (s *Store) SetStatus(ctx context.Context, sel upstream.Selector, status upstream.Status) (upstream.Tenant, error) {
	name := upstream.Suspended.String()
	if status == upstream.Active {
		name = upstream.Active.String()
	}
	var a tenantAnswer
	err := s.send(ctx, call{method: http.MethodPut, endpoint: "portal/status", sel: &sel,
		body: statusBody{selectorBody: selectorOf(sel), Status: name}}, &a)
	return a.tenant, err
}

// Remove soft-deletes the tenant through portal/remove and returns the tenant as it answers
// it: as it was before the removal.
func (s *Store) Remove(ctx context.Context, sel upstream.Selector) (upstream.Tenant, error) {
	var a tenantAnswer
	err := s.send(ctx, call{method: http.MethodDelete, endpoint: "portal/remove", query: selectorQuery(sel), sel: &sel}, &a)
	return a.tenant, err
}

// Tariff reads the tenant and its quota through tariff/get.
func (s *Store) Tariff(ctx context.Context, sel upstream.Selector) (upstream.Tenant, upstream.Quota, error) {
	var a tariffAnswer
	err := s.send(ctx, call{method: http.MethodGet, endpoint: "tariff/get", query: selectorQuery(sel), sel: &sel}, &a)
	return a.tenant, a.quota, err
}

// SetTariff replaces the quota through tariff/set and returns the quota the upstream re-read.
// q goes on as the caller asked for it: the upstream applies the defaults and the MiB
// truncation of SPEC 7.2 itself, and normalising twice is not the same. A zero or "no end"
// due date is left out, which the upstream reads as MaxValue.
func (s *Store) SetTariff(ctx context.Context, sel upstream.Selector, q upstream.Quota) (upstream.Tenant, upstream.Quota, error) {
	body := tariffBody{
		selectorBody: selectorOf(sel),
		ActiveUsers:  q.ActiveUsers,
		Features:     q.Features,
		MaxFileSize:  q.MaxFileSize,
		MaxTotalSize: q.MaxTotalSize,
	}
	if !q.DueDate.IsZero() && !q.DueDate.Equal(upstream.MaxDate) {
		body.DueDate = q.DueDate.UTC().Format(dateLayout)
	}
	var a tariffAnswer
	err := s.send(ctx, call{method: http.MethodPut, endpoint: "tariff/set", body: body, sel: &sel}, &a)
	return a.tenant, a.quota, err
}

// Setting reads one value through settings/get; tenantId -1 is the upstream's global scope
// too, so ByID(GlobalScope) needs nothing special.
func (s *Store) Setting(ctx context.Context, sel upstream.Selector, key string) (string, bool, error) {
	query := selectorQuery(sel)
	query.Set("key", key)
	var a settingsAnswer
	if err := s.send(ctx, call{method: http.MethodGet, endpoint: "settings/get", query: query, sel: &sel}, &a); err != nil {
		return "", false, err
	}
	if a.value == nil {
		return "", false, nil
	}
	return *a.value, true, nil
}

// SaveSetting stores one value through settings/save and returns it as the upstream re-read it.
func (s *Store) SaveSetting(ctx context.Context, sel upstream.Selector, key, value string) (string, error) {
	a := settingsAnswer{saved: true}
	err := s.send(ctx, call{method: http.MethodPost, endpoint: "settings/save", sel: &sel,
		body: settingBody{selectorBody: selectorOf(sel), Key: key, Value: value}}, &a)
	if err != nil {
		return "", err
	}
	return *a.value, nil
}
