package messagemock_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
	"github.com/contracts-dev/contracts/verify/mock"
	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }

// mustWrite writes p's pact in a temp dir and parses it back.
func mustWrite(tb testing.TB, p *messagemock.Pact) (*pact.Pact, []byte) {
	tb.Helper()
	paths, err := p.WritePact(tb.TempDir())
	require.NoError(tb, err)
	require.Len(tb, paths, 1)
	data, err := os.ReadFile(paths[0])
	require.NoError(tb, err)
	parsed, err := pact.Parse(data)
	require.NoError(tb, err, "%s", data)
	return parsed, data
}

func TestJSONMatchersBecomeRulesAndGenerators(t *testing.T) {
	p := messagemock.New("c", "p", messagemock.WithClock(fixedNow))
	var got messagemock.Received
	err := p.ExpectsToReceive("an event").
		Given("a state", map[string]any{"n": 1}).
		Key("k1").Pending().Comment("first").
		WithContents(messagemock.JSON(map[string]any{
			"id":     messagemock.UUID("5cd3b9a4-8c6c-4a1e-9d8e-2e1f3c4b5a6d"),
			"n":      messagemock.RandomInt(10, 20),
			"name":   messagemock.Like("x"),
			"tags":   messagemock.EachLike(messagemock.Regex("a", "^[a-z]+$"), 2),
			"flag":   messagemock.Boolean(true),
			"note":   messagemock.Includes("hello"),
			"plain":  []any{1, map[string]any{"odd key": messagemock.Decimal(1.5)}},
			"nested": messagemock.Like(map[string]any{"n": messagemock.Integer(3)}),
			"owner":  messagemock.FromProviderState("${owner}", "ann"),
		})).
		WithMetadata(map[string]any{"topic": "t", "key": messagemock.Regex("k-1", `^k-\d$`), "seq": messagemock.RandomInt(1, 5)}).
		ConsumedBy(func(r messagemock.Received) error { got = r; return nil })
	require.NoError(t, err)

	// The consumer got generated values where generators are.
	var body map[string]any
	require.NoError(t, got.JSON(&body))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, body["id"])
	require.NotEqual(t, "5cd3b9a4-8c6c-4a1e-9d8e-2e1f3c4b5a6d", body["id"])
	require.GreaterOrEqual(t, body["n"], float64(10))
	require.LessOrEqual(t, body["n"], float64(20))
	require.Equal(t, []any{"a"}, body["tags"])
	require.Equal(t, "ann", body["owner"], "provider state generators do not apply on the consumer side")
	require.Equal(t, "application/json", got.ContentType)
	require.Equal(t, "k-1", got.Metadata["key"])

	parsed, data := mustWrite(t, p)
	require.Equal(t, pact.V4, parsed.Spec)
	in := parsed.Interactions[0]
	require.Equal(t, pact.AsyncMessage, in.Type)
	require.Equal(t, "k1", in.Key)
	require.True(t, in.Pending)
	require.JSONEq(t, `{"text":["first"]}`, string(in.Comments))
	require.Equal(t, []pact.ProviderState{{Name: "a state", Params: map[string]any{"n": json.Number("1")}}}, in.ProviderStates)

	// The pact keeps the examples, and the rules at their JSON paths.
	var ex map[string]any
	require.NoError(t, json.Unmarshal(in.Message.Contents.Content, &ex))
	require.Equal(t, "5cd3b9a4-8c6c-4a1e-9d8e-2e1f3c4b5a6d", ex["id"])
	require.Equal(t, float64(10), ex["n"])
	keys := func(m map[string]pact.RuleList) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	require.ElementsMatch(t, []string{"$.id", "$.n", "$.name", "$.tags", "$.tags[*]", "$.flag", "$.note",
		"$.plain[1]['odd key']", "$.nested", "$.nested.n", "$.owner"}, keys(in.Message.Rules[pact.CategoryBody]), "%s", data)
	require.Equal(t, "type", in.Message.Rules[pact.CategoryBody]["$.tags"].Matchers[0].Type)
	require.Equal(t, json.Number("2"), in.Message.Rules[pact.CategoryBody]["$.tags"].Matchers[0].Attrs["min"])
	require.Equal(t, "regex", in.Message.Rules[pact.CategoryBody]["$.tags[*]"].Matchers[0].Type)
	require.ElementsMatch(t, []string{"$.id", "$.n", "$.owner"}, keys2(in.Message.Gen[pact.CategoryBody]))
	require.Equal(t, pact.Generator{Type: "ProviderState", Attrs: map[string]any{"expression": "${owner}"}}, in.Message.Gen[pact.CategoryBody]["$.owner"])
	require.ElementsMatch(t, []string{"key", "seq"}, keys(in.Message.Rules[pact.CategoryMetadata]))
	require.ElementsMatch(t, []string{"seq"}, keys2(in.Message.Gen[pact.CategoryMetadata]))
	require.Equal(t, map[string]any{"topic": "t", "key": "k-1", "seq": json.Number("1")}, in.Message.Metadata)
}

