package validate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests check the table against Go's copy of tzdata
)

func TestCulture(t *testing.T) {
	tests := map[string]string{
		"": "en-US", "fr": "fr-FR", "es": "es-ES", "de": "de-DE", "ru": "ru-RU",
		"lv": "lv-LV", "pt": "pt-BR", "it": "it-IT", "tr": "tr-TR", "id": "id-ID",
		"zh": "zh-CN", "ja": "ja-JP", "ko": "ko-KR", "az": "az-Latn-AZ", "cs": "cs-CZ",
		"el": "el-GR", "fi": "fi-FI", "pl": "pl-PL", "uk": "uk-UA", "vi": "vi-VN",
		// Exact, case-sensitive keys: everything else is en-US.
		"en": "en-US", "en-US": "en-US", "de-DE": "en-US", "DE": "en-US", " de": "en-US",
		"nl": "en-US", "pt-BR": "en-US", "xx": "en-US",
	}
	for lang, want := range tests {
		if got := Culture(lang); got != want {
			t.Errorf("Culture(%q) = %q; want %q", lang, got, want)
		}
	}
}

func TestDefaultTimeZone(t *testing.T) {
	tests := map[string]string{
		"": "Europe/London", "fr": "Europe/Paris", "es": "Europe/Madrid",
		"de": "Europe/Berlin", "ru": "Europe/Moscow", "lv": "Europe/Riga",
		"pt": "America/Cuiaba", "it": "Europe/Rome", "tr": "Europe/Istanbul",
		"id": "Europe/London", "zh": "Asia/Shanghai", "ja": "Asia/Tokyo",
		"ko": "Asia/Seoul", "az": "Asia/Baku", "cs": "Europe/Warsaw",
		"el": "Europe/Warsaw", "fi": "Europe/Warsaw", "pl": "Europe/Warsaw",
		"uk": "Europe/Kiev", "vi": "Asia/Shanghai",
		"en": "Europe/London", "de-DE": "Europe/London", "xx": "Europe/London",
	}
	for lang, want := range tests {
		got := DefaultTimeZone(lang)
		if got != want {
			t.Errorf("DefaultTimeZone(%q) = %q; want %q", lang, got, want)
		}
		if _, ok := LookupTimeZone(got); !ok {
			t.Errorf("DefaultTimeZone(%q) = %q, which LookupTimeZone does not know", lang, got)
		}
	}
	if tz, _ := LookupTimeZone(DefaultTimeZone("")); tz.WindowsID != "GMT Standard Time" {
		t.Errorf("the default zone is %q; want GMT Standard Time", tz.WindowsID)
	}
}

