package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// matrixFormRows is how many selectors the matrix form offers.
const matrixFormRows = 3

// Kinds of selector the matrix form offers.
var selectorKinds = []struct{ Value, Label string }{
	{"latest", "latest version"},
	{"version", "version"},
	{"branch", "head of branch"},
	{"tag", "latest with tag"},
	{"environment", "in environment"},
	{"main", "head of main branch"},
	{"all", "all versions"},
}

type selectorForm struct {
	N           int
	Pacticipant string
	Kind        string
	Value       string
}

type matrixQueryRow struct {
	Consumer, Provider                 string
	ConsumerURL, ProviderURL           string
	ConsumerVersion, ProviderVersion   string
	ConsumerVersionURL, ProviderVerURL string
	ConsumerLabels, ProviderLabels     matrixVersionView
	PactURL                            string
	Status                             string
	VerificationURL                    string
	VerifiedAt                         time.Time
	Ignored                            bool
}

type matrixQueryData struct {
	Selectors    []selectorForm
	Kinds        []struct{ Value, Label string }
	LatestBy     string
	Environment  string
	Pacticipants []string
	Environments []string
	// Asked is set once the form named a pacticipant.
	Asked      bool
	Error      string
	Deployable string // "yes", "no" or "unknown"
	Reason     string
	Success    int
	Failed     int
	Unknown    int
	Notices    []broker.Notice
	Rows       []matrixQueryRow
}

// matrixQuery is the matrix query form and its answer: the selectors'
// rows and, as can-i-deploy gives it, the decision.
func (h *handler) matrixQuery(r *http.Request) (*page, error) {
	ctx := r.Context()
	qs := r.URL.Query()
	d := matrixQueryData{Kinds: selectorKinds, LatestBy: qs.Get("latestby"), Environment: qs.Get("environment")}
	ps, err := h.store.ListPacticipants(ctx, broker.Page{Limit: broker.MaxPageSize})
	if err != nil {
		return nil, wrapf(err, "list pacticipants")
	}
	for _, p := range ps {
		d.Pacticipants = append(d.Pacticipants, p.Name)
	}
	envs, err := h.store.ListEnvironments(ctx)
	if err != nil {
		return nil, wrapf(err, "list environments")
	}
	for _, e := range envs {
		d.Environments = append(d.Environments, e.Name)
	}
	q := broker.MatrixQuery{LatestBy: broker.LatestBy(d.LatestBy), Environment: d.Environment, Limit: broker.DefaultMatrixLimit}
	api := url.Values{}
	var apiQuery []string // q[][...] pairs in order: rack groups them by repetition
	for i := 1; i <= matrixFormRows; i++ {
		n := fmt.Sprint(i)
		sf := selectorForm{N: i, Pacticipant: strings.TrimSpace(qs.Get("p" + n)), Kind: qs.Get("k" + n), Value: strings.TrimSpace(qs.Get("v" + n))}
		if sf.Kind == "" {
			sf.Kind = "latest"
		}
		d.Selectors = append(d.Selectors, sf)
		if sf.Pacticipant == "" {
			continue
		}
		sel := broker.MatrixSelector{Pacticipant: sf.Pacticipant}
		pairs := [][2]string{{"pacticipant", sf.Pacticipant}}
		needValue := func(what string) {
			if sf.Value == "" && d.Error == "" {
				d.Error = fmt.Sprintf("Selector %d: give the %s.", i, what)
			}
		}
		switch sf.Kind {
		case "latest":
			sel.Latest = true
			pairs = append(pairs, [2]string{"latest", "true"})
		case "version":
			needValue("version number")
			sel.Version = sf.Value
			pairs = append(pairs, [2]string{"version", sf.Value})
		case "branch":
			needValue("branch name")
			sel.Branch, sel.Latest = sf.Value, true
			pairs = append(pairs, [2]string{"branch", sf.Value}, [2]string{"latest", "true"})
		case "tag":
			needValue("tag name")
			sel.Tag, sel.Latest = sf.Value, true
			pairs = append(pairs, [2]string{"tag", sf.Value}, [2]string{"latest", "true"})
		case "environment":
			needValue("environment name")
			sel.Environment = sf.Value
			pairs = append(pairs, [2]string{"environment", sf.Value})
		case "main":
			sel.MainBranch = true
			pairs = append(pairs, [2]string{"mainBranch", "true"})
		case "all":
		default:
			return nil, broker.Invalid(fmt.Sprintf("k%d", i), "unknown kind of selector %q", sf.Kind)
		}
		q.Selectors = append(q.Selectors, sel)
		for _, p := range pairs {
			apiQuery = append(apiQuery, url.QueryEscape("q[]["+p[0]+"]")+"="+url.QueryEscape(p[1]))
		}
	}
	if d.LatestBy != "" {
		api.Set("latestby", d.LatestBy)
	}
	if d.Environment != "" {
		api.Set("environment", d.Environment)
	}
	jsonURL := noJSON
	if len(q.Selectors) > 0 {
		d.Asked = true
		if enc := api.Encode(); enc != "" {
			apiQuery = append(apiQuery, enc)
		}
		jsonURL = h.link("/matrix") + "?" + strings.Join(apiQuery, "&")
	}
	if d.Asked && d.Error == "" {
		res, err := broker.QueryMatrix(ctx, h.store, q)
		switch {
		case errors.Is(err, broker.ErrInvalid) || errors.Is(err, broker.ErrNotFound):
			d.Error = capitalise(err.Error()) + "."
		case err != nil:
			return nil, wrapf(err, "matrix query")
		default:
			h.fillMatrixAnswer(&d, res)
		}
	}
	return &page{name: "matrixquery", title: "Matrix", nav: "matrix", data: d, json: jsonURL}, nil
}

