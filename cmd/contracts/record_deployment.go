package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker/api"
)

// Flag names of the deployment and release commands.
const (
	flagEnvironment         = "environment"
	flagApplicationInstance = "application-instance"
)

// deploymentFlags are the flags of record-deployment, record-undeployment,
// record-release and record-support-ended.
type deploymentFlags struct {
	broker      brokerFlags
	pacticipant string
	version     string
	environment string
	instance    string
	withVersion bool
}

func (f *deploymentFlags) add(cmd *cobra.Command, withVersion, withInstance bool) {
	f.withVersion = withVersion
	f.broker.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.pacticipant, flagPacticipant, "", "name of the pacticipant (required)")
	if withVersion {
		fs.StringVar(&f.version, flagVersion, "", "version of the pacticipant (required)")
	}
	fs.StringVar(&f.environment, flagEnvironment, "", "name of the environment (required)")
	if withInstance {
		fs.StringVar(&f.instance, flagApplicationInstance, "", "application instance, when several instances of the pacticipant run in the environment")
	}
}

// run returns a RunE that checks the required flags (--version only where the
// command has it), connects to the broker and calls record; an error from
// record is a broker failure.
func (f *deploymentFlags) run(e *env, record func(cmd *cobra.Command, c *api.Client) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		pairs := []string{flagPacticipant, f.pacticipant}
		if f.withVersion {
			pairs = append(pairs, flagVersion, f.version)
		}
		if err := required(append(pairs, flagEnvironment, f.environment)...); err != nil {
			return err
		}
		c, err := f.broker.client(cmd, e)
		if err != nil {
			return err
		}
		if err := record(cmd, c); err != nil {
			return brokerFailure(err)
		}
		return nil
	}
}

func init() {
	register(newRecordDeploymentCmd)
	register(newRecordUndeploymentCmd)
}

func newRecordDeploymentCmd(e *env) *cobra.Command {
	f := &deploymentFlags{}
	cmd := &cobra.Command{
		Use:   "record-deployment",
		Short: "Record that a version was deployed to an environment",
		Long: `Record-deployment tells the broker that a pacticipant version is now deployed
to the environment; the version previously deployed there (for the same
application instance) is marked as no longer deployed.

Exit status: 0 recorded, 2 could not record (unknown version or environment,
broker unreachable).`,
		Example: `  contracts record-deployment --pacticipant web --version 1.2.3 --environment production`,
		Args:    cobra.NoArgs,
		RunE: f.run(e, func(cmd *cobra.Command, c *api.Client) error {
			d, err := c.RecordDeployment(cmd.Context(), f.pacticipant, f.version, f.environment, f.instance)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("Recorded deployment of %s version %s to %s", d.Pacticipant, d.Version, f.environment)
			if f.instance != "" {
				msg += " (application instance " + f.instance + ")"
			}
			fmt.Fprintln(e.stdout, msg+".")
			return nil
		}),
	}
	f.add(cmd, true, true)
	return cmd
}

func newRecordUndeploymentCmd(e *env) *cobra.Command {
	f := &deploymentFlags{}
	cmd := &cobra.Command{
		Use:   "record-undeployment",
		Short: "Record that a pacticipant is no longer deployed to an environment",
		Long: `Record-undeployment marks the versions of the pacticipant currently deployed
to the environment (only the given application instance's, when given) as no
longer deployed.

Exit status: 0 recorded, 2 nothing deployed there or could not record.`,
		Example: `  contracts record-undeployment --pacticipant web --environment production`,
		Args:    cobra.NoArgs,
		RunE: f.run(e, func(cmd *cobra.Command, c *api.Client) error {
			var instance *string
			if cmd.Flags().Changed(flagApplicationInstance) {
				instance = &f.instance
			}
			ds, err := c.RecordUndeployment(cmd.Context(), f.pacticipant, f.environment, instance)
			if err != nil {
				return err
			}
			for _, d := range ds {
				fmt.Fprintf(e.stdout, "Recorded undeployment of %s version %s from %s.\n", f.pacticipant, d.Version, f.environment)
			}
			return nil
		}),
	}
	f.add(cmd, false, true)
	return cmd
}
