package api

import (
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// Conversions between the wire documents and the broker's domain types.
// The server adds the links; the documents made here have none.

// Time is how the API writes times: RFC 3339 in UTC, seconds precision.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func named(names []string) []Named {
	out := make([]Named, 0, len(names))
	for _, n := range names {
		out = append(out, Named{Name: n})
	}
	return out
}

func names(ns []Named) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

// MatrixVersionOf returns v as a wire version.
func MatrixVersionOf(v broker.MatrixVersion) MatrixVersion {
	out := MatrixVersion{Number: v.Number, Branches: named(v.Branches), Tags: named(v.Tags), Environments: named(v.Environments)}
	if len(v.Branches) > 0 {
		out.Branch = v.Branches[len(v.Branches)-1]
	}
	return out
}

// Domain returns the wire version as a domain one.
func (v MatrixVersion) Domain() broker.MatrixVersion {
	return broker.MatrixVersion{Number: v.Number, Branches: names(v.Branches), Tags: names(v.Tags), Environments: names(v.Environments)}
}

// MatrixLineOf returns row as a wire row; withIgnored says whether the
// query had ignore selectors (only then is Ignored present).
func MatrixLineOf(row broker.MatrixRow, withIgnored bool) MatrixLine {
	cv := MatrixVersionOf(row.ConsumerVersion)
	out := MatrixLine{
		Consumer: MatrixParty{Name: row.Consumer, Version: &cv},
		Provider: MatrixParty{Name: row.Provider},
		Pact:     &MatrixPact{CreatedAt: Time(row.PactCreatedAt)},
	}
	if row.ProviderVersion != nil {
		pv := MatrixVersionOf(*row.ProviderVersion)
		out.Provider.Version = &pv
	}
	if v := row.Verification; v != nil {
		out.VerificationResult = &MatrixVerification{Success: v.Success, VerifiedAt: Time(v.ExecutionDate), VerificationKind: broker.KindPact}
		if row.Kind == broker.KindBiDirectional {
			out.VerificationResult.VerificationKind = broker.KindBiDirectional
		}
	}
	if withIgnored {
		ignored := row.Ignored
		out.Ignored = &ignored
	}
	return out
}

// MatrixOf returns a matrix result as the wire document, rows in the
// given order.
func MatrixOf(res *broker.MatrixResult, withIgnored bool) Matrix {
	m := Matrix{
		Summary: MatrixSummary{
			Deployable: res.Summary.Deployable, Reason: res.Summary.Reason, Success: res.Summary.Success,
			Failed: res.Summary.Failed, Unknown: res.Summary.Unknown, Ignored: res.Summary.Ignored,
		},
		Notices: make([]Notice, 0, len(res.Notices)),
		Matrix:  make([]MatrixLine, 0, len(res.Rows)),
	}
	for _, n := range res.Notices {
		m.Notices = append(m.Notices, Notice{Type: n.Type, Text: n.Text})
	}
	for _, r := range res.Rows {
		m.Matrix = append(m.Matrix, MatrixLineOf(r, withIgnored))
	}
	return m
}

// Result returns the matrix as a domain result.
func (m Matrix) Result() *broker.MatrixResult {
	out := &broker.MatrixResult{Summary: broker.MatrixSummary{
		Deployable: m.Summary.Deployable, Reason: m.Summary.Reason, Success: m.Summary.Success,
		Failed: m.Summary.Failed, Unknown: m.Summary.Unknown, Ignored: m.Summary.Ignored,
	}}
	for _, n := range m.Notices {
		out.Notices = append(out.Notices, broker.Notice{Type: n.Type, Text: n.Text})
	}
	for _, r := range m.Matrix {
		row := broker.MatrixRow{Consumer: r.Consumer.Name, Provider: r.Provider.Name, Ignored: r.Ignored != nil && *r.Ignored}
		if r.Consumer.Version != nil {
			row.ConsumerVersion = r.Consumer.Version.Domain()
		}
		if r.Pact != nil {
			row.PactCreatedAt, _ = time.Parse(time.RFC3339, r.Pact.CreatedAt)
		}
		if r.Provider.Version != nil {
			pv := r.Provider.Version.Domain()
			row.ProviderVersion = &pv
		}
		if v := r.VerificationResult; v != nil {
			row.Verification = &broker.Verification{Consumer: row.Consumer, Provider: row.Provider, Success: v.Success}
			if row.ProviderVersion != nil {
				row.Verification.ProviderVersion = row.ProviderVersion.Number
			}
			row.Verification.ExecutionDate, _ = time.Parse(time.RFC3339, v.VerifiedAt)
			if v.VerificationKind == broker.KindBiDirectional {
				row.Kind = broker.KindBiDirectional
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// SelectorOf returns s as a wire selector.
func SelectorOf(s broker.ConsumerVersionSelector) ConsumerVersionSelector {
	return ConsumerVersionSelector(s)
}

// Domain returns the wire selector as a domain one.
func (s ConsumerVersionSelector) Domain() broker.ConsumerVersionSelector {
	return broker.ConsumerVersionSelector(s)
}

// Domain returns the version of pacticipant as a domain one.
func (v Version) Domain(pacticipant string) broker.Version {
	out := broker.Version{Pacticipant: pacticipant, Number: v.Number, Branches: names(v.Embedded.BranchVersions), Tags: names(v.Embedded.Tags)}
	if v.BuildURL != nil {
		out.BuildURL = *v.BuildURL
	}
	out.CreatedAt, _ = time.Parse(time.RFC3339, v.CreatedAt)
	return out
}
