// Command pulumi-resource-docker is the Docker resource plugin of the Nexora e2e engine.
// schema.json is generated at build time by pulumi-tfgen-docker (see tools/engine/build.sh).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	docker "nexora/tools/engine/docker"
)

//go:embed schema.json
var schema []byte

func main() {
	tfbridge.Main("docker", docker.Version, docker.Provider(), schema)
}