func TestLookupTimeZone(t *testing.T) {
	berlin := TimeZone{"Europe/Berlin", "W. Europe Standard Time", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"}
	utc := TimeZone{"Etc/UTC", "UTC", "(UTC) Coordinated Universal Time"}
	kyiv := TimeZone{"Europe/Kiev", "FLE Standard Time", "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius"}
	moscow := TimeZone{"Europe/Moscow", "Russian Standard Time", "(UTC+03:00) Moscow, St. Petersburg"}
	london := TimeZone{"Europe/London", "GMT Standard Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London"}
	eastern := TimeZone{"America/New_York", "Eastern Standard Time", "(UTC-05:00) Eastern Time (US & Canada)"}
	india := TimeZone{"Asia/Calcutta", "India Standard Time", "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi"}
	tests := []struct {
		id   string
		want TimeZone
	}{
		{"W. Europe Standard Time", berlin},
		{"w. europe standard time", berlin},
		{"Europe/Berlin", berlin},
		{"EUROPE/BERLIN", berlin},
		{"Europe/Vienna", berlin},
		{" Europe/Berlin ", berlin},
		{"UTC", utc},
		{"utc", utc},
		{"Etc/UTC", utc},
		{"Etc/GMT", utc},
		{"GMT", utc},
		{"Europe/Kiev", kyiv},
		{"Europe/Kyiv", kyiv},
		{"FLE Standard Time", kyiv},
		{"Russian Standard Time", moscow},
		{"Europe/Moscow", moscow},
		{"GMT Standard Time", london},
		{"Europe/London", london},
		{"Europe/Dublin", london},
		{"Eastern Standard Time", eastern},
		{"America/New_York", eastern},
		{"US/Eastern", eastern},
		{"Asia/Calcutta", india},
		{"Asia/Kolkata", india},
	}
	for _, tt := range tests {
		got, ok := LookupTimeZone(tt.id)
		if !ok || got != tt.want {
			t.Errorf("LookupTimeZone(%q) = %+v, %v; want %+v", tt.id, got, ok, tt.want)
		}
	}
	for _, id := range []string{
		"", "Mars/Olympus_Mons", "(UTC) Coordinated Universal Time",
		"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
		"W. Europe", "Berlin", "Europe/", "+01:00", "Factory",
	} {
		if got, ok := LookupTimeZone(id); ok {
			t.Errorf("LookupTimeZone(%q) = %+v; want not found", id, got)
		}
	}
}

var displayPattern = regexp.MustCompile(`^\(UTC(?:([+-])(0\d|1[0-4]):([0-5]\d))?\) \S.*\S$`)

// TestTimeZoneTable checks the invariants the look-ups depend on and that
// every id is one tzdata knows, which catches a typo in the hand-kept table.
func TestTimeZoneTable(t *testing.T) {
	if n := len(windowsZones); n < 135 {
		t.Errorf("the table has %d Windows zones; Windows 10/11 has about 140", n)
	}
	windows := map[string]bool{}
	iana := map[string]string{}
	lastOffset := -24 * 60
	for _, z := range windowsZones {
		if !strings.HasPrefix(z.display, "(UTC") {
			t.Errorf("%s: display name %q does not start with (UTC", z.windowsID, z.display)
		}
		m := displayPattern.FindStringSubmatch(z.display)
		if m == nil {
			t.Errorf("%s: display name %q is not (UTC±hh:mm) text", z.windowsID, z.display)
			continue
		}
		if (m[1] == "") != (z.windowsID == "UTC") {
			t.Errorf("%s: only the UTC zone is shown as plain (UTC): %q", z.windowsID, z.display)
		}
		offset := 0
		if m[1] != "" {
			h, _ := strconv.Atoi(m[2])
			mm, _ := strconv.Atoi(m[3])
			offset = h*60 + mm
			if m[1] == "-" {
				offset = -offset
			}
		}
		if offset < lastOffset {
			t.Errorf("%s: %q is out of Windows' order", z.windowsID, z.display)
		}
		lastOffset = offset

		key := strings.ToLower(z.windowsID)
		if windows[key] {
			t.Errorf("duplicate Windows id %q", z.windowsID)
		}
		windows[key] = true
		if len(z.iana) == 0 {
			t.Errorf("%s: no IANA id", z.windowsID)
		}
		for _, id := range z.iana {
			if prev, dup := iana[strings.ToLower(id)]; dup {
				t.Errorf("IANA id %q is in both %s and %s", id, prev, z.windowsID)
			}
			iana[strings.ToLower(id)] = z.windowsID
			if _, err := time.LoadLocation(id); err != nil {
				t.Errorf("%s: %v", z.windowsID, err)
			}
		}
	}
	for _, z := range windowsZones {
		want := TimeZone{ID: z.iana[0], WindowsID: z.windowsID, DisplayName: z.display}
		if got, ok := LookupTimeZone(z.windowsID); !ok || got != want {
			t.Errorf("LookupTimeZone(%q) = %+v, %v; want %+v", z.windowsID, got, ok, want)
		}
		for _, id := range z.iana {
			if got, ok := LookupTimeZone(id); !ok || got != want {
				t.Errorf("LookupTimeZone(%q) = %+v, %v; want %+v", id, got, ok, want)
			}
		}
		// A Windows id that is also an IANA id (only UTC) must mean the
		// same zone both ways.
		if other, ok := iana[strings.ToLower(z.windowsID)]; ok && other != z.windowsID {
			t.Errorf("Windows id %q is an IANA id of %s", z.windowsID, other)
		}
	}
}

// TestTimeZoneDisplayOffsets compares each display name's offset with the
// standard offset tzdata gives its canonical IANA id, so that a zone that
// moved (Amman, Volgograd, Greenland, Asuncion) is noticed.
func TestTimeZoneDisplayOffsets(t *testing.T) {
	for _, z := range windowsZones {
		loc, err := time.LoadLocation(z.iana[0])
		if err != nil {
			t.Fatal(err)
		}
		// The smaller of the January and July offsets is the standard one,
		// north or south of the equator.
		_, jan := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC).In(loc).Zone()
		_, jul := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC).In(loc).Zone()
		std := min(jan, jul)
		want := "(UTC)"
		if z.windowsID != "UTC" {
			sign := '+'
			if std < 0 {
				sign, std = '-', -std
			}
			want = "(UTC" + string(sign) + pad2(std/3600) + ":" + pad2(std%3600/60) + ")"
		}
		if !strings.HasPrefix(z.display, want) {
			t.Errorf("%s: display %q; %s keeps %s", z.windowsID, z.display, z.iana[0], want)
		}
	}
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
