package broker

import "context"

// Snapshotter is implemented by stores that can serve several reads from
// one read transaction. Queries that make many store calls
// (pacts-for-verification, the matrix) then read one consistent snapshot
// and wait once for a database connection, rather than once per call,
// which under concurrent load multiplied their latency.
type Snapshotter interface {
	// ReadSnapshot returns a context whose store reads share one read
	// transaction, and the function that ends it. The context must not be
	// used for writes, nor after end.
	ReadSnapshot(ctx context.Context) (snap context.Context, end func(), err error)
}

// inSnapshot runs fn with a read snapshot of s when s offers one.
func inSnapshot(ctx context.Context, s Store, fn func(ctx context.Context) error) error {
	sn, ok := s.(Snapshotter)
	if !ok {
		return fn(ctx)
	}
	snap, end, err := sn.ReadSnapshot(ctx)
	if err != nil {
		return err
	}
	defer end()
	return fn(snap)
}
