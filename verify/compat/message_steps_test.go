package compat_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

// messageState is the message side of a scenario (V3/V4 message consumer
// and provider, V4 synchronous message consumer). Consumer scenarios
// declare the message through verify/mock/messagemock, consume it and let
// it write the pact; provider scenarios serve a message.Provider over
// HTTP and verify with the message.NewHTTPTransport transport.
type messageState struct {
	// in is the message interaction being defined (consumer side); for V4
	// it is also in the writer's pact, for "the Pact file for the test is
	// generated".
	in *pact.Interaction

	consumed   bool
	consumeErr error
	request    *messagemock.Received
	received   []messagemock.Received // the async message, or the sync responses
	written    bool
	writeErr   error
	file       map[string]any
	raw        []byte

	producer *message.Provider
}

func (w *world) messageSteps(sc *godog.ScenarioContext) {
	// Consumer: defining the message.
	sc.Step(`^a message integration is being defined for a consumer test$`, w.asyncMessageDefined)
	sc.Step(`^a synchronous message interaction is being defined for a consumer test$`, w.syncMessageDefined)
	sc.Step(`^the message payload contains the "([^"]*)" JSON document$`, func(name string) error {
		return w.setContents(w.messagePart("message"), "file: "+name+".json")
	})
	sc.Step(`^the message request payload contains the "([^"]*)" JSON document$`, func(name string) error {
		return w.setContents(w.messagePart("request"), "file: "+name+".json")
	})
	sc.Step(`^the message response payload contains the "([^"]*)" document$`, w.addResponse)
	sc.Step(`^the message contains the following metadata:$`, func(t *godog.Table) error {
		return w.setMetadata(w.messagePart("message"), t)
	})
	sc.Step(`^the message request contains the following metadata:$`, func(t *godog.Table) error {
		return w.setMetadata(w.messagePart("request"), t)
	})
	sc.Step(`^a provider state "([^"]*)" for the (?:synchronous )?message is specified$`, func(name string) error {
		return w.messageState(name, nil)
	})
	sc.Step(`^a provider state "([^"]*)" for the (?:synchronous )?message is specified with the following data:$`, w.messageState)
	sc.Step(`^a message is defined$`, func() error {
		if w.message.in == nil {
			return errors.New("no message integration is being defined")
		}
		return nil
	})
	sc.Step(`^the message is configured with the following:$`, func(t *godog.Table) error {
		return w.configureMessage(w.messagePart("message"), t)
	})
	sc.Step(`^the message request is configured with the following:$`, func(t *godog.Table) error {
		return w.configureMessage(w.messagePart("request"), t)
	})
	sc.Step(`^the message response is configured with the following:$`, func(t *godog.Table) error {
		if err := w.addResponse("EMPTY"); err != nil {
			return err
		}
		return w.configureMessage(w.messagePart("response"), t)
	})
	sc.Step(`^a key of "([^"]*)" is specified for the (?:synchronous )?message interaction$`, func(key string) error {
		in, err := w.definedMessage()
		if err == nil {
			in.Key = key
		}
		return err
	})
	sc.Step(`^the (?:synchronous )?message interaction is marked as pending$`, func() error {
		in, err := w.definedMessage()
		if err == nil {
			in.Pending = true
		}
		return err
	})
	sc.Step(`^a comment "([^"]*)" is added to the (?:synchronous )?message interaction$`, func(text string) error {
		in, err := w.definedMessage()
		if err != nil {
			return err
		}
		return addComment(in, text)
	})

	// Consumer: consuming it.
	sc.Step(`^the message is successfully processed$`, func() error { return w.consumeMessage(nil) })
	sc.Step(`^the message is NOT successfully processed with a "([^"]*)" exception$`, func(msg string) error {
		return w.consumeMessage(errors.New(msg))
	})
	sc.Step(`^the consumer test will have passed$`, func() error {
		if !w.message.consumed || w.message.consumeErr != nil {
			return fmt.Errorf("consumer test did not pass: %v", w.message.consumeErr)
		}
		return nil
	})
	sc.Step(`^the consumer test will have failed$`, func() error {
		if w.message.consumeErr == nil {
			return errors.New("consumer test passed, want a failure")
		}
		return nil
	})
	sc.Step(`^the consumer test error will be "([^"]*)"$`, func(msg string) error {
		var ce *messagemock.ConsumerError
		if !errors.As(w.message.consumeErr, &ce) || ce.Err.Error() != msg {
			return fmt.Errorf("consumer error %v, want the handler's %q", w.message.consumeErr, msg)
		}
		return nil
	})
	sc.Step(`^a Pact file for the message interaction will have been written$`, func() error {
		if !w.message.written {
			return fmt.Errorf("no pact file written: %v", w.message.writeErr)
		}
		return nil
	})
	sc.Step(`^a Pact file for the message interaction will NOT have been written$`, func() error {
		if w.message.written {
			return fmt.Errorf("a pact file was written:\n%s", w.message.raw)
		}
		if !errors.Is(w.message.writeErr, messagemock.ErrNotConsumed) {
			return fmt.Errorf("pact not written for another reason: %v", w.message.writeErr)
		}
		return nil
	})

	// Consumer: what the handler received.
	sc.Step(`^the received message payload will contain the "([^"]*)" JSON document$`, func(name string) error {
		return w.receivedHas(0, "file: "+name+".json")
	})
	sc.Step(`^the received message payload will contain the "([^"]*)" document$`, func(cell string) error {
		return w.receivedHas(0, cell)
	})
	sc.Step(`^the received message content type will be "([^"]*)"$`, func(ct string) error {
		r, err := w.receivedMessage("")
		if err != nil {
			return err
		}
		if pact.MediaType(r.ContentType) != pact.MediaType(ct) {
			return fmt.Errorf("received content type %q, want %q", r.ContentType, ct)
		}
		return nil
	})
	sc.Step(`^the received message (request |response )?metadata will contain "([^"]*)" == "((?:[^"\\]|\\.)*)"$`, func(part, key, want string) error {
		r, err := w.receivedMessage(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		return metadataEquals(r.Metadata, key, unquote(want))
	})
	sc.Step(`^the received message (request |response )?metadata will contain "([^"]*)" replaced with an? "([^"]*)"$`, func(part, key, kind string) error {
		r, err := w.receivedMessage(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		v, ok := r.Metadata[key]
		if !ok {
			return fmt.Errorf("received metadata has no %q: %v", key, r.Metadata)
		}
		return isKind(v, kind)
	})
	sc.Step(`^the message (request |response )?contents for "([^"]*)" will have been replaced with an? "([^"]*)"$`, func(part, path, kind string) error {
		r, err := w.receivedMessage(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		v, err := jsonAt(r.Contents, path)
		if err != nil {
			return err
		}
		return isKind(v, kind)
	})

	// Consumer: the pact file written.
	sc.Step(`^the pact file will contain (\d+) (?:message )?interactions?$`, func(n int) error {
		items, err := w.messageItems()
		if err != nil {
			return err
		}
		if len(items) != n {
			return fmt.Errorf("pact file has %d interactions, want %d:\n%s", len(items), n, w.messageRaw())
		}
		return nil
	})
	sc.Step(`^the first message in the pact file will contain the "([^"]*)" document$`, func(name string) error {
		return w.fileMessageHas("contents", -1, "file: "+name)
	})
	sc.Step(`^the first interaction in the pact file will contain the "([^"]*)" document as the request$`, func(cell string) error {
		return w.fileMessageHas("request", -1, cell)
	})
	sc.Step(`^the first interaction in the pact file will contain the "([^"]*)" document as a response$`, func(cell string) error {
		return w.fileMessageHas("response", 0, cell)
	})
	sc.Step(`^the first interaction in the pact file will contain the "([^"]*)" document as the (\w+) response message$`, func(cell, nth string) error {
		i, err := ordinal(nth)
		if err != nil {
			return err
		}
		return w.fileMessageHas("response", i, cell)
	})
	sc.Step(`^the first interaction in the pact file will contain (\d+) response messages$`, func(n int) error {
		items, err := w.messageItems()
		if err != nil {
			return err
		}
		list, _ := items[0]["response"].([]any)
		if len(list) != n {
			return fmt.Errorf("first interaction has %d responses, want %d:\n%s", len(list), n, w.messageRaw())
		}
		return nil
	})
	sc.Step(`^the first message in the pact file content type will be "([^"]*)"$`, func(ct string) error {
		return w.fileContentType("contents", ct)
	})
	sc.Step(`^the first interaction in the pact file (request|response) content type will be "([^"]*)"$`, w.fileContentType)
	sc.Step(`^the first message in the pact file will contain the (request )?message metadata "([^"]*)" == "((?:[^"\\]|\\.)*)"$`, func(part, key, want string) error {
		m, err := w.fileMessage(strings.TrimSpace(part), 0)
		if err != nil {
			return err
		}
		md, _ := m["metadata"].(map[string]any)
		return metadataEquals(md, key, unquote(want))
	})
	sc.Step(`^the first message in the pact file will contain (\d+) provider states?$`, func(n int) error {
		sts, err := w.fileMessageStates()
		if err != nil {
			return err
		}
		if len(sts) != n {
			return fmt.Errorf("first message has %d provider states, want %d:\n%s", len(sts), n, w.messageRaw())
		}
		return nil
	})
	sc.Step(`^the first message in the Pact file will contain provider state "([^"]*)"$`, func(name string) error {
		_, err := w.fileMessageState(name)
		return err
	})
	sc.Step(`^the provider state "([^"]*)" for the message will contain the following parameters:$`, func(name string, t *godog.Table) error {
		st, err := w.fileMessageState(name)
		if err != nil {
			return err
		}
		return stateParamsEqual(st, t)
	})

	// Provider.
	sc.Step(`^a provider is started that can generate the "([^"]*)" message with "((?:[^"\\]|\\.)*)"$`, func(name, cell string) error {
		return w.messageProvider(name, unquote(cell), nil)
	})
	sc.Step(`^a provider is started that can generate the "([^"]*)" message with "((?:[^"\\]|\\.)*)" and the following metadata:$`, func(name, cell string, t *godog.Table) error {
		return w.messageProvider(name, unquote(cell), t)
	})
	sc.Step(`^a Pact file for "([^"]*)":"((?:[^"\\]|\\.)*)" is to be verified$`, func(name, cell string) error {
		return w.messagePact(name, map[string]string{"body": unquote(cell)}, pactOptions{})
	})
	sc.Step(`^a Pact file for "([^"]*)":"((?:[^"\\]|\\.)*)" is to be verified with provider state "([^"]*)"$`, func(name, cell, state string) error {
		return w.messagePact(name, map[string]string{"body": unquote(cell)}, pactOptions{states: []pact.ProviderState{{Name: state}}})
	})
	sc.Step(`^a Pact file for "([^"]*)":"((?:[^"\\]|\\.)*)" is to be verified, but is marked pending$`, func(name, cell string) error {
		return w.messagePact(name, map[string]string{"body": unquote(cell)}, pactOptions{pending: true})
	})
	sc.Step(`^a Pact file for "([^"]*)":"((?:[^"\\]|\\.)*)" is to be verified with the following metadata:$`, func(name, cell string, t *godog.Table) error {
		md, err := metadataTable(t)
		if err != nil {
			return err
		}
		return w.messagePactWith(name, map[string]string{"body": unquote(cell)}, md, pactOptions{})
	})
	sc.Step(`^a Pact file for "([^"]*)":"((?:[^"\\]|\\.)*)" is to be verified with the following comments:$`, func(name, cell string, t *godog.Table) error {
		c, err := commentsTable(t)
		if err != nil {
			return err
		}
		return w.messagePact(name, map[string]string{"body": unquote(cell)}, pactOptions{comments: c})
	})
	sc.Step(`^a Pact file for "([^"]*)" is to be verified with the following:$`, func(name string, t *godog.Table) error {
		row := map[string]string{}
		for _, r := range t.Rows {
			if len(r.Cells) != 2 {
				return fmt.Errorf("want key | value rows, got %d cells", len(r.Cells))
			}
			row[strings.TrimSpace(r.Cells[0].Value)] = strings.TrimSpace(r.Cells[1].Value)
		}
		var md map[string]any
		if cell, ok := row["metadata"]; ok {
			md = map[string]any{}
			for _, kv := range strings.Split(cell, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
				if !ok {
					return fmt.Errorf("metadata item %q: want key=value", kv)
				}
				val, err := metadataValue(v)
				if err != nil {
					return err
				}
				md[strings.TrimSpace(k)] = val
			}
		}
		return w.messagePactWith(name, row, md, pactOptions{})
	})
}

// asyncMessageDefined starts a message consumer test (V3 message_consumer).
func (w *world) asyncMessageDefined() error {
	w.message.in = &pact.Interaction{Type: pact.AsyncMessage, Description: "a test message", Message: &pact.Message{}}
	return nil
}

// syncMessageDefined starts a synchronous message consumer test; the
// interaction also goes in the writer's pact.
func (w *world) syncMessageDefined() error {
	w.message.in = &pact.Interaction{
		Type: pact.SyncMessage, Description: "a synchronous message",
		MessageRequest: &pact.Message{},
	}
	p := w.writerPact()
	p.Interactions = append(p.Interactions, w.message.in)
	return nil
}

// definedMessage is the message interaction being defined: the
// synchronous one, else the last message of the writer's pact (V4
// message_consumer defines it with the writer's step).
func (w *world) definedMessage() (*pact.Interaction, error) {
	if w.message.in != nil {
		return w.message.in, nil
	}
	if p := w.writer.pact; p != nil {
		for i := len(p.Interactions) - 1; i >= 0; i-- {
			if p.Interactions[i].Type != pact.HTTP {
				return p.Interactions[i], nil
			}
		}
	}
	return nil, errors.New("no message interaction is being defined")
}

// messagePart returns the message of the interaction being defined:
// "message" (async), "request" or "response" (the last response).
func (w *world) messagePart(part string) func() (*pact.Message, error) {
	return func() (*pact.Message, error) {
		in := w.message.in
		if in == nil {
			return nil, errors.New("no message interaction is being defined")
		}
		switch {
		case part == "message" && in.Message != nil:
			return in.Message, nil
		case part == "request" && in.MessageRequest != nil:
			return in.MessageRequest, nil
		case part == "response" && len(in.MessageResponses) > 0:
			return in.MessageResponses[len(in.MessageResponses)-1], nil
		}
		return nil, fmt.Errorf("the message being defined has no %s", part)
	}
}

func (w *world) setContents(part func() (*pact.Message, error), cell string) error {
	m, err := part()
	if err != nil {
		return err
	}
	b, err := w.body(cell, "", "")
	if err != nil {
		return err
	}
	m.Contents = b
	return nil
}

func (w *world) addResponse(cell string) error {
	in := w.message.in
	if in == nil || in.Type != pact.SyncMessage {
		return errors.New("no synchronous message interaction is being defined")
	}
	m := &pact.Message{}
	if cell != "EMPTY" {
		b, err := w.body(cell, "", "")
		if err != nil {
			return err
		}
		m.Contents = b
	}
	in.MessageResponses = append(in.MessageResponses, m)
	return nil
}

// metadataValue reads a metadata cell: "JSON: ..." is a JSON value, else
// the text.
func metadataValue(cell string) (any, error) {
	cell = strings.TrimSpace(cell)
	if strings.HasPrefix(cell, "JSON:") {
		var v any
		d := json.NewDecoder(strings.NewReader(strings.TrimSpace(strings.TrimPrefix(cell, "JSON:"))))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("metadata value %s: %w", cell, err)
		}
		return v, nil
	}
	return cell, nil
}

// metadataTable reads a key | value table.
func metadataTable(t *godog.Table) (map[string]any, error) {
	md := map[string]any{}
	for _, row := range table(t) {
		v, err := metadataValue(row["value"])
		if err != nil {
			return nil, err
		}
		md[row["key"]] = v
	}
	return md, nil
}

func (w *world) setMetadata(part func() (*pact.Message, error), t *godog.Table) error {
	m, err := part()
	if err != nil {
		return err
	}
	md, err := metadataTable(t)
	if err != nil {
		return err
	}
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	for k, v := range md {
		m.Metadata[k] = v
	}
	return nil
}

func (w *world) messageState(name string, data *godog.Table) error {
	in := w.message.in
	if in == nil {
		return errors.New("no message interaction is being defined")
	}
	st, err := stateWithData(name, data)
	if err != nil {
		return err
	}
	in.ProviderStates = append(in.ProviderStates, st)
	return nil
}

// configureMessage applies a row of body / generators / metadata cells.
func (w *world) configureMessage(part func() (*pact.Message, error), t *godog.Table) error {
	m, err := part()
	if err != nil {
		return err
	}
	rows := table(t)
	if len(rows) != 1 {
		return fmt.Errorf("want one row, got %d", len(rows))
	}
	row := rows[0]
	if v := row["body"]; v != "" {
		b, err := w.body(v, "", "")
		if err != nil {
			return err
		}
		m.Contents = b
	}
	if v := row["generators"]; v != "" {
		data, err := w.jsonCell(v)
		if err != nil {
			return err
		}
		gens, err := pact.ParseGenerators(data)
		if err != nil {
			return fmt.Errorf("generators %s: %w", v, err)
		}
		m.Gen = gens
	}
	if v := row["metadata"]; v != "" {
		var md map[string]any
		d := json.NewDecoder(strings.NewReader(v))
		d.UseNumber()
		if err := d.Decode(&md); err != nil {
			return fmt.Errorf("metadata %s: %w", v, err)
		}
		m.Metadata = md
	}
	return nil
}

// consumeMessage declares the message being defined through messagemock,
// runs the consumer's handler (failing with handlerErr when set) and
// writes the pact.
func (w *world) consumeMessage(handlerErr error) error {
	in := w.message.in
	if in == nil {
		return errors.New("no message interaction is being defined")
	}
	mp := messagemock.New("message-consumer", "message-provider", messagemock.WithSpec(w.spec()))
	var err error
	switch in.Type {
	case pact.AsyncMessage:
		d := mp.ExpectsToReceive(in.Description)
		for _, st := range in.ProviderStates {
			d.Given(st.Name, st.Params)
		}
		if in.Message.Contents.State != pact.BodyMissing {
			d.WithContents(messagemock.FromBody(in.Message.Contents))
		}
		d.WithMetadata(in.Message.Metadata).WithRules(in.Message.Rules, in.Message.Gen)
		err = d.ConsumedBy(func(r messagemock.Received) error {
			w.message.received = []messagemock.Received{r}
			return handlerErr
		})
	case pact.SyncMessage:
		d := mp.ExpectsRequest(in.Description)
		for _, st := range in.ProviderStates {
			d.Given(st.Name, st.Params)
		}
		if in.Key != "" {
			d.Key(in.Key)
		}
		if in.Pending {
			d.Pending()
		}
		req := in.MessageRequest
		if req.Contents.State != pact.BodyMissing {
			d.WithRequest(messagemock.FromBody(req.Contents), nil)
		}
		d.WithRequestMetadata(req.Metadata).WithRequestRules(req.Rules, req.Gen)
		for _, r := range in.MessageResponses {
			d.WillRespondWith(messagemock.FromBody(r.Contents), r.Metadata).WithResponseRules(r.Rules, r.Gen)
		}
		err = d.ConsumedBy(func(req messagemock.Received, resps []messagemock.Received) error {
			w.message.request = &req
			w.message.received = resps
			return handlerErr
		})
	}
	w.message.consumed = true
	w.message.consumeErr = err
	paths, werr := mp.WritePact(w.t.TempDir())
	w.message.writeErr = werr
	if werr != nil {
		return nil
	}
	if len(paths) != 1 {
		return fmt.Errorf("WritePact wrote %d files, want 1: %q", len(paths), paths)
	}
	data, rerr := os.ReadFile(paths[0])
	if rerr != nil {
		return rerr
	}
	w.message.written = true
	w.message.raw = data
	w.message.file, rerr = decodeWritten(data)
	return rerr
}

// receivedMessage is what the handler received: part "request" is the
// sync request, "response" or "" the (first) response or the message.
func (w *world) receivedMessage(part string) (messagemock.Received, error) {
	if part == "request" {
		if w.message.request == nil {
			return messagemock.Received{}, errors.New("the handler received no request")
		}
		return *w.message.request, nil
	}
	if len(w.message.received) == 0 {
		return messagemock.Received{}, errors.New("the handler received no message")
	}
	return w.message.received[0], nil
}

func (w *world) receivedHas(i int, cell string) error {
	if i >= len(w.message.received) {
		return fmt.Errorf("the handler received %d messages", len(w.message.received))
	}
	want, err := w.body(cell, "", "")
	if err != nil {
		return err
	}
	return sameContents(want.Content, w.message.received[i].Contents)
}

// sameContents compares JSON by value, anything else byte for byte.
func sameContents(want, got []byte) error {
	if json.Valid(want) && json.Valid(got) {
		if eq, _ := jsonEqual(want, got); eq {
			return nil
		}
	} else if bytes.Equal(want, got) {
		return nil
	}
	return fmt.Errorf("contents %s, want %s", got, want)
}

func metadataEquals(md map[string]any, key, want string) error {
	got, ok := md[key]
	if !ok {
		return fmt.Errorf("metadata has no %q: %v", key, md)
	}
	wantV, err := metadataValue(want)
	if err != nil {
		return err
	}
	a, _ := json.Marshal(wantV)
	b, _ := json.Marshal(got)
	if eq, err := jsonEqual(a, b); err != nil || !eq {
		return fmt.Errorf("metadata %q = %s, want %s", key, b, a)
	}
	return nil
}

var integerText = regexp.MustCompile(`^-?\d+$`)

func isKind(v any, kind string) error {
	if kind != "integer" {
		return fmt.Errorf("value kind %q not understood", kind)
	}
	data, _ := json.Marshal(v)
	if !integerText.Match(data) {
		return fmt.Errorf("value %s is not an integer", data)
	}
	return nil
}

// jsonAt returns the value at a simple "$.a.b" path of a JSON document.
func jsonAt(doc []byte, path string) (any, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("contents are not JSON: %w", err)
	}
	for _, k := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no %s in %s", path, doc)
		}
		if v, ok = m[k]; !ok {
			return nil, fmt.Errorf("no %s in %s", path, doc)
		}
	}
	return v, nil
}

