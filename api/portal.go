package api

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/hostedgate/hostedgate/auth"
	"github.com/hostedgate/hostedgate/captcha"
	"github.com/hostedgate/hostedgate/ratelimit"
	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/validate"
)

// selector reads the shared tenant look-up of SPEC 2A ("GetTenant"): tenantId wins over
// portalName. ok is false when neither names a tenant.
func (c *call) selector() (sel upstream.Selector, ok bool) {
	if id, present := c.bind.integer("TenantId", 64); present {
		return upstream.ByID(id), true
	}
	name, _ := c.bind.str("PortalName", 255)
	if name = strings.TrimSpace(name); name == "" {
		return upstream.Selector{}, false
	}
	return upstream.ByAlias(strings.ToLower(name)), true
}

// paramsFailed answers params when binding collected errors.
func (c *call) paramsFailed() bool {
	if len(c.bind.errs) == 0 {
		return false
	}
	c.fail(paramsFailure(c.bind.errs))
	return true
}

// lookupFailed answers a failed tenant operation: not found is the caller's mistake; an
// upstream's own error passes on; anything else is a broken store.
func (c *call) lookupFailed(err error) {
	if errors.Is(err, upstream.ErrNotFound) {
		c.fail(failPortalNameNotFound)
		return
	}
	c.storeFailure(failInternal, err)
}

// checkPortalName runs SPEC 4.1-4.3 (validateportalname, and register step 5) and returns the
// lower-case alias when the name is free. broken answers a store that cannot be asked.
func (c *call) checkPortalName(name string, broken Failure) (string, bool) {
	names := c.h.cfg.PortalNames
	alias, err := names.Check(name)
	switch {
	case errors.Is(err, validate.ErrPortalNameEmpty):
		c.fail(failPortalNameEmpty)
		return "", false
	case errors.Is(err, validate.ErrPortalNameLength):
		c.fail(failTooShort)
		return "", false
	case err != nil:
		c.fail(failPortalNameIncorrect)
		return "", false
	}
	prefix := names.VariantPrefix(alias)
	check, err := c.h.cfg.Store.CheckName(c.r.Context(), alias, prefix)
	if err != nil {
		c.storeFailure(broken, err)
		return "", false
	}
	if check.Taken || names.Reserved(alias) {
		c.fail(withVariants(mergeVariants(names.ReservedWithPrefix(prefix), check.Variants)))
		return "", false
	}
	return alias, true
}

