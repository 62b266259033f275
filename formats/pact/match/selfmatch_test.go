package match_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// TestPactsMatchThemselves parses every valid pact fixture of the
// repository and checks that each expectation matches its own example
// values under its rules: an example that breaks its own rules is a
// contract no provider could satisfy.
func TestPactsMatchThemselves(t *testing.T) {
	t.Parallel()
	var files []string
	root := filepath.Join("..", "..", "..", "testdata")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "invalid" || d.Name() == "match" || d.Name() == "proto") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.ToSlash(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			p, err := pact.Parse(data)
			if err != nil {
				// Not every JSON fixture is a pact.
				return
			}
			for _, in := range p.Interactions {
				if in.Request != nil {
					require.Empty(t, match.Request(in.Request, in.Request), "%s request:\n%s", in.Description, dump(match.Request(in.Request, in.Request)))
				}
				if in.Response != nil {
					require.Empty(t, match.Response(in.Response, in.Response), "%s response:\n%s", in.Description, dump(match.Response(in.Response, in.Response)))
				}
				for _, m := range append([]*pact.Message{in.Message, in.MessageRequest}, in.MessageResponses...) {
					if m != nil {
						require.Empty(t, match.Message(m, m), "%s message:\n%s", in.Description, dump(match.Message(m, m)))
					}
				}
			}
		})
	}
}
