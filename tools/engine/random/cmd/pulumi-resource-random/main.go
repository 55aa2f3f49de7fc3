// Command pulumi-resource-random is the Random resource plugin of the Nexora e2e engine.
// schema.json is generated at build time by pulumi-tfgen-random (see tools/engine/build.sh).
package main

import (
	"context"
	_ "embed"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	random "nexora/tools/engine/random"
)

//go:embed schema.json
var schema []byte

func main() {
	pf.Main(context.Background(), "random", random.Provider(), pf.ProviderMetadata{PackageSchema: schema})
}
