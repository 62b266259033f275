package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker/api"
)

func init() {
	register(newRecordReleaseCmd)
	register(newRecordSupportEndedCmd)
}

func newRecordReleaseCmd(e *env) *cobra.Command {
	f := &deploymentFlags{}
	cmd := &cobra.Command{
		Use:   "record-release",
		Short: "Record that a version was released to an environment",
		Long: `Record-release tells the broker that a pacticipant version is released to the
environment (a mobile app, a library: several releases can be supported at
once, unlike deployments).

Exit status: 0 recorded, 2 could not record.`,
		Example: `  contracts record-release --pacticipant ios-app --version 4.2.0 --environment app-store`,
		Args:    cobra.NoArgs,
		RunE: f.run(e, func(cmd *cobra.Command, c *api.Client) error {
			if _, err := c.RecordRelease(cmd.Context(), f.pacticipant, f.version, f.environment); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Recorded release of %s version %s to %s.\n", f.pacticipant, f.version, f.environment)
			return nil
		}),
	}
	f.add(cmd, true, false)
	return cmd
}

func newRecordSupportEndedCmd(e *env) *cobra.Command {
	f := &deploymentFlags{}
	cmd := &cobra.Command{
		Use:   "record-support-ended",
		Short: "Record that a released version is no longer supported in an environment",
		Long: `Record-support-ended marks a release of the pacticipant version in the
environment as no longer supported.

Exit status: 0 recorded, 2 not a supported release there or could not record.`,
		Example: `  contracts record-support-ended --pacticipant ios-app --version 4.1.0 --environment app-store`,
		Args:    cobra.NoArgs,
		RunE: f.run(e, func(cmd *cobra.Command, c *api.Client) error {
			if _, err := c.RecordSupportEnded(cmd.Context(), f.pacticipant, f.version, f.environment); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Recorded support ended for %s version %s in %s.\n", f.pacticipant, f.version, f.environment)
			return nil
		}),
	}
	f.add(cmd, true, false)
	return cmd
}
