package server

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// queryPair is one name=value of a raw query, in order.
type queryPair struct{ key, value string }

func queryPairs(rawQuery string) ([]queryPair, error) {
	var out []queryPair
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("query parameter %q: %v", k, err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("query parameter %s value %q: %v", key, v, err)
		}
		out = append(out, queryPair{key, val})
	}
	return out, nil
}

// nestedHashes groups name[][field]=value pairs into hashes.
//
// Real clients interleave the fields of each selector
// (q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&...), which Rack
// parses by starting a new hash whenever a field repeats. Pact files store
// queries with the values grouped by key in sorted key order
// (q[][pacticipant]=A&q[][pacticipant]=B&q[][version]=1...), which loses
// the grouping; for that form fields with one value per hash are matched by
// position, "version" values go to the first hashes (the version being
// deployed comes first) and other fields with fewer values to the last.
func nestedHashes(pairs []queryPair, name string) ([]map[string]string, error) {
	fields, values := rackFields(pairs, name)
	if len(fields) == 0 {
		return nil, nil
	}
	byField := map[string][]string{}
	var order []string
	grouped := sort.StringsAreSorted(fields)
	for i, f := range fields {
		if _, seen := byField[f]; seen && fields[i-1] != f {
			grouped = false
		}
		if _, seen := byField[f]; !seen {
			order = append(order, f)
		}
		byField[f] = append(byField[f], values[i])
	}
	n := len(byField["pacticipant"])
	if grouped && n >= 2 {
		hashes := make([]map[string]string, n)
		for i := range hashes {
			hashes[i] = map[string]string{}
		}
		for _, f := range order {
			vs := byField[f]
			if len(vs) > n {
				return nil, fmt.Errorf("%s[][%s] is given %d times for %d pacticipants", name, f, len(vs), n)
			}
			offset := 0
			if f != "version" {
				offset = n - len(vs)
			}
			for i, v := range vs {
				hashes[offset+i][f] = v
			}
		}
		return hashes, nil
	}
	return rackHashes(fields, values), nil
}

// rackFields returns the fields and values of the name[][field]=value
// pairs, in order.
func rackFields(pairs []queryPair, name string) (fields, values []string) {
	prefix := name + "[]["
	for _, p := range pairs {
		if strings.HasPrefix(p.key, prefix) && strings.HasSuffix(p.key, "]") {
			fields = append(fields, p.key[len(prefix):len(p.key)-1])
			values = append(values, p.value)
		}
	}
	return fields, values
}

// rackHashes groups fields and values into hashes the way Rack parses
// name[][field]=value: a new hash starts whenever a field repeats.
func rackHashes(fields, values []string) []map[string]string {
	var out []map[string]string
	for i, f := range fields {
		if len(out) == 0 {
			out = append(out, map[string]string{})
		}
		if _, dup := out[len(out)-1][f]; dup {
			out = append(out, map[string]string{})
		}
		out[len(out)-1][f] = values[i]
	}
	return out
}

func selectorFromHash(name string, i int, h map[string]string) (broker.MatrixSelector, error) {
	sel := broker.MatrixSelector{}
	for k, v := range h {
		switch k {
		case "pacticipant":
			sel.Pacticipant = v
		case "version":
			sel.Version = v
		case "latest":
			sel.Latest = v == "true"
		case "tag":
			sel.Tag = v
		case "branch":
			sel.Branch = v
		case "mainBranch":
			sel.MainBranch = v == "true"
		case "environment":
			sel.Environment = v
		default:
			return sel, fmt.Errorf("%s[%d]: unknown selector key %q", name, i, k)
		}
	}
	if strings.TrimSpace(sel.Pacticipant) == "" {
		return sel, fmt.Errorf("%s[%d]: please provide the pacticipant name", name, i)
	}
	return sel, nil
}

// selectorsFrom reads the selectors given as name[][field]=value pairs.
func selectorsFrom(pairs []queryPair, name string) ([]broker.MatrixSelector, error) {
	hashes, err := nestedHashes(pairs, name)
	if err != nil {
		return nil, err
	}
	var out []broker.MatrixSelector
	for i, h := range hashes {
		sel, err := selectorFromHash(name, i, h)
		if err != nil {
			return nil, err
		}
		out = append(out, sel)
	}
	return out, nil
}

