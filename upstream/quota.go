package upstream

import "time"

// MaxDate is .NET's DateTime.MaxValue in UTC, the due date meaning "no end" (SPEC 7.1). The API
// renders it as the literal 9999-12-31T23:59:59.9999999, so it keeps the 100 ns tick.
var MaxDate = time.Date(9999, time.December, 31, 23, 59, 59, 999999900, time.UTC)

// Quota defaults of tariff/set (SPEC 7.2), before the storage round trip.
const (
	defaultActiveUsers  = 10000
	defaultMaxFileSize  = 1 << 30     // 1 GiB
	defaultMaxTotalSize = 1<<40 - 1   // 1 TiB - 1, which the round trip turns into 1099510579200
	mib                 = 1 << 20     // the unit the reference stores sizes below 2^40 in
	mibStorageLimit     = mib * mib   // sizes from here on are stored as bytes
	maxDueYear          = 9999        // a due date in this year or later reads back as MaxDate
	minDueYear          = 1           // 0001-01-01 is .NET's default(DateTime): "not sent"; later days of year 1 are real dates
	dueDatePrecision    = time.Second // the reference's tariff stamp column has whole seconds
)

// DefaultQuota returns the quota of a tenant whose tariff was never set, in its stored form:
// the tariff/set defaults of SPEC 7.2 after the save-and-read round trip, so the total size is
// 1099510579200 and not 1 TiB - 1, exactly as the reference server answers.
func DefaultQuota() Quota {
	return NormalizeQuota(0, time.Time{}, "", 0, 0)
}

// NormalizeQuota builds the quota tariff/set stores from the request values (SPEC 7.2): every
// zero value takes its default, the byte sizes go through the reference's MiB storage round
// trip, and the due date becomes UTC with whole seconds. A zero due date or one in year 0001
// (how Json.NET reads "not sent" and "0001-01-01") and one in year 9999 or later become
// MaxDate. The result is what a later read returns, so stores keep it as given.
//
// Negative values are not rejected here: the reference stores them too, and whether to refuse
// them is a validation decision of the API layer.
func NormalizeQuota(activeUsers int, dueDate time.Time, features string, maxFileSize, maxTotalSize int64) Quota {
	q := Quota{
		ActiveUsers:  defaultActiveUsers,
		DueDate:      MaxDate,
		Features:     features,
		MaxFileSize:  defaultMaxFileSize,
		MaxTotalSize: defaultMaxTotalSize,
	}
	if activeUsers != 0 {
		q.ActiveUsers = activeUsers
	}
	if maxFileSize != 0 {
		q.MaxFileSize = maxFileSize
	}
	if maxTotalSize != 0 {
		q.MaxTotalSize = maxTotalSize
	}
	q.MaxFileSize = storedSize(q.MaxFileSize)
	q.MaxTotalSize = storedSize(q.MaxTotalSize)
	if !dueDate.IsZero() {
		d := dueDate.UTC().Truncate(dueDatePrecision)
		notSent := d.Year() == minDueYear && d.YearDay() == 1
		if y := d.Year(); y >= minDueYear && y < maxDueYear && !notSent {
			q.DueDate = d
		}
	}
	return q
}

// storedSize is a byte size after the reference's save and read (DbQuotaService): saved as
// whole MiB below 2^40, as bytes from 2^40 on; read back multiplied by 1 MiB when below 1 MiB.
// Division truncates toward zero in C# as in Go, so negative values match the reference too.
func storedSize(b int64) int64 {
	if b < mibStorageLimit {
		b /= mib
	}
	if b < mib {
		b *= mib
	}
	return b
}