// messageFile is the pact file the scenario wrote: the one messagemock
// wrote, else the writer's.
func (w *world) messageFile() map[string]any {
	if w.message.file != nil {
		return w.message.file
	}
	return w.writer.file
}

func (w *world) messageRaw() string {
	if w.message.raw != nil {
		return string(w.message.raw)
	}
	return string(w.writer.raw)
}

// messageItems returns the "messages" (V3) or "interactions" of the file.
func (w *world) messageItems() ([]map[string]any, error) {
	f := w.messageFile()
	if f == nil {
		return nil, errors.New("no pact file written")
	}
	list, ok := f["messages"].([]any)
	if !ok {
		list, _ = f["interactions"].([]any)
	}
	return interactionObjects(list, w.messageRaw())
}

// fileMessage returns a message of the first interaction: "" the message
// itself (V3, or V4 async), "request", or response i.
func (w *world) fileMessage(part string, i int) (map[string]any, error) {
	items, err := w.messageItems()
	if err != nil {
		return nil, err
	}
	first := items[0]
	switch part {
	case "request":
		m, ok := first["request"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("first interaction has no request:\n%s", w.messageRaw())
		}
		return m, nil
	case "response":
		list, _ := first["response"].([]any)
		if i >= len(list) {
			return nil, fmt.Errorf("first interaction has %d responses:\n%s", len(list), w.messageRaw())
		}
		m, _ := list[i].(map[string]any)
		return m, nil
	}
	return first, nil
}