// parseMatrixQuery reads the matrix query parameters.
func parseMatrixQuery(rawQuery string) (broker.MatrixQuery, []string, error) {
	var q broker.MatrixQuery
	pairs, err := queryPairs(rawQuery)
	if err != nil {
		return q, nil, err
	}
	if q.Selectors, err = selectorsFrom(pairs, "q"); err != nil {
		return q, nil, err
	}
	if q.Ignore, err = selectorsFrom(pairs, "ignore"); err != nil {
		return q, nil, err
	}
	var success []string
	for _, p := range pairs {
		switch p.key {
		case "latestby":
			switch broker.LatestBy(p.value) {
			case broker.LatestByNone, broker.LatestByCVPV, broker.LatestByCVP, broker.LatestByCP:
				q.LatestBy = broker.LatestBy(p.value)
			default:
				return q, nil, fmt.Errorf("latestby must be cvpv, cvp or cp, got %q", p.value)
			}
		case "latest":
			q.Latest = p.value == "true"
		case "tag", "to":
			q.Tag = p.value
		case "environment":
			q.Environment = p.value
		case "mainBranch":
			q.MainBranch = p.value == "true"
		case "limit":
			n, err := strconv.Atoi(p.value)
			if err != nil || n < 1 {
				return q, nil, fmt.Errorf("limit must be a positive integer, got %q", p.value)
			}
			q.Limit = min(n, broker.MaxMatrixLimit)
		case "success[]", "success":
			success = append(success, p.value)
		}
	}
	if len(q.Selectors) == 0 {
		return q, nil, errors.New("please provide 1 or more version selectors (q[][pacticipant]=...)")
	}
	return q, success, nil
}

// badMatrixQuery marks a query that could not be parsed.
type badMatrixQuery struct{ err error }

func (b badMatrixQuery) Error() string { return b.err.Error() }
func (b badMatrixQuery) Unwrap() error { return b.err }

// matrixError answers matrix validation errors (unparsable queries, and
// invalid or unknown selectors) as an array of strings.
func (s *server) matrixError(w http.ResponseWriter, r *http.Request, err error) error {
	var bad badMatrixQuery
	if !errors.As(err, &bad) && statusFor(err) >= 500 {
		return err
	}
	msgs := []string{err.Error()}
	if fe := fieldsOf(err); fe != nil {
		msgs = nil
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			for _, m := range fe[k] {
				msgs = append(msgs, k+": "+m)
			}
		}
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": msgs})
	return nil
}

func (s *server) matrix(w http.ResponseWriter, r *http.Request) error {
	q, success, err := parseMatrixQuery(r.URL.RawQuery)
	if err != nil {
		return s.matrixError(w, r, badMatrixQuery{err})
	}
	return s.answerMatrix(w, r, q, success)
}

// canIDeploy serves /can-i-deploy?pacticipant=&version=&environment= (or
// to=tag, or mainBranch=true) with optional ignore[][...] selectors.
func (s *server) canIDeploy(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	pairs, err := queryPairs(r.URL.RawQuery)
	if err != nil {
		return s.matrixError(w, r, badMatrixQuery{err})
	}
	sel := broker.MatrixSelector{Pacticipant: qs.Get("pacticipant"), Version: qs.Get("version"), Tag: qs.Get("tag"), Branch: qs.Get("branch")}
	if sel.Version == "" && sel.Tag == "" && sel.Branch == "" {
		sel.Latest = true
	} else if sel.Tag != "" || sel.Branch != "" {
		sel.Latest = qs.Get("latest") != "false"
	}
	if sel.Pacticipant == "" {
		return s.matrixError(w, r, badMatrixQuery{errors.New("pacticipant is required")})
	}
	q := broker.MatrixQuery{
		Selectors:   []broker.MatrixSelector{sel},
		LatestBy:    broker.LatestByCVP,
		Environment: qs.Get("environment"),
		Tag:         qs.Get("to"),
		MainBranch:  qs.Get("mainBranch") == "true",
	}
	if q.Environment != "" {
		q.LatestBy = broker.LatestByCVPV
	}
	if q.Environment == "" && q.Tag == "" && !q.MainBranch {
		q.Latest = true
	} else if q.Tag != "" {
		q.Latest = true
	}
	ignores, err := nestedHashes(pairs, "ignore")
	if err != nil {
		return s.matrixError(w, r, badMatrixQuery{err})
	}
	for i, h := range ignores {
		ig, err := selectorFromHash("ignore", i, h)
		if err != nil {
			return s.matrixError(w, r, badMatrixQuery{err})
		}
		q.Ignore = append(q.Ignore, ig)
	}
	for _, p := range qs["ignore[]"] {
		q.Ignore = append(q.Ignore, broker.MatrixSelector{Pacticipant: p})
	}
	return s.answerMatrix(w, r, q, nil)
}

