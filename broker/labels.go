package broker

import (
	"context"
	"time"
)

// Label is a pacticipant label ("team-a", "mobile"): webhooks can name a
// consumer or provider by label instead of by name.
type Label struct {
	Pacticipant string
	Name        string
	CreatedAt   time.Time
}

// Labels is the persistence of pacticipant labels (part of Store).
type Labels interface {
	// PutLabel labels the pacticipant, creating it when missing (as the
	// Pact Broker does). created is false when it had the label already.
	PutLabel(ctx context.Context, pacticipant, label string) (_ Label, created bool, _ error)
	// GetLabel returns a pacticipant's label. ErrNotFound: no such
	// pacticipant or label.
	GetLabel(ctx context.Context, pacticipant, label string) (Label, error)
	// DeleteLabel removes a label from a pacticipant. ErrNotFound.
	DeleteLabel(ctx context.Context, pacticipant, label string) error
	// ListLabels lists a pacticipant's labels ordered by name (none for an
	// unknown pacticipant).
	ListLabels(ctx context.Context, pacticipant string) ([]Label, error)
	// ListLabelledPacticipants lists the pacticipants with the label,
	// ordered by name.
	ListLabelledPacticipants(ctx context.Context, label string, page Page) ([]Pacticipant, error)
	// ListLabelNames lists the labels in use, each once, ordered by name.
	ListLabelNames(ctx context.Context, page Page) ([]string, error)
}

// LabelNames returns the names of ls, in order.
func LabelNames(ls []Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

// PutLabel labels the pacticipant, creating it when missing (see
// Store.PutLabel). ErrInvalid: a bad pacticipant or label name.
func (s *Service) PutLabel(ctx context.Context, pacticipant, label string) (Label, bool, error) {
	if err := CheckName("label", label); err != nil {
		return Label{}, false, err
	}
	if err := CheckName("pacticipant", pacticipant); err != nil {
		return Label{}, false, err
	}
	return s.Store.PutLabel(ctx, pacticipant, label)
}
