package breaking

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteText writes one line per finding: "file:line: rule-id: message".
// With consumerAware, each line ends with the consumers it breaks,
// `[breaks consumer web: "get an order", "list orders"]`, one bracket per
// consumer, or `[unused by consumers]`.
func WriteText(w io.Writer, findings []ClassifiedFinding, consumerAware bool) error {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString(f.String())
		if consumerAware {
			if len(f.Breaks) == 0 {
				b.WriteString(" [unused by consumers]")
			}
			for i := 0; i < len(f.Breaks); {
				consumer := f.Breaks[i].Consumer
				var names []string
				for ; i < len(f.Breaks) && f.Breaks[i].Consumer == consumer; i++ {
					names = append(names, strconv.Quote(f.Breaks[i].Interaction))
				}
				fmt.Fprintf(&b, " [breaks consumer %s: %s]", consumer, strings.Join(names, ", "))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonReport is the --output json document.
type jsonReport struct {
	ConsumerAware bool                `json:"consumerAware"`
	Breaking      int                 `json:"breaking"`
	Findings      []ClassifiedFinding `json:"findings"`
}

// WriteJSON writes findings as one indented JSON object:
// {"consumerAware": bool, "breaking": count, "findings": [...]}, each
// finding with ruleId, file, line, element, message, breaking and breaks.
func WriteJSON(w io.Writer, findings []ClassifiedFinding, consumerAware bool) error {
	r := jsonReport{ConsumerAware: consumerAware, Findings: findings}
	if r.Findings == nil {
		r.Findings = []ClassifiedFinding{}
	}
	for _, f := range findings {
		if f.Breaking {
			r.Breaking++
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
