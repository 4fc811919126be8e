package filtertest

import (
	"time"
)

// DatePart tells whether lk is a part lookup of NetBox 4.5+'s DateFilterLookup or
// DatetimeFilterLookup (Django's __year, __month, …, __date, __time).
func DatePart(lk string) bool {
	switch lk {
	case "year", "month", "day", "week_day", "iso_week_day", "week", "iso_year", "quarter",
		"hour", "minute", "second", "date", "time":
		return true
	}
	return false
}

// datePart evaluates a part's comparison lookup the way Django does with USE_TZ and NetBox's
// default TIME_ZONE, UTC: the part is extracted from the instant in UTC. The reference knows
// year, iso_year and date, the parts the compiler plans.
func datePart(part string, lks map[string]any, val any) tri {
	if val == nil {
		// EXTRACT(… FROM NULL) is NULL: only is_null holds, and no bound
		res := triTrue
		for lk, lv := range lks {
			if lv != nil {
				res = res.and(triOf(lk == "is_null" && lv.(bool)))
			}
		}
		return res
	}
	at, ok := parseDate(text(val))
	if !ok {
		return triFalse
	}
	at = at.UTC()
	var got int // the part as a number: a year, or days since 1970 for date
	switch part {
	case "year":
		got = at.Year()
	case "iso_year":
		got, _ = at.ISOWeek()
	case "date":
		got = dayNumber(at)
	default:
		panic("filtertest: date part " + part)
	}
	num := func(v any) (int, bool) {
		if part == "date" {
			d, err := time.Parse(time.DateOnly, text(v))
			return dayNumber(d), err == nil
		}
		return int(toFloat(v)), true
	}
	cmp := func(op string, v any) bool {
		w, ok := num(v)
		if !ok {
			return false
		}
		switch op {
		case "exact":
			return got == w
		case "gt":
			return got > w
		case "gte":
			return got >= w
		case "lt":
			return got < w
		case "lte":
			return got <= w
		}
		panic("filtertest: date part lookup " + op)
	}
	res := triTrue
	for lk, lv := range lks {
		if lv == nil {
			continue
		}
		var t tri
		switch lk {
		case "is_null":
			t = triOf(!lv.(bool)) // the value is not NULL here
		case "range":
			m := lv.(map[string]any)
			t = rangeTri(m["start"], m["end"], cmp)
		case "in_list":
			t = triFalse
			for _, e := range lv.([]any) {
				if cmp("exact", e) {
					t = triTrue
				}
			}
		default:
			t = triOf(cmp(lk, lv))
		}
		res = res.and(t)
	}
	return res
}

func dayNumber(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DateMatch is one comparison of a non-NULL date or date-time value as the database makes it,
// as instants (lookup: "", "gt", "gte", "lt", "lte"; a naive value is UTC, NetBox's default
// TIME_ZONE).
func DateMatch(lookup, want string, v any) bool {
	if lookup == "" {
		lookup = "exact"
	}
	return dateLookup(lookup, want, v)
}
