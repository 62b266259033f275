package sqlstore

import (
	"context"

	"github.com/contracts-dev/contracts/broker"
)

// Batch writes many publications and verifications in one transaction.
// It exists for seeding large databases (benchmarks, imports), where a
// transaction per call would dominate the time.
type Batch struct {
	s     *Store
	ctx   context.Context
	tx    *Tx
	cache batchCache
}

// batchCache remembers ids looked up within one Batch (nothing is deleted
// inside a batch, so they stay valid). Methods on a nil cache do nothing.
type batchCache struct {
	pactVersions map[[3]string][3]int64 // consumer, provider, sha
	versions     map[[2]string]int64    // pacticipant, number
}

func (c *batchCache) pactVersion(k [3]string) ([3]int64, bool) {
	if c == nil {
		return [3]int64{}, false
	}
	ids, ok := c.pactVersions[k]
	return ids, ok
}

func (c *batchCache) setPactVersion(k [3]string, ids [3]int64) {
	if c == nil {
		return
	}
	if c.pactVersions == nil {
		c.pactVersions = map[[3]string][3]int64{}
	}
	c.pactVersions[k] = ids
}

func (c *batchCache) version(k [2]string) (int64, bool) {
	if c == nil {
		return 0, false
	}
	id, ok := c.versions[k]
	return id, ok
}

func (c *batchCache) setVersion(k [2]string, id int64) {
	if c == nil {
		return
	}
	if c.versions == nil {
		c.versions = map[[2]string]int64{}
	}
	c.versions[k] = id
}

// Batch runs fn in one write transaction; if fn returns an error nothing
// it wrote is kept.
func (s *Store) Batch(ctx context.Context, fn func(b *Batch) error) error {
	return s.write(ctx, func(tx *Tx) error {
		return fn(&Batch{s: s, ctx: ctx, tx: tx})
	})
}

// PublishContracts is Store.PublishContracts inside the batch (see
// broker.NewPublication for a publication's write).
func (b *Batch) PublishContracts(w broker.PublishWrite) (broker.PublishResult, error) {
	return b.s.publishTx(b.ctx, b.tx, w)
}

// PublishVerification is Store.PublishVerification inside the batch; in
// is checked as broker.Service checks it.
func (b *Batch) PublishVerification(in broker.VerificationInput) error {
	if err := broker.CheckVerification(in); err != nil {
		return err
	}
	_, err := b.s.verifyTx(b.ctx, b.tx, in, &b.cache)
	return err
}

// AddBranchVersion is Store.AddBranchVersion inside the batch.
func (b *Batch) AddBranchVersion(pacticipant, version string, branch broker.BranchWrite) error {
	pid, vid, _, err := b.s.ensureVersion(b.ctx, b.tx, pacticipant, version)
	if err != nil {
		return err
	}
	_, err = b.s.addBranchVersion(b.ctx, b.tx, pid, vid, branch)
	return err
}
