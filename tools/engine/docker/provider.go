// Package docker is the Nexora engine's own bridge glue for the Docker provider: it maps the
// upstream Terraform provider (kreuzwerker/terraform-provider-docker, SDKv2 half) onto the
// `docker` Pulumi package tokens that @pulumi/docker's Node SDK uses. Pins: ../versions.env.
package docker

import (
	"unicode"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// Version is set with -ldflags "-X nexora/tools/engine/docker.Version=<ver>".
var Version = "0.0.0-dev"

func tok(name string) tokens.Type {
	file := string(unicode.ToLower(rune(name[0]))) + name[1:]
	return tokens.Type("docker:index/" + file + ":" + name)
}

func fn(name string) tokens.ModuleMember {
	file := string(unicode.ToLower(rune(name[0]))) + name[1:]
	return tokens.ModuleMember("docker:index/" + file + ":" + name)
}

// Provider returns the bridge configuration.
func Provider() tfbridge.ProviderInfo {
	p := shimv2.NewProvider(shim.NewProvider(Version))
	resources := map[string]*tfbridge.ResourceInfo{
		"docker_config": {Tok: tok("ServiceConfig")},
		"docker_container": {
			Tok:                 tok("Container"),
			DeleteBeforeReplace: true,
			Fields: map[string]*tfbridge.SchemaInfo{
				// a single command given as a list: not pluralised
				"command":           {Name: "command"},
				"networks_advanced": {Name: "networksAdvanced"},
			},
		},
		"docker_image": {
			Tok:    tok("RemoteImage"),
			Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
		},
		"docker_network":        {Tok: tok("Network")},
		"docker_secret":         {Tok: tok("Secret")},
		"docker_service":        {Tok: tok("Service")},
		"docker_volume":         {Tok: tok("Volume")},
		"docker_registry_image": {Tok: tok("RegistryImage")},
		"docker_plugin":         {Tok: tok("Plugin")},
		"docker_tag":            {Tok: tok("Tag")},
		"docker_buildx_builder": {Tok: tok("BuildxBuilder")},
	}
	dataSources := map[string]*tfbridge.DataSourceInfo{
		"docker_network":                  {Tok: fn("getNetwork")},
		"docker_registry_image":           {Tok: fn("getRegistryImage")},
		"docker_plugin":                   {Tok: fn("getPlugin")},
		"docker_image":                    {Tok: fn("getRemoteImage")},
		"docker_logs":                     {Tok: fn("getLogs")},
		"docker_registry_image_manifests": {Tok: fn("getRegistryImageManifests")},
	}
	// Keep only what this upstream version has.
	for k := range resources {
		if _, ok := p.ResourcesMap().GetOk(k); !ok {
			delete(resources, k)
		}
	}
	for k := range dataSources {
		if _, ok := p.DataSourcesMap().GetOk(k); !ok {
			delete(dataSources, k)
		}
	}
	prov := tfbridge.ProviderInfo{
		P:           p,
		Name:        "docker",
		Version:     Version,
		Description: "Docker resources for the Nexora e2e engine (bridged kreuzwerker/terraform-provider-docker)",
		License:     "Apache-2.0",
		GitHubOrg:   "kreuzwerker",
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}, Value: "unix:///var/run/docker.sock"}},
			"registry_auth": {
				Name:        "registryAuth",
				MaxItemsOne: tfbridge.False(),
			},
		},
		Resources:   resources,
		DataSources: dataSources,
	}
	prov.SetAutonaming(255, "-")
	return prov
}
