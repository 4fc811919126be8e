package filters

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/graphbox/graphbox/model"
)

// Date parts of NetBox 4.5+'s DateFilterLookup and DatetimeFilterLookup (strawberry-django's
// year, month, …, date, time: Django's __year, __month, … transforms).
//
// year, iso_year and date each select one interval of time per value, so their comparisons are
// bounds on the column: year 2024 is [2024-01-01, 2025-01-01), date 2024-05-03 is [that day, the
// next). The bounds go to REST as naive date-times ("2024-01-01T00:00:00"), which is what makes
// them exact whatever the upstream's TIME_ZONE: Django extracts the part in the current time
// zone (for __year it compares with the year's first and last instant made aware in it,
// year_lookup_bounds_for_datetime_field; __date truncates in it), and NetBox's REST date-time
// filter makes a naive value aware in that same zone (forms.DateTimeField, from_current_timezone).
// NetBox activates no other zone per request. PostgreSQL keeps microseconds, so "≤ the last
// microsecond of 2024" is "< 2025-01-01". Where a zone has no local midnight on a boundary (a DST
// change at 00:00) NetBox's REST answers 400 rather than a different set of rows.
//
// The other parts (month, day, week, week_day, iso_week_day, quarter, hour, minute, second, time)
// recur every year or day: no set of REST bounds selects them, and they are refused.

// datePart tells whether lk is a date part of DateFilterLookup or DatetimeFilterLookup.
func datePart(lk string) bool {
	switch lk {
	case "year", "month", "day", "week_day", "iso_week_day", "week", "iso_year", "quarter",
		"hour", "minute", "second", "date", "time":
		return true
	}
	return false
}

// interval is [lo, hi) as time.
type interval struct{ lo, hi time.Time }

// partInterval is the interval one value of a part selects.
func partInterval(part string, v any, path string) (interval, error) {
	if part == "date" {
		s, ok := v.(string)
		d, err := time.Parse(time.DateOnly, s)
		if !ok || err != nil {
			return interval{}, fmt.Errorf("filters: %s: %s is not a date (YYYY-MM-DD)", path, shown(v))
		}
		if d.Year() > 9998 {
			return interval{}, fmt.Errorf("filters: %s: %s is past the dates a REST bound can name", path, shown(v))
		}
		return interval{d, d.AddDate(0, 0, 1)}, nil
	}
	y, ok := yearOf(v)
	if !ok || y < 1 || y > 9998 {
		return interval{}, fmt.Errorf("filters: %s: %s is not a year a REST bound can name (1 to 9998)", path, shown(v))
	}
	if part == "iso_year" {
		return interval{isoYearStart(y), isoYearStart(y + 1)}, nil
	}
	return interval{time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
}

func yearOf(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case int32:
		return int(t), true
	case int64:
		return int(t), t == int64(int(t))
	case float64:
		return int(t), t == math.Trunc(t) && math.Abs(t) < 1e6
	}
	return 0, false
}

// isoYearStart is the Monday of ISO week 1 of year y: the week holding January 4th.
func isoYearStart(y int) time.Time {
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	wd := int(jan4.Weekday()+6) % 7 // days since Monday
	return jan4.AddDate(0, 0, -wd)
}

// boundText is a bound as the REST parameter takes it: a naive date-time (the upstream's time
// zone applies, see above) or a date.
func boundText(t model.ParamType, at time.Time) string {
	if t == model.ParamDate {
		return at.Format(time.DateOnly)
	}
	return at.Format("2006-01-02T15:04:05")
}

// datePart compiles a part's comparison lookup ({exact, gt, …, in_list, range, is_null}) into
// bounds on param.
func (c *compiler) datePart(param *model.FilterParam, part string, v any, path string, isNull func() (*node, error),
	mk func(leafKind, ...string) *node) (*node, error) {
	switch part {
	case "hour", "minute", "second", "date", "time":
		if param.Type == model.ParamDate {
			return nil, fmt.Errorf("filters: %s: unknown lookup %q (DateFilterLookup has no time parts)", path, part)
		}
	}
	if part != "year" && part != "iso_year" && part != "date" {
		return nil, fmt.Errorf("filters: %s: %w: the %s of %q recurs (Django's __%s), which no REST bounds on %q select; of the parts only year, iso_year and date (of a date-time) compile",
			path, ErrUnsupportedLookup, part, param.Name, part, param.Name)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s: want a comparison lookup input object, got %s", path, describe(v))
	}
	lower := func(iv interval) *node { return mk(lkGTE, boundText(param.Type, iv.lo)) }
	below := func(at time.Time) *node { return mk(lkLT, boundText(param.Type, at)) }
	var parts []*node
	for _, lk := range slices.Sorted(maps.Keys(m)) {
		lv, p := m[lk], path+"."+lk
		if lv == nil {
			continue
		}
		var n *node
		switch lk {
		case "exact", "gt", "gte", "lt", "lte":
			iv, err := partInterval(part, lv, p)
			if err != nil {
				return nil, err
			}
			switch lk {
			case "exact":
				n = and(lower(iv), below(iv.hi))
			case "gt":
				n = mk(lkGTE, boundText(param.Type, iv.hi))
			case "gte":
				n = lower(iv)
			case "lt":
				n = below(iv.lo)
			default:
				n = below(iv.hi)
			}
		case "in_list":
			list, ok := lv.([]any)
			if !ok {
				list = []any{lv}
			}
			var alts []*node
			for i, e := range list {
				if e == nil {
					continue
				}
				iv, err := partInterval(part, e, fmt.Sprintf("%s[%d]", p, i))
				if err != nil {
					return nil, err
				}
				alts = append(alts, and(lower(iv), below(iv.hi)))
			}
			n = or(alts...)
			if n == nil {
				n = nodeFalse // Django: __in=[] matches nothing
			}
		case "range":
			var err error
			n, err = c.rangeLookup(lv, p, func(b any, end bool, bp string) (*node, error) {
				iv, err := partInterval(part, b, bp)
				if err != nil {
					return nil, err
				}
				if end {
					return below(iv.hi), nil
				}
				return lower(iv), nil
			}, isNull, mk)
			if err != nil {
				return nil, err
			}
		case "is_null":
			// EXTRACT(… FROM NULL) is NULL exactly where the column is.
			b, ok := lv.(bool)
			if !ok {
				return nil, fmt.Errorf("filters: %s: want a Boolean, got %s", p, describe(lv))
			}
			nn, err := isNull()
			if err != nil {
				return nil, err
			}
			if !b {
				nn = not(nn)
			}
			n = nn
		default:
			return nil, fmt.Errorf("filters: %s: unknown lookup %q", p, lk)
		}
		parts = append(parts, n)
	}
	return and(parts...), nil
}
