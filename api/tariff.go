package api

import (
	"fmt"

	"github.com/hostedgate/hostedgate/upstream"
)

type tariffAnswer struct {
	Tenant tenantJSON `json:"tenant"`
	Tariff tariffJSON `json:"tariff"`
}

func serveTariffGet(c *call) {
	sel, ok := c.selector()
	if c.paramsFailed() {
		return
	}
	if !ok {
		c.fail(failPortalNameEmpty)
		return
	}
	t, q, err := c.h.cfg.Store.Tariff(c.r.Context(), sel)
	if err != nil {
		c.lookupFailed(err)
		return
	}
	c.ok(tariffAnswer{Tenant: c.h.tenant(t), Tariff: c.h.tariff(q)})
}

// serveTariffSet replaces the quota as a whole (D21). hostedgate refuses negative sizes and
// user counts with params, where the real server would store them.
func serveTariffSet(c *call) {
	b := &c.bind
	sel, ok := c.selector()
	users, _ := b.integer("ActiveUsers", 32)
	due, _ := b.date("DueDate")
	features, _ := b.str("Features", 0)
	fileSize, _ := b.integer("MaxFileSize", 64)
	totalSize, _ := b.integer("MaxTotalSize", 64)
	for _, f := range []struct {
		name string
		v    int64
	}{{"ActiveUsers", users}, {"MaxFileSize", fileSize}, {"MaxTotalSize", totalSize}} {
		if f.v < 0 {
			b.fail(fmt.Sprintf("The field %s must not be negative.", f.name))
		}
	}
	if c.paramsFailed() {
		return
	}
	if !ok {
		c.fail(failPortalNameEmpty)
		return
	}
	// The store normalises (defaults, MiB truncation): a forwarding store must send the
	// values as asked, or its upstream would normalise them a second time.
	asked := upstream.Quota{ActiveUsers: int(users), DueDate: due, Features: features, MaxFileSize: fileSize, MaxTotalSize: totalSize}
	t, saved, err := c.h.cfg.Store.SetTariff(c.r.Context(), sel, asked)
	if err != nil {
		c.lookupFailed(err)
		return
	}
	c.ok(tariffAnswer{Tenant: c.h.tenant(t), Tariff: c.h.tariff(saved)})
}

// serveTariffAll lists the configured plans as paid, never-ending tariffs (SPEC 2A.9).
func serveTariffAll(c *call) {
	out := make([]tariffJSON, len(c.h.cfg.Tariffs))
	for i, q := range c.h.cfg.Tariffs {
		tj := c.h.tariff(q)
		tj.DueDate, tj.State = maxDateText, statePaid
		out[i] = tj
	}
	c.ok(map[string][]tariffJSON{"tariffs": out})
}
