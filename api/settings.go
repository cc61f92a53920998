package api

import (
	"strings"

	"github.com/hostedgate/hostedgate/upstream"
)

type settingsAnswer struct {
	Settings *string `json:"settings"`
}

// settingsSelector is the look-up of SPEC 2A.10: tenantId -1 is the installation-wide scope.
func (c *call) settingsSelector() (upstream.Selector, bool) {
	sel, ok := c.selector()
	if ok && sel.HasID && sel.ID == upstream.GlobalScope {
		return upstream.ByID(upstream.GlobalScope), true
	}
	return sel, ok
}

// tenantExists answers portalNameNotFound (or a store failure) when sel names no tenant, so
// a missing key or value is reported only for a tenant that exists, in the server's order.
func (c *call) tenantExists(sel upstream.Selector) bool {
	if sel.HasID && sel.ID == upstream.GlobalScope {
		return true
	}
	if _, err := c.h.cfg.Store.Tenant(c.r.Context(), sel); err != nil {
		c.lookupFailed(err)
		return false
	}
	return true
}

func serveSettingsGet(c *call) {
	sel, ok := c.settingsSelector()
	key, _ := c.bind.str("Key", 255)
	if c.paramsFailed() {
		return
	}
	if !ok {
		c.fail(failPortalNameEmpty)
		return
	}
	if strings.TrimSpace(key) == "" {
		if c.tenantExists(sel) {
			c.fail(failKeyRequired)
		}
		return
	}
	v, found, err := c.h.cfg.Store.Setting(c.r.Context(), sel, key)
	if err != nil {
		c.lookupFailed(err)
		return
	}
	ans := settingsAnswer{}
	if found {
		ans.Settings = &v
	}
	c.ok(ans)
}

func serveSettingsSave(c *call) {
	if c.in.empty() {
		c.fail(failPortalNameEmpty)
		return
	}
	sel, ok := c.settingsSelector()
	key, _ := c.bind.str("Key", 255)
	val, _ := c.bind.str("Value", 0)
	if c.paramsFailed() {
		return
	}
	if !ok {
		c.fail(failPortalNameEmpty)
		return
	}
	if strings.TrimSpace(key) == "" || val == "" {
		if c.tenantExists(sel) {
			if strings.TrimSpace(key) == "" {
				c.fail(failKeyRequired)
			} else {
				c.fail(failValueEmpty)
			}
		}
		return
	}
	saved, err := c.h.cfg.Store.SaveSetting(c.r.Context(), sel, key, val)
	if err != nil {
		c.lookupFailed(err)
		return
	}
	c.ok(settingsAnswer{Settings: &saved})
}
