package broker

import (
	"context"
	"errors"
)

func pactsForVerification(ctx context.Context, s Store, req PactsForVerificationRequest) ([]VerifiablePact, error) {
	return nil, errors.New("pacts for verification: not implemented yet")
}
