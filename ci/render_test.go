package ci_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/verify"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ci")

const goldenDir = "../testdata/ci"

// mustMatchGolden compares got with testdata/ci/<file>, or rewrites it with
// -update.
func mustMatchGolden(tb testing.TB, file string, got []byte) {
	tb.Helper()
	path := filepath.Join(goldenDir, file)
	if *update {
		require.NoError(tb, os.MkdirAll(goldenDir, 0o755))
		require.NoError(tb, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "run go test ./ci -update to create it")
	require.Equal(tb, string(want), string(got))
}

// mixedReport is a report with every outcome: passes, failures of each
// kind (body, header, status, metadata, state change), a pending pact from
// a broker, skipped interactions and warnings. Some texts carry characters
// that must be escaped in workflow commands and Markdown.
func mixedReport() *verify.Report {
	return &verify.Report{
		Provider: "order-service",
		Started:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Duration: 1234 * time.Millisecond,
		Pacts: []verify.PactResult{
			{
				Source: "./pacts/order-web-order-service.json", Consumer: "order-web", Provider: "order-service", Spec: "V3",
				Interactions: []verify.InteractionResult{
					{Description: "list open orders", Key: "k1", Type: "Synchronous/HTTP", Request: "GET /orders?status=open", Status: verify.StatusPassed},
					{
						Description: "get an existing order", Key: "k2", Type: "Synchronous/HTTP", Request: "GET /orders/1",
						States: []verify.State{{Name: "an order exists", Params: map[string]any{"id": 1}}},
						Status: verify.StatusFailed,
						Failures: []verify.Failure{{ID: verify.FailureBody, Summary: "Body had differences", Mismatches: []verify.Mismatch{
							{Kind: "body-mismatch", Path: "$.total", Expected: "19.98", Actual: `"29.97"`, Message: "Expected '29.97' (String) to be a decimal number"},
							{Kind: "body-mismatch", Path: "$.items[0].sku", Expected: `"A-1"`, Actual: `"A|1"`, Message: "Expected 'A|1' to match '^[A-Z]-\\d+$'"},
						}}},
						Warnings:     []string{"no provider state change URL configured for provider state \"an order exists\""},
						ExpectedBody: `{"id":1,"total":19.98}`,
						ActualBody:   `{"id":1,"total":"29.97"}`,
					},
					{
						Description: "get a missing order", Key: "k3", Type: "Synchronous/HTTP", Request: "GET /orders/999",
						States: []verify.State{{Name: "no orders exist"}},
						Status: verify.StatusFailed,
						Failures: []verify.Failure{{ID: verify.FailureStatus, Summary: "Response status did not match", Mismatches: []verify.Mismatch{
							{Kind: "status-mismatch", Path: "status", Expected: "404", Actual: "200", Message: "expected 404 but was 200"},
						}}},
					},
					{
						Description: "create an order, 100% new", Key: "k4", Type: "Synchronous/HTTP", Request: "POST /orders",
						Status: verify.StatusFailed,
						Failures: []verify.Failure{
							{ID: verify.FailureHeaders, Summary: "Headers had differences", Mismatches: []verify.Mismatch{
								{Kind: "header-mismatch", Path: "Content-Type", Expected: "application/json", Actual: "text/plain", Message: "Expected 'text/plain' to match 'application/json.*'"},
							}},
							{ID: verify.FailureBody, Summary: "Body had differences", Mismatches: []verify.Mismatch{
								{Kind: "body-type-mismatch", Path: "$", Expected: "application/json", Actual: "text/plain", Message: "Expected a body of 'application/json' but the actual content type was 'text/plain'"},
							}},
						},
						ExpectedBody: `{"id":2,"status":"open"}`,
						ActualBody:   "created ```order``` 2\n<script>",
					},
					{
						Description: "cancel an order", Key: "k5", Type: "Synchronous/HTTP", Request: "DELETE /orders/1",
						States: []verify.State{{Name: "an order exists", Params: map[string]any{"id": 1}}},
						Status: verify.StatusFailed,
						Failures: []verify.Failure{{ID: verify.FailureStateChange, Summary: "State change request failed",
							Error: "POST http://localhost:8080/_pact/state: 500 Internal Server Error\nstack: boom"}},
						Warnings: []string{"no provider state change URL configured for provider state \"an order exists\"", "teardown of state \"an order exists\" failed: 500 <html>"},
					},
					{Description: "an order event", Key: "k6", Type: "Asynchronous/Messages", Status: verify.StatusSkipped, SkipReason: "no transport for Asynchronous/Messages interactions"},
				},
			},
			{
				Source:   "http://broker.example/pacts/provider/order-service/consumer/billing/pact-version/abc",
				Broker:   &verify.BrokerInfo{PactURL: "http://broker.example/pacts/provider/order-service/consumer/billing/pact-version/abc", Pending: true},
				Consumer: "billing", Provider: "order-service", Spec: "V4", Pending: true,
				Interactions: []verify.InteractionResult{
					{
						Description: "an order paid event", Key: "m1", Type: "Asynchronous/Messages", Status: verify.StatusPending, Pending: true,
						Failures: []verify.Failure{{ID: verify.FailureMetadata, Summary: "Metadata had differences", Mismatches: []verify.Mismatch{
							{Kind: "metadata-mismatch", Path: "kafka_topic", Expected: "orders", Actual: "payments", Message: "Expected metadata key 'kafka_topic' to have value 'orders' but was 'payments'"},
						}}},
					},
					{Description: "an order created event", Key: "m2", Type: "Asynchronous/Messages", Status: verify.StatusPassed, Pending: true,
						Warnings: []string{"no provider state change URL configured for provider state \"x\""}},
				},
			},
		},
	}
}

func passingReport() *verify.Report {
	return &verify.Report{
		Provider: "order-service",
		Duration: 250 * time.Millisecond,
		Pacts: []verify.PactResult{{
			Source: "pacts/web.json", Consumer: "web", Provider: "order-service",
			Interactions: []verify.InteractionResult{
				{Description: "list orders", Status: verify.StatusPassed},
				{Description: "get an order", Status: verify.StatusPassed},
			},
		}},
	}
}

func TestWriteGitHubAnnotationsGolden(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, ci.WriteGitHubAnnotations(&buf, mixedReport()))
	mustMatchGolden(t, "annotations.golden", buf.Bytes())

	// Every annotation is exactly one line, whatever the texts held.
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, len(ci.Annotations(mixedReport())))
	for _, l := range lines {
		require.Regexp(t, `^::(error|warning) `, l)
	}
}