func (s *server) answerMatrix(w http.ResponseWriter, r *http.Request, q broker.MatrixQuery, success []string) error {
	res, err := s.store.QueryMatrix(r.Context(), q)
	if err != nil {
		if errors.Is(err, broker.ErrInvalid) || errors.Is(err, broker.ErrNotFound) {
			return s.matrixError(w, r, err)
		}
		return err
	}
	u := s.urlsFor(r)
	kept := make([]broker.MatrixRow, 0, len(res.Rows))
	for _, row := range res.Rows {
		if keepRow(row, success) {
			kept = append(kept, row)
		}
	}
	if len(success) > 0 {
		// The Pact Broker summarises the rows it shows.
		res.Summary = summariseRows(kept, res.Summary.Ignored != nil)
	}
	// Oldest first, as the Pact Broker lists them (the store picked the
	// newest when it applied the limit).
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		if a.Consumer != b.Consumer {
			return a.Consumer < b.Consumer
		}
		if a.ConsumerVersion.Order != b.ConsumerVersion.Order {
			return a.ConsumerVersion.Order < b.ConsumerVersion.Order
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return versionOrder(a.ProviderVersion) < versionOrder(b.ProviderVersion)
	})
	res.Rows = kept
	doc := api.MatrixOf(res, len(q.Ignore) > 0)
	for i, row := range kept {
		u.matrixLineLinks(&doc.Matrix[i], row)
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func versionOrder(v *broker.MatrixVersion) int64 {
	if v == nil {
		return -1
	}
	return v.Order
}

// summariseRows decides over the given rows only: unknown when one is
// unverified, else deployable when none failed (ignored rows aside).
func summariseRows(rows []broker.MatrixRow, withIgnored bool) broker.MatrixSummary {
	var sum broker.MatrixSummary
	ignored := 0
	for _, r := range rows {
		switch {
		case r.Ignored:
			ignored++
		case r.Verification == nil:
			sum.Unknown++
		case r.Verification.Success:
			sum.Success++
		default:
			sum.Failed++
		}
	}
	if withIgnored {
		sum.Ignored = &ignored
	}
	switch {
	case sum.Failed > 0:
		no := false
		sum.Deployable, sum.Reason = &no, "One or more verifications have failed"
	case sum.Unknown > 0:
		sum.Reason = "Cannot tell whether it is safe to deploy: one or more pacts have not been verified"
	default:
		yes := true
		sum.Deployable, sum.Reason = &yes, "All verification results shown are successful"
	}
	return sum
}

// keepRow applies the success[] filter (true, false or null for
// unverified).
func keepRow(row broker.MatrixRow, success []string) bool {
	if len(success) == 0 {
		return true
	}
	for _, s := range success {
		switch {
		case row.Verification == nil && (s == "" || s == "null"):
			return true
		case row.Verification != nil && strconv.FormatBool(row.Verification.Success) == s:
			return true
		}
	}
	return false
}

// matrixVersionLinks adds the links of a matrix row's version.
func (u urls) matrixVersionLinks(v *api.MatrixVersion, pacticipant string) {
	for i, t := range v.Tags {
		v.Tags[i].Links = api.Links{"self": api.Link{Href: u.href("pacticipants", pacticipant, "versions", v.Number, "tags", t.Name)}}
	}
	v.Links = api.Links{"self": api.Link{Href: u.version(pacticipant, v.Number)}}
}

// matrixLineLinks adds the links of a matrix row.
func (u urls) matrixLineLinks(l *api.MatrixLine, row broker.MatrixRow) {
	l.Consumer.Links = api.Links{"self": api.Link{Href: u.pacticipant(row.Consumer)}}
	u.matrixVersionLinks(l.Consumer.Version, row.Consumer)
	l.Provider.Links = api.Links{"self": api.Link{Href: u.pacticipant(row.Provider)}}
	if l.Provider.Version != nil {
		u.matrixVersionLinks(l.Provider.Version, row.Provider)
	}
	l.Pact.Links = api.Links{"self": api.Link{Href: u.pactVersion(row.Provider, row.Consumer, row.ConsumerVersion.Number)}}
	if v := row.Verification; v != nil && row.Kind == broker.KindBiDirectional {
		l.VerificationResult.Links = api.Links{"self": api.Link{Href: u.href("contracts", "provider", row.Provider, "version", v.ProviderVersion), Title: "Provider contract"}}
	} else if v != nil {
		l.VerificationResult.Links = api.Links{"self": api.Link{Href: u.pactBySHA(v.Provider, v.Consumer, v.PactSHA) + "/verification-results/" + strconv.Itoa(v.Number)}}
	}
}