func keys2(m map[string]pact.Generator) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPayloadKinds(t *testing.T) {
	cases := []struct {
		name     string
		contents messagemock.Contents
		ct       string
		want     []byte
	}{
		{"xml", messagemock.XML("<order id=\"1\"/>"), "application/xml", []byte("<order id=\"1\"/>")},
		{"text", messagemock.Text("hello"), "text/plain", []byte("hello")},
		{"binary", messagemock.Binary([]byte{0, 1, 2, 0xff}, ""), "application/octet-stream", []byte{0, 1, 2, 0xff}},
		{"image", messagemock.Binary([]byte("\xff\xd8\xff\xe0jpeg"), "image/jpeg"), "image/jpeg", []byte("\xff\xd8\xff\xe0jpeg")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, spec := range []pact.Spec{pact.V3, pact.V4} {
				p := messagemock.New("c", "p", messagemock.WithSpec(spec))
				var got messagemock.Received
				require.NoError(t, p.ExpectsToReceive("m").WithContents(c.contents).
					ConsumedBy(func(r messagemock.Received) error { got = r; return nil }))
				require.Equal(t, c.want, got.Contents)
				require.Equal(t, c.ct, got.ContentType)
				parsed, data := mustWrite(t, p)
				require.Equal(t, spec, parsed.Spec)
				m := parsed.Interactions[0].Message
				require.Equal(t, c.want, m.Contents.Content, "%s", data)
				require.Equal(t, c.ct, m.Contents.EffectiveContentType(), "%s", data)
				if spec == pact.V3 {
					require.True(t, parsed.Messages)
					require.Equal(t, c.ct, m.Metadata["contentType"])
				}
			}
		})
	}
}

