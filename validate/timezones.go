package validate

// windowsZones lists every time zone of Windows 10/11 (the registry key
// HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Time Zones), in the
// order Windows shows them.
//
// Where the data comes from:
//   - Windows ids and the IANA ids mapped to them: Unicode CLDR
//     common/supplemental/windowsZones.xml (the release that splits Almaty and
//     Qostanay off Central Asia Standard Time). The territory "001" id comes
//     first and is the canonical one; the other territories' ids follow in
//     CLDR's order, then the IANA names CLDR does not list but tzdata still
//     accepts (current names such as Europe/Kyiv or Asia/Kolkata for CLDR's
//     stable Europe/Kiev and Asia/Calcutta, and the links of tzdata's
//     "backward" file), each placed with the zone its link target maps to.
//     America/Coyhaique (tzdata 2025b, permanent UTC-03) is not in CLDR yet
//     and sits with Punta Arenas, which keeps the same time.
//   - Display names: the .NET TimeZoneInfo.DisplayName (the registry's
//     "Display" value) of an up-to-date Windows 10/11, which CLDR quotes in its
//     comments; where Windows has since followed a change of standard offset
//     (Amman, Damascus, Volgograd, Greenland, Asuncion) or renamed a zone
//     (La Paz, Mazatlan; Kyiv) the current text is used. A test checks every
//     id against Go's embedded tzdata.
//
// Left out: "Mid-Atlantic Standard Time" and "Kamchatka Standard Time", the
// two "- Old" zones Windows keeps for compatibility, which CLDR maps to no
// IANA zone; Antarctica/Troll and Factory, which no Windows zone matches.
var windowsZones = [...]windowsZone{
	{"Dateline Standard Time", "(UTC-12:00) International Date Line West", []string{
		"Etc/GMT+12",
	}},
	{"UTC-11", "(UTC-11:00) Coordinated Universal Time-11", []string{
		"Etc/GMT+11", "Pacific/Pago_Pago", "Pacific/Niue", "Pacific/Midway", "Pacific/Samoa",
		"US/Samoa",
	}},
	{"Aleutian Standard Time", "(UTC-10:00) Aleutian Islands", []string{
		"America/Adak", "America/Atka", "US/Aleutian",
	}},
	{"Hawaiian Standard Time", "(UTC-10:00) Hawaii", []string{
		"Pacific/Honolulu", "Pacific/Rarotonga", "Pacific/Tahiti", "Etc/GMT+10", "HST",
		"Pacific/Johnston", "US/Hawaii",
	}},
	{"Marquesas Standard Time", "(UTC-09:30) Marquesas Islands", []string{
		"Pacific/Marquesas",
	}},
	{"Alaskan Standard Time", "(UTC-09:00) Alaska", []string{
		"America/Anchorage", "America/Juneau", "America/Metlakatla", "America/Nome",
		"America/Sitka", "America/Yakutat", "US/Alaska",
	}},
	{"UTC-09", "(UTC-09:00) Coordinated Universal Time-09", []string{
		"Etc/GMT+9", "Pacific/Gambier",
	}},
	{"Pacific Standard Time (Mexico)", "(UTC-08:00) Baja California", []string{
		"America/Tijuana", "America/Ensenada", "America/Santa_Isabel", "Mexico/BajaNorte",
	}},
	{"UTC-08", "(UTC-08:00) Coordinated Universal Time-08", []string{
		"Etc/GMT+8", "Pacific/Pitcairn",
	}},
	{"Pacific Standard Time", "(UTC-08:00) Pacific Time (US & Canada)", []string{
		"America/Los_Angeles", "America/Vancouver", "Canada/Pacific", "PST8PDT", "US/Pacific",
	}},
	{"US Mountain Standard Time", "(UTC-07:00) Arizona", []string{
		"America/Phoenix", "America/Creston", "America/Dawson_Creek", "America/Fort_Nelson",
		"America/Hermosillo", "Etc/GMT+7", "MST", "US/Arizona",
	}},
	{"Mountain Standard Time (Mexico)", "(UTC-07:00) La Paz, Mazatlan", []string{
		"America/Mazatlan", "Mexico/BajaSur",
	}},
	{"Mountain Standard Time", "(UTC-07:00) Mountain Time (US & Canada)", []string{
		"America/Denver", "America/Edmonton", "America/Cambridge_Bay", "America/Inuvik",
		"America/Ciudad_Juarez", "America/Boise", "America/Shiprock", "America/Yellowknife",
		"Canada/Mountain", "MST7MDT", "Navajo", "US/Mountain",
	}},
	{"Yukon Standard Time", "(UTC-07:00) Yukon", []string{
		"America/Whitehorse", "America/Dawson", "Canada/Yukon",
	}},
	{"Central America Standard Time", "(UTC-06:00) Central America", []string{
		"America/Guatemala", "America/Belize", "America/Costa_Rica", "Pacific/Galapagos",
		"America/Tegucigalpa", "America/Managua", "America/El_Salvador", "Etc/GMT+6",
	}},
	{"Central Standard Time", "(UTC-06:00) Central Time (US & Canada)", []string{
		"America/Chicago", "America/Winnipeg", "America/Rankin_Inlet", "America/Resolute",
		"America/Matamoros", "America/Ojinaga", "America/Indiana/Knox",
		"America/Indiana/Tell_City", "America/Menominee", "America/North_Dakota/Beulah",
		"America/North_Dakota/Center", "America/North_Dakota/New_Salem", "America/Knox_IN",
		"America/Rainy_River", "CST6CDT", "Canada/Central", "US/Central", "US/Indiana-Starke",
	}},
	{"Easter Island Standard Time", "(UTC-06:00) Easter Island", []string{
		"Pacific/Easter", "Chile/EasterIsland",
	}},
	{"Central Standard Time (Mexico)", "(UTC-06:00) Guadalajara, Mexico City, Monterrey", []string{
		"America/Mexico_City", "America/Bahia_Banderas", "America/Merida", "America/Monterrey",
		"America/Chihuahua", "Mexico/General",
	}},
	{"Canada Central Standard Time", "(UTC-06:00) Saskatchewan", []string{
		"America/Regina", "America/Swift_Current", "Canada/Saskatchewan",
	}},
	{"SA Pacific Standard Time", "(UTC-05:00) Bogota, Lima, Quito, Rio Branco", []string{
		"America/Bogota", "America/Rio_Branco", "America/Eirunepe", "America/Coral_Harbour",
		"America/Guayaquil", "America/Jamaica", "America/Cayman", "America/Panama",
		"America/Lima", "Etc/GMT+5", "America/Atikokan", "America/Porto_Acre", "Brazil/Acre",
		"EST", "Jamaica",
	}},
	{"Eastern Standard Time (Mexico)", "(UTC-05:00) Chetumal", []string{
		"America/Cancun",
	}},
	{"Eastern Standard Time", "(UTC-05:00) Eastern Time (US & Canada)", []string{
		"America/New_York", "America/Nassau", "America/Toronto", "America/Iqaluit",
		"America/Detroit", "America/Indiana/Petersburg", "America/Indiana/Vincennes",
		"America/Indiana/Winamac", "America/Kentucky/Monticello", "America/Louisville",
		"America/Kentucky/Louisville", "America/Montreal", "America/Nipigon",
		"America/Pangnirtung", "America/Thunder_Bay", "Canada/Eastern", "EST5EDT", "US/Eastern",
		"US/Michigan",
	}},
	{"Haiti Standard Time", "(UTC-05:00) Haiti", []string{
		"America/Port-au-Prince",
	}},
	{"Cuba Standard Time", "(UTC-05:00) Havana", []string{
		"America/Havana", "Cuba",
	}},
	{"US Eastern Standard Time", "(UTC-05:00) Indiana (East)", []string{
		"America/Indianapolis", "America/Indiana/Marengo", "America/Indiana/Vevay",
		"America/Fort_Wayne", "America/Indiana/Indianapolis", "US/East-Indiana",
	}},
	{"Turks And Caicos Standard Time", "(UTC-05:00) Turks and Caicos", []string{
		"America/Grand_Turk",
	}},
	{"Atlantic Standard Time", "(UTC-04:00) Atlantic Time (Canada)", []string{
		"America/Halifax", "Atlantic/Bermuda", "America/Glace_Bay", "America/Goose_Bay",
		"America/Moncton", "America/Thule", "Canada/Atlantic",
	}},
	{"Venezuela Standard Time", "(UTC-04:00) Caracas", []string{
		"America/Caracas",
	}},
	{"Central Brazilian Standard Time", "(UTC-04:00) Cuiaba", []string{
		"America/Cuiaba", "America/Campo_Grande",
	}},
	{"SA Western Standard Time", "(UTC-04:00) Georgetown, La Paz, Manaus, San Juan", []string{
		"America/La_Paz", "America/Antigua", "America/Anguilla", "America/Aruba",
		"America/Barbados", "America/St_Barthelemy", "America/Kralendijk", "America/Manaus",
		"America/Boa_Vista", "America/Porto_Velho", "America/Blanc-Sablon", "America/Curacao",
		"America/Dominica", "America/Santo_Domingo", "America/Grenada", "America/Guadeloupe",
		"America/Guyana", "America/St_Kitts", "America/St_Lucia", "America/Marigot",
		"America/Martinique", "America/Montserrat", "America/Puerto_Rico",
		"America/Lower_Princes", "America/Port_of_Spain", "America/St_Vincent",
		"America/Tortola", "America/St_Thomas", "Etc/GMT+4", "America/Virgin", "Brazil/West",
	}},
	{"Pacific SA Standard Time", "(UTC-04:00) Santiago", []string{
		"America/Santiago", "Chile/Continental",
	}},
	{"Newfoundland Standard Time", "(UTC-03:30) Newfoundland", []string{
		"America/St_Johns", "Canada/Newfoundland",
	}},
	{"Tocantins Standard Time", "(UTC-03:00) Araguaina", []string{
		"America/Araguaina",
	}},
	{"Paraguay Standard Time", "(UTC-03:00) Asuncion", []string{
		"America/Asuncion",
	}},
	{"E. South America Standard Time", "(UTC-03:00) Brasilia", []string{
		"America/Sao_Paulo", "Brazil/East",
	}},
	{"SA Eastern Standard Time", "(UTC-03:00) Cayenne, Fortaleza", []string{
		"America/Cayenne", "Antarctica/Rothera", "Antarctica/Palmer", "America/Fortaleza",
		"America/Belem", "America/Maceio", "America/Recife", "America/Santarem",
		"Atlantic/Stanley", "America/Paramaribo", "Etc/GMT+3",
	}},
	{"Argentina Standard Time", "(UTC-03:00) City of Buenos Aires", []string{
		"America/Buenos_Aires", "America/Argentina/La_Rioja", "America/Argentina/Rio_Gallegos",
		"America/Argentina/Salta", "America/Argentina/San_Juan", "America/Argentina/San_Luis",
		"America/Argentina/Tucuman", "America/Argentina/Ushuaia", "America/Catamarca",
		"America/Cordoba", "America/Jujuy", "America/Mendoza", "America/Argentina/Buenos_Aires",
		"America/Argentina/Catamarca", "America/Argentina/ComodRivadavia",
		"America/Argentina/Cordoba", "America/Argentina/Jujuy", "America/Argentina/Mendoza",
		"America/Rosario",
	}},
	{"Montevideo Standard Time", "(UTC-03:00) Montevideo", []string{
		"America/Montevideo",
	}},
	{"Magallanes Standard Time", "(UTC-03:00) Punta Arenas", []string{
		"America/Punta_Arenas", "America/Coyhaique",
	}},
	{"Saint Pierre Standard Time", "(UTC-03:00) Saint Pierre and Miquelon", []string{
		"America/Miquelon",
	}},
	{"Bahia Standard Time", "(UTC-03:00) Salvador", []string{
		"America/Bahia",
	}},
	{"UTC-02", "(UTC-02:00) Coordinated Universal Time-02", []string{
		"Etc/GMT+2", "America/Noronha", "Atlantic/South_Georgia", "Brazil/DeNoronha",
	}},
	{"Greenland Standard Time", "(UTC-02:00) Greenland", []string{
		"America/Godthab", "America/Nuuk",
	}},
	{"Azores Standard Time", "(UTC-01:00) Azores", []string{
		"Atlantic/Azores", "America/Scoresbysund",
	}},
	{"Cape Verde Standard Time", "(UTC-01:00) Cabo Verde Is.", []string{
		"Atlantic/Cape_Verde", "Etc/GMT+1",
	}},
	{"UTC", "(UTC) Coordinated Universal Time", []string{
		"Etc/UTC", "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0", "Etc/GMT0", "Etc/Greenwich", "Etc/UCT",
		"Etc/Universal", "Etc/Zulu", "GMT", "GMT+0", "GMT-0", "GMT0", "Greenwich", "UCT", "UTC",
		"Universal", "Zulu",
	}},
	{"GMT Standard Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London", []string{
		"Europe/London", "Atlantic/Canary", "Atlantic/Faeroe", "Europe/Guernsey",
		"Europe/Dublin", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/Lisbon",
		"Atlantic/Madeira", "Atlantic/Faroe", "Eire", "Europe/Belfast", "GB", "GB-Eire",
		"Portugal", "WET",
	}},
	{"Greenwich Standard Time", "(UTC+00:00) Monrovia, Reykjavik", []string{
		"Atlantic/Reykjavik", "Africa/Ouagadougou", "Africa/Abidjan", "Africa/Accra",
		"America/Danmarkshavn", "Africa/Banjul", "Africa/Conakry", "Africa/Bissau",
		"Africa/Monrovia", "Africa/Bamako", "Africa/Nouakchott", "Atlantic/St_Helena",
		"Africa/Freetown", "Africa/Dakar", "Africa/Lome", "Africa/Timbuktu", "Iceland",
	}},
	{"Sao Tome Standard Time", "(UTC+00:00) Sao Tome", []string{
		"Africa/Sao_Tome",
	}},
	{"Morocco Standard Time", "(UTC+01:00) Casablanca", []string{
		"Africa/Casablanca", "Africa/El_Aaiun",
	}},
	{"W. Europe Standard Time", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", []string{
		"Europe/Berlin", "Europe/Andorra", "Europe/Vienna", "Europe/Zurich", "Europe/Busingen",
		"Europe/Gibraltar", "Europe/Rome", "Europe/Vaduz", "Europe/Luxembourg", "Europe/Monaco",
		"Europe/Malta", "Europe/Amsterdam", "Europe/Oslo", "Europe/Stockholm",
		"Arctic/Longyearbyen", "Europe/San_Marino", "Europe/Vatican", "Atlantic/Jan_Mayen",
	}},
	{"Central Europe Standard Time", "(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague", []string{
		"Europe/Budapest", "Europe/Tirane", "Europe/Prague", "Europe/Podgorica",
		"Europe/Belgrade", "Europe/Ljubljana", "Europe/Bratislava",
	}},
	{"Romance Standard Time", "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", []string{
		"Europe/Paris", "Europe/Brussels", "Europe/Copenhagen", "Europe/Madrid", "Africa/Ceuta",
		"CET", "MET",
	}},
	{"Central European Standard Time", "(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb", []string{
		"Europe/Warsaw", "Europe/Sarajevo", "Europe/Zagreb", "Europe/Skopje", "Poland",
	}},
	{"W. Central Africa Standard Time", "(UTC+01:00) West Central Africa", []string{
		"Africa/Lagos", "Africa/Luanda", "Africa/Porto-Novo", "Africa/Kinshasa", "Africa/Bangui",
		"Africa/Brazzaville", "Africa/Douala", "Africa/Algiers", "Africa/Libreville",
		"Africa/Malabo", "Africa/Niamey", "Africa/Ndjamena", "Africa/Tunis", "Etc/GMT-1",
	}},
	{"GTB Standard Time", "(UTC+02:00) Athens, Bucharest", []string{
		"Europe/Bucharest", "Asia/Nicosia", "Asia/Famagusta", "Europe/Athens", "EET",
		"Europe/Nicosia",
	}},
	{"Middle East Standard Time", "(UTC+02:00) Beirut", []string{
		"Asia/Beirut",
	}},
	{"Egypt Standard Time", "(UTC+02:00) Cairo", []string{
		"Africa/Cairo", "Egypt",
	}},
	{"E. Europe Standard Time", "(UTC+02:00) Chisinau", []string{
		"Europe/Chisinau", "Europe/Tiraspol",
	}},
	{"West Bank Standard Time", "(UTC+02:00) Gaza, Hebron", []string{
		"Asia/Hebron", "Asia/Gaza",
	}},
	{"South Africa Standard Time", "(UTC+02:00) Harare, Pretoria", []string{
		"Africa/Johannesburg", "Africa/Bujumbura", "Africa/Gaborone", "Africa/Lubumbashi",
		"Africa/Maseru", "Africa/Blantyre", "Africa/Maputo", "Africa/Kigali", "Africa/Mbabane",
		"Africa/Lusaka", "Africa/Harare", "Etc/GMT-2",
	}},
	{"FLE Standard Time", "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", []string{
		"Europe/Kiev", "Europe/Mariehamn", "Europe/Sofia", "Europe/Tallinn", "Europe/Helsinki",
		"Europe/Vilnius", "Europe/Riga", "Europe/Kyiv", "Europe/Uzhgorod", "Europe/Zaporozhye",
	}},
	{"Israel Standard Time", "(UTC+02:00) Jerusalem", []string{
		"Asia/Jerusalem", "Asia/Tel_Aviv", "Israel",
	}},
	{"South Sudan Standard Time", "(UTC+02:00) Juba", []string{
		"Africa/Juba",
	}},
	{"Kaliningrad Standard Time", "(UTC+02:00) Kaliningrad", []string{
		"Europe/Kaliningrad",
	}},
	{"Sudan Standard Time", "(UTC+02:00) Khartoum", []string{
		"Africa/Khartoum",
	}},
	{"Libya Standard Time", "(UTC+02:00) Tripoli", []string{
		"Africa/Tripoli", "Libya",
	}},
	{"Namibia Standard Time", "(UTC+02:00) Windhoek", []string{
		"Africa/Windhoek",
	}},
	{"Jordan Standard Time", "(UTC+03:00) Amman", []string{
		"Asia/Amman",
	}},
	{"Arabic Standard Time", "(UTC+03:00) Baghdad", []string{
		"Asia/Baghdad",
	}},
	{"Syria Standard Time", "(UTC+03:00) Damascus", []string{
		"Asia/Damascus",
	}},
	{"Turkey Standard Time", "(UTC+03:00) Istanbul", []string{
		"Europe/Istanbul", "Asia/Istanbul", "Turkey",
	}},
	{"Arab Standard Time", "(UTC+03:00) Kuwait, Riyadh", []string{
		"Asia/Riyadh", "Asia/Bahrain", "Asia/Kuwait", "Asia/Qatar", "Asia/Aden",
	}},
	{"Belarus Standard Time", "(UTC+03:00) Minsk", []string{
		"Europe/Minsk",
	}},
	{"Russian Standard Time", "(UTC+03:00) Moscow, St. Petersburg", []string{
		"Europe/Moscow", "Europe/Kirov", "Europe/Simferopol", "W-SU",
	}},
	{"E. Africa Standard Time", "(UTC+03:00) Nairobi", []string{
		"Africa/Nairobi", "Antarctica/Syowa", "Africa/Djibouti", "Africa/Asmera",
		"Africa/Addis_Ababa", "Indian/Comoro", "Indian/Antananarivo", "Africa/Mogadishu",
		"Africa/Dar_es_Salaam", "Africa/Kampala", "Indian/Mayotte", "Etc/GMT-3", "Africa/Asmara",
	}},
	{"Volgograd Standard Time", "(UTC+03:00) Volgograd", []string{
		"Europe/Volgograd",
	}},
	{"Iran Standard Time", "(UTC+03:30) Tehran", []string{
		"Asia/Tehran", "Iran",
	}},
	{"Arabian Standard Time", "(UTC+04:00) Abu Dhabi, Muscat", []string{
		"Asia/Dubai", "Asia/Muscat", "Etc/GMT-4",
	}},
	{"Astrakhan Standard Time", "(UTC+04:00) Astrakhan, Ulyanovsk", []string{
		"Europe/Astrakhan", "Europe/Ulyanovsk",
	}},
	{"Azerbaijan Standard Time", "(UTC+04:00) Baku", []string{
		"Asia/Baku",
	}},
	{"Russia Time Zone 3", "(UTC+04:00) Izhevsk, Samara", []string{
		"Europe/Samara",
	}},
	{"Mauritius Standard Time", "(UTC+04:00) Port Louis", []string{
		"Indian/Mauritius", "Indian/Reunion", "Indian/Mahe",
	}},
	{"Saratov Standard Time", "(UTC+04:00) Saratov", []string{
		"Europe/Saratov",
	}},
	{"Georgian Standard Time", "(UTC+04:00) Tbilisi", []string{
		"Asia/Tbilisi",
	}},
	{"Caucasus Standard Time", "(UTC+04:00) Yerevan", []string{
		"Asia/Yerevan",
	}},
	{"Afghanistan Standard Time", "(UTC+04:30) Kabul", []string{
		"Asia/Kabul",
	}},
	{"West Asia Standard Time", "(UTC+05:00) Ashgabat, Tashkent", []string{
		"Asia/Tashkent", "Antarctica/Mawson", "Asia/Oral", "Asia/Almaty", "Asia/Aqtau",
		"Asia/Aqtobe", "Asia/Atyrau", "Asia/Qostanay", "Indian/Maldives", "Indian/Kerguelen",
		"Asia/Dushanbe", "Asia/Ashgabat", "Asia/Samarkand", "Etc/GMT-5", "Asia/Ashkhabad",
	}},
	{"Ekaterinburg Standard Time", "(UTC+05:00) Ekaterinburg", []string{
		"Asia/Yekaterinburg",
	}},
	{"Pakistan Standard Time", "(UTC+05:00) Islamabad, Karachi", []string{
		"Asia/Karachi",
	}},
	{"Qyzylorda Standard Time", "(UTC+05:00) Qyzylorda", []string{
		"Asia/Qyzylorda",
	}},
	{"India Standard Time", "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", []string{
		"Asia/Calcutta", "Asia/Kolkata",
	}},
	{"Sri Lanka Standard Time", "(UTC+05:30) Sri Jayawardenepura", []string{
		"Asia/Colombo",
	}},
	{"Nepal Standard Time", "(UTC+05:45) Kathmandu", []string{
		"Asia/Katmandu", "Asia/Kathmandu",
	}},
	{"Central Asia Standard Time", "(UTC+06:00) Astana", []string{
		"Asia/Bishkek", "Antarctica/Vostok", "Asia/Urumqi", "Indian/Chagos", "Etc/GMT-6",
		"Asia/Kashgar",
	}},
	{"Bangladesh Standard Time", "(UTC+06:00) Dhaka", []string{
		"Asia/Dhaka", "Asia/Thimphu", "Asia/Dacca", "Asia/Thimbu",
	}},
	{"Omsk Standard Time", "(UTC+06:00) Omsk", []string{
		"Asia/Omsk",
	}},
	{"Myanmar Standard Time", "(UTC+06:30) Yangon (Rangoon)", []string{
		"Asia/Rangoon", "Indian/Cocos", "Asia/Yangon",
	}},
	{"SE Asia Standard Time", "(UTC+07:00) Bangkok, Hanoi, Jakarta", []string{
		"Asia/Bangkok", "Antarctica/Davis", "Indian/Christmas", "Asia/Jakarta", "Asia/Pontianak",
		"Asia/Phnom_Penh", "Asia/Vientiane", "Asia/Saigon", "Etc/GMT-7", "Asia/Ho_Chi_Minh",
	}},
	{"Altai Standard Time", "(UTC+07:00) Barnaul, Gorno-Altaysk", []string{
		"Asia/Barnaul",
	}},
	{"W. Mongolia Standard Time", "(UTC+07:00) Hovd", []string{
		"Asia/Hovd",
	}},
	{"North Asia Standard Time", "(UTC+07:00) Krasnoyarsk", []string{
		"Asia/Krasnoyarsk", "Asia/Novokuznetsk",
	}},
	{"N. Central Asia Standard Time", "(UTC+07:00) Novosibirsk", []string{
		"Asia/Novosibirsk",
	}},
	{"Tomsk Standard Time", "(UTC+07:00) Tomsk", []string{
		"Asia/Tomsk",
	}},
	{"China Standard Time", "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", []string{
		"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Chongqing", "Asia/Chungking",
		"Asia/Harbin", "Asia/Macao", "Hongkong", "PRC",
	}},
	{"North Asia East Standard Time", "(UTC+08:00) Irkutsk", []string{
		"Asia/Irkutsk",
	}},
	{"Singapore Standard Time", "(UTC+08:00) Kuala Lumpur, Singapore", []string{
		"Asia/Singapore", "Asia/Brunei", "Asia/Makassar", "Asia/Kuala_Lumpur", "Asia/Kuching",
		"Asia/Manila", "Etc/GMT-8", "Asia/Ujung_Pandang", "Singapore",
	}},
	{"W. Australia Standard Time", "(UTC+08:00) Perth", []string{
		"Australia/Perth", "Australia/West",
	}},
	{"Taipei Standard Time", "(UTC+08:00) Taipei", []string{
		"Asia/Taipei", "ROC",
	}},
	{"Ulaanbaatar Standard Time", "(UTC+08:00) Ulaanbaatar", []string{
		"Asia/Ulaanbaatar", "Asia/Choibalsan", "Asia/Ulan_Bator",
	}},
	{"Aus Central W. Standard Time", "(UTC+08:45) Eucla", []string{
		"Australia/Eucla",
	}},
	{"Transbaikal Standard Time", "(UTC+09:00) Chita", []string{
		"Asia/Chita",
	}},
	{"Tokyo Standard Time", "(UTC+09:00) Osaka, Sapporo, Tokyo", []string{
		"Asia/Tokyo", "Asia/Jayapura", "Pacific/Palau", "Asia/Dili", "Etc/GMT-9", "Japan",
	}},
	{"North Korea Standard Time", "(UTC+09:00) Pyongyang", []string{
		"Asia/Pyongyang",
	}},
	{"Korea Standard Time", "(UTC+09:00) Seoul", []string{
		"Asia/Seoul", "ROK",
	}},
	{"Yakutsk Standard Time", "(UTC+09:00) Yakutsk", []string{
		"Asia/Yakutsk", "Asia/Khandyga",
	}},
	{"Cen. Australia Standard Time", "(UTC+09:30) Adelaide", []string{
		"Australia/Adelaide", "Australia/Broken_Hill", "Australia/South", "Australia/Yancowinna",
	}},
	{"AUS Central Standard Time", "(UTC+09:30) Darwin", []string{
		"Australia/Darwin", "Australia/North",
	}},
	{"E. Australia Standard Time", "(UTC+10:00) Brisbane", []string{
		"Australia/Brisbane", "Australia/Lindeman", "Australia/Queensland",
	}},
	{"AUS Eastern Standard Time", "(UTC+10:00) Canberra, Melbourne, Sydney", []string{
		"Australia/Sydney", "Australia/Melbourne", "Australia/ACT", "Australia/Canberra",
		"Australia/NSW", "Australia/Victoria",
	}},
	{"West Pacific Standard Time", "(UTC+10:00) Guam, Port Moresby", []string{
		"Pacific/Port_Moresby", "Antarctica/DumontDUrville", "Pacific/Truk", "Pacific/Guam",
		"Pacific/Saipan", "Etc/GMT-10", "Pacific/Chuuk", "Pacific/Yap",
	}},
	{"Tasmania Standard Time", "(UTC+10:00) Hobart", []string{
		"Australia/Hobart", "Antarctica/Macquarie", "Australia/Currie", "Australia/Tasmania",
	}},
	{"Vladivostok Standard Time", "(UTC+10:00) Vladivostok", []string{
		"Asia/Vladivostok", "Asia/Ust-Nera",
	}},
	{"Lord Howe Standard Time", "(UTC+10:30) Lord Howe Island", []string{
		"Australia/Lord_Howe", "Australia/LHI",
	}},
	{"Bougainville Standard Time", "(UTC+11:00) Bougainville Island", []string{
		"Pacific/Bougainville",
	}},
	{"Russia Time Zone 10", "(UTC+11:00) Chokurdakh", []string{
		"Asia/Srednekolymsk",
	}},
	{"Magadan Standard Time", "(UTC+11:00) Magadan", []string{
		"Asia/Magadan",
	}},
	{"Norfolk Standard Time", "(UTC+11:00) Norfolk Island", []string{
		"Pacific/Norfolk",
	}},
	{"Sakhalin Standard Time", "(UTC+11:00) Sakhalin", []string{
		"Asia/Sakhalin",
	}},
	{"Central Pacific Standard Time", "(UTC+11:00) Solomon Is., New Caledonia", []string{
		"Pacific/Guadalcanal", "Antarctica/Casey", "Pacific/Ponape", "Pacific/Kosrae",
		"Pacific/Noumea", "Pacific/Efate", "Etc/GMT-11", "Pacific/Pohnpei",
	}},
	{"Russia Time Zone 11", "(UTC+12:00) Anadyr, Petropavlovsk-Kamchatsky", []string{
		"Asia/Kamchatka", "Asia/Anadyr",
	}},
	{"New Zealand Standard Time", "(UTC+12:00) Auckland, Wellington", []string{
		"Pacific/Auckland", "Antarctica/McMurdo", "Antarctica/South_Pole", "NZ",
	}},
	{"UTC+12", "(UTC+12:00) Coordinated Universal Time+12", []string{
		"Etc/GMT-12", "Pacific/Tarawa", "Pacific/Majuro", "Pacific/Kwajalein", "Pacific/Nauru",
		"Pacific/Funafuti", "Pacific/Wake", "Pacific/Wallis", "Kwajalein",
	}},
	{"Fiji Standard Time", "(UTC+12:00) Fiji", []string{
		"Pacific/Fiji",
	}},
	{"Chatham Islands Standard Time", "(UTC+12:45) Chatham Islands", []string{
		"Pacific/Chatham", "NZ-CHAT",
	}},
	{"UTC+13", "(UTC+13:00) Coordinated Universal Time+13", []string{
		"Etc/GMT-13", "Pacific/Enderbury", "Pacific/Fakaofo", "Pacific/Kanton",
	}},
	{"Tonga Standard Time", "(UTC+13:00) Nuku'alofa", []string{
		"Pacific/Tongatapu",
	}},
	{"Samoa Standard Time", "(UTC+13:00) Samoa", []string{
		"Pacific/Apia",
	}},
	{"Line Islands Standard Time", "(UTC+14:00) Kiritimati Island", []string{
		"Pacific/Kiritimati", "Etc/GMT-14",
	}},
}
