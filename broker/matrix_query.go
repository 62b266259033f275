package broker

import (
	"context"
	"errors"
)

func queryMatrix(ctx context.Context, s Store, q MatrixQuery) (*MatrixResult, error) {
	return nil, errors.New("matrix: not implemented yet")
}
