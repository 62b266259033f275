package ci

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// WriteCanIDeployJSON writes a can-i-deploy answer as the broker's matrix
// document (api.Matrix, without links), indented.
func WriteCanIDeployJSON(w io.Writer, res *broker.MatrixResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(api.MatrixOf(res, res.Summary.Ignored != nil))
}

// WriteCanIDeployTable writes a can-i-deploy answer as the Pact CLI's
// table: one line per matrix row, the notices, and the verdict.
func WriteCanIDeployTable(w io.Writer, res *broker.MatrixResult) error {
	bw := bufio.NewWriter(w)
	w = bw
	if len(res.Rows) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CONSUMER\tC.VERSION\tPROVIDER\tP.VERSION\tSUCCESS?")
		for _, r := range res.Rows {
			pv, ok := "???", "???"
			if r.ProviderVersion != nil {
				pv = r.ProviderVersion.Number
			}
			if r.Verification != nil {
				ok = fmt.Sprint(r.Verification.Success)
			}
			if r.Ignored {
				ok += " [ignored]"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Consumer, r.ConsumerVersion.Number, r.Provider, pv, ok)
		}
		_ = tw.Flush()
		fmt.Fprintln(w)
	}
	for _, n := range res.Notices {
		fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(n.Type), n.Text)
	}
	verdict := "Computer says no ¯\\_(ツ)_/¯"
	switch d := res.Summary.Deployable; {
	case d == nil:
		verdict = "Computer cannot tell: the results are unknown"
	case *d:
		verdict = "Computer says yes \\o/"
	}
	fmt.Fprintln(w, verdict)
	if res.Summary.Reason != "" {
		fmt.Fprintln(w, res.Summary.Reason)
	}
	return bw.Flush()
}
