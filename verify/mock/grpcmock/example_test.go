package grpcmock_test

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

// A consumer test declares what it expects, calls the mock with its own
// gRPC client and writes the pact. (Tests use grpcmock.New(t, ...), which
// fails the test on errors and closes the mock when it ends.)
func Example() {
	dir := "../../../testdata/grpc/full"
	m, err := grpcmock.Open(context.Background(), []string{dir + "/shop.proto"}, []string{dir}, grpcmock.Between("order-web", "order-service"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	m.Expect("shop.v1.Orders/GetOrder").
		Given("order o-1 exists", nil).
		UponReceiving("a request for order o-1").
		WithRequest(map[string]any{"id": grpcmock.Regex(`^o-\d+$`, "o-1")}).
		WillRespondWith(map[string]any{"id": grpcmock.Like("o-1"), "status": "STATUS_SHIPPED"})

	// The consumer's client (here a dynamic one; generated stubs work the same).
	conn, _ := grpc.NewClient(m.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	method, _ := m.Files().FindMethod("shop.v1.Orders/GetOrder")
	req, _ := m.Files().FromValue(method.Input(), map[string]any{"id": "o-7"})
	reply := dynamicpb.NewMessage(method.Output())
	err = conn.Invoke(context.Background(), "/shop.v1.Orders/GetOrder", req, reply)
	fmt.Println("call error:", err)
	fmt.Println("verify:", m.Verify())
	fmt.Println(len(m.Pact().Interactions), "interaction in the pact")
	// Output:
	// call error: <nil>
	// verify: <nil>
	// 1 interaction in the pact
}