func TestAnnotationsOfAReport(t *testing.T) {
	t.Parallel()
	as := ci.Annotations(mixedReport())
	levels := map[ci.Level]int{}
	for _, a := range as {
		levels[a.Level]++
	}
	// 4 failed interactions; 1 pending failure and 3 distinct warnings (one
	// of them shared by two interactions).
	require.Equal(t, map[ci.Level]int{ci.LevelError: 4, ci.LevelWarning: 4}, levels)
	require.Equal(t, ci.Annotation{Level: ci.LevelWarning, Title: "Warning: order-web -> order-service (2 interactions)", File: "pacts/order-web-order-service.json",
		Message: "no provider state change URL configured for provider state \"an order exists\"\nInteractions: get an existing order; cancel an order"}, as[5])

	require.Equal(t, "pacts/order-web-order-service.json", as[0].File, "a local pact names its file")
	require.Equal(t, "Contract failed: order-web -> order-service: get an existing order", as[0].Title)
	require.Contains(t, as[0].Message, "$.total: Expected '29.97' (String) to be a decimal number (expected 19.98, actual \"29.97\")")
	require.True(t, strings.HasSuffix(as[1].Message, "\n  status: expected 404 but was 200"), "values shown once when the message has them: %q", as[1].Message)
	require.Contains(t, as[3].Message, "500 Internal Server Error\n    stack: boom", "continuation lines of an error are indented")
	for _, a := range as {
		if strings.Contains(a.Title, "billing") {
			require.Empty(t, a.File, "a broker pact has no file: %+v", a)
		}
	}

	require.Empty(t, ci.Annotations(passingReport()))
}

