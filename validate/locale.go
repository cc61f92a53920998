package validate

import "strings"

// workspaceCultures is the Workspace register endpoint's language map
// (SPEC 4.7, DECISIONS D15). The key is looked up exactly, so "en" and
// "de-DE" fall through to the default like any other unknown value.
var workspaceCultures = map[string]string{
	"":   "en-US",
	"fr": "fr-FR",
	"es": "es-ES",
	"de": "de-DE",
	"ru": "ru-RU",
	"lv": "lv-LV",
	"pt": "pt-BR",
	"it": "it-IT",
	"tr": "tr-TR",
	"id": "id-ID",
	"zh": "zh-CN",
	"ja": "ja-JP",
	"ko": "ko-KR",
	"az": "az-Latn-AZ",
	"cs": "cs-CZ",
	"el": "el-GR",
	"fi": "fi-FI",
	"pl": "pl-PL",
	"uk": "uk-UA",
	"vi": "vi-VN",
}

// defaultCulture is what the servers fall back to for every key they lack.
const defaultCulture = "en-US"

// Culture returns the culture name a new portal gets for the register
// endpoint's language field, which is also the tenant's language output.
func Culture(language string) string {
	if c, ok := workspaceCultures[language]; ok {
		return c
	}
	return defaultCulture
}

// languageTimeZones is the time zone a new portal gets when the request
// names none or one the gateway does not know (SPEC 4.7). The servers key it
// by the same language value as the culture; their quirks are kept, such as
// Indonesian getting London and Portuguese getting Cuiaba.
var languageTimeZones = map[string]string{
	"fr": "Europe/Paris",
	"es": "Europe/Madrid",
	"de": "Europe/Berlin",
	"ru": "Europe/Moscow",
	"lv": "Europe/Riga",
	"pt": "America/Cuiaba",
	"it": "Europe/Rome",
	"tr": "Europe/Istanbul",
	"id": "Europe/London",
	"zh": "Asia/Shanghai",
	"ja": "Asia/Tokyo",
	"ko": "Asia/Seoul",
	"az": "Asia/Baku",
	"cs": "Europe/Warsaw",
	"el": "Europe/Warsaw",
	"fi": "Europe/Warsaw",
	"pl": "Europe/Warsaw",
	"uk": "Europe/Kiev",
	"vi": "Asia/Shanghai",
}

// defaultTimeZone is the servers' fallback, Windows "GMT Standard Time".
const defaultTimeZone = "Europe/London"

// DefaultTimeZone returns the IANA id of the time zone a new portal gets
// from its language alone. Every id it returns is known to LookupTimeZone.
func DefaultTimeZone(language string) string {
	if tz, ok := languageTimeZones[language]; ok {
		return tz
	}
	return defaultTimeZone
}

// TimeZone is one Windows time zone as the API reports it.
type TimeZone struct {
	// ID is the canonical IANA id of the zone: the one CLDR maps the
	// Windows zone to for territory 001, whichever id it was looked up by.
	ID string
	// WindowsID is the Windows id, such as "W. Europe Standard Time".
	WindowsID string
	// DisplayName is the .NET display name with the standard offset, such as
	// "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", the
	// text the servers put in the tenant's timeZoneName.
	DisplayName string
}

// windowsZone is one row of the windowsZones table; iana[0] is canonical.
type windowsZone struct {
	windowsID string
	display   string
	iana      []string
}

// Look-up indexes over windowsZones, keyed lower-case. They are built once
// at start so that a look-up is two map reads and no table scan.
var (
	zonesByWindowsID = make(map[string]*windowsZone, len(windowsZones))
	zonesByIANA      = make(map[string]*windowsZone, 640)
)

func init() {
	for i := range windowsZones {
		z := &windowsZones[i]
		zonesByWindowsID[strings.ToLower(z.windowsID)] = z
		for _, id := range z.iana {
			zonesByIANA[strings.ToLower(id)] = z
		}
	}
}

// LookupTimeZone resolves the register endpoint's timeZoneName: a Windows id
// ("Russian Standard Time") or an IANA id ("Europe/Moscow", "UTC"), matched
// case-insensitively like .NET's FindSystemTimeZoneById, surrounding white
// space ignored. Windows ids are tried first, as Workspace does. Display
// names are not ids and are not accepted; ok is false for them and for any
// unknown id, which the servers silently ignore.
//
// The table is built in, not read from the system tzdata, so the answer is
// the same on every host.
func LookupTimeZone(id string) (tz TimeZone, ok bool) {
	key := strings.ToLower(strings.TrimSpace(id))
	z, ok := zonesByWindowsID[key]
	if !ok {
		z, ok = zonesByIANA[key]
	}
	if !ok {
		return TimeZone{}, false
	}
	return z.timeZone(), true
}

func (z *windowsZone) timeZone() TimeZone {
	return TimeZone{ID: z.iana[0], WindowsID: z.windowsID, DisplayName: z.display}
}
