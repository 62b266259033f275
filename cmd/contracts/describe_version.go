package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

type describeVersionFlags struct {
	broker      brokerFlags
	pacticipant string
	version     string
	latest      string
	output      string
}

func init() { register(newDescribeVersionCmd) }

func newDescribeVersionCmd(e *env) *cobra.Command {
	f := &describeVersionFlags{}
	cmd := &cobra.Command{
		Use:   "describe-version",
		Short: "Describe a pacticipant version: branches and tags",
		Long: `Describe-version shows a pacticipant version as the broker knows it: its
branches, tags and build URL. Without --version it describes the latest
version (with --latest=TAG, the latest with the tag).

Exit status: 0 found, 2 not found or could not ask.`,
		Example: `  contracts describe-version --pacticipant web --version 1.2.3
  contracts describe-version --pacticipant web --latest=prod --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(flagPacticipant, f.pacticipant); err != nil {
				return err
			}
			if err := checkOutput(f.output); err != nil {
				return err
			}
			if f.version != "" && f.latest != "" {
				return failWith(exitCantTell, fmt.Errorf("--%s and --%s cannot be combined", flagVersion, flagLatest))
			}
			c, err := f.broker.client(cmd, e)
			if err != nil {
				return err
			}
			tag := f.latest
			if tag == "true" {
				tag = ""
			}
			v, err := c.DescribeVersion(cmd.Context(), f.pacticipant, f.version, tag)
			if err != nil {
				return brokerFailure(err)
			}
			if f.output == "json" {
				return writeJSONOut(e.stdout, map[string]any{
					"pacticipant": f.pacticipant, "number": v.Number, "branches": nonNil(v.Branches), "tags": nonNil(v.Tags), "buildUrl": v.BuildURL,
				})
			}
			fmt.Fprintf(e.stdout, "Pacticipant: %s\nVersion:     %s\nBranches:    %s\nTags:        %s\n", f.pacticipant, v.Number, strings.Join(v.Branches, ", "), strings.Join(v.Tags, ", "))
			if v.BuildURL != "" {
				fmt.Fprintf(e.stdout, "Build URL:   %s\n", v.BuildURL)
			}
			return nil
		},
	}
	f.broker.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.pacticipant, flagPacticipant, "", "name of the pacticipant (required)")
	fs.StringVar(&f.version, flagVersion, "", "version number (default: the latest)")
	fs.StringVar(&f.latest, flagLatest, "", "describe the latest version (--latest=TAG: the latest with the tag)")
	fs.Lookup(flagLatest).NoOptDefVal = "true"
	fs.StringVarP(&f.output, flagOutput, "o", "table", "output format: table or json")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
