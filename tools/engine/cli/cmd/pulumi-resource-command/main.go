// Command pulumi-resource-command is the Nexora e2e engine's own, minimal `command` provider.
//
// Why it exists: the upstream provider (module github.com/pulumi/pulumi-command/provider) is not
// served by the module proxy reachable here at any version we could name (see
// tools/engine/versions.env), nor is its framework (github.com/pulumi/pulumi-go-provider).
//
// It implements command:local:Command with the documented semantics of @pulumi/command 1.x for the
// inputs this project uses: create, update (falls back to create), delete, stdin, environment,
// triggers (a change replaces the resource), interpreter (default /bin/sh -c), dir, logging
// (stdout|stderr|stdoutAndStderr|none, default stdoutAndStderr) and addPreviousOutputInEnv
// (default true: PULUMI_COMMAND_STDOUT/PULUMI_COMMAND_STDERR for update and delete). Outputs are
// the inputs plus stdout and stderr (one trailing newline trimmed). assetPaths/archivePaths,
// command:remote:* and command:local:run are not implemented and fail loudly.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is set with -ldflags "-X main.Version=<ver>".
var Version = "1.2.1"

const localCommand = "command:local:Command"

func main() {
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &commandProvider{host: host}, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, opts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, opts)
}

func checkType(urn string) error {
	if t := resource.URN(urn).Type(); string(t) != localCommand {
		return status.Errorf(codes.Unimplemented,
			"resource type %s is not implemented by the Nexora engine's command provider", t)
	}
	return nil
}

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"command","version":"` + Version + `"}`}, nil
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	// Secrets are stripped by the engine and their secretness re-applied to same-named outputs.
	return &pulumirpc.ConfigureResponse{SupportsPreview: true}, nil
}

func (p *commandProvider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "function %s is not implemented by the Nexora engine's command provider", req.GetTok())
}

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for _, k := range []resource.PropertyKey{"assetPaths", "archivePaths"} {
		if v, ok := news[k]; ok && !v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{
				Property: string(k), Reason: string(k) + " is not supported by the Nexora engine's command provider",
			})
		}
	}
	if v, ok := news["logging"]; ok && v.IsString() {
		switch v.StringValue() {
		case "stdout", "stderr", "stdoutAndStderr", "none":
		default:
			failures = append(failures, &pulumirpc.CheckFailure{Property: "logging", Reason: "unknown logging mode " + v.StringValue()})
		}
	}
	if _, ok := news["addPreviousOutputInEnv"]; !ok {
		news["addPreviousOutputInEnv"] = resource.NewBoolProperty(true)
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// inputKeys are the properties that are inputs (everything else in the state is an output).
var inputKeys = []resource.PropertyKey{
	"interpreter", "dir", "environment", "create", "update", "delete", "stdin", "triggers",
	"logging", "addPreviousOutputInEnv", "assetPaths", "archivePaths",
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	var diffs, replaces []string
	for _, k := range inputKeys {
		o, hasO := olds[k]
		n, hasN := news[k]
		if hasO && o.IsNull() {
			hasO = false
		}
		if hasN && n.IsNull() {
			hasN = false
		}
		if !hasO && !hasN {
			continue
		}
		if hasO && hasN && !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hasO:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasN:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if k == "triggers" {
			kind += 1 // *_REPLACE follows each kind in the enum
			replaces = append(replaces, string(k))
		}
		diffs = append(diffs, string(k))
		detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{
		Changes: changes, Diffs: diffs, Replaces: replaces, DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

func str(m resource.PropertyMap, k resource.PropertyKey) (string, bool) {
	v, ok := m[k]
	if !ok || v.IsNull() {
		return "", false
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsComputed() || v.IsOutput() {
		return "", false
	}
	if !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

func unknownOutputs(inputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	out["stdout"] = resource.MakeComputed(resource.NewStringProperty(""))
	out["stderr"] = resource.MakeComputed(resource.NewStringProperty(""))
	return out
}

// lineLogger sends each complete line to the engine as an info diagnostic on the resource.
type lineLogger struct {
	ctx  context.Context
	host *provider.HostClient
	urn  resource.URN
	mu   sync.Mutex
	buf  bytes.Buffer
}

func (l *lineLogger) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.Reset()
			l.buf.WriteString(line)
			break
		}
		l.emit(strings.TrimSuffix(line, "\n"))
	}
	return len(b), nil
}

func (l *lineLogger) emit(line string) {
	if l.host != nil && line != "" {
		_ = l.host.LogStatus(l.ctx, diag.Info, l.urn, line)
	}
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 0 {
		l.emit(l.buf.String())
		l.buf.Reset()
	}
}

// run executes one of the command strings with the resource's interpreter, dir, env and stdin.
func (p *commandProvider) run(
	ctx context.Context, urn resource.URN, inputs resource.PropertyMap, script string, previous resource.PropertyMap,
) (string, string, error) {
	interpreter := []string{"/bin/sh", "-c"}
	if v, ok := inputs["interpreter"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 {
		interpreter = nil
		for _, e := range v.ArrayValue() {
			if e.IsSecret() {
				e = e.SecretValue().Element
			}
			interpreter = append(interpreter, e.StringValue())
		}
	}
	args := append(append([]string{}, interpreter[1:]...), script)
	cmd := exec.CommandContext(ctx, interpreter[0], args...)
	if dir, ok := str(inputs, "dir"); ok {
		cmd.Dir = dir
	}
	env := os.Environ()
	if v, ok := inputs["environment"]; ok && v.IsObject() {
		keys := v.ObjectValue().StableKeys()
		for _, k := range keys {
			if s, ok := str(v.ObjectValue(), k); ok {
				env = append(env, string(k)+"="+s)
			}
		}
	}
	addPrev := true
	if v, ok := inputs["addPreviousOutputInEnv"]; ok && v.IsBool() {
		addPrev = v.BoolValue()
	}
	if previous != nil && addPrev {
		so, _ := str(previous, "stdout")
		se, _ := str(previous, "stderr")
		env = append(env, "PULUMI_COMMAND_STDOUT="+so, "PULUMI_COMMAND_STDERR="+se)
	}
	cmd.Env = env
	if stdin, ok := str(inputs, "stdin"); ok {
		cmd.Stdin = strings.NewReader(stdin)
	}
	logging := "stdoutAndStderr"
	if s, ok := str(inputs, "logging"); ok {
		logging = s
	}
	var stdout, stderr bytes.Buffer
	logger := &lineLogger{ctx: ctx, host: p.host, urn: urn}
	var outW, errW io.Writer = &stdout, &stderr
	if logging == "stdout" || logging == "stdoutAndStderr" {
		outW = io.MultiWriter(&stdout, logger)
	}
	if logging == "stderr" || logging == "stdoutAndStderr" {
		errW = io.MultiWriter(&stderr, logger)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err := cmd.Run()
	logger.flush()
	so := strings.TrimSuffix(stdout.String(), "\n")
	se := strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return so, se, fmt.Errorf("%w: running %q:\nStdout:\n%s\nStderr:\n%s", err, script, indent(so), indent(se))
	}
	return so, se, nil
}

func indent(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		b.WriteString("\t" + sc.Text() + "\n")
	}
	return b.String()
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	resID := urn.Name() + "-" + hex.EncodeToString(id)
	if req.GetPreview() {
		props, err := marshal(unknownOutputs(inputs))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Id: "", Properties: props}, nil
	}
	out := inputs.Copy()
	if script, ok := str(inputs, "create"); ok {
		so, se, err := p.run(ctx, urn, inputs, script, nil)
		if err != nil {
			return nil, err
		}
		out["stdout"], out["stderr"] = resource.NewStringProperty(so), resource.NewStringProperty(se)
	} else {
		out["stdout"], out["stderr"] = resource.NewStringProperty(""), resource.NewStringProperty("")
	}
	props, err := marshal(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: resID, Properties: props}, nil
}

func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := marshal(unknownOutputs(news))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.UpdateResponse{Properties: props}, nil
	}
	out := news.Copy()
	script, ok := str(news, "update")
	if !ok {
		script, ok = str(news, "create")
	}
	if ok {
		so, se, err := p.run(ctx, resource.URN(req.GetUrn()), news, script, olds)
		if err != nil {
			return nil, err
		}
		out["stdout"], out["stderr"] = resource.NewStringProperty(so), resource.NewStringProperty(se)
	} else {
		out["stdout"], out["stderr"] = olds["stdout"], olds["stderr"]
	}
	props, err := marshal(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if script, ok := str(state, "delete"); ok {
		if _, _, err := p.run(ctx, resource.URN(req.GetUrn()), state, script, state); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