// fileContents returns the contents and content type of a message of
// the first interaction, decoding V4 {"content", "contentType",
// "encoded"} contents.
func (w *world) fileContents(part string, i int) ([]byte, string, error) {
	m, err := w.fileMessage(part, i)
	if err != nil {
		return nil, "", err
	}
	md, _ := m["metadata"].(map[string]any)
	ct := ""
	for k, v := range md {
		if strings.EqualFold(k, "contentType") || strings.EqualFold(k, "content-type") {
			ct, _ = v.(string)
		}
	}
	c := m["contents"]
	if obj, ok := c.(map[string]any); ok && w.spec() == pact.V4 {
		if s, ok := obj["contentType"].(string); ok {
			ct = s
		}
		switch content := obj["content"].(type) {
		case string:
			if obj["encoded"] == "base64" {
				return nil, ct, errors.New("base64 contents not expected here")
			}
			return []byte(content), ct, nil
		default:
			data, err := json.Marshal(content)
			return data, ct, err
		}
	}
	if s, ok := c.(string); ok {
		return []byte(s), ct, nil
	}
	data, err := json.Marshal(c)
	if ct == "" && err == nil {
		ct = pact.DetectContentType(data)
	}
	return data, ct, err
}

func (w *world) fileMessageHas(part string, i int, cell string) error {
	if part == "contents" {
		part = ""
	}
	if i < 0 {
		i = 0
	}
	got, _, err := w.fileContents(part, i)
	if err != nil {
		return err
	}
	want, err := w.body(cell, "", "")
	if err != nil {
		return err
	}
	return sameContents(want.Content, got)
}