func TestAnnotationString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    ci.Annotation
		want string
	}{
		{name: "message only", a: ci.Annotation{Level: ci.LevelError, Message: "boom"}, want: "::error::boom"},
		{name: "all properties in order", a: ci.Annotation{Level: ci.LevelWarning, Title: "T", File: "a/b.json", Line: 7, Message: "m"},
			want: "::warning file=a/b.json,line=7,title=T::m"},
		{name: "notice", a: ci.Annotation{Level: ci.LevelNotice, Title: "n"}, want: "::notice title=n::"},
		{name: "percent first so escapes are not escaped again", a: ci.Annotation{Level: ci.LevelError, Title: "100%0A", Message: "50%0D%"},
			want: "::error title=100%250A::50%250D%25"},
		{name: "line breaks in the message", a: ci.Annotation{Level: ci.LevelError, Message: "one\r\ntwo\nthree\r"},
			want: "::error::one%0D%0Atwo%0Athree%0D"},
		{name: "colon and comma kept in the message", a: ci.Annotation{Level: ci.LevelError, Message: "a: b, c :: d"},
			want: "::error::a: b, c :: d"},
		{name: "colon and comma escaped in properties", a: ci.Annotation{Level: ci.LevelError, Title: "web -> api: get, list", File: "C:/p,q.json"},
			want: "::error file=C%3A/p%2Cq.json,title=web -> api%3A get%2C list::"},
		{name: "a property cannot inject another", a: ci.Annotation{Level: ci.LevelError, Title: "x,file=evil.go::owned\n::error::two"},
			want: "::error title=x%2Cfile=evil.go%3A%3Aowned%0A%3A%3Aerror%3A%3Atwo::"},
		{name: "a message cannot start a new command", a: ci.Annotation{Level: ci.LevelWarning, Message: "x\n::add-mask::secret"},
			want: "::warning::x%0A::add-mask::secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.a.String())
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, data, property string
	}{
		{in: "", data: "", property: ""},
		{in: "plain text", data: "plain text", property: "plain text"},
		{in: "%", data: "%25", property: "%25"},
		{in: "%25", data: "%2525", property: "%2525"},
		{in: "\r", data: "%0D", property: "%0D"},
		{in: "\n", data: "%0A", property: "%0A"},
		{in: ":", data: ":", property: "%3A"},
		{in: ",", data: ",", property: "%2C"},
		{in: "a:b,c%d\r\ne", data: "a:b,c%25d%0D%0Ae", property: "a%3Ab%2Cc%25d%0D%0Ae"},
		{in: "ünïcødé → ok", data: "ünïcødé → ok", property: "ünïcødé → ok"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.data, ci.EscapeData(tt.in))
			require.Equal(t, tt.property, ci.EscapeProperty(tt.in))
		})
	}
}

func TestWriteMarkdownSummaryGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file   string
		report *verify.Report
	}{
		{"summary-mixed.md.golden", mixedReport()},
		{"summary-passed.md.golden", passingReport()},
		{"summary-empty.md.golden", &verify.Report{}},
	} {
		var buf bytes.Buffer
		require.NoError(t, ci.WriteMarkdownSummary(&buf, tc.report))
		mustMatchGolden(t, tc.file, buf.Bytes())
	}
}

func TestWriteMarkdownSummaryEscapes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, ci.WriteMarkdownSummary(&buf, mixedReport()))
	md := buf.String()
	require.Contains(t, md, "failed: 500 &lt;html&gt;", "HTML from a provider is escaped outside code blocks")
	require.NotContains(t, md, "<html>")
	require.Contains(t, md, `A\|1`, "a pipe cannot split a table cell")
	// The body with a run of three backticks is fenced with four.
	require.Contains(t, md, "````\ncreated ```order``` 2\n<script>\n````")
	// Every mismatch row has as many cells as its header.
	rows := 0
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| Path |") || strings.HasPrefix(l, `| \$`) || strings.HasPrefix(l, "| status") {
			require.Equal(t, 5, strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"), l)
			rows++
		}
	}
	require.Equal(t, 9, rows)
}

func TestWriteMarkdownSummaryCutsLongBodies(t *testing.T) {
	t.Parallel()
	r := passingReport()
	r.Pacts[0].Interactions[0] = verify.InteractionResult{
		Description: "big", Status: verify.StatusFailed,
		Failures:     []verify.Failure{{ID: verify.FailureBody, Summary: "Body had differences"}},
		ExpectedBody: "x", ActualBody: strings.Repeat("é", 3000),
	}
	var buf bytes.Buffer
	require.NoError(t, ci.WriteMarkdownSummary(&buf, r))
	require.Contains(t, buf.String(), "Actual body (first 2000 of 6000 bytes):")
	require.Less(t, buf.Len(), 4000)
}

func boolp(b bool) *bool { return &b }

func intp(i int) *int { return &i }

