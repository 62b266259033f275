package compat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

// writerState is a consumer test that defines interactions and generates
// its pact file (V3/V4 http_consumer, V4/v4).
type writerState struct {
	pact *pact.Pact
	// http is the HTTP interaction being defined (nil if none).
	http *pact.Interaction
	file map[string]any
	raw  []byte
}

func (w *world) writerSteps(sc *godog.ScenarioContext) {
	sc.Step(`^an integration is being defined for a consumer test$`, w.httpDefined)
	sc.Step(`^an HTTP interaction is being defined for a consumer test$`, w.httpDefined)
	sc.Step(`^a message interaction is being defined for a consumer test$`, w.messageDefined)
	sc.Step(`^a provider state "([^"]*)" is specified$`, func(name string) error { return w.stateSpecified(name, nil) })
	sc.Step(`^a provider state "([^"]*)" is specified with the following data:$`, w.stateSpecified)
	sc.Step(`^a key of "([^"]*)" is specified for the HTTP interaction$`, func(key string) error {
		in, err := w.definedHTTP()
		if err == nil {
			in.Key = key
		}
		return err
	})
	sc.Step(`^the HTTP interaction is marked as pending$`, func() error {
		in, err := w.definedHTTP()
		if err == nil {
			in.Pending = true
		}
		return err
	})
	sc.Step(`^a comment "([^"]*)" is added to the HTTP interaction$`, w.commentAdded)
	sc.Step(`^the Pact file for the test is generated$`, w.pactGenerated)
	sc.Step(`^the interaction in the Pact file will contain (\d+) provider states?$`, w.fileStateCount)
	sc.Step(`^the interaction in the Pact file will contain provider state "([^"]*)"$`, w.fileHasState)
	sc.Step(`^the provider state "([^"]*)" in the Pact file will contain the following parameters:$`, w.fileStateParams)
	sc.Step(`^the first interaction in the Pact file will have a type of "([^"]*)"$`, w.fileFirstType)
	sc.Step(`^the first interaction in the Pact file will have "([^"]*)" = '([^']*)'$`, w.fileFirstField)
	sc.Step(`^there will be an interaction in the Pact file with a type of "([^"]*)"$`, w.fileHasType)
}

func (w *world) writerPact() *pact.Pact {
	if w.writer.pact == nil {
		w.writer.pact = w.newPact()
	}
	return w.writer.pact
}

func (w *world) httpDefined() error {
	p := w.writerPact()
	in := &pact.Interaction{
		Type:        pact.HTTP,
		Description: fmt.Sprintf("HTTP interaction %d", len(p.Interactions)+1),
		Request:     &pact.Request{Method: "GET", Path: "/test", Query: pact.Query{}, Headers: pact.Headers{}},
		Response:    &pact.Response{Status: 200, Headers: pact.Headers{}},
	}
	p.Interactions = append(p.Interactions, in)
	w.writer.http = in
	return nil
}

func (w *world) messageDefined() error {
	p := w.writerPact()
	p.Interactions = append(p.Interactions, &pact.Interaction{
		Type:        pact.AsyncMessage,
		Description: fmt.Sprintf("message interaction %d", len(p.Interactions)+1),
		Message:     &pact.Message{Contents: pact.NewBody([]byte(`{"test":true}`), pact.ContentTypeJSON)},
	})
	return nil
}

func (w *world) definedHTTP() (*pact.Interaction, error) {
	if w.writer.http == nil {
		return nil, errors.New("no HTTP interaction is being defined")
	}
	return w.writer.http, nil
}

func (w *world) stateSpecified(name string, data *godog.Table) error {
	in, err := w.definedHTTP()
	if err != nil {
		return err
	}
	st, err := stateWithData(name, data)
	if err != nil {
		return err
	}
	in.ProviderStates = append(in.ProviderStates, st)
	return nil
}

// stateWithData is the provider state name with the parameters of a
// one-row data table (JSON cells), if there is one.
func stateWithData(name string, data *godog.Table) (pact.ProviderState, error) {
	st := pact.ProviderState{Name: name}
	if data == nil {
		return st, nil
	}
	rows := table(data)
	if len(rows) != 1 {
		return st, fmt.Errorf("want one row of data, got %d", len(rows))
	}
	st.Params = map[string]any{}
	for k, v := range rows[0] {
		var val any
		if err := json.Unmarshal([]byte(v), &val); err != nil {
			return st, fmt.Errorf("state data %s = %s: %w", k, v, err)
		}
		st.Params[k] = val
	}
	return st, nil
}

func (w *world) commentAdded(text string) error {
	in, err := w.definedHTTP()
	if err != nil {
		return err
	}
	return addComment(in, text)
}

// addComment appends text to the "text" list of the interaction's V4
// comments.
func addComment(in *pact.Interaction, text string) error {
	c := map[string]any{}
	if len(in.Comments) > 0 {
		if err := json.Unmarshal(in.Comments, &c); err != nil {
			return err
		}
	}
	list, _ := c["text"].([]any)
	c["text"] = append(list, text)
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	in.Comments = raw
	return nil
}

