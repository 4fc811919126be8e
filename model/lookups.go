package model

// RegexLookups tells whether the upstream's character filters take __regex and __iregex: NetBox
// adds them to every character filter from 4.3 on (FILTER_CHAR_BASED_LOOKUP_MAP), 4.2 has none.
// The document says so through its listed parameters; custom-field filters, which no document
// lists, follow the same map.
func (r *Registry) RegexLookups() bool {
	r.regexOnce.Do(func() {
		for _, o := range r.Objects {
			for i := range o.Filters {
				if o.Filters[i].HasLookup("regex") {
					r.regex = true
					return
				}
			}
		}
	})
	return r.regex
}
