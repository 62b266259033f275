package sqlite

import (
	"context"

	"github.com/contracts-dev/contracts/broker"
)

// Batch writes many publications and verifications in one transaction.
// It exists for seeding large databases (benchmarks, imports), where a
// transaction per call would dominate the time.
type Batch struct {
	s   *Store
	ctx context.Context
	tx  *txn
}

// Batch runs fn in one write transaction; if fn returns an error nothing
// it wrote is kept.
func (s *Store) Batch(ctx context.Context, fn func(b *Batch) error) error {
	return s.write(ctx, func(tx *txn) error {
		return fn(&Batch{s: s, ctx: ctx, tx: tx})
	})
}

// PublishContracts is Store.PublishContracts inside the batch.
func (b *Batch) PublishContracts(req broker.PublishRequest) (broker.PublishResult, error) {
	plans, err := planPublication(req)
	if err != nil {
		return broker.PublishResult{}, err
	}
	return b.s.publishTx(b.ctx, b.tx, req, plans)
}

// PublishVerification is Store.PublishVerification inside the batch.
func (b *Batch) PublishVerification(in broker.VerificationInput) error {
	if err := checkVerification(in); err != nil {
		return err
	}
	_, err := b.s.verifyTx(b.ctx, b.tx, in)
	return err
}

// AddBranchVersion is Store.AddBranchVersion inside the batch.
func (b *Batch) AddBranchVersion(pacticipant, branch, version string) error {
	pid, vid, _, err := b.s.ensureVersion(b.ctx, b.tx, pacticipant, version)
	if err != nil {
		return err
	}
	_, err = b.s.addBranchVersion(b.ctx, b.tx, pid, vid, branch)
	return err
}
