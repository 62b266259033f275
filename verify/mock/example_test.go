package mock_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

func ExampleNew() {
	p, err := pact.Parse([]byte(`{
	  "consumer": {"name": "web"}, "provider": {"name": "users"},
	  "interactions": [{"description": "get a user", "request": {"method": "GET", "path": "/users/42"},
	    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 42}}}],
	  "metadata": {"pactSpecification": {"version": "3.0.0"}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		fmt.Println(err)
		return
	}

	// The consumer under test calls the mock provider.
	resp, err := http.Get(srv.URL() + "/users/42")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	fmt.Println("expectations met:", srv.Verify() == nil)
	// Output:
	// 200 {"id":42}
	// expectations met: true
}