// mergeVariants is the de-duplicated, sorted union of SPEC 4.3 (sorted per D13).
func mergeVariants(lists ...[]string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, l := range lists {
		for _, v := range l {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	sort.Strings(out)
	return out
}

func serveValidatePortalName(c *call) {
	if c.in.empty() {
		c.fail(failPortalNameEmpty)
		return
	}
	name, _ := c.bind.str("PortalName", 0)
	if len(c.bind.errs) > 0 {
		c.fail(unreadableNameFailure(c.bind.errs[0]))
		return
	}
	if _, ok := c.checkPortalName(name, failValidateBroken); ok {
		c.ok(map[string]string{"message": "portalNameReadyToRegister"})
	}
}

// registration is what register reads from its body, in the model's field order.
type registration struct {
	portalName, firstName, lastName, email string
	password                               string
	phone, language, timeZone              string
	industry                               int64
	spam, calls, analytics, skipWelcome    bool
	partnerID, affiliateID, campaign       string
	recaptcha, appKey                      string
}

// bindRegistration reads the register model and collects its model-state errors (SPEC 2A.2
// step 2): required members, lengths, the e-mail, and scalars that do not convert.
func (c *call) bindRegistration() registration {
	b := &c.bind
	required := func(field string, max int) string {
		if !b.has(field) {
			b.fail(fmt.Sprintf("The %s field is required.", field))
			return ""
		}
		s, _ := b.str(field, max)
		return s
	}
	var m registration
	m.portalName = required("PortalName", 255)
	m.firstName = required("FirstName", 255)
	m.lastName = required("LastName", 255)
	before := len(b.errs)
	m.email, _ = b.str("Email", 255)
	m.email = strings.TrimSpace(m.email)
	if len(b.errs) == before && !validate.Email(m.email) {
		b.fail("emailIncorrect")
	}
	m.password, _ = b.str("Password", c.h.cfg.Password.MaxLength)
	m.phone, _ = b.str("Phone", 32)
	m.language, _ = b.str("Language", 7)
	m.timeZone, _ = b.str("TimeZoneName", 255)
	m.industry, _ = b.integer("Industry", 32)
	m.spam = b.boolean("Spam")
	m.calls = b.boolean("Calls")
	m.analytics = b.boolean("Analytics")
	m.partnerID, _ = b.str("PartnerId", 255)
	m.affiliateID, _ = b.str("AffiliateId", 255)
	m.campaign, _ = b.str("Campaign", 0)
	m.recaptcha, _ = b.str("RecaptchaResponse", 0)
	m.appKey, _ = b.str("AppKey", 0)
	m.skipWelcome = b.boolean("SkipWelcome")
	b.str("Module", 38)
	b.str("Region", 20)
	return m
}

func serveRegister(c *call) {
	h := c.h
	if c.in.empty() {
		c.fail(failPortalNameEmpty)
		return
	}
	m := c.bindRegistration()
	if c.paramsFailed() {
		return
	}
	if m.password != "" && !h.cfg.Password.Check(m.password) {
		c.fail(failPassPolicy)
		return
	}
	firstName, lastName := strings.TrimSpace(m.firstName), strings.TrimSpace(m.lastName)
	if err := h.cfg.Names.Check(firstName, lastName); err != nil {
		if errors.Is(err, validate.ErrNameRequired) {
			c.fail(failNameRequired)
		} else {
			c.fail(failNameIncorrect)
		}
		return
	}
	// A store that cannot be asked fails the registration as creation would.
	alias, ok := c.checkPortalName(m.portalName, failRegisterBroken)
	if !ok {
		return
	}
	// Steps 6 and 7: counted only here, after every field check passed (SPEC 5.1).
	testEmail := h.cfg.TestEmails.Match(m.email)
	if !testEmail && !c.client.Exempt && h.cfg.Limiter != nil &&
		!h.cfg.Limiter.Attempt(ratelimit.ClientKey(c.client.IP)) {
		h.cfg.Observer.LimitRefused("attempts")
		c.fail(failTooMuchAttempts)
		return
	}
	if !testEmail && h.cfg.Captcha != nil && !h.appKeys[m.appKey] {
		result, codes := h.cfg.Captcha.Verify(c.r.Context(), m.recaptcha, c.client.IP)
		h.cfg.Observer.Captcha(result)
		if result != captcha.Success {
			h.cfg.Logger.Debug("recaptcha refused", zap.String("result", string(result)),
				zap.Strings("error_codes", codes), zap.String("client_ip", c.client.IP))
			c.fail(failRecaptchaInvalid)
			return
		}
	}

	language := strings.TrimSpace(m.language)
	zone := validate.DefaultTimeZone(language)
	if z, found := validate.LookupTimeZone(strings.TrimSpace(m.timeZone)); found {
		zone = z.ID
	}
	t := upstream.Tenant{
		Alias:    alias,
		Industry: int(m.industry),
		Language: validate.Culture(language),
		Name:     h.cfg.PortalTitle,
		TimeZone: zone,
		Owner: upstream.Owner{
			FirstName: firstName,
			LastName:  lastName,
			Email:     m.email,
			Phone:     strings.TrimSpace(m.phone),
		},
		Marketing: upstream.Marketing{
			Spam: m.spam, Calls: m.calls, Analytics: m.analytics,
			AffiliateID: m.affiliateID, Campaign: m.campaign,
		},
	}
	// partnerId is kept only when it is a GUID (SPEC 2A.2), in its canonical form; of the
	// spellings uuid.Parse knows, .NET's Guid.TryParse has no "urn:uuid:".
	if p := strings.TrimSpace(m.partnerID); !strings.HasPrefix(strings.ToLower(p), "urn:") {
		if id, err := uuid.Parse(p); err == nil {
			s := id.String()
			t.PartnerID = &s
		}
	}
	created, err := h.cfg.Store.Register(c.r.Context(), upstream.RegisterRequest{
		Tenant:       t,
		Password:     upstream.Password(m.password),
		MaxActive:    h.cfg.MaxPortals,
		LanguageKey:  language,
		TimeZoneName: strings.TrimSpace(m.timeZone),
	})
	switch {
	case errors.Is(err, upstream.ErrNameTaken):
		// Another registration of the name won the race after step 5: answer as step 5 would.
		// Should the name read free again by now (a forwarding store's upstream may disagree
		// with itself), the answer is still that it was taken.
		if _, free := c.checkPortalName(alias, failRegisterBroken); free {
			c.fail(withVariants([]string{alias}))
		}
		return
	case errors.Is(err, upstream.ErrPortalLimit):
		c.fail(failPortalsCountTooMuch)
		return
	case err != nil:
		c.storeFailure(failRegisterBroken, err)
		return
	}
	h.cfg.Logger.Info("portal registered", zap.String("portal", created.Alias),
		zap.Int64("tenant_id", created.ID), zap.String("client_ip", c.client.IP))
	c.ok(h.registered(created, c.client.Scheme, m.password != ""))
}

// registeredJSON is register's answer (SPEC 2A.2), keys in the server's order.
type registeredJSON struct {
	Reference        string     `json:"reference"`
	Tenant           tenantJSON `json:"tenant"`
	ReferenceWelcome *string    `json:"referenceWelcome"`
}

// registered builds register's answer. hostedgate holds no portal to deliver the welcome
// e-mail, so the congratulation call of SPEC 2A.2 counts as not made: first=true, and with a
// password referenceWelcome carries the congratulation link for the provider to follow.
func (h *Handler) registered(t upstream.Tenant, scheme string, withPassword bool) registeredJSON {
	tj := h.tenant(t)
	if up := t.Upstream; up != nil && up.Reference != "" {
		// Forwarded: the upstream signed these with the portals' key.
		return registeredJSON{Reference: up.Reference, Tenant: tj, ReferenceWelcome: up.ReferenceWelcome}
	}
	now := h.cfg.Now()
	key := auth.ConfirmKey(t.Owner.Email+"Auth"+"true", t.ID, h.cfg.ReferenceKey, now)
	out := registeredJSON{
		Reference: fmt.Sprintf("%s://%s/confirm.aspx?type=Auth&key=%s&email=%s&first=true",
			scheme, tj.Domain, key, url.QueryEscape(t.Owner.Email)),
		Tenant: tj,
	}
	if withPassword {
		welcomeKey := auth.ConfirmKey(t.Owner.ID+"Auth", t.ID, h.cfg.ReferenceKey, now)
		welcome := fmt.Sprintf("%s://%s/api/2.0/portal/sendcongratulations?userid=%s&key=%s",
			scheme, tj.Domain, t.Owner.ID, welcomeKey)
		out.ReferenceWelcome = &welcome
	}
	return out
}

func serveGet(c *call) {
	b := &c.bind
	email, _ := b.str("Email", 255)
	name, _ := b.str("PortalName", 255)
	id, hasID := b.integer("TenantId", 64)
	if c.paramsFailed() {
		return
	}
	q := upstream.PortalQuery{Alias: strings.ToLower(strings.TrimSpace(name)), ID: id, HasID: hasID}
	if email = strings.TrimSpace(email); email != "" {
		// A value without '@' is a user id (SPEC 2A.6).
		if strings.Contains(email, "@") {
			q.Email = email
		} else {
			q.OwnerID = strings.ToLower(email)
		}
	}
	ts, err := c.h.cfg.Store.FindPortals(c.r.Context(), q)
	if err != nil {
		c.storeFailure(failInternal, err)
		return
	}
	c.ok(map[string][]tenantJSON{"tenants": c.h.tenants(ts)})
}

type tenantAnswer struct {
	Tenant tenantJSON `json:"tenant"`
}

func serveRemove(c *call) {
	sel, ok := c.selector()
	if c.paramsFailed() {
		return
	}
	if !ok {
		c.fail(failPortalNameEmpty)
		return
	}
	before, err := c.h.cfg.Store.Remove(c.r.Context(), sel)
	if err != nil {
		c.lookupFailed(err)
		return
	}
	c.h.cfg.Logger.Info("portal removed", zap.String("portal", before.Alias), zap.Int64("tenant_id", before.ID))
	c.ok(tenantAnswer{Tenant: c.h.tenant(before)})
}

// bindStatus reads status as DECISIONS D16 says: absent is Active, a TenantStatus name or any
// integer is accepted, and everything but Active becomes Suspended (SPEC 2A.4).
func (c *call) bindStatus() upstream.Status {
	v, ok := c.in.lookup("status")
	if !ok || v.kind == kindNull {
		return upstream.Active
	}
	text := strings.TrimSpace(v.text)
	if v.kind == kindText || v.kind == kindNumber {
		if st, err := upstream.ParseStatus(text); err == nil {
			return coerceStatus(st)
		}
		if _, err := strconv.ParseInt(text, 10, 64); err == nil {
			return upstream.Suspended
		}
	}
	c.bind.invalid("Status")
	return upstream.Active
}

func coerceStatus(st upstream.Status) upstream.Status {
	if st == upstream.Active {
		return upstream.Active
	}
	return upstream.Suspended
}

func serveStatus(c *call) {
	sel, ok := c.selector()
	status := c.bindStatus()
	if c.paramsFailed() {
		return
	}
	if !ok {
		c.fail(failPortalNameEmpty)
		return
	}
	t, err := c.h.cfg.Store.SetStatus(c.r.Context(), sel, status)
	if err != nil {
		c.lookupFailed(err)
		return
	}
	c.h.cfg.Logger.Info("portal status changed", zap.String("portal", t.Alias),
		zap.Int64("tenant_id", t.ID), zap.Stringer("status", t.Status))
	c.ok(tenantAnswer{Tenant: c.h.tenant(t)})
}
