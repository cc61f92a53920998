package upstream

import (
	"testing"
	"time"
)

func TestMaxDateIsDotNetMaxValue(t *testing.T) {
	if got, want := MaxDate.Format("2006-01-02T15:04:05.0000000"), "9999-12-31T23:59:59.9999999"; got != want {
		t.Fatalf("MaxDate = %s, want %s", got, want)
	}
	if MaxDate.Location() != time.UTC {
		t.Fatalf("MaxDate location = %v, want UTC", MaxDate.Location())
	}
}

func TestDefaultQuota(t *testing.T) {
	want := Quota{
		ActiveUsers:  10000,
		DueDate:      MaxDate,
		Features:     "",
		MaxFileSize:  1073741824,
		MaxTotalSize: 1099510579200,
	}
	if got := DefaultQuota(); !sameQuota(got, want) {
		t.Fatalf("DefaultQuota() = %+v, want %+v", got, want)
	}
}

// TestNormalizeQuotaSizes covers every round trip SPEC 7.2 lists, for both size fields.
func TestNormalizeQuotaSizes(t *testing.T) {
	tests := []struct {
		name     string
		in, want int64
	}{
		{"100 MiB kept", 104857600, 104857600},
		{"1 GiB kept", 1073741824, 1073741824},
		{"truncated to whole MiB", 1500000, 1048576},
		{"below 1 MiB becomes 0", 1000, 0},
		{"1 TiB - 1 truncated", 1099511627775, 1099510579200},
		{"2^40 stored as bytes", 1099511627776, 1099511627776},
		{"above 2^40 not truncated", 1099511627777, 1099511627777},
		{"exactly 1 MiB", 1048576, 1048576},
		{"1 MiB - 1", 1048575, 0},
		{"negative truncates toward zero", -2000000, -1048576},
		{"small negative becomes 0", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NormalizeQuota(0, time.Time{}, "", tt.in, tt.in)
			if q.MaxFileSize != tt.want {
				t.Errorf("MaxFileSize(%d) = %d, want %d", tt.in, q.MaxFileSize, tt.want)
			}
			if q.MaxTotalSize != tt.want {
				t.Errorf("MaxTotalSize(%d) = %d, want %d", tt.in, q.MaxTotalSize, tt.want)
			}
			// The stored form is a fixed point: saving what was read changes nothing.
			again := NormalizeQuota(q.ActiveUsers, q.DueDate, q.Features, q.MaxFileSize, q.MaxTotalSize)
			if tt.want != 0 && (again.MaxFileSize != q.MaxFileSize || again.MaxTotalSize != q.MaxTotalSize) {
				t.Errorf("second round trip changed %d to %d/%d", q.MaxFileSize, again.MaxFileSize, again.MaxTotalSize)
			}
		})
	}
}

func TestNormalizeQuotaDefaults(t *testing.T) {
	q := NormalizeQuota(0, time.Time{}, "", 0, 0)
	if q.ActiveUsers != 10000 || q.MaxFileSize != 1073741824 || q.MaxTotalSize != 1099510579200 ||
		q.Features != "" || !q.DueDate.Equal(MaxDate) {
		t.Fatalf("NormalizeQuota(zero) = %+v", q)
	}
	q = NormalizeQuota(25, time.Time{}, "whitelabel,portals:5", 0, 0)
	if q.ActiveUsers != 25 || q.Features != "whitelabel,portals:5" {
		t.Fatalf("NormalizeQuota kept %+v", q)
	}
	// A negative user count is a non-zero value, so it replaces the default as in the reference.
	if q := NormalizeQuota(-3, time.Time{}, "", 0, 0); q.ActiveUsers != -3 {
		t.Fatalf("ActiveUsers(-3) = %d", q.ActiveUsers)
	}
}

func TestNormalizeQuotaDueDate(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*60*60)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"absent", time.Time{}, MaxDate},
		{"0001-01-01", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), MaxDate},
		{"later in year 0001 is a real (past) date", time.Date(1, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(1, 6, 1, 12, 0, 0, 0, time.UTC)},
		{"date only", time.Date(2016, 7, 13, 0, 0, 0, 0, time.UTC), time.Date(2016, 7, 13, 0, 0, 0, 0, time.UTC)},
		{"offset converted to UTC", time.Date(2016, 7, 13, 0, 0, 0, 0, plus2), time.Date(2016, 7, 12, 22, 0, 0, 0, time.UTC)},
		{"fraction dropped", time.Date(2016, 7, 13, 1, 2, 3, 456789000, time.UTC), time.Date(2016, 7, 13, 1, 2, 3, 0, time.UTC)},
		{"year 9998 kept", time.Date(9998, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(9998, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"year 9999 is MaxDate", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), MaxDate},
		{"MaxDate itself", MaxDate, MaxDate},
		{"beyond 9999", time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), MaxDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeQuota(0, tt.in, "", 0, 0).DueDate
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("DueDate(%v) = %v, want %v UTC", tt.in, got, tt.want)
			}
		})
	}
}

func sameQuota(a, b Quota) bool {
	return a.ActiveUsers == b.ActiveUsers && a.Features == b.Features && a.MaxFileSize == b.MaxFileSize &&
		a.MaxTotalSize == b.MaxTotalSize && a.DueDate.Equal(b.DueDate)
}
