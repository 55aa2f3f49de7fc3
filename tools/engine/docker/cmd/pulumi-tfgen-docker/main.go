// Command pulumi-tfgen-docker writes the Pulumi schema (schema.json) for the glue provider.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	docker "nexora/tools/engine/docker"
)

func main() {
	tfgen.Main("docker", docker.Version, docker.Provider())
}
