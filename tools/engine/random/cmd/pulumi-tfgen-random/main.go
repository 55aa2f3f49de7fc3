// Command pulumi-tfgen-random writes the Pulumi schema (schema.json) for the glue provider.
package main

import (
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	random "nexora/tools/engine/random"
)

func main() {
	pftfgen.Main("random", random.Provider())
}