// matrix is a can-i-deploy answer with a passed (with a build link),
// failed, unverified and ignored row.
func matrix(deployable *bool, reason string) *broker.MatrixResult {
	return &broker.MatrixResult{
		Summary: broker.MatrixSummary{Deployable: deployable, Reason: reason, Success: 1, Failed: 1, Unknown: 1, Ignored: intp(1)},
		Notices: []broker.Notice{{Type: "warning", Text: "web 3 has no verification by api 10 | yet"}},
		Rows: []broker.MatrixRow{
			{Consumer: "web", ConsumerVersion: broker.MatrixVersion{Number: "1"}, Provider: "api", ProviderVersion: &broker.MatrixVersion{Number: "10"},
				Verification: &broker.Verification{Success: true, BuildURL: "https://ci.example/builds/(7)"}},
			{Consumer: "web", ConsumerVersion: broker.MatrixVersion{Number: "2"}, Provider: "api", ProviderVersion: &broker.MatrixVersion{Number: "10"},
				Verification: &broker.Verification{Success: false, BuildURL: "javascript:alert(1)"}},
			{Consumer: "web", ConsumerVersion: broker.MatrixVersion{Number: "3"}, Provider: "api"},
			{Consumer: "mobile", ConsumerVersion: broker.MatrixVersion{Number: "5"}, Provider: "api", ProviderVersion: &broker.MatrixVersion{Number: "10"},
				Verification: &broker.Verification{Success: false}, Ignored: true},
		},
	}
}

func TestWriteCanIDeployMarkdownGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		res  *broker.MatrixResult
	}{
		{"can-i-deploy-no.md.golden", matrix(boolp(false), "The verification for the pact between web (2) and api (10) failed")},
		{"can-i-deploy-unknown.md.golden", matrix(nil, "There is no verified pact between web (3) and api")},
		{"can-i-deploy-yes.md.golden", &broker.MatrixResult{Summary: broker.MatrixSummary{Deployable: boolp(true), Reason: "All required verification results are published and successful", Success: 1},
			Rows: matrix(nil, "").Rows[:1]}},
	} {
		var buf bytes.Buffer
		require.NoError(t, ci.WriteCanIDeployMarkdown(&buf, tc.res))
		mustMatchGolden(t, tc.file, buf.Bytes())
	}
}

func TestCanIDeployAnnotations(t *testing.T) {
	t.Parallel()
	require.Empty(t, ci.CanIDeployAnnotations(&broker.MatrixResult{Summary: broker.MatrixSummary{Deployable: boolp(true)}}))

	var buf bytes.Buffer
	require.NoError(t, ci.WriteCanIDeployAnnotations(&buf, matrix(boolp(false), "The verification for the pact between web (2) and api (10) failed")))
	require.Equal(t, "::error title=can-i-deploy%3A computer says no::The verification for the pact between web (2) and api (10) failed"+
		"%0Aweb 2 -> api 10: verification failed%0Aweb 3 -> api (no version): not verified\n", buf.String())

	as := ci.CanIDeployAnnotations(matrix(nil, "unknown"))
	require.Len(t, as, 1)
	require.Equal(t, ci.LevelError, as[0].Level)
	require.Equal(t, "can-i-deploy: computer cannot tell", as[0].Title)
	require.NotContains(t, as[0].Message, "mobile", "ignored rows do not stand in the way")
}

func TestStopAndResumeCommands(t *testing.T) {
	t.Parallel()
	require.Equal(t, "::stop-commands::tok123", ci.StopCommands("tok123"))
	require.Equal(t, "::tok123::", ci.ResumeCommands("tok123"))
}

