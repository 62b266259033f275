package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
)

// Flag names of the create-environment command.
const (
	flagEnvName         = "name"
	flagEnvDisplayName  = "display-name"
	flagEnvProduction   = "production"
	flagEnvContactName  = "contact-name"
	flagEnvContactEmail = "contact-email-address"
)

type createEnvironmentFlags struct {
	broker       brokerFlags
	name         string
	displayName  string
	production   bool
	contactName  string
	contactEmail string
	output       string
}

func init() { register(newCreateEnvironmentCmd) }

func newCreateEnvironmentCmd(e *env) *cobra.Command {
	f := &createEnvironmentFlags{}
	cmd := &cobra.Command{
		Use:   "create-environment",
		Short: "Create an environment on the broker",
		Long: `Create-environment creates a deployment environment (test, production, ...)
that record-deployment, record-release and can-i-deploy --to-environment name.

Exit status: 0 created, 2 could not create (name taken, invalid name).`,
		Example: `  contracts create-environment --name production --production`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(flagEnvName, f.name); err != nil {
				return err
			}
			if err := checkOutput(f.output); err != nil {
				return err
			}
			c, err := f.broker.client(cmd, e)
			if err != nil {
				return err
			}
			in := broker.Environment{Name: f.name, DisplayName: f.displayName, Production: f.production}
			if f.contactName != "" || f.contactEmail != "" {
				contact := map[string]any{"name": f.contactName}
				if f.contactEmail != "" {
					contact["details"] = map[string]string{"emailAddress": f.contactEmail}
				}
				in.Contacts, _ = json.Marshal([]any{contact})
			}
			env, err := c.CreateEnvironment(cmd.Context(), in)
			if err != nil {
				return brokerFailure(err)
			}
			if f.output == "json" {
				return writeJSONOut(e.stdout, map[string]any{"uuid": env.UUID, "name": env.Name, "displayName": env.DisplayName, "production": env.Production})
			}
			fmt.Fprintf(e.stdout, "Created environment %s with UUID %s.\n", env.Name, env.UUID)
			return nil
		},
	}
	f.broker.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.name, flagEnvName, "", "name of the environment, without spaces (required)")
	fs.StringVar(&f.displayName, flagEnvDisplayName, "", "display name")
	fs.BoolVar(&f.production, flagEnvProduction, false, "whether it is a production environment")
	fs.StringVar(&f.contactName, flagEnvContactName, "", "name of the team to contact")
	fs.StringVar(&f.contactEmail, flagEnvContactEmail, "", "email address of the team to contact")
	fs.StringVarP(&f.output, flagOutput, "o", "table", "output format: table or json")
	return cmd
}