func TestSyncMessages(t *testing.T) {
	p := messagemock.New("c", "p")
	var req messagemock.Received
	var resps []messagemock.Received
	err := p.ExpectsRequest("a status query").
		Given("an order exists", nil).
		WithRequest(messagemock.JSON(map[string]any{"id": messagemock.Like("o-1")}), map[string]any{"reply-to": "status"}).
		WillRespondWith(messagemock.JSON(map[string]any{"status": messagemock.Regex("PAID", "^(NEW|PAID)$")}), nil).
		WillRespondWith(messagemock.Text("done"), map[string]any{"final": true}).
		ConsumedBy(func(r messagemock.Received, rs []messagemock.Received) error {
			req, resps = r, rs
			return nil
		})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"o-1"}`, string(req.Contents))
	require.Equal(t, "status", req.Metadata["reply-to"])
	require.Len(t, resps, 2)
	require.Equal(t, "done", string(resps[1].Contents))

	parsed, data := mustWrite(t, p)
	in := parsed.Interactions[0]
	require.Equal(t, pact.SyncMessage, in.Type)
	require.Len(t, in.MessageResponses, 2, "%s", data)
	require.Contains(t, in.MessageRequest.Rules[pact.CategoryBody], "$.id")
	require.Contains(t, in.MessageResponses[0].Rules[pact.CategoryBody], "$.status")
	require.Equal(t, true, in.MessageResponses[1].Metadata["final"])

	v3 := messagemock.New("c", "p", messagemock.WithSpec(pact.V3))
	err = v3.ExpectsRequest("q").WithRequest(messagemock.Text("x"), nil).
		ConsumedBy(func(messagemock.Received, []messagemock.Received) error { return nil })
	require.ErrorContains(t, err, "synchronous messages need a V4 pact")
}

func TestFailuresAreNotWritten(t *testing.T) {
	t.Run("handler error", func(t *testing.T) {
		p := messagemock.New("c", "p")
		require.NoError(t, p.ExpectsToReceive("good").WithContents(messagemock.Text("a")).
			ConsumedBy(func(messagemock.Received) error { return nil }))
		require.NoError(t, p.Verify())
		boom := errors.New("cannot parse")
		err := p.ExpectsToReceive("bad").WithContents(messagemock.Text("b")).
			ConsumedBy(func(messagemock.Received) error { return boom })
		var ce *messagemock.ConsumerError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "bad", ce.Description)
		require.ErrorIs(t, err, boom)
		verr := p.Verify()
		require.ErrorIs(t, verr, messagemock.ErrNotConsumed)
		require.ErrorIs(t, verr, mock.ErrNotOK)
		require.ErrorContains(t, verr, `"bad"`)
		dir := t.TempDir()
		_, err = p.WritePact(dir)
		require.ErrorIs(t, err, messagemock.ErrNotConsumed)
		require.ErrorContains(t, err, `"bad"`)
		entries, _ := os.ReadDir(dir)
		require.Empty(t, entries)
	})
	t.Run("bad template", func(t *testing.T) {
		p := messagemock.New("c", "p")
		called := false
		err := p.ExpectsToReceive("unencodable").WithContents(messagemock.JSON(map[string]any{"ch": make(chan int)})).
			ConsumedBy(func(messagemock.Received) error { called = true; return nil })
		require.ErrorContains(t, err, `message "unencodable": JSON contents`)
		require.False(t, called)
	})
	t.Run("nothing consumed", func(t *testing.T) {
		_, err := messagemock.New("c", "p").WritePact(t.TempDir())
		require.ErrorContains(t, err, "no message was consumed")
	})
}

func TestWritePactMergesWithTheExistingFile(t *testing.T) {
	dir := t.TempDir()
	first := messagemock.New("c", "p")
	for _, d := range []string{"one", "two"} {
		require.NoError(t, first.ExpectsToReceive(d).WithContents(messagemock.Text(d)).
			ConsumedBy(func(messagemock.Received) error { return nil }))
	}
	_, err := first.WritePact(dir)
	require.NoError(t, err)
	second := messagemock.New("c", "p")
	require.NoError(t, second.ExpectsToReceive("two").WithContents(messagemock.Text("two, changed")).
		ConsumedBy(func(messagemock.Received) error { return nil }))
	paths, err := second.WritePact(dir)
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "c-p.json")}, paths)
	data, err := os.ReadFile(paths[0])
	require.NoError(t, err)
	parsed, err := pact.Parse(data)
	require.NoError(t, err)
	got := map[string]string{}
	for _, in := range parsed.Interactions {
		got[in.Description] = string(in.Message.Contents.Content)
	}
	require.Equal(t, map[string]string{"one": "one", "two": "two, changed"}, got)
}

func mustLoadOrdersProto(tb testing.TB) *proto.Files {
	tb.Helper()
	files, err := proto.Load(context.Background(), []string{"../../../testdata/message/proto/orders.proto"}, nil)
	require.NoError(tb, err)
	return files
}

// TestProtobufPayloadRoundTrip writes a protobuf message pact and verifies
// producers against it in process: the contents are compared field by
// field with the descriptors the pact carries.
func TestProtobufPayloadRoundTrip(t *testing.T) {
	files := mustLoadOrdersProto(t)
	p := messagemock.New("c", "p")
	var got messagemock.Received
	err := p.ExpectsToReceive("an order created event").
		WithContents(messagemock.Protobuf(files, "OrderCreated", map[string]any{
			"order_id": messagemock.Regex("o-1", `^o-\d+$`),
			"total":    messagemock.Like(12.5),
			"currency": "EUR",
			"items":    messagemock.EachLike(map[string]any{"sku": messagemock.Like("S"), "quantity": messagemock.Like(1)}, 1),
		})).
		WithMetadata(map[string]any{"kafka_topic": "orders"}).
		ConsumedBy(func(r messagemock.Received) error { got = r; return nil })
	require.NoError(t, err)
	require.Equal(t, "application/protobuf; message=.orders.v1.OrderCreated", got.ContentType)
	v, err := files.BinaryToValue("OrderCreated", got.Contents, proto.ValueOptions{})
	require.NoError(t, err)
	require.Equal(t, "o-1", v.(map[string]any)["order_id"])

	paths, err := p.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sets, err := proto.PactDescriptors(data)
	require.NoError(t, err)
	require.Len(t, sets, 1, "%s", data)
	require.Regexp(t, regexp.MustCompile(`"encoded": "base64"`), string(data))

	produce := func(v map[string]any, topic string) *message.Provider {
		prov := message.NewProvider()
		prov.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
			bin, err := files.ValueToBinary("OrderCreated", v)
			if err != nil {
				return message.Message{}, err
			}
			return message.Message{Contents: bin, ContentType: "application/protobuf; message=orders.v1.OrderCreated",
				Metadata: map[string]any{"kafka_topic": topic}}, nil
		})
		return prov
	}
	verifyWith := func(prov *message.Provider) verify.InteractionResult {
		r, err := message.VerifyPacts(context.Background(), prov, verify.Source{Name: path, Data: data})
		require.NoError(t, err)
		return r.Pacts[0].Interactions[0]
	}
	item := func(sku string, q any) map[string]any { return map[string]any{"sku": sku, "quantity": q} }

	ok := verifyWith(produce(map[string]any{"order_id": "o-77", "total": 3.0, "currency": "EUR",
		"items": []any{item("A", json.Number("2")), item("B", json.Number("5"))}}, "orders"))
	require.Equal(t, verify.StatusPassed, ok.Status, "%+v", ok.Failures)

	bad := verifyWith(produce(map[string]any{"order_id": "order-77", "total": 3.0, "currency": "USD",
		"items": []any{item("A", json.Number("2"))}}, "payments"))
	require.Equal(t, verify.StatusFailed, bad.Status)
	var where []string
	for _, f := range bad.Failures {
		for _, m := range f.Mismatches {
			where = append(where, m.Kind+" "+m.Path)
		}
	}
	require.ElementsMatch(t, []string{"body-mismatch $.order_id", "body-mismatch $.currency", "metadata-mismatch kafka_topic"}, where)

	untyped := message.NewProvider()
	untyped.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		bin, err := files.ValueToBinary("OrderCreated", map[string]any{"order_id": "o-9", "currency": "EUR",
			"items": []any{item("Z", json.Number("1"))}})
		return message.Message{Contents: bin, Metadata: map[string]any{"kafka_topic": "orders"}}, err
	})
	u := verifyWith(untyped)
	require.Equal(t, verify.StatusPassed, u.Status, "no declared content type: decoded with the pact's schema: %+v", u.Failures)

	wrongType := message.NewProvider()
	wrongType.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		return message.Message{Contents: []byte(`{}`), ContentType: "application/json", Metadata: map[string]any{"kafka_topic": "orders"}}, nil
	})
	w := verifyWith(wrongType)
	require.Equal(t, verify.StatusFailed, w.Status)
	require.Equal(t, "Expected message with content type application/protobuf; message=.orders.v1.OrderCreated but was application/json",
		w.Failures[0].Mismatches[0].Message)

	garbage := message.NewProvider()
	garbage.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		return message.Message{Contents: []byte{0xff, 0xff, 0xff}, ContentType: "application/protobuf", Metadata: map[string]any{"kafka_topic": "orders"}}, nil
	})
	g := verifyWith(garbage)
	require.Equal(t, verify.StatusFailed, g.Status)
	require.Contains(t, g.Failures[0].Mismatches[0].Message, "Actual contents are not a orders.v1.OrderCreated protobuf message")
}