func (h *handler) fillMatrixAnswer(d *matrixQueryData, res *broker.MatrixResult) {
	switch dep := res.Summary.Deployable; {
	case dep == nil:
		d.Deployable = "unknown"
	case *dep:
		d.Deployable = "yes"
	default:
		d.Deployable = "no"
	}
	d.Reason, d.Success, d.Failed, d.Unknown, d.Notices = res.Summary.Reason, res.Summary.Success, res.Summary.Failed, res.Summary.Unknown, res.Notices
	for _, row := range res.Rows {
		mr := matrixQueryRow{
			Consumer: row.Consumer, Provider: row.Provider,
			ConsumerURL: h.pacticipantLink(row.Consumer), ProviderURL: h.pacticipantLink(row.Provider),
			ConsumerVersion: row.ConsumerVersion.Number, ConsumerVersionURL: h.versionLink(row.Consumer, row.ConsumerVersion.Number),
			ConsumerLabels: h.matrixVersion(row.Consumer, row.ConsumerVersion),
			PactURL:        h.pactLink(row.Consumer, row.Provider, row.ConsumerVersion.Number),
			Status:         verificationStatus(row.Verification),
			Ignored:        row.Ignored,
		}
		if row.ProviderVersion != nil {
			mr.ProviderVersion, mr.ProviderVerURL = row.ProviderVersion.Number, h.versionLink(row.Provider, row.ProviderVersion.Number)
			mr.ProviderLabels = h.matrixVersion(row.Provider, *row.ProviderVersion)
		}
		if row.Verification != nil && row.Kind == broker.KindBiDirectional {
			// Decided by the provider contract, not by a verification result.
			mr.VerificationURL = h.link("/contracts/provider", row.Provider, "version", row.Verification.ProviderVersion)
			mr.VerifiedAt = row.Verification.ExecutionDate
		} else if row.Verification != nil {
			mr.VerificationURL = h.verificationLink(row.Consumer, row.Provider, row.PactSHA, row.Verification.Number)
			mr.VerifiedAt = row.Verification.ExecutionDate
		}
		d.Rows = append(d.Rows, mr)
	}
}