func (w *world) fileContentType(part, ct string) error {
	if part == "contents" {
		part = ""
	}
	_, got, err := w.fileContents(part, 0)
	if err != nil {
		return err
	}
	if pact.MediaType(got) != pact.MediaType(ct) {
		return fmt.Errorf("content type %q, want %q:\n%s", got, ct, w.messageRaw())
	}
	return nil
}

func (w *world) fileMessageStates() ([]map[string]any, error) {
	items, err := w.messageItems()
	if err != nil {
		return nil, err
	}
	list, _ := items[0]["providerStates"].([]any)
	var out []map[string]any
	for _, s := range list {
		m, _ := s.(map[string]any)
		out = append(out, m)
	}
	return out, nil
}

func (w *world) fileMessageState(name string) (map[string]any, error) {
	sts, err := w.fileMessageStates()
	if err != nil {
		return nil, err
	}
	for _, s := range sts {
		if s["name"] == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("no provider state %q in:\n%s", name, w.messageRaw())
}

// messageProvider registers a producer of the named message on the
// scenario's message provider, started on first use: a message.Provider
// served over loopback HTTP, verified through message.NewHTTPTransport.
func (w *world) messageProvider(name, cell string, metadata *godog.Table) error {
	b, err := w.messageBody(cell)
	if err != nil {
		return err
	}
	m := message.Message{Contents: b.Content, ContentType: b.ContentType}
	if metadata != nil {
		if m.Metadata, err = metadataTable(metadata); err != nil {
			return err
		}
	}
	if w.message.producer == nil {
		w.message.producer = message.NewProvider()
		producer := w.message.producer
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w.provider.events.add(event{kind: "request", method: r.Method, path: r.URL.Path, header: r.Header.Clone()})
			producer.ServeHTTP(rw, r)
		}))
		w.cleanup(srv.Close)
		w.provider.provider = srv
		tr := message.NewHTTPTransport(srv.URL, srv.Client())
		w.provider.transports = map[string]verify.Transport{message.KeyAsync: tr, message.KeySync: tr}
	}
	w.message.producer.Handle(name, func(context.Context, []pact.ProviderState) (message.Message, error) {
		return m, nil
	})
	return nil
}