func TestWriteMarkdownSummaryStaysSmall(t *testing.T) {
	t.Parallel()
	// 500 failed and 500 pending interactions, each with 500 long
	// mismatches, large bodies and warnings, and 500 skipped: far beyond the
	// 1 MiB GitHub accepts if written whole.
	var ms []verify.Mismatch
	for i := range 500 {
		ms = append(ms, verify.Mismatch{Kind: "body-mismatch", Path: fmt.Sprintf("$.items[%d].sku", i),
			Expected: strings.Repeat("e", 5000), Actual: strings.Repeat("a", 5000), Message: strings.Repeat("x", 5000)})
	}
	p := verify.PactResult{Source: "big.json", Consumer: "web", Provider: "api"}
	for i := range 1500 {
		in := verify.InteractionResult{
			Description: fmt.Sprintf("interaction %d", i), Status: verify.StatusFailed,
			Failures:     []verify.Failure{{ID: verify.FailureBody, Summary: "Body had differences", Mismatches: ms}},
			ExpectedBody: strings.Repeat("e", 10000), ActualBody: strings.Repeat("a", 10000),
			Warnings: []string{strings.Repeat("w", 5000)},
		}
		switch {
		case i >= 1000:
			in = verify.InteractionResult{Description: in.Description, Status: verify.StatusSkipped, SkipReason: strings.Repeat("s", 5000)}
		case i >= 500:
			in.Status = verify.StatusPending
		}
		p.Interactions = append(p.Interactions, in)
	}
	var buf bytes.Buffer
	require.NoError(t, ci.WriteMarkdownSummary(&buf, &verify.Report{Provider: "api", Pacts: []verify.PactResult{p}}))
	md := buf.String()
	t.Logf("summary of 1500 interactions, 1000 failing with 500 mismatches each: %d bytes", buf.Len())
	require.Less(t, buf.Len(), 1<<20)
	require.Contains(t, md, "| web → api | big.json | 1500 | 0 | 500 | 500 | 500 |", "the counts cover everything")
	require.Contains(t, md, "more, listed in the log.")
	require.Contains(t, md, "| … | | | and 450 more mismatches, listed in the log |")
	require.Contains(t, md, "- … and 900 more, listed in the log\n", "warnings list cut")
	require.Contains(t, md, "- … and 400 more, listed in the log\n", "skipped list cut")
	require.NotContains(t, md, strings.Repeat("x", 501), "long cells cut")
}

func TestAnnotationsStayWithinWhatGitHubShows(t *testing.T) {
	t.Parallel()
	var ms []verify.Mismatch
	for i := range 60 {
		ms = append(ms, verify.Mismatch{Kind: "body-mismatch", Path: fmt.Sprintf("$.items[%d]", i), Message: "differs"})
	}
	p := verify.PactResult{Source: "pacts/big.json", Consumer: "web", Provider: "api"}
	for i := range 70 {
		in := verify.InteractionResult{Description: fmt.Sprintf("i%d", i), Status: verify.StatusFailed,
			Failures: []verify.Failure{{ID: verify.FailureBody, Summary: "Body had differences", Mismatches: ms}}}
		if i%2 == 1 {
			in.Status = verify.StatusPending
		}
		p.Interactions = append(p.Interactions, in)
	}
	as := ci.Annotations(&verify.Report{Pacts: []verify.PactResult{p}})
	levels := map[ci.Level]int{}
	for _, a := range as {
		levels[a.Level]++
	}
	require.Equal(t, map[ci.Level]int{ci.LevelError: ci.MaxAnnotations, ci.LevelWarning: ci.MaxAnnotations}, levels)

	var errs []ci.Annotation
	for _, a := range as {
		if a.Level == ci.LevelError {
			errs = append(errs, a)
		}
	}
	require.Equal(t, "Contract failed: web -> api: i16", errs[8].Title, "the first 9 errors of 35 in order")
	require.Contains(t, as[0].Message, "  $.items[49]: differs\n  ... and 10 more mismatches")
	last := as[len(as)-2]
	require.Equal(t, ci.Annotation{Level: ci.LevelError, Title: "26 more error annotations: see the log",
		Message: "Contract failed: web -> api: i18\nContract failed: web -> api: i20"}, ci.Annotation{Level: last.Level, Title: last.Title, Message: strings.Join(strings.Split(last.Message, "\n")[:2], "\n")})
	require.Len(t, strings.Split(last.Message, "\n"), 26)
	require.Equal(t, "26 more warning annotations: see the log", as[len(as)-1].Title)

	// Exactly at the limit nothing is folded.
	p.Interactions = p.Interactions[:20]
	as = ci.Annotations(&verify.Report{Pacts: []verify.PactResult{p}})
	require.Len(t, as, 20)
	require.NotContains(t, as[19].Title, "more")
}

func TestCanIDeployAnnotationListsAtMost50Rows(t *testing.T) {
	t.Parallel()
	res := &broker.MatrixResult{Summary: broker.MatrixSummary{Deployable: boolp(false), Reason: "no"}}
	for i := range 80 {
		res.Rows = append(res.Rows, broker.MatrixRow{Consumer: "web", ConsumerVersion: broker.MatrixVersion{Number: fmt.Sprint(i)}, Provider: "api"})
	}
	as := ci.CanIDeployAnnotations(res)
	require.Len(t, as, 1)
	lines := strings.Split(as[0].Message, "\n")
	require.Len(t, lines, 52) // the reason, 50 rows, how many more
	require.Equal(t, "web 49 -> api (no version): not verified", lines[50])
	require.Equal(t, "... and 30 more", lines[51])
}