// pactGenerated runs the consumer test: with only HTTP interactions, the
// mock server serves them, each is exercised and the mock server writes the
// pact file; with messages (which the HTTP mock server does not serve) the
// pact writer writes it directly.
func (w *world) pactGenerated() error {
	p := w.writerPact()
	onlyHTTP := true
	for _, in := range p.Interactions {
		if in.Type != pact.HTTP {
			onlyHTTP = false
		}
	}
	if !onlyHTTP {
		data, err := pact.Write(p, w.spec())
		if err != nil {
			return err
		}
		return w.readWritten(data)
	}
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return err
	}
	defer srv.Close()
	for _, in := range p.Interactions {
		req, err := http.NewRequest(in.Request.Method, srv.URL()+in.Request.Path, bytes.NewReader(in.Request.Body.Content))
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != in.Response.Status {
			return fmt.Errorf("mock server answered %d, want %d", resp.StatusCode, in.Response.Status)
		}
	}
	paths, err := srv.WritePact(w.t.TempDir())
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return fmt.Errorf("mock server wrote %d pact files, want 1", len(paths))
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		return err
	}
	return w.readWritten(data)
}

func (w *world) readWritten(data []byte) error {
	w.writer.raw = data
	var err error
	w.writer.file, err = decodeWritten(data)
	return err
}

// decodeWritten decodes a pact file the steps had written, which must
// parse as a pact.
func decodeWritten(data []byte) (map[string]any, error) {
	var file map[string]any
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("written pact file: %w", err)
	}
	if _, err := pact.Parse(data); err != nil {
		return nil, fmt.Errorf("written pact file does not parse: %w", err)
	}
	return file, nil
}

func (w *world) fileInteractions() ([]map[string]any, error) {
	if w.writer.file == nil {
		return nil, errors.New("no pact file generated")
	}
	list, _ := w.writer.file["interactions"].([]any)
	return interactionObjects(list, string(w.writer.raw))
}

// interactionObjects returns the interactions (or V3 messages) listed in a
// written pact file, failing when there are none; raw is the file, for
// the error.
func interactionObjects(list []any, raw string) ([]map[string]any, error) {
	var out []map[string]any
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, errors.New("an interaction is not an object")
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the pact file has no interactions:\n%s", raw)
	}
	return out, nil
}

// fileStates returns the provider states of the one interaction.
func (w *world) fileStates() ([]map[string]any, error) {
	ins, err := w.fileInteractions()
	if err != nil {
		return nil, err
	}
	if len(ins) != 1 {
		return nil, fmt.Errorf("want one interaction, got %d", len(ins))
	}
	list, _ := ins[0]["providerStates"].([]any)
	var out []map[string]any
	for _, s := range list {
		m, _ := s.(map[string]any)
		out = append(out, m)
	}
	return out, nil
}

func (w *world) fileStateCount(n int) error {
	sts, err := w.fileStates()
	if err != nil {
		return err
	}
	if len(sts) != n {
		return fmt.Errorf("interaction has %d provider states, want %d:\n%s", len(sts), n, w.writer.raw)
	}
	return nil
}

func (w *world) fileState(name string) (map[string]any, error) {
	sts, err := w.fileStates()
	if err != nil {
		return nil, err
	}
	for _, s := range sts {
		if s["name"] == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("no provider state %q in:\n%s", name, w.writer.raw)
}

func (w *world) fileHasState(name string) error {
	_, err := w.fileState(name)
	return err
}

func (w *world) fileStateParams(name string, t *godog.Table) error {
	s, err := w.fileState(name)
	if err != nil {
		return err
	}
	return stateParamsEqual(s, t)
}

// stateParamsEqual compares the "params" of a provider state of a written
// pact with the JSON of the "parameters" cell of a one-row table.
func stateParamsEqual(st map[string]any, t *godog.Table) error {
	rows := table(t)
	if len(rows) != 1 {
		return fmt.Errorf("want one row of parameters, got %d", len(rows))
	}
	got, err := json.Marshal(st["params"])
	if err != nil {
		return err
	}
	ok, err := jsonEqual([]byte(rows[0]["parameters"]), got)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("state %q params %s, want %s", st["name"], got, rows[0]["parameters"])
	}
	return nil
}

func (w *world) fileFirstType(typ string) error {
	ins, err := w.fileInteractions()
	if err != nil {
		return err
	}
	if got, _ := ins[0]["type"].(string); got != typ {
		return fmt.Errorf("first interaction type %q, want %q", got, typ)
	}
	return nil
}

func (w *world) fileFirstField(field, want string) error {
	ins, err := w.fileInteractions()
	if err != nil {
		return err
	}
	v, ok := ins[0][field]
	if !ok {
		return fmt.Errorf("first interaction has no %q:\n%s", field, w.writer.raw)
	}
	got, err := json.Marshal(v)
	if err != nil {
		return err
	}
	eq, err := jsonEqual([]byte(want), got)
	if err != nil {
		return err
	}
	if !eq {
		return fmt.Errorf("first interaction %q = %s, want %s", field, got, want)
	}
	return nil
}

func (w *world) fileHasType(typ string) error {
	ins, err := w.fileInteractions()
	if err != nil {
		return err
	}
	for _, in := range ins {
		if in["type"] == typ {
			return nil
		}
	}
	return fmt.Errorf("no interaction of type %q in:\n%s", typ, w.writer.raw)
}
