package verify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/contracts-dev/contracts/verify"
)

func ExampleVerify() {
	// A provider that honours the contract below.
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": 42, "name": "Ann"}`)
	}))
	defer provider.Close()

	pactJSON := `{
	  "consumer": {"name": "web"}, "provider": {"name": "users"},
	  "interactions": [{
	    "description": "get a user",
	    "request": {"method": "GET", "path": "/users/42"},
	    "response": {"status": 200, "headers": {"Content-Type": "application/json"},
	      "body": {"id": 1, "name": "Bob"},
	      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}, "$.name": {"matchers": [{"match": "type"}]}}}}
	  }],
	  "metadata": {"pactSpecification": {"version": "3.0.0"}}}`

	report, err := verify.Verify(context.Background(),
		verify.Config{ProviderBaseURL: provider.URL},
		[]verify.Source{{Name: "web-users.json", Data: []byte(pactJSON)}})
	if err != nil {
		fmt.Println("could not verify:", err)
		return
	}
	in := report.Pacts[0].Interactions[0]
	fmt.Println(in.Description, in.Status, report.Success())
	// Output: get a user passed true
}