func (w *world) messagePact(name string, row map[string]string, opts pactOptions) error {
	return w.messagePactWith(name, row, nil, opts)
}

// messagePactWith writes a message pact for consumer c_<name> with one
// message described as name: body and matching rules cells, metadata.
func (w *world) messagePactWith(name string, row map[string]string, md map[string]any, opts pactOptions) error {
	m := &pact.Message{Metadata: md}
	if v := row["body"]; v != "" {
		b, err := w.messageBody(v)
		if err != nil {
			return err
		}
		m.Contents = b
		// Message pacts carry the contents' type in the metadata, as the
		// Pact implementations write them (V3 contents have no type of
		// their own).
		if m.MetadataContentType() == "" && b.ContentType != "" {
			if m.Metadata == nil {
				m.Metadata = map[string]any{}
			}
			m.Metadata["contentType"] = b.ContentType
		}
	}
	if v := row["matching rules"]; v != "" {
		rules, err := w.rules(v)
		if err != nil {
			return err
		}
		m.Rules = rules
	}
	in := &pact.Interaction{
		Type: pact.AsyncMessage, Description: name, Message: m,
		ProviderStates: opts.states, Pending: opts.pending, Comments: opts.comments,
	}
	p := &pact.Pact{
		Consumer:     pact.Pacticipant{Name: "c_" + name},
		Provider:     pact.Pacticipant{Name: providerName},
		Spec:         w.spec(),
		Messages:     w.spec() <= pact.V3,
		Interactions: []*pact.Interaction{in},
	}
	data, err := pact.Write(p, w.spec())
	if err != nil {
		return fmt.Errorf("write message pact %q: %w", name, err)
	}
	path := filepath.Join(w.t.TempDir(), "c_"+name+"-p.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	w.provider.files = append(w.provider.files, path)
	return nil
}

// messageBody reads a body cell like w.body, and also *-body.xml
// fixtures whose contents are base64 encoded (<contents
// encoding="base64">, the Kafka schema registry fixtures).
func (w *world) messageBody(cell string) (pact.Body, error) {
	name, ok := strings.CutPrefix(cell, "file:")
	name = strings.TrimSpace(name)
	if !ok || !strings.HasSuffix(name, "-body.xml") {
		return w.body(cell, "", "")
	}
	data, err := w.fixture(name)
	if err != nil {
		return pact.Body{}, err
	}
	var doc struct {
		ContentType string `xml:"contentType"`
		Contents    struct {
			Encoding string `xml:"encoding,attr"`
			Text     string `xml:",chardata"`
		} `xml:"contents"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return pact.Body{}, fmt.Errorf("body fixture %s: %w", name, err)
	}
	if !strings.EqualFold(doc.Contents.Encoding, "base64") {
		return w.body(cell, "", "")
	}
	content, err := base64.StdEncoding.DecodeString(strings.TrimSpace(doc.Contents.Text))
	if err != nil {
		return pact.Body{}, fmt.Errorf("body fixture %s: contents: %w", name, err)
	}
	return pact.NewBody(content, strings.TrimSpace(doc.ContentType)), nil
}

func commentsTable(t *godog.Table) (json.RawMessage, error) {
	c := map[string]any{}
	var text []string
	for _, row := range table(t) {
		switch row["type"] {
		case "text":
			text = append(text, row["comment"])
		case "testname":
			c["testname"] = row["comment"]
		default:
			return nil, fmt.Errorf("comment type %q not understood", row["type"])
		}
	}
	if len(text) > 0 {
		c["text"] = text
	}
	return json.Marshal(c)
}

// wrongMessageScenarios are message scenarios of the suite whose last
// Then-step states something false: each must fail at that step and
// nowhere else.
var wrongMessageScenarios = []wrongScenario{
	{"provider verdict", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a provider is started that can generate the "basic" message with "file: basic.json"
    And a Pact file for "basic":"file: basic.json" is to be verified
    When the verification is run
    Then the verification will NOT be successful
`},
	{"provider failure kind", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a provider is started that can generate the "basic" message with "file: basic.json" and the following metadata:
      | key    | value     |
      | Origin | Some Text |
    And a Pact file for "basic":"file: basic.json" is to be verified with the following metadata:
      | key    | value      |
      | Origin | Other Text |
    When the verification is run
    Then the verification results will contain a "Body had differences" error
`},
	{"provider state", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a provider is started that can generate the "basic" message with "file: basic.json"
    And a provider state callback is configured
    And a Pact file for "basic":"file: basic.json" is to be verified with provider state "state one"
    When the verification is run
    Then the provider state callback will receive a setup call with "state two" as the provider state parameter
`},
	{"provider pending kind", "V4/selftest", `
Feature: x
  Scenario: wrong
    Given a provider is started that can generate the "basic" message with "file: basic2.json"
    And a Pact file for "basic":"file: basic.json" is to be verified, but is marked pending
    When the verification is run
    Then there will be a pending "Metadata had differences" error
`},
	{"consumer payload", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a message integration is being defined for a consumer test
    And the message payload contains the "basic" JSON document
    When the message is successfully processed
    Then the received message payload will contain the "basic2" JSON document
`},
	{"consumer error", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a message integration is being defined for a consumer test
    And the message payload contains the "basic" JSON document
    When the message is NOT successfully processed with a "Test failed" exception
    Then the consumer test error will be "Other failure"
`},
	{"pact file metadata", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a message integration is being defined for a consumer test
    And the message payload contains the "basic" JSON document
    And the message contains the following metadata:
      | key    | value     |
      | Origin | Some Text |
    When the message is successfully processed
    Then the first message in the pact file will contain the message metadata "Origin" == "Other Text"
`},
	{"generated metadata kind", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a message integration is being defined for a consumer test
    And the message is configured with the following:
      | generators                                                                      | metadata                                  |
      | JSON: { "metadata": { "ID": { "type": "RandomInt", "min": 0,  "max": 1000 } } } | { "ID": "sjhdjkshsdjh", "weight": 100.5 } |
    When the message is successfully processed
    Then the received message metadata will contain "weight" replaced with an "integer"
`},
	{"sync response count", "V4/selftest", `
Feature: x
  Scenario: wrong
    Given a synchronous message interaction is being defined for a consumer test
    And the message response payload contains the "file: basic.json" document
    And the message response payload contains the "file: xml-body.xml" document
    When the Pact file for the test is generated
    Then the first interaction in the pact file will contain 3 response messages
`},
	{"async key", "V4/selftest", `
Feature: x
  Scenario: wrong
    Given a message interaction is being defined for a consumer test
    And a key of "123ABC" is specified for the message interaction
    When the Pact file for the test is generated
    Then the first interaction in the Pact file will have "key" = '"XYZ"'
`},
}

func TestMessageStepsCanFail(t *testing.T) {
	requireLastStepsFail(t, wrongMessageScenarios)
}
